package providers

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in, code string
		want     Money
		wantErr  bool
	}{
		{"129.9", "EUR", Money{12990, "EUR"}, false},
		{"89.99", "eur", Money{8999, "EUR"}, false},
		{"0.1", "EUR", Money{10, "EUR"}, false},
		{"1500", "JPY", Money{1500, "JPY"}, false},
		{"13.205", "EUR", Money{}, true},
		{"12", "XXQ", Money{}, true},
		{"abc", "EUR", Money{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in+tt.code, func(t *testing.T) {
			got, err := ParseMoney(tt.in, tt.code)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestMoneyDecimal(t *testing.T) {
	for _, tt := range []struct {
		m    Money
		want string
	}{
		{Money{12990, "EUR"}, "129.90"},
		{Money{5, "EUR"}, "0.05"},
		{Money{1500, "JPY"}, "1500"},
		{Money{-250, "EUR"}, "-2.50"},
	} {
		if got := tt.m.Decimal(); got != tt.want {
			t.Errorf("%v.Decimal() = %q, want %q", tt.m, got, tt.want)
		}
	}
}
