package citizenplane

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
)

// wantOneWay builds, from the simulator's generator, the offers a search
// for q must return.
func wantOneWay(t *testing.T, q providers.Query) []providers.Offer {
	t.Helper()
	d, err := q.Date.Time()
	if err != nil {
		t.Fatal(err)
	}
	pax := q.Passengers
	var offers []providers.Offer
	for _, f := range cpsim.Schedule(testSeed, q.Origin, q.Destination, d) {
		if f.Seats < pax.Seats() {
			continue
		}
		total := eur(f.Price*int64(pax.Seats()) + f.InfantPrice*int64(pax.Infants))
		per := providers.PassengerPrice{Adult: eur(f.Price)}
		if pax.Children > 0 {
			per.Child = eurp(f.Price)
		}
		if pax.Infants > 0 {
			per.Infant = eurp(f.InfantPrice)
		}
		offers = append(offers, providers.Offer{
			FareType: providers.OneWay,
			Slices: []providers.Slice{{Segments: []providers.Segment{{
				CarrierCode: f.Carrier, FlightNumber: f.Number[2:],
				Origin: q.Origin, Destination: q.Destination,
				DepartureAt: f.Departure, ArrivalAt: f.Arrival,
			}}}},
			Parts: []providers.Part{{
				Provider: Name, Ref: strconv.FormatInt(f.ID, 10), FareType: providers.OneWay,
				OriginDestinations: []providers.OriginDestination{q.OriginDestination}, Passengers: pax, Total: total,
				Taxes:          eur(f.AirportTax * int64(pax.Seats())), // per seat, none for infants
				PerPassenger:   per,
				PassengerTaxes: wantPaxTaxes(f.AirportTax, pax),
				Fare:           wantFare,
			}},
			Total:          total,
			PerPassenger:   per,
			SeatsAvailable: f.Seats,
			Conditions:     wantFare.Conditions,
			ExpiresAt:      testNow.Add(20 * time.Minute),
		})
	}
	return offers
}

func TestSearchAgainstSimulator(t *testing.T) {
	_, srv := newSimServer(t)
	c := newTestClient(srv.URL, nil)
	tests := []struct {
		name           string
		q              providers.Query
		depOff, arrOff int // UTC offsets in hours
		wantNone       bool
	}{
		{"one adult summer", providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}}, 2, 2, false},
		{"family with infant", providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 2, Children: 1, Infants: 1}}, 2, 2, false},
		{"into another offset", providers.Query{OriginDestination: leg("CDG", "HER", "2025-08-06"), Passengers: providers.Passengers{Adults: 2}}, 2, 3, false},
		{"winter time", providers.Query{OriginDestination: leg("BCN", "CDG", "2025-12-10"), Passengers: providers.Passengers{Adults: 1}}, 1, 1, false},
		{"currency asked is ignored", providers.Query{OriginDestination: leg("ORY", "AJA", "2025-09-02"), Passengers: providers.Passengers{Adults: 1}, Currency: "USD"}, 2, 2, false},
		{"route not flown", providers.Query{OriginDestination: leg("CDG", "JFK", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}}, 0, 0, true},
		{"beyond a year", providers.Query{OriginDestination: leg("CDG", "PMI", "2026-07-03"), Passengers: providers.Passengers{Adults: 1}}, 0, 0, true},
		{"in the past", providers.Query{OriginDestination: leg("CDG", "PMI", "2025-06-30"), Passengers: providers.Passengers{Adults: 1}}, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Search(context.Background(), tt.q)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if tt.wantNone {
				if len(got) != 0 {
					t.Fatalf("got %d offers, want none", len(got))
				}
				return
			}
			if len(got) == 0 {
				t.Error("got no offers")
			}
			if diff := cmp.Diff(wantOneWay(t, tt.q), got); diff != "" {
				t.Errorf("offers (-want +got)\n%s", diff)
			}
			for _, o := range got {
				seg := o.Slices[0].Segments[0]
				if _, off := seg.DepartureAt.Zone(); off != tt.depOff*3600 {
					t.Errorf("%s departure %s: offset %d, want %dh", seg.FlightNumber, seg.DepartureAt, off, tt.depOff)
				}
				if _, off := seg.ArrivalAt.Zone(); off != tt.arrOff*3600 {
					t.Errorf("%s arrival %s: offset %d, want %dh", seg.FlightNumber, seg.ArrivalAt, off, tt.arrOff)
				}
				if got := seg.DepartureAt.Format(time.DateOnly); got != string(tt.q.Date) {
					t.Errorf("%s departs on %s, want %s", seg.FlightNumber, got, tt.q.Date)
				}
			}
		})
	}
}

