package liteapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// TestSimulatorCurrencies: the simulator prices in EUR, USD, GBP and CHF
// (each EUR price per person converted at the sandbox rate), and verify,
// prebook, services and booking answer in the currency the offer was
// searched in, with the same totals.
func TestSimulatorCurrencies(t *testing.T) {
	pax := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	l := leg("CDG", "PMI", "2026-07-01")
	env := newSimEnv(t, litesim.Config{Seed: 5})
	eurOffers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: l, Passengers: pax, Currency: "EUR"})
	if err != nil || len(eurOffers) == 0 {
		t.Fatalf("%d EUR offers, %v", len(eurOffers), err)
	}
	for _, cur := range []string{"EUR", "USD", "GBP", "CHF"} {
		t.Run(cur, func(t *testing.T) {
			env := newSimEnv(t, litesim.Config{Seed: 5})
			offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: l, Passengers: pax, Currency: strings.ToLower(cur)})
			if err != nil {
				t.Fatal(err)
			}
			if len(offers) != len(eurOffers) {
				t.Fatalf("%d offers, %d in EUR", len(offers), len(eurOffers))
			}
			for i, o := range offers {
				e := eurOffers[i].PerPassenger
				want := providers.PassengerPrice{
					Adult:  providers.Money{Amount: litesim.FromEUR(e.Adult.Amount, cur), Currency: cur},
					Child:  &providers.Money{Amount: litesim.FromEUR(e.Child.Amount, cur), Currency: cur},
					Infant: &providers.Money{Amount: litesim.FromEUR(e.Infant.Amount, cur), Currency: cur},
				}
				total := providers.Money{Amount: 2*want.Adult.Amount + want.Child.Amount + want.Infant.Amount, Currency: cur}
				if o.PerPassenger.Adult != want.Adult || *o.PerPassenger.Child != *want.Child || *o.PerPassenger.Infant != *want.Infant ||
					o.Total != total || o.Parts[0].Total != total {
					t.Errorf("offer %d: total %s per passenger %+v %+v %+v; want %s %+v %+v %+v", i, o.Total,
						o.PerPassenger.Adult, o.PerPassenger.Child, o.PerPassenger.Infant, total, want.Adult, want.Child, want.Infant)
				}
			}
			if cur == "EUR" && offers[0].Parts[0].Ref != eurOffers[0].Parts[0].Ref {
				t.Error("EUR offer ids changed with the currency")
			}

			// Verify: the same total, bags in the currency.
			o := offers[0]
			roomy(t, env, o, 20)
			pc, err := env.client.CheckPrice(context.Background(), o.Parts[0])
			if err != nil {
				t.Fatal(err)
			}
			if !pc.Available || pc.Total != o.Total {
				t.Errorf("verify %+v, searched %s", pc, o.Total)
			}
			bagFee := litesim.CheckedBagPrice(o.Slices[0].Segments[0].CarrierCode)
			var bag providers.Ancillary
			for _, a := range pc.Ancillaries {
				if a.Price.Currency != cur {
					t.Errorf("verify ancillary %+v not in %s", a, cur)
				}
				if a.Price.Amount > 0 {
					bag = a
				}
			}
			if bag.Price.Amount != litesim.FromEUR(bagFee, cur) {
				t.Errorf("paid bag %s, want %d minor units", bag.Price, litesim.FromEUR(bagFee, cur))
			}

			// Prebook: the searched total; seats and bags in the currency.
			h := mustHold(t, env, o)
			if h.Total != o.Total {
				t.Errorf("hold total %s, searched %s", h.Total, o.Total)
			}
			var seat providers.Ancillary
			for _, a := range h.Ancillaries {
				if a.Price.Currency != cur {
					t.Errorf("hold ancillary %+v not in %s", a, cur)
				}
				if a.Kind == providers.Seat && seat.Ref == "" {
					seat = a
				}
			}
			if seat.Ref == "" {
				t.Fatal("no seat")
			}
			// Seats cost 7.99 to 22.99 EUR.
			if lo, hi := litesim.FromEUR(799, cur), litesim.FromEUR(2299, cur); seat.Price.Amount < lo || seat.Price.Amount > hi {
				t.Errorf("seat %s, want %d to %d", seat.Price, lo, hi)
			}

			// Attach a bag and a seat: the price grows by theirs, in the currency.
			h2 := mustHold(t, env, o,
				providers.Selection{Ref: bag.Ref, PassengerIndex: 0, Quantity: 1},
				providers.Selection{Ref: seat.Ref, PassengerIndex: 1, Quantity: 1})
			want := providers.Money{Amount: o.Total.Amount + bag.Price.Amount + seat.Price.Amount, Currency: cur}
			if h2.Total != want {
				t.Errorf("hold with extras %s, want %s", h2.Total, want)
			}

			// Booking and its read-back: the held total, in the currency.
			b, err := env.client.Book(context.Background(), bookRequestFor(o, h2, "FG-"+cur))
			if err != nil {
				t.Fatal(err)
			}
			if b.Total != want {
				t.Errorf("booking total %s, want %s", b.Total, want)
			}
			status, raw := get(t, env.srv.URL+wire.BookingPath(b.Reference), testKey)
			var got struct {
				Data []struct {
					Booking struct {
						Order struct {
							Currency string `json:"currency"`
						} `json:"order"`
						Pricing struct {
							Currency string `json:"currency"`
						} `json:"pricing"`
						Payment struct {
							Currency string `json:"currency"`
						} `json:"payment"`
					} `json:"booking"`
				} `json:"data"`
			}
			if err := json.Unmarshal(raw, &got); err != nil || status != 200 || len(got.Data) != 1 {
				t.Fatalf("HTTP %d %s: %v", status, raw, err)
			}
			if bk := got.Data[0].Booking; bk.Order.Currency != cur || bk.Pricing.Currency != cur || bk.Payment.Currency != cur {
				t.Errorf("booking currencies %+v, want %s", bk, cur)
			}
		})
	}

	t.Run("a bag of another currency cannot be attached", func(t *testing.T) {
		env := newSimEnv(t, litesim.Config{Seed: 5})
		search := func(cur string) providers.Offer {
			offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: l, Passengers: pax, Currency: cur})
			if err != nil || len(offers) == 0 {
				t.Fatalf("%d offers, %v", len(offers), err)
			}
			return offers[0]
		}
		usd, eur := search("USD"), search("EUR")
		roomy(t, env, eur, 20)
		pc, err := env.client.CheckPrice(context.Background(), usd.Parts[0])
		if err != nil {
			t.Fatal(err)
		}
		bag := pc.Ancillaries[len(pc.Ancillaries)-1]
		_, err = env.client.Hold(context.Background(), holdRequest(eur, providers.Selection{Ref: bag.Ref, PassengerIndex: 0, Quantity: 1}))
		wantError(t, err, "attach_services", providers.Rejected, "44001")
	})

	t.Run("other currencies are searched in EUR", func(t *testing.T) {
		env := newSimEnv(t, litesim.Config{Seed: 5})
		log := env.tap()
		offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: l, Passengers: pax, Currency: "JPY"})
		if err != nil || len(offers) == 0 {
			t.Fatalf("%d offers, %v", len(offers), err)
		}
		for _, o := range offers {
			if o.Total.Currency != "EUR" || o.Parts[0].Total.Currency != "EUR" {
				t.Fatalf("JPY search answered in %s", o.Total.Currency)
			}
		}
		for _, b := range log.bodies(t, "POST", wire.RatesPath) {
			if b["currency"] != "EUR" {
				t.Errorf("rates asked in %v", b["currency"])
			}
		}
	})

	t.Run("a currency refused after all is asked again in EUR", func(t *testing.T) {
		env := newSimEnv(t, litesim.Config{Seed: 5})
		env.client.cfg.Currencies = []string{"EUR", "JPY"}
		log := env.tap()
		offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: l, Passengers: pax, Currency: "JPY"})
		if err != nil || len(offers) == 0 || offers[0].Total.Currency != "EUR" {
			t.Fatalf("%d offers, %v", len(offers), err)
		}
		var asked []any
		for _, b := range log.bodies(t, "POST", wire.RatesPath) {
			asked = append(asked, b["currency"])
		}
		if len(asked) != 2 || asked[0] != "JPY" || asked[1] != "EUR" {
			t.Errorf("rates asked in %v, want JPY then EUR", asked)
		}
	})
}
