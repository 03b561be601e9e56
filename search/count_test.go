package search

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
)

// TestOfferCountStreamMatchesStored: for one round-trip search, each
// provider's offerCount in its progress event is the number of offers
// the event carries and the stored search's count for that provider;
// offers combining one-way fares (here within one provider and across
// both) count for none.
func TestOfferCountStreamMatchesStored(t *testing.T) {
	now := parisAt(t, "2027-03-01 12:00")
	out := flight("CDG", "PMI", parisAt(t, "2027-03-12 09:45"), parisAt(t, "2027-03-12 11:50"))
	back := flight("PMI", "CDG", parisAt(t, "2027-03-15 19:00"), parisAt(t, "2027-03-15 21:00"))
	fake := func(name string, roundTrips int) fakeProvider {
		var rts []providers.Offer
		for i := range roundTrips {
			o := offer(name, "CDG", "PMI", out.DepartureAt, int64(20000+i), "EUR")
			o.FareType = providers.RoundTrip
			o.Slices = []providers.Slice{{Segments: []providers.Segment{out}}, {Segments: []providers.Segment{back}}}
			o.Parts[0].FareType, o.Parts[0].OriginDestinations = providers.RoundTrip, []providers.OriginDestination{{}, {}}
			rts = append(rts, o)
		}
		return fakeProvider{name: name, roundTrips: rts, oneWay: func(q providers.Query) []providers.Offer {
			s, amount := out, int64(9000)
			if q.Origin == "PMI" {
				s, amount = back, 8000
			}
			o := offer(name, q.Origin, q.Destination, s.DepartureAt, amount, "EUR")
			o.Slices[0].Segments[0] = s
			return []providers.Offer{o}
		}}
	}
	signer, err := ids.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	set, err := providers.NewSet(nil, fake("p", 2), fake("q", 3))
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Providers: set, Store: bodyStore(nil), Signer: signer, Now: func() time.Time { return now }})
	var mu sync.Mutex
	streamed := map[string]int{}
	r := Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2027-03-12", ReturnDate: "2027-03-15", Passengers: providers.Passengers{Adults: 1}}
	res, err := s.SearchStream(context.Background(), r, func(pr ProviderResult, offers []*Offer) {
		mu.Lock()
		defer mu.Unlock()
		if pr.OfferCount != len(offers) {
			t.Errorf("%s: event offerCount %d, %d offers", pr.Provider, pr.OfferCount, len(offers))
		}
		streamed[pr.Provider] += pr.OfferCount
	})
	if err != nil {
		t.Fatal(err)
	}
	combined := 0
	for _, o := range res.Offers {
		if o.FareType == providers.CombinedOneWays {
			combined++
		}
	}
	if combined == 0 {
		t.Fatal("no combined one-ways: the test does not exercise them")
	}
	stored := map[string]int{}
	for _, pr := range res.Providers {
		stored[pr.Provider] = pr.OfferCount
	}
	if want := map[string]int{"p": 2, "q": 3}; stored["p"] != want["p"] || stored["q"] != want["q"] {
		t.Errorf("stored counts %v, want %v", stored, want)
	}
	for name, n := range stored {
		if streamed[name] != n {
			t.Errorf("%s: stream said %d, stored %d", name, streamed[name], n)
		}
	}
	if total := stored["p"] + stored["q"]; total+combined != len(res.Offers) {
		t.Errorf("%d own fares + %d combined, %d offers", total, combined, len(res.Offers))
	}

	// A search answered again from the recent result tells the same counts.
	again := map[string]int{}
	if _, err := s.SearchStream(context.Background(), r, func(pr ProviderResult, offers []*Offer) { again[pr.Provider] = pr.OfferCount }); err != nil {
		t.Fatal(err)
	}
	if again["p"] != stored["p"] || again["q"] != stored["q"] {
		t.Errorf("reused: %v, stored %v", again, stored)
	}
}
