package litesim

import (
	"strconv"
	"strings"
	"testing"
)

// TestFromEUR: conversions are exact, rounded half up to the cent.
func TestFromEUR(t *testing.T) {
	tests := []struct {
		cents int64
		cur   string
		want  int64
	}{
		{8999, "EUR", 8999},
		{8999, "USD", 9764}, // 97.63915
		{100, "USD", 109},   // 1.085: half up, not to even
		{300, "USD", 326},   // 3.255
		{2, "USD", 2},       // 0.0217
		{8999, "GBP", 7604}, // 76.04155
		{100, "GBP", 85},    // 0.845: half up
		{8999, "CHF", 8459}, // 84.5906
		{0, "CHF", 0},
		{123456789, "USD", 133950616}, // 1339506.16065
	}
	for _, tt := range tests {
		if got := FromEUR(tt.cents, tt.cur); got != tt.want {
			t.Errorf("FromEUR(%d, %s) = %d, want %d", tt.cents, tt.cur, got, tt.want)
		}
	}
	for cur := range sandboxRates {
		for _, cents := range []int64{1, 50, 99, 100, 8999, 10099} {
			if got, want := FromEUR(cents, cur), wantFromEUR(t, cents, cur); !pricedIn(cur) || got != want {
				t.Errorf("FromEUR(%d, %s) = %d, want %d", cents, cur, got, want)
			}
		}
	}
	if pricedIn("JPY") || pricedIn("usd") || pricedIn("") {
		t.Error("priced in a currency outside the table")
	}
}

// wantFromEUR is the test's own conversion: cents × rate in integers,
// rounded half up.
func wantFromEUR(t *testing.T, cents int64, cur string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(sandboxRates[cur], ".")
	num, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	den := int64(1)
	for range frac {
		den *= 10
	}
	return (2*cents*num + den) / (2 * den)
}
