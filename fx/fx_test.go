package fx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
)

func TestSnapshotParses(t *testing.T) {
	r := Snapshot()
	if r.Source != SourceECB || r.Date != "2025-05-09" {
		t.Errorf("snapshot %s of %s", r.Source, r.Date)
	}
	for _, c := range []string{"EUR", "USD", "GBP", "CHF", "JPY", "SEK"} {
		if !r.Has(c) {
			t.Errorf("snapshot has no %s rate", c)
		}
	}
}

// ecbDay is a document in the ECB's daily format.
func ecbDay(day string, rates map[string]string) string {
	s := `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
	<Cube><Cube time='` + day + `'>`
	for c, r := range rates {
		s += fmt.Sprintf("<Cube currency='%s' rate='%s'/>", c, r)
	}
	return s + "</Cube></Cube></gesmes:Envelope>"
}

func TestConvert(t *testing.T) {
	r, err := ParseECB([]byte(ecbDay("2026-11-27", map[string]string{"USD": "1.1000", "GBP": "0.8500", "JPY": "160.00", "KWD": "0.3400"})))
	if err != nil {
		t.Fatal(err)
	}
	money := func(a int64, c string) providers.Money { return providers.Money{Amount: a, Currency: c} }
	for _, c := range []struct {
		in   providers.Money
		to   string
		want providers.Money
	}{
		{money(8999, "EUR"), "USD", money(9899, "USD")},               // 98.989 → 98.99
		{money(8999, "EUR"), "EUR", money(8999, "EUR")},               // as is
		{money(1000, "EUR"), "JPY", money(1600, "JPY")},               // 10.00 EUR → 1600 JPY (no minor unit)
		{money(1000, "EUR"), "KWD", money(3400, "KWD")},               // three digits: 3.400
		{money(1100, "USD"), "EUR", money(1000, "EUR")},               // inverse
		{money(1100, "USD"), "GBP", money(850, "GBP")},                // cross rate through the euro
		{money(5, "EUR"), "USD", money(6, "USD")},                     // 5.5 → 6 (half to even: 6 is even)
		{money(15, "EUR"), "USD", money(16, "USD")},                   // 16.5 → 16 (half to even)
		{money(25, "EUR"), "USD", money(28, "USD")},                   // 27.5 → 28
		{money(-15, "EUR"), "USD", money(-16, "USD")},                 // a refund: symmetric
		{money(12345678901, "EUR"), "USD", money(13580246791, "USD")}, // no float anywhere
	} {
		got, err := r.Convert(c.in, c.to)
		if err != nil || got != c.want {
			t.Errorf("Convert(%s, %s) = %s, %v; want %s", c.in, c.to, got, err, c.want)
		}
	}
	if _, err := r.Convert(money(100, "EUR"), "XAU"); !errors.Is(err, ErrNoRate) {
		t.Errorf("XAU: %v, want ErrNoRate", err)
	}
	d := r.Describe("EUR", "USD")
	if d.Rate != "1.100000" || d.Source != "ECB" || d.Date != "2026-11-27" {
		t.Errorf("Describe = %+v", d)
	}
}

func TestParseRefusesBadFiles(t *testing.T) {
	for name, doc := range map[string]string{
		"not xml":       "rates",
		"no day":        `<gesmes:Envelope xmlns:gesmes="x"><Cube></Cube></gesmes:Envelope>`,
		"bad rate":      ecbDay("2026-11-27", map[string]string{"USD": "n/a"}),
		"zero rate":     ecbDay("2026-11-27", map[string]string{"USD": "0"}),
		"bad currency":  ecbDay("2026-11-27", map[string]string{"ZZZ": "1.1"}),
		"bad date":      ecbDay("27/11/2026", map[string]string{"USD": "1.1"}),
		"fraction rate": ecbDay("2026-11-27", map[string]string{"USD": "11/10"}),
	} {
		if _, err := ParseECB([]byte(doc)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// TestRefresh serves the ECB format from an httptest server: a newer day
// replaces the snapshot, a failure or an older day keeps the rates in force.
func TestRefresh(t *testing.T) {
	doc, status := ecbDay("2026-11-27", map[string]string{"USD": "1.0500", "GBP": "0.8700"}), http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprint(w, doc)
	}))
	defer srv.Close()
	s := NewSource(SourceConfig{URL: srv.URL})
	if s.Rates().Date != Snapshot().Date {
		t.Fatal("a new source starts with the snapshot")
	}
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := s.Rates(); r.Date != "2026-11-27" || r.Describe("EUR", "USD").Rate != "1.050000" {
		t.Errorf("after refresh: %s %+v", r.Date, r.Describe("EUR", "USD"))
	}
	status = http.StatusServiceUnavailable
	if err := s.Refresh(context.Background()); err == nil || s.Rates().Date != "2026-11-27" {
		t.Errorf("a failed refresh: %v, rates of %s", err, s.Rates().Date)
	}
	status, doc = http.StatusOK, "<html>maintenance</html>"
	if err := s.Refresh(context.Background()); err == nil || s.Rates().Date != "2026-11-27" {
		t.Errorf("an unreadable answer: %v, rates of %s", err, s.Rates().Date)
	}
	doc = ecbDay("2026-11-20", map[string]string{"USD": "1.2000"})
	if err := s.Refresh(context.Background()); err != nil || s.Rates().Date != "2026-11-27" {
		t.Errorf("an older day replaced newer rates: %v, %s", err, s.Rates().Date)
	}
}

// TestRatesAge: rates are stale more than StaleDays after their day.
func TestRatesAge(t *testing.T) {
	r := &Rates{Date: "2025-05-09"}
	for _, tt := range []struct {
		now   string
		age   int
		stale bool
	}{
		{"2025-05-09T15:00:00Z", 0, false},
		{"2025-05-16T23:00:00Z", 7, false},
		{"2025-05-17T00:00:00Z", 8, true},
		{"2026-06-01T08:00:00Z", 388, true},
		{"2025-05-01T00:00:00Z", 0, false},
	} {
		now, _ := time.Parse(time.RFC3339, tt.now)
		if got := r.Age(now); got != tt.age || r.Stale(now) != tt.stale {
			t.Errorf("at %s: age %d stale %v, want %d %v", tt.now, got, r.Stale(now), tt.age, tt.stale)
		}
	}
}