// testDay is the day d names.
func testDay(t *testing.T, d providers.Date) time.Time {
	t.Helper()
	day, err := d.Time()
	if err != nil {
		t.Fatal(err)
	}
	return day
}

// offerOf is the one-way offer of offers for the flight with id.
func offerOf(t *testing.T, offers []providers.Offer, id int64) providers.Offer {
	t.Helper()
	for _, o := range offers {
		if o.Parts[0].Ref == strconv.FormatInt(id, 10) {
			return o
		}
	}
	t.Fatalf("no offer for flight %d", id)
	return providers.Offer{}
}

func TestSearchRoundTripsAgainstSimulator(t *testing.T) {
	_, srv := newSimServer(t)
	obs := &recorder{}
	c := newTestClient(srv.URL, obs)
	ctx := context.Background()
	pax := providers.Passengers{Adults: 2, Infants: 1}
	out, back := leg("CDG", "PMI", "2025-08-06"), leg("PMI", "CDG", "2025-08-13")

	got, err := c.SearchRoundTrips(ctx, providers.RoundTripQuery{Outbound: out, Return: back, Passengers: pax})
	if err != nil {
		t.Fatalf("SearchRoundTrips: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d round trips, want 1", len(got))
	}
	rt := got[0]
	outs, err := c.Search(ctx, providers.Query{OriginDestination: out, Passengers: pax})
	if err != nil {
		t.Fatal(err)
	}
	backs, err := c.Search(ctx, providers.Query{OriginDestination: back, Passengers: pax})
	if err != nil {
		t.Fatal(err)
	}
	pairOut, pairBack, ok := cpsim.RoundTripPair(testSeed, "CDG", "PMI", testDay(t, out.Date), testDay(t, back.Date))
	if !ok {
		t.Fatal("the inventory has no round-trip fare on these days")
	}
	first, last := offerOf(t, outs, pairOut.ID), offerOf(t, backs, pairBack.ID)
	wantPart := providers.Part{
		Provider: Name, Ref: first.Parts[0].Ref + "," + last.Parts[0].Ref, FareType: providers.RoundTrip,
		OriginDestinations: []providers.OriginDestination{out, back}, Passengers: pax, Total: rt.Total,
		// Both flights' airport tax, per seat (2 adults; the infant pays none).
		Taxes:          eur((cpsim.AirportTax("CDG") + cpsim.AirportTax("PMI")) * 2),
		PerPassenger:   rt.PerPassenger,
		PassengerTaxes: wantPaxTaxes(cpsim.AirportTax("CDG")+cpsim.AirportTax("PMI"), pax),
		Fare:           wantFare,
	}
	if first.Parts[0].Taxes.Amount+last.Parts[0].Taxes.Amount != wantPart.Taxes.Amount {
		t.Errorf("round-trip taxes %s, want the one-ways' %s + %s", wantPart.Taxes, first.Parts[0].Taxes, last.Parts[0].Taxes)
	}
	if diff := cmp.Diff([]providers.Part{wantPart}, rt.Parts); diff != "" {
		t.Errorf("parts (-want +got)\n%s", diff)
	}
	wantSlices := []providers.Slice{first.Slices[0], last.Slices[0]}
	if diff := cmp.Diff(wantSlices, rt.Slices); diff != "" {
		t.Errorf("slices (-want +got)\n%s", diff)
	}
	if rt.FareType != providers.RoundTrip {
		t.Errorf("FareType = %s", rt.FareType)
	}
	if want := min(first.SeatsAvailable, last.SeatsAvailable); rt.SeatsAvailable != want {
		t.Errorf("SeatsAvailable = %d, want %d", rt.SeatsAvailable, want)
	}
	sum := first.Total.Amount + last.Total.Amount
	if rt.Total.Amount >= sum || rt.Total.Currency != "EUR" {
		t.Errorf("round trip %s, want less than the one-ways' %d EUR cents", rt.Total, sum)
	}
	perSeat := rt.PerPassenger.Adult.Amount
	if want := perSeat*2 + rt.PerPassenger.Infant.Amount; rt.Total.Amount != want {
		t.Errorf("Total = %d, want 2 × %d + infant %d", rt.Total.Amount, perSeat, rt.PerPassenger.Infant.Amount)
	}

	t.Run("no round-trip fares on the route", func(t *testing.T) {
		got, err := c.SearchRoundTrips(ctx, providers.RoundTripQuery{
			Outbound: leg("ORY", "AJA", "2025-08-06"), Return: leg("AJA", "ORY", "2025-08-13"), Passengers: pax})
		if err != nil || len(got) != 0 {
			t.Errorf("got %d offers, %v; want none, nil", len(got), err)
		}
	})
	t.Run("open jaw asks nothing", func(t *testing.T) {
		before := obs.count("round_trips ok")
		got, err := c.SearchRoundTrips(ctx, providers.RoundTripQuery{
			Outbound: leg("CDG", "PMI", "2025-08-06"), Return: leg("BCN", "CDG", "2025-08-13"), Passengers: pax})
		if err != nil || len(got) != 0 {
			t.Errorf("got %d offers, %v; want none, nil", len(got), err)
		}
		if n := obs.count("round_trips ok"); n != before {
			t.Errorf("made %d calls, want none", n-before)
		}
	})
}

