package search

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
)

// nopStore keeps nothing: the benchmarks count encoding the stored body,
// not a database.
type nopStore struct{}

func (nopStore) SaveSearch(context.Context, string, time.Time, time.Time, []byte) error { return nil }
func (nopStore) LoadSearch(context.Context, string, time.Time) ([]byte, error) {
	return nil, ErrNotFound
}

// BenchmarkRoundTripSearch is what a round-trip search costs in this
// package once the providers have answered, as the fan-out runs it: two
// providers of 12 one-way offers each way and 30 round-trip fares each
// (some 190 offers with the combinations), the first page of 20 shown and
// the result stored. For allocations per search:
//
//	go test ./search -run '^$' -bench RoundTripSearch -benchmem
//
// It asserts nothing about time.
func BenchmarkRoundTripSearch(b *testing.B) {
	signer, err := ids.NewSigner(testKey)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	var ticks atomic.Int64
	// Every call of the clock is a minute later, so that no search is
	// answered from an earlier identical one.
	clock := func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Minute) }
	set := benchProviders(b, start)
	s := New(Config{Providers: set, Store: nopStore{}, Signer: signer, Now: clock})
	ctx := context.Background()
	var n int
	for b.Loop() {
		n++
		r := Request{Origin: "CDG", Destination: "PMI", DepartureDate: providers.Date(start.AddDate(0, 1, 0).Format(time.DateOnly)),
			ReturnDate: providers.Date(start.AddDate(0, 1, 7).Format(time.DateOnly)), Passengers: providers.Passengers{Adults: 1 + n%4}}
		res, err := s.Start(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		if p, err := res.Page(ByPrice, 20, "", false); err != nil || len(p.Offers) != 20 {
			b.Fatalf("page: %d offers, %v", len(p.Offers), err)
		}
		if err := res.Stored(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// benchProviders are two providers with 12 one-way fares a day each and
// 30 round-trip fares a month after start.
func benchProviders(b *testing.B, start time.Time) *providers.Set {
	var ps []providers.Searcher
	for _, name := range []string{"a", "b"} {
		ps = append(ps, fakeProvider{name: name,
			oneWay: func(q providers.Query) []providers.Offer {
				day, _ := q.Date.Time()
				offers := make([]providers.Offer, 12)
				for i := range offers {
					offers[i] = offer(name, q.Origin, q.Destination, day.Add(time.Duration(6+i)*time.Hour), int64(9000+137*i), "EUR")
				}
				return offers
			},
			roundTrips: roundTrips(name, 30, start.AddDate(0, 1, 0))})
	}
	set, err := providers.NewSet(nil, ps...)
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// roundTrips are n round-trip fares of provider, out on day and back a week later.
func roundTrips(provider string, n int, day time.Time) []providers.Offer {
	offers := make([]providers.Offer, n)
	for i := range offers {
		out := offer(provider, "CDG", "PMI", day.Add(time.Duration(6+i%12)*time.Hour), int64(15000+91*i), "EUR")
		back := offer(provider, "PMI", "CDG", day.AddDate(0, 0, 7).Add(time.Duration(7+i%11)*time.Hour), 0, "EUR")
		o := out
		o.FareType = providers.RoundTrip
		o.Slices = append(o.Slices, back.Slices...)
		o.Parts[0].FareType = providers.RoundTrip
		o.Parts[0].Ref = fmt.Sprintf("%s-rt-%d", provider, i)
		offers[i] = o
	}
	return offers
}

// BenchmarkEncodeStored is encoding BenchmarkRoundTripSearch's result for
// the store (JSON, gzip). It asserts nothing about time.
func BenchmarkEncodeStored(b *testing.B) {
	signer, err := ids.NewSigner(testKey)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	set := benchProviders(b, start)
	s := New(Config{Providers: set, Store: nopStore{}, Signer: signer, Now: func() time.Time { return start }})
	res, err := s.Search(context.Background(), Request{Origin: "CDG", Destination: "PMI", DepartureDate: providers.Date(start.AddDate(0, 1, 0).Format(time.DateOnly)),
		ReturnDate: providers.Date(start.AddDate(0, 1, 7).Format(time.DateOnly)), Passengers: providers.Passengers{Adults: 1}})
	if err != nil {
		b.Fatal(err)
	}
	rec := toRecord(res)
	var n int
	for b.Loop() {
		body, err := encodeStored(rec)
		if err != nil {
			b.Fatal(err)
		}
		n = len(body)
	}
	b.ReportMetric(float64(n), "bytes/body")
}
