package liteapi

import (
	"context"
	"testing"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// TestSearchBeyondHorizon: LiteAPI searches legs at most 11 months ahead
// (B.1). A search past that day has no offers and no error, and the API
// is not called; the last day within it is searched.
func TestSearchBeyondHorizon(t *testing.T) {
	// testNow is 2026-03-10: the last day LiteAPI searches is 2027-02-10.
	if got := lastSearchDate(testNow).Format("2006-01-02"); got != "2027-02-10" {
		t.Fatalf("lastSearchDate = %s", got)
	}
	pax := providers.Passengers{Adults: 1}
	tests := []struct {
		name   string
		search func(c *Client) ([]providers.Offer, error)
		calls  int
	}{
		{"one way past the horizon", func(c *Client) ([]providers.Offer, error) {
			return c.Search(context.Background(), providers.Query{OriginDestination: leg("CDG", "PMI", "2027-02-11"), Passengers: pax})
		}, 0},
		{"one way 12 months ahead", func(c *Client) ([]providers.Offer, error) {
			return c.Search(context.Background(), providers.Query{OriginDestination: leg("CDG", "PMI", "2027-03-09"), Passengers: pax})
		}, 0},
		{"return past the horizon", func(c *Client) ([]providers.Offer, error) {
			return c.SearchRoundTrips(context.Background(), providers.RoundTripQuery{Outbound: leg("CDG", "PMI", "2027-02-01"),
				Return: leg("PMI", "CDG", "2027-02-20"), Passengers: pax})
		}, 0},
		{"one way on the last day", func(c *Client) ([]providers.Offer, error) {
			return c.Search(context.Background(), providers.Query{OriginDestination: leg("CDG", "PMI", "2027-02-10"), Passengers: pax})
		}, 1},
		{"round trip within", func(c *Client) ([]providers.Offer, error) {
			return c.SearchRoundTrips(context.Background(), providers.RoundTripQuery{Outbound: leg("CDG", "PMI", "2027-02-01"),
				Return: leg("PMI", "CDG", "2027-02-10"), Passengers: pax})
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newSimEnv(t, litesim.Config{Seed: 3})
			log := env.tap()
			offers, err := tt.search(env.client)
			if err != nil {
				t.Fatalf("err %v", err)
			}
			if n := len(log.bodies(t, "POST", wire.RatesPath)); n != tt.calls {
				t.Errorf("%d rates calls, want %d", n, tt.calls)
			}
			if len(env.obs.all()) != tt.calls {
				t.Errorf("observed %v", env.obs.all())
			}
			if tt.calls == 0 && (offers == nil || len(offers) != 0) {
				t.Errorf("offers %v, want an empty list", offers)
			}
			if tt.calls == 1 && len(offers) == 0 {
				t.Error("no offers within the horizon")
			}
		})
	}
}