// searchBoth searches out one way, and out and back as a round trip, for
// pax; the round-trip search must answer one fare.
func searchBoth(t *testing.T, c *Client, out, back providers.OriginDestination, pax providers.Passengers) (offers, rts []providers.Offer) {
	t.Helper()
	ctx := context.Background()
	offers, err := c.Search(ctx, providers.Query{OriginDestination: out, Passengers: pax})
	if err != nil {
		t.Fatal(err)
	}
	rts, err = c.SearchRoundTrips(ctx, providers.RoundTripQuery{Outbound: out, Return: back, Passengers: pax})
	if err != nil || len(rts) != 1 {
		t.Fatalf("SearchRoundTrips: %d, %v", len(rts), err)
	}
	return offers, rts
}

func TestCheckPriceAgainstSimulator(t *testing.T) {
	sim, srv := newSimServer(t)
	obs := &recorder{}
	c := newTestClient(srv.URL, obs)
	ctx := context.Background()
	pax := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	out, back := leg("CDG", "PMI", "2025-08-06"), leg("PMI", "CDG", "2025-08-13")
	offers, rts := searchBoth(t, c, out, back, pax)
	oneWay, soldOut, roundTrip := offers[1].Parts[0], offers[2].Parts[0], rts[0].Parts[0]
	id := func(ref string) int64 { n, _ := strconv.ParseInt(ref, 10, 64); return n }
	must(t, sim.SetSeats(flightKey(t, id(soldOut.Ref)), 0))
	rtGone := roundTrip
	rtGone.Ref = oneWay.Ref + ",2999999"

	tests := []struct {
		name string
		part providers.Part
		want *providers.PriceCheck
	}{
		{"available", oneWay, &providers.PriceCheck{Available: true, Total: oneWay.Total}},
		{"sold out answers 409", soldOut, &providers.PriceCheck{Available: false}},
		{"unknown flight answers 404", providers.Part{Provider: Name, Ref: "2999999", FareType: providers.OneWay, OriginDestinations: []providers.OriginDestination{out}, Passengers: pax}, &providers.PriceCheck{Available: false}},
		{"round trip", roundTrip, &providers.PriceCheck{Available: true, Total: roundTrip.Total, SeatsAvailable: rts[0].SeatsAvailable}},
		{"round-trip pair not on sale", rtGone, &providers.PriceCheck{Available: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.CheckPrice(ctx, tt.part)
			if err != nil {
				t.Fatalf("CheckPrice: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	if n := obs.count("verify error"); n != 0 {
		t.Errorf("observer saw %d verify errors; 404 and 409 are answers", n)
	}

	t.Run("not a CitizenPlane part", func(t *testing.T) {
		p := oneWay
		p.Provider = "liteapi"
		_, err := c.CheckPrice(ctx, p)
		if pe := asProviderError(t, err); pe.Code != providers.Rejected || pe.Op != "verify" {
			t.Errorf("got %v, want a Rejected verify error", pe)
		}
	})
}

func TestListAncillariesAgainstSimulator(t *testing.T) {
	_, srv := newSimServer(t)
	obs := &recorder{}
	c := newTestClient(srv.URL, obs)
	ctx := context.Background()
	pax := providers.Passengers{Adults: 1}
	out, back := leg("CDG", "PMI", "2025-08-06"), leg("PMI", "CDG", "2025-08-13")
	offers, rts := searchBoth(t, c, out, back, pax)
	gone := offers[0].Parts[0]
	gone.Ref = "2999999"
	notOurs := offers[0].Parts[0]
	notOurs.Provider = "liteapi"
	parts := []providers.Part{offers[0].Parts[0], offers[1].Parts[0], rts[0].Parts[0], gone, notOurs}

	got := c.ListAncillaries(ctx, parts)

	// Two groups: (outbound leg, 1 seat) and (return leg, 1 seat). The
	// outbound answer is the one Search fetched just before (see
	// searchCacheTTL), so only the return leg is searched.
	if n := obs.count("ancillaries ok"); n != 1 {
		t.Errorf("made %d searches, want 1 (the return leg; the outbound is cached)", n)
	}
	// A second batch, as a loader that split its keys would make, calls nothing.
	c.ListAncillaries(ctx, parts[:3])
	if n := obs.count("ancillaries ok"); n != 1 {
		t.Errorf("a second batch made %d more searches, want none", n-1)
	}
	if len(got) != len(parts) {
		t.Fatalf("got %d results for %d parts", len(got), len(parts))
	}
	f, _ := cpsim.FlightByID(testSeed, flightIDOf(t, offers[0].Parts[0].Ref))
	ci := cpsim.CarrierOf(f.Carrier)
	dims := strconv.Itoa(ci.CabinSize.Width) + "x" + strconv.Itoa(ci.CabinSize.Height) + "x" + strconv.Itoa(ci.CabinSize.Length)
	want := []providers.Ancillary{
		{Ref: offers[0].Parts[0].Ref + ":checked:20", Kind: providers.CheckedBag, Description: "Checked bag 20 kg", Price: eur(ci.Checked20), WeightKg: 20, Segment: f.Number},
		{Ref: offers[0].Parts[0].Ref + ":checked:23", Kind: providers.CheckedBag, Description: "Checked bag 23 kg", Price: eur(ci.Checked23), WeightKg: 23, Segment: f.Number},
		{Ref: offers[0].Parts[0].Ref + ":cabin:" + dims, Kind: providers.CabinBag,
			Description: "Cabin bag " + strconv.Itoa(ci.CabinSize.Width) + "×" + strconv.Itoa(ci.CabinSize.Height) + "×" + strconv.Itoa(ci.CabinSize.Length) + " cm",
			Price:       eur(ci.Cabin), Dimensions: dims, Segment: f.Number},
	}
	if diff := cmp.Diff(providers.AncillaryResult{Ancillaries: want}, got[0]); diff != "" {
		t.Errorf("first part (-want +got)\n%s", diff)
	}
	if got[1].Err != nil || len(got[1].Ancillaries) != 3 {
		t.Errorf("second part: %d ancillaries, %v; want 3, nil", len(got[1].Ancillaries), got[1].Err)
	}
	if got[2].Err != nil || len(got[2].Ancillaries) != 6 {
		t.Errorf("round-trip part: %d ancillaries, %v; want 6 (both flights), nil", len(got[2].Ancillaries), got[2].Err)
	}
	if pe := asProviderError(t, got[3].Err); pe.Code != providers.OfferExpired {
		t.Errorf("gone flight: code %s, want OfferExpired", pe.Code)
	}
	if pe := asProviderError(t, got[4].Err); pe.Code != providers.Rejected {
		t.Errorf("foreign part: code %s, want Rejected", pe.Code)
	}
}

// flightIDOf reads a one-way part ref.
func flightIDOf(t *testing.T, ref string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSimulatorFailuresThroughAdapter(t *testing.T) {
	q := providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}}
	tests := []struct {
		name         string
		setup        func(*cpsim.Simulator)
		token        string
		timeout      time.Duration
		wantCode     providers.ErrorCode
		wantStatus   int
		wantProvider string
		wantOutcome  string
	}{
		{"bad token", func(*cpsim.Simulator) {}, "wrong", 0, providers.Unavailable, http.StatusUnauthorized, "UNAUTHORIZED", "search error"},
		{"no token", func(*cpsim.Simulator) {}, "", 0, providers.Unavailable, http.StatusUnauthorized, "UNAUTHORIZED", "search error"},
		{"every request fails", func(s *cpsim.Simulator) { s.SetFailureRate(1) }, testToken, 0, providers.Unavailable, http.StatusInternalServerError, "INTERNAL_ERROR", "search error"},
		{"slower than the deadline", func(s *cpsim.Simulator) { s.SetLatency(time.Minute) }, testToken, 20 * time.Millisecond, providers.Timeout, 0, "", "search timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, srv := newSimServer(t)
			tt.setup(sim)
			obs := &recorder{}
			c := New(Config{BaseURL: srv.URL, Token: tt.token, Observer: obs, Now: clock})
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := c.Search(ctx, q)
			pe := asProviderError(t, err)
			got := [3]any{pe.Code, pe.Status, pe.ProviderCode}
			if want := [3]any{tt.wantCode, tt.wantStatus, tt.wantProvider}; got != want {
				t.Errorf("code, status, provider code = %v, want %v (%v)", got, want, err)
			}
			if pe.Op != "search" || pe.Message == "" {
				t.Errorf("Op %q Message %q, want search and a message", pe.Op, pe.Message)
			}
			if obs.waitCount(tt.wantOutcome, 1) != 1 {
				t.Errorf("observer saw %v, want one %q", obs.snapshot(), tt.wantOutcome)
			}
		})
	}

	t.Run("failure rate changed at run time", func(t *testing.T) {
		sim, srv := newSimServer(t)
		c := newTestClient(srv.URL, nil)
		sim.SetFailureRate(1)
		if _, err := c.Search(context.Background(), q); providers.CodeOf(err) != providers.Unavailable {
			t.Fatalf("with failure rate 1: %v", err)
		}
		sim.SetFailureRate(0)
		if _, err := c.Search(context.Background(), q); err != nil {
			t.Fatalf("with failure rate 0: %v", err)
		}
	})

	t.Run("nothing listening", func(t *testing.T) {
		_, srv := newSimServer(t)
		url := srv.URL
		srv.Close()
		_, err := newTestClient(url, nil).Search(context.Background(), q)
		if pe := asProviderError(t, err); pe.Code != providers.Unavailable || pe.Status != 0 {
			t.Errorf("got %v, want Unavailable without status", pe)
		}
	})
}

// TestErrorMessagesAreOurs: the Message of every error answer is a short
// sentence of ours, whatever the body says: never the provider's type,
// text or request field names (those are in ProviderCode and Err).
func TestErrorMessagesAreOurs(t *testing.T) {
	body := `{"message": "SECRET passport_expiry_date must be DD/MM/YYYY", "type": "INVALID_PASSPORT_EXPIRY_DATE", "field": "passengers[0].passport_expiry_date"}`
	q := providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}}
	for _, status := range []int{400, 401, 403, 404, 409, 422, 429, 500, 502, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := docServer(t, "GET", "/v3/flights", status, body, nil)
			_, err := newTestClient(srv.URL, nil).Search(context.Background(), q)
			pe := asProviderError(t, err)
			if pe.ProviderCode != "INVALID_PASSPORT_EXPIRY_DATE" || pe.Err == nil || !strings.Contains(pe.Err.Error(), "SECRET") {
				t.Errorf("provider code %q, detail %v", pe.ProviderCode, pe.Err)
			}
			m := pe.Message
			if m == "" || strings.Contains(m, "SECRET") || strings.Contains(m, "passport") || strings.Contains(m, "_") ||
				strings.ContainsAny(m, "0123456789{}[]") || strings.Contains(strings.ToUpper(m), "INVALID") {
				t.Errorf("Message %q quotes the provider", m)
			}
		})
	}
}

// wantFare is the fare detail of every CitizenPlane fare: the flights'
// cabin_class, and the documented conditions (non-refundable,
// non-exchangeable); no brand or included baggage in the contract.
var wantFare = providers.Fare{Cabin: providers.Economy,
	Conditions: providers.Conditions{Notes: []string{"Non-refundable", "Non-exchangeable"}}}

// wantPaxTaxes is the airport tax per passenger: per seat for adults and
// children, none for infants.
func wantPaxTaxes(perSeat int64, pax providers.Passengers) providers.PassengerPrice {
	out := providers.PassengerPrice{Adult: eur(perSeat)}
	if pax.Children > 0 {
		out.Child = eurp(perSeat)
	}
	if pax.Infants > 0 {
		out.Infant = eurp(0)
	}
	return out
}
