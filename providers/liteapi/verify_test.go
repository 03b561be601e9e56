package liteapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
)

func TestCheckPrice(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	pax := providers.Passengers{Adults: 1, Children: 1}
	offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: leg("CDG", "PMI", "2026-07-01"), Passengers: pax})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range offers {
		s := o.Slices[0].Segments[0]
		t.Run(fmt.Sprintf("%d %s%s", i, s.CarrierCode, s.FlightNumber), func(t *testing.T) {
			pc, err := env.client.CheckPrice(context.Background(), o.Parts[0])
			if err != nil {
				t.Fatal(err)
			}
			if !pc.Available || pc.Total != o.Total || pc.SeatsAvailable != o.SeatsAvailable {
				t.Errorf("offer %d: check %+v, searched total %s seats %d", i, pc, o.Total, o.SeatsAvailable)
			}
			bag := litesim.CheckedBagPrice(o.Slices[0].Segments[0].CarrierCode)
			zero := providers.Money{Currency: "EUR"}
			// The cabin allowance of adults and children is listed once.
			want := []providers.Ancillary{
				{Ref: "cabin:8", Kind: providers.CabinBag, Description: "1 carry-on bag up to 8 kg", Price: zero, WeightKg: 8, Dimensions: "55x40x20"},
			}
			if o.Conditions.Changeable { // Flex includes a checked bag
				want = append(want, providers.Ancillary{Ref: "checked:23", Kind: providers.CheckedBag,
					Description: "1 checked bag up to 23 kg", Price: zero, WeightKg: 23})
			}
			want = append(want, providers.Ancillary{Kind: providers.CheckedBag, Description: "Extra checked bag up to 23 kg",
				Price: providers.Money{Amount: bag, Currency: "EUR"}, WeightKg: 23})
			if diff := cmp.Diff(want, pc.Ancillaries, cmpopts.IgnoreFields(providers.Ancillary{}, "Ref")); diff != "" {
				t.Fatalf("ancillaries (-want +got)\n%s", diff)
			}
			for j, a := range want[:len(want)-1] {
				if pc.Ancillaries[j].Ref != a.Ref {
					t.Errorf("included ref %q, want %q", pc.Ancillaries[j].Ref, a.Ref)
				}
			}
			if paid := pc.Ancillaries[len(want)-1].Ref; paid == "" || strings.Contains(paid, ":") {
				t.Errorf("paid bag ref %q, want the serviceId", paid)
			}
		})
	}
}

// TestCheckPriceGone: offers the provider no longer sells are unavailable,
// not errors.
func TestCheckPriceGone(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, env *simEnv, o providers.Offer)
	}{
		{"expired", func(_ *testing.T, env *simEnv, _ providers.Offer) {
			env.clock.Advance(litesim.DefaultOfferTTL + time.Second)
		}},
		{"sold out", func(t *testing.T, env *simEnv, o providers.Offer) { roomy(t, env, o, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newSimEnv(t, litesim.Config{Seed: 5})
			offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: leg("PMI", "CDG", "2026-07-05"), Passengers: providers.Passengers{Adults: 1}})
			if err != nil || len(offers) == 0 {
				t.Fatalf("%d offers, %v", len(offers), err)
			}
			p := offers[0].Parts[0]
			tt.spoil(t, env, offers[0])
			pc, err := env.client.CheckPrice(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&providers.PriceCheck{Available: false}, pc); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestCheckPriceBadRef: a ref that is not an offer id LiteAPI issued is a
// bug of ours, so it is Rejected (400 42013), not an unavailable offer.
func TestCheckPriceBadRef(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: leg("CDG", "BCN", "2026-05-05"), Passengers: providers.Passengers{Adults: 1}})
	if err != nil || len(offers) == 0 {
		t.Fatalf("%d offers, %v", len(offers), err)
	}
	real := offers[0].Parts[0]
	tampered := real
	tampered.Ref = real.Ref[:5] + flip(real.Ref[5]) + real.Ref[6:]
	garbage := real
	garbage.Ref = "h6NwaWTZJDAxOWQwNjc0"

	for _, p := range []providers.Part{tampered, garbage} {
		_, err := env.client.CheckPrice(context.Background(), p)
		pe := providerError(t, err)
		if pe.Code != providers.Rejected || pe.ProviderCode != "42013" || pe.Status != 400 || pe.Op != "verify" {
			t.Errorf("%s: %+v", p.Ref, pe)
		}
	}

	other := real
	other.Provider = "citizenplane"
	if _, err := env.client.CheckPrice(context.Background(), other); providers.CodeOf(err) != providers.Rejected {
		t.Errorf("part of another provider: %v", err)
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
