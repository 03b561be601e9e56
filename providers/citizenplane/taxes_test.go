package citizenplane

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// TestSearchTaxes: a part's Taxes is included_airport_tax per seat, and
// zero, with the offer still sold, when the tax is missing, unreadable or
// cannot be part of the price.
func TestSearchTaxes(t *testing.T) {
	withTax := func(tax string) string {
		return strings.Replace(docFlight, `"included_airport_tax": 13.20`, tax, 1)
	}
	tests := []struct {
		name   string
		flight string
		pax    providers.Passengers
		want   providers.Money
	}{
		{"one adult", docFlight, providers.Passengers{Adults: 1}, eur(1320)},
		{"adults and children, infants pay none", docFlight, providers.Passengers{Adults: 2, Children: 2, Infants: 2}, eur(5280)},
		{"tax missing", withTax(`"no_tax": 1`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax null", withTax(`"included_airport_tax": null`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax a quoted number", withTax(`"included_airport_tax": "13.20"`), providers.Passengers{Adults: 1}, eur(1320)},
		{"tax not a number", withTax(`"included_airport_tax": "n/a"`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax an object", withTax(`"included_airport_tax": {"amount": 13.20}`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax a boolean", withTax(`"included_airport_tax": true`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax with three decimals", withTax(`"included_airport_tax": 13.205`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax negative", withTax(`"included_airport_tax": -13.20`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax zero", withTax(`"included_airport_tax": 0`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax above the price", withTax(`"included_airport_tax": 90.00`), providers.Passengers{Adults: 1}, providers.Money{}},
		{"tax exactly the price", withTax(`"included_airport_tax": 89.99`), providers.Passengers{Adults: 2}, eur(17998)},
	}
	q := providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := docServer(t, "GET", "/v3/flights", 200, `{"results": [`+tt.flight+`]}`, nil)
			q.Passengers = tt.pax
			offers, err := newTestClient(srv.URL, nil).Search(context.Background(), q)
			checkOneTax(t, "Search", "flight", offers, err, tt.want)
		})
	}
}

// checkOneTax checks that call (Search or SearchRoundTrips) answered one
// offer, the flight or fare sold whatever its tax, with Taxes want.
func checkOneTax(t *testing.T, call, what string, offers []providers.Offer, err error, want providers.Money) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	if len(offers) != 1 {
		t.Fatalf("got %d offers, want the %s sold whatever its tax", len(offers), what)
	}
	if diff := cmp.Diff(want, offers[0].Parts[0].Taxes); diff != "" {
		t.Errorf("Taxes (-want +got)\n%s", diff)
	}
}

// TestSearchRoundTripsTaxes: a round-trip part's Taxes is both flights'
// included_airport_tax per seat; zero when either flight's is unreadable.
func TestSearchRoundTripsTaxes(t *testing.T) {
	noTax := strings.Replace(docInbound, `"included_airport_tax": 9.85, `, ``, 1)
	badTax := strings.Replace(docInbound, `"included_airport_tax": 9.85`, `"included_airport_tax": 9.855`, 1)
	textTax := strings.Replace(docInbound, `"included_airport_tax": 9.85`, `"included_airport_tax": "included"`, 1)
	fare := func(in, price string) string {
		return `{"results": [{"outbound": ` + docFlight + `, "inbound": ` + in + `, "price": ` + price + `, "infant_price": 45.00, "currency": "EUR"}]}`
	}
	tests := []struct {
		name string
		body string
		pax  providers.Passengers
		want providers.Money
	}{
		{"documented", docRoundTrips, providers.Passengers{Adults: 1}, eur(2305)},
		{"children pay it, infants do not", docRoundTrips, providers.Passengers{Adults: 1, Children: 1, Infants: 1}, eur(4610)},
		{"inbound tax missing", fare(noTax, "160.00"), providers.Passengers{Adults: 1}, providers.Money{}},
		{"inbound tax unreadable", fare(badTax, "160.00"), providers.Passengers{Adults: 1}, providers.Money{}},
		{"inbound tax not a number", fare(textTax, "160.00"), providers.Passengers{Adults: 1}, providers.Money{}},
		{"taxes above the pair price", fare(docInbound, "20.00"), providers.Passengers{Adults: 1}, providers.Money{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := docServer(t, "GET", "/v3/roundTrips", 200, tt.body, nil)
			q := providers.RoundTripQuery{Outbound: leg("CDG", "PMI", "2025-08-06"), Return: leg("PMI", "CDG", "2025-08-13"), Passengers: tt.pax}
			offers, err := newTestClient(srv.URL, nil).SearchRoundTrips(context.Background(), q)
			checkOneTax(t, "SearchRoundTrips", "fare", offers, err, tt.want)
		})
	}
}

