package liteapi

import (
	"context"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// The benchmarks of the call the fan-out waits for, a round-trip search
// (2 adults, CDG→PMI, a week), for allocations and CPU per call:
//
//	go test ./providers/liteapi -run '^$' -bench . -benchmem
//
// They assert nothing about time.

var benchQuery = providers.RoundTripQuery{Outbound: leg("CDG", "PMI", "2026-07-01"), Return: leg("PMI", "CDG", "2026-07-08"),
	Passengers: providers.Passengers{Adults: 2}}

// BenchmarkSearchRoundTrips is the whole call over loopback HTTP; the
// simulator's own work is counted too.
func BenchmarkSearchRoundTrips(b *testing.B) {
	env := newSimEnv(b, litesim.Config{Seed: 11})
	for b.Loop() {
		if _, err := env.client.SearchRoundTrips(context.Background(), benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRoundTrips is the adapter's part alone: the simulator's
// answer (read once) decoded and mapped to offers.
func BenchmarkDecodeRoundTrips(b *testing.B) {
	env := newSimEnv(b, litesim.Config{Seed: 11})
	req := newRatesRequest([]providers.OriginDestination{benchQuery.Outbound, benchQuery.Return}, benchQuery.Passengers, wire.DefaultCurrency)
	status, raw := post(b, env.srv.URL+wire.RatesPath, testKey, req)
	if status != 200 {
		b.Fatalf("status %d: %s", status, raw)
	}
	b.Logf("answer: %d bytes", len(raw))
	s := search{fareType: providers.RoundTrip, legs: []providers.OriginDestination{benchQuery.Outbound, benchQuery.Return}, pax: benchQuery.Passengers, now: testNow.Add(time.Minute)}
	for b.Loop() {
		var resp wire.RatesResponse
		if err := decodeAnswer("round_trips", "POST", wire.RatesPath, status, raw, &resp); err != nil {
			b.Fatal(err)
		}
		if offers, skipped := toOffers(resp, s); len(offers) == 0 || len(skipped) > 0 {
			b.Fatalf("%d offers, %d skipped", len(offers), len(skipped))
		}
	}
}
