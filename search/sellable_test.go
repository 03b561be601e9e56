package search

import (
	"context"
	"testing"
	"time"

	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
)

// fakeProvider answers every one-way search with oneWay and every
// round-trip search with roundTrips.
type fakeProvider struct {
	name       string
	oneWay     func(q providers.Query) []providers.Offer
	roundTrips []providers.Offer
}

func (f fakeProvider) Name() string { return f.name }
func (f fakeProvider) Search(_ context.Context, q providers.Query) ([]providers.Offer, error) {
	return f.oneWay(q), nil
}
func (f fakeProvider) SearchRoundTrips(context.Context, providers.RoundTripQuery) ([]providers.Offer, error) {
	return f.roundTrips, nil
}

func parisAt(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func flight(from, to string, dep, arr time.Time) providers.Segment {
	return providers.Segment{CarrierCode: "XX", FlightNumber: dep.Format("1504"), Origin: from, Destination: to, DepartureAt: dep, ArrivalAt: arr}
}

func searchWith(t *testing.T, now time.Time, p fakeProvider, r Request) *Result {
	t.Helper()
	signer, err := ids.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	set, err := providers.NewSet(nil, p)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Providers: set, Store: bodyStore(nil), Signer: signer, Now: func() time.Time { return now }})
	res, err := s.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestFlightsThatLeftAreNotShown is issue 8's first input: at 19:01
// Paris time, today's CDG→PMI flights at 07:15, 08:00, 11:50 and 17:35
// are not offered, nor is the one at 20:30 (within the 2-hour cut-off);
// the one at 21:30 is.
func TestFlightsThatLeftAreNotShown(t *testing.T) {
	now := parisAt(t, "2027-03-12 19:01")
	p := fakeProvider{name: "p", oneWay: func(q providers.Query) []providers.Offer {
		var out []providers.Offer
		for i, hm := range []string{"07:15", "08:00", "11:50", "17:35", "20:30", "21:30"} {
			dep := parisAt(t, "2027-03-12 "+hm)
			o := offer("p", "CDG", "PMI", dep, int64(1000+i), "EUR")
			o.Slices[0].Segments[0] = flight("CDG", "PMI", dep, dep.Add(2*time.Hour))
			out = append(out, o)
		}
		return out
	}}
	res := searchWith(t, now, p, Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2027-03-12", Passengers: providers.Passengers{Adults: 1}})
	if len(res.Offers) != 1 || !res.Offers[0].Slices[0].DepartureAt().Equal(parisAt(t, "2027-03-12 21:30")) {
		t.Fatalf("offers = %d, want only the 21:30 flight", len(res.Offers))
	}
	if res.Providers[0].Message == "" {
		t.Error("the provider result does not say offers were left out")
	}
}

// TestRoundTripFaresReturningBeforeLandingAreNotShown is issue 8's second
// input: a provider's own round-trip fare whose return leaves PMI at
// 09:35 while the outbound lands there at 11:50 is not offered, nor is a
// combination of one-ways with less than the self-transfer time.
func TestRoundTripFaresReturningBeforeLandingAreNotShown(t *testing.T) {
	now := parisAt(t, "2027-03-01 12:00")
	out := flight("CDG", "PMI", parisAt(t, "2027-03-12 09:45"), parisAt(t, "2027-03-12 11:50"))
	early := flight("PMI", "CDG", parisAt(t, "2027-03-12 09:35"), parisAt(t, "2027-03-12 11:40"))
	soon := flight("PMI", "CDG", parisAt(t, "2027-03-12 13:00"), parisAt(t, "2027-03-12 15:00"))
	late := flight("PMI", "CDG", parisAt(t, "2027-03-12 19:00"), parisAt(t, "2027-03-12 21:00"))
	rt := func(back providers.Segment) providers.Offer {
		o := offer("p", "CDG", "PMI", out.DepartureAt, 20000, "EUR")
		o.FareType = providers.RoundTrip
		o.Slices = []providers.Slice{{Segments: []providers.Segment{out}}, {Segments: []providers.Segment{back}}}
		o.Parts[0].FareType, o.Parts[0].OriginDestinations = providers.RoundTrip, []providers.OriginDestination{{}, {}}
		return o
	}
	var fares []providers.Offer
	for range 26 {
		fares = append(fares, rt(early))
	}
	fares = append(fares, rt(soon))
	p := fakeProvider{name: "p", roundTrips: fares, oneWay: func(q providers.Query) []providers.Offer {
		if q.Origin == "CDG" {
			o := offer("p", "CDG", "PMI", out.DepartureAt, 9000, "EUR")
			o.Slices[0].Segments[0] = out
			return []providers.Offer{o}
		}
		var os []providers.Offer
		for _, s := range []providers.Segment{early, soon, late} {
			o := offer("p", "PMI", "CDG", s.DepartureAt, 8000, "EUR")
			o.Slices[0].Segments[0] = s
			os = append(os, o)
		}
		return os
	}}
	res := searchWith(t, now, p, Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2027-03-12", ReturnDate: "2027-03-12", Passengers: providers.Passengers{Adults: 1}})
	if len(res.Offers) != 2 {
		t.Fatalf("%d offers, want 2: the round-trip fare turning around in 70 minutes and the self-transfer back at 19:00", len(res.Offers))
	}
	for _, o := range res.Offers {
		if b := rules.Itinerary(o.Offer, rules.Defaults(), now); b != nil {
			t.Errorf("offer %s shown: %v", o.FareType, b)
		}
		if o.SelfTransfer() != (o.FareType == providers.CombinedOneWays) {
			t.Errorf("%s offer: selfTransfer %v", o.FareType, o.SelfTransfer())
		}
	}
}