// TestSimulatorTaxes: every flight and round-trip fare the simulator sells
// states its airport tax, and a part's Taxes is never more than its Total,
// whatever the party.
func TestSimulatorTaxes(t *testing.T) {
	_, srv := newSimServer(t)
	c := newTestClient(srv.URL, nil)
	ctx := context.Background()
	parties := []providers.Passengers{
		{Adults: 1},
		{Adults: 9},
		{Adults: 1, Children: 8},
		{Adults: 2, Children: 1, Infants: 2},
	}
	check := func(t *testing.T, o providers.Offer, flights int) {
		t.Helper()
		p := o.Parts[0]
		if p.Taxes.Currency != "EUR" || p.Taxes.Amount <= 0 || p.Taxes.Amount > p.Total.Amount {
			t.Errorf("part %s for %+v: Taxes %s, want some EUR not above Total %s", p.Ref, p.Passengers, p.Taxes, p.Total)
		}
		// At least the smallest airport tax per seat and flight.
		if p.Taxes.Amount < 780*int64(p.Passengers.Seats()*flights) {
			t.Errorf("part %s for %+v: Taxes %s too small", p.Ref, p.Passengers, p.Taxes)
		}
	}
	oneWays, roundTrips := 0, 0
	for ri, r := range cpsim.Routes() {
		for _, date := range []string{"2025-07-02", "2025-08-06", "2025-12-10", "2026-03-03"} {
			for _, pax := range parties {
				offers, err := c.Search(ctx, providers.Query{OriginDestination: leg(r.From, r.To, date), Passengers: pax})
				if err != nil {
					t.Fatalf("Search route %d %s: %v", ri, date, err)
				}
				for _, o := range offers {
					check(t, o, 1)
					oneWays++
				}
				if !r.RoundTrips {
					continue
				}
				rts, err := c.SearchRoundTrips(ctx, providers.RoundTripQuery{
					Outbound: leg(r.From, r.To, date), Return: leg(r.To, r.From, date), Passengers: pax})
				if err != nil {
					t.Fatalf("SearchRoundTrips route %d %s: %v", ri, date, err)
				}
				for _, o := range rts {
					check(t, o, 2)
					if want := (cpsim.AirportTax(r.From) + cpsim.AirportTax(r.To)) * int64(pax.Seats()); o.Parts[0].Taxes.Amount != want {
						t.Errorf("round trip %s for %+v: Taxes %s, want %d cents", o.Parts[0].Ref, pax, o.Parts[0].Taxes, want)
					}
					roundTrips++
				}
			}
		}
	}
	if oneWays == 0 || roundTrips == 0 {
		t.Errorf("checked %d one-way and %d round-trip offers, want some of each", oneWays, roundTrips)
	}
}

// TestTaxAmountJSON: the simulator writes a tax as a plain JSON number,
// and no tax as null; reading never fails and keeps what is not a
// number.
func TestTaxAmountJSON(t *testing.T) {
	for in, want := range map[wire.TaxAmount]string{"13.20": "13.20", "0": "0", "": "null"} {
		b, err := json.Marshal(in)
		if err != nil || string(b) != want {
			t.Errorf("Marshal(%q) = %s, %v; want %s", in, b, err, want)
		}
	}
	for in, want := range map[string]wire.TaxAmount{`13.2`: "13.2", `"9.85"`: "9.85", `null`: "", `"n/a"`: `"n/a"`, `[1]`: `[1]`, `false`: `false`} {
		a := wire.TaxAmount("x")
		if err := json.Unmarshal([]byte(in), &a); err != nil || a != want {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q", in, a, err, want)
		}
	}
}
