package liteapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// TestSearchTaxes: a part's Taxes is the offer's display taxes plus fees,
// and zero, with the offer still sold, when the taxes are missing or
// unreadable or cannot be part of the total.
func TestSearchTaxes(t *testing.T) {
	const documented = `"total":753.87,"currency":"USD","base":403.63,"fees":0,"taxes":350.24,`
	if strings.Count(documentedRates, documented) != 1 {
		t.Fatal("the documented display pricing is not where the test expects it")
	}
	usd := func(n int64) providers.Money { return providers.Money{Amount: n, Currency: "USD"} }
	tests := []struct {
		name    string
		display string // replaces documented
		want    providers.Money
	}{
		{"documented", documented, usd(35024)},
		{"taxes and fees", `"total":753.87,"currency":"USD","base":403.63,"fees":12.5,"taxes":350.24,`, usd(36274)},
		{"fees missing are none", `"total":753.87,"currency":"USD","base":403.63,"taxes":350.24,`, usd(35024)},
		{"fees null are none", `"total":753.87,"currency":"USD","base":403.63,"fees":null,"taxes":350.24,`, usd(35024)},
		{"taxes quoted", `"total":753.87,"currency":"USD","base":403.63,"fees":"0","taxes":"350.24",`, usd(35024)},
		{"taxes and fees the whole total", `"total":753.87,"currency":"USD","base":0,"fees":3.87,"taxes":750,`, usd(75387)},
		{"lower-case currency", `"total":753.87,"currency":"usd","base":403.63,"fees":0,"taxes":350.24,`, usd(35024)},
		{"taxes missing", `"total":753.87,"currency":"USD","base":403.63,"fees":12.5,`, providers.Money{}},
		{"taxes null", `"total":753.87,"currency":"USD","base":403.63,"fees":0,"taxes":null,`, providers.Money{}},
		{"taxes not a number", `"total":753.87,"currency":"USD","base":403.63,"fees":0,"taxes":"n/a",`, providers.Money{}},
		{"taxes an object", `"total":753.87,"currency":"USD","base":403.63,"fees":0,"taxes":{"amount":350.24},`, providers.Money{}},
		{"taxes with three decimals", `"total":753.87,"currency":"USD","base":403.63,"fees":0,"taxes":350.245,`, providers.Money{}},
		{"taxes negative", `"total":753.87,"currency":"USD","base":403.63,"fees":0,"taxes":-350.24,`, providers.Money{}},
		{"fees unreadable", `"total":753.87,"currency":"USD","base":403.63,"fees":"free","taxes":350.24,`, providers.Money{}},
		{"fees negative", `"total":753.87,"currency":"USD","base":403.63,"fees":-1,"taxes":350.24,`, providers.Money{}},
		{"above the total", `"total":753.87,"currency":"USD","base":0,"fees":60,"taxes":700,`, providers.Money{}},
		{"zero", `"total":753.87,"currency":"USD","base":753.87,"fees":0,"taxes":0,`, providers.Money{}},
	}
	q := providers.Query{OriginDestination: leg("JFK", "CDG", "2026-07-01"), Passengers: providers.Passengers{Adults: 1}, Currency: "USD"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFake(t, map[string]string{"/v3.0/flights/rates": strings.Replace(documentedRates, documented, tt.display, 1)})
			offers, err := c.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(offers) != 1 || offers[0].Total != usd(75387) {
				t.Fatalf("%d offers, want the documented one whatever its taxes", len(offers))
			}
			if diff := cmp.Diff(tt.want, offers[0].Parts[0].Taxes); diff != "" {
				t.Errorf("Taxes (-want +got)\n%s", diff)
			}
		})
	}

	t.Run("unreadable per-passenger taxes cost nothing", func(t *testing.T) {
		body := strings.Replace(documentedRates, `"fees":0,"taxes":350.24,"total":753.87}`, `"fees":"?","taxes":{},"total":753.87}`, 1)
		if body == documentedRates {
			t.Fatal("the documented per-passenger pricing is not where the test expects it")
		}
		_, c := newFake(t, map[string]string{"/v3.0/flights/rates": body})
		offers, err := c.Search(context.Background(), q)
		if err != nil || len(offers) != 1 || offers[0].Parts[0].Taxes != usd(35024) {
			t.Fatalf("%d offers, %v; want the documented one with its taxes", len(offers), err)
		}
	})
}

// TestSimulatorTaxes: in every currency the simulator prices in, its offers
// state taxes and fees, split from each person's price in that currency,
// whose sum is below the total; the parts carry that sum.
func TestSimulatorTaxes(t *testing.T) {
	parties := []providers.Passengers{{Adults: 1}, {Adults: 2, Children: 1, Infants: 1}, {Adults: 1, Children: 8}}
	for _, cur := range litesim.Currencies() {
		t.Run(cur, func(t *testing.T) {
			env := newSimEnv(t, litesim.Config{Seed: 3})
			ctx := context.Background()
			n := 0
			for _, pax := range parties {
				out, back := leg("CDG", "PMI", "2026-07-01"), leg("PMI", "CDG", "2026-07-08")
				ow, err := env.client.Search(ctx, providers.Query{OriginDestination: out, Passengers: pax, Currency: cur})
				if err != nil {
					t.Fatal(err)
				}
				rt, err := env.client.SearchRoundTrips(ctx, providers.RoundTripQuery{Outbound: out, Return: back, Passengers: pax, Currency: cur})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range append(ow, rt...) {
					n++
					p, pp := o.Parts[0], o.PerPassenger
					var want int64
					for _, x := range []struct {
						price *providers.Money
						n     int
					}{{&pp.Adult, pax.Adults}, {pp.Child, pax.Children}, {pp.Infant, pax.Infants}} {
						if x.n > 0 {
							_, tax, fee := litesim.Split(x.price.Amount)
							if tax <= 0 || fee <= 0 {
								t.Errorf("%s: %s person pays tax %d fee %d", p.Ref, x.price, tax, fee)
							}
							want += (tax + fee) * int64(x.n)
						}
					}
					if p.Taxes != (providers.Money{Amount: want, Currency: cur}) {
						t.Errorf("%s: Taxes %s, want %d %s", o.FareType, p.Taxes, want, cur)
					}
					if p.Taxes.Amount <= 0 || p.Taxes.Amount >= p.Total.Amount || p.Total != o.Total {
						t.Errorf("%s: Taxes %s, want some below the total %s", o.FareType, p.Taxes, p.Total)
					}
				}
			}
			if n == 0 {
				t.Fatal("no offers")
			}
		})
	}
}

// TestLooseAmountJSON: amounts are written as plain JSON numbers, no
// amount as null; reading never fails and keeps what is not a number.
func TestLooseAmountJSON(t *testing.T) {
	for in, want := range map[wire.LooseAmount]string{"350.24": "350.24", "0": "0", "": "null"} {
		b, err := json.Marshal(in)
		if err != nil || string(b) != want {
			t.Errorf("Marshal(%q) = %s, %v; want %s", in, b, err, want)
		}
	}
	for in, want := range map[string]wire.LooseAmount{`350.24`: "350.24", `"0"`: "0", `null`: "", `"n/a"`: `"n/a"`, `{}`: `{}`, `true`: `true`} {
		a := wire.LooseAmount("x")
		if err := json.Unmarshal([]byte(in), &a); err != nil || a != want {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q", in, a, err, want)
		}
	}
}
