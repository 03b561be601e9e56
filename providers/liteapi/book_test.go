package liteapi

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// TestBook: the booking body is B.6's, paid on credit with our id in a
// custom tag; the booking is the simulator's, confirmed, with the held
// total, the airline locators and the flights; the held seats are sold.
func TestBook(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	pax := providers.Passengers{Adults: 2, Children: 1}
	// A connection on two carriers' flights would give two locators; any
	// journey gives at least one.
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), pax, func(o providers.Offer) bool { return !nonstop(o) })
	roomy(t, env, o, 9)
	h := mustHold(t, env, o)
	held := env.seatsLeft(t, o)
	log := env.tap()

	b, err := env.client.Book(context.Background(), bookRequestFor(o, h, "FG-BK-0001"))
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"prebookId": h.Ref, "payment": map[string]any{"method": "CREDIT"},
		"customTags": map[string]any{"FAREGRAPH_REF": "FG-BK-0001"}}}
	if diff := cmp.Diff(want, log.bodies(t, "POST", wire.BookingsPath)); diff != "" {
		t.Errorf("book body (-want +got)\n%s", diff)
	}
	if !isUUIDv7(b.Reference) || b.Status != providers.BookingConfirmed || b.Total != h.Total {
		t.Errorf("booking %+v, hold total %s", b, h.Total)
	}
	if diff := cmp.Diff(o.Slices, b.Slices); diff != "" {
		t.Errorf("slices (-searched +booked)\n%s", diff)
	}
	carriers := map[string]bool{}
	for _, s := range o.Slices[0].Segments {
		carriers[s.CarrierCode] = true
	}
	if len(b.Locators) != len(carriers) {
		t.Errorf("locators %v for carriers %v", b.Locators, carriers)
	}
	for _, l := range b.Locators {
		if len(l) != 6 {
			t.Errorf("locator %q", l)
		}
	}
	// Held seats are sold: they stay taken when the prebook's time is up.
	env.clock.Advance(time.Hour)
	if got, err := env.client.Retrieve(context.Background(), b.Reference); err != nil || !cmp.Equal(b, got) {
		t.Errorf("retrieve (-book +retrieve)\n%s%v", cmp.Diff(b, got), err)
	}
	if left := env.seatsLeft(t, o); left != held {
		t.Errorf("%d seats left after booking, %d before", left, held)
	}

	// Booking again answers the same booking (200 replay, then a read).
	again, err := env.client.Book(context.Background(), bookRequestFor(o, h, "FG-BK-0001"))
	if err != nil || !cmp.Equal(b, again) {
		t.Errorf("second book (-first +second)\n%s%v", cmp.Diff(b, again), err)
	}
	if env.sim.BookingCount() != 1 {
		t.Errorf("%d bookings", env.sim.BookingCount())
	}
	calls := env.obs.all()
	wantCalls := []call{{"liteapi/book", "ok"}, {"liteapi/retrieve", "ok"}, {"liteapi/book", "ok"}, {"liteapi/retrieve", "ok"}}
	if diff := cmp.Diff(wantCalls, calls[len(calls)-4:], cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("observed (-want +got)\n%s", diff)
	}
}

// TestBookReplayShape: the simulator's second answer is B.6's 200 replay,
// byte for byte in its fields.
func TestBookReplayShape(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nil)
	h := mustHold(t, env, o)
	body := map[string]any{"prebookId": h.Ref, "payment": map[string]any{"method": "CREDIT"}}
	status, raw := post(t, env.srv.URL+wire.BookingsPath, testKey, body)
	if status != 201 {
		t.Fatalf("first book: HTTP %d %s", status, raw)
	}
	var first struct {
		Data []struct {
			Booking map[string]any `json:"booking"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &first); err != nil || len(first.Data) != 1 {
		t.Fatalf("201 body %s: %v", raw, err)
	}
	fb := first.Data[0].Booking
	for _, k := range []string{"bookingId", "bookingRef", "status", "timestamp", "offerId", "paymentStatus", "providerEnvironment",
		"ticketLimitTime", "journey", "passengers", "contact", "order", "airlineLocators", "pricing", "payment", "ticketData", "paymentInput"} {
		if _, ok := fb[k]; !ok {
			t.Errorf("FlightBooking has no %s", k)
		}
	}
	if ref, _ := fb["bookingRef"].(string); len(ref) != len("FH-263-XXXXXXXX") || ref[:7] != "FH-263-" {
		t.Errorf("bookingRef %q", ref)
	}

	// The trailing-slash path (B.10) is the same endpoint.
	status, raw = post(t, env.srv.URL+wire.BookingsPath+"/", testKey, body)
	var replay any
	if err := json.Unmarshal(raw, &replay); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"data": []any{map[string]any{
		"booking": map[string]any{"bookingId": fb["bookingId"], "status": "CONFIRMED"},
		"message": "a booking already exists for this prebookId; returning the existing booking",
	}}}
	if diff := cmp.Diff(want, replay); status != 200 || diff != "" {
		t.Errorf("replay HTTP %d (-want +got)\n%s", status, diff)
	}
}

// TestBookFailAfter: a booking made but answered 503 is Unavailable; the
// one booking is found afterwards, and never made twice.
func TestBookFailAfter(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "MAD", "2026-09-15"), providers.Passengers{Adults: 1}, nil)
	h := mustHold(t, env, o)
	r := bookRequestFor(o, h, "FG-2")

	env.sim.SetFailure("book", sim.FailAfter)
	_, err := env.client.Book(context.Background(), r)
	if pe := wantError(t, err, "book", providers.Unavailable, "55035"); pe.Status != 503 {
		t.Errorf("status %d", pe.Status)
	}
	if env.sim.BookingCount() != 1 {
		t.Fatalf("%d bookings made", env.sim.BookingCount())
	}
	env.sim.SetFailure("book", sim.FailNone)

	found, err := env.client.FindBooking(context.Background(), r)
	if err != nil || found == nil {
		t.Fatalf("find: %+v %v", found, err)
	}
	if found.Status != providers.BookingConfirmed || found.Total != h.Total {
		t.Errorf("found %+v", found)
	}
	again, err := env.client.FindBooking(context.Background(), r)
	if err != nil || !cmp.Equal(found, again) {
		t.Errorf("second find (-first +second)\n%s%v", cmp.Diff(found, again), err)
	}
	booked, err := env.client.Book(context.Background(), r)
	if err != nil || !cmp.Equal(found, booked) {
		t.Errorf("book after find (-found +booked)\n%s%v", cmp.Diff(found, booked), err)
	}
	if env.sim.BookingCount() != 1 {
		t.Errorf("%d bookings", env.sim.BookingCount())
	}
	calls := env.obs.all()
	want := []call{{"liteapi/book", "error"}, {"liteapi/find_booking", "ok"}, {"liteapi/retrieve", "ok"}}
	if diff := cmp.Diff(want, calls[2:5], cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("observed (-want +got)\n%s", diff)
	}
}

// TestBookFailTimeout: a booking made but never answered is Timeout; the
// booking is found afterwards.
func TestBookFailTimeout(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "MAD", "2026-09-15"), providers.Passengers{Adults: 1}, nil)
	h := mustHold(t, env, o)
	r := bookRequestFor(o, h, "FG-3")

	env.sim.SetFailure("book", sim.FailTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := env.client.Book(ctx, r)
	wantError(t, err, "book", providers.Timeout, "")
	env.sim.SetFailure("book", sim.FailNone)

	found, err := env.client.FindBooking(context.Background(), r)
	if err != nil || found == nil || env.sim.BookingCount() != 1 {
		t.Fatalf("find: %+v %v; %d bookings", found, err, env.sim.BookingCount())
	}
}

// TestFindBookingNothing: a hold that lapsed unbooked, or a prebook the
// provider never made, has no booking: (nil, nil), and nothing is booked.
func TestFindBookingNothing(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "MAD", "2026-09-15"), providers.Passengers{Adults: 1}, nil)
	h := mustHold(t, env, o)
	env.clock.Advance(litesim.PrebookTTL)
	for _, ref := range []string{h.Ref, "019d0674-834d-7db7-9c8b-93fe8e46e7b8"} {
		hold := *h
		hold.Ref = ref
		b, err := env.client.FindBooking(context.Background(), bookRequestFor(o, &hold, "FG-4"))
		if b != nil || err != nil {
			t.Errorf("find %s: %+v %v", ref, b, err)
		}
	}
	if env.sim.BookingCount() != 0 {
		t.Errorf("%d bookings", env.sim.BookingCount())
	}
}

// TestRetrieveScheduleChange: a read shows the flights as moved.
func TestRetrieveScheduleChange(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 11})
	pax := providers.Passengers{Adults: 1}
	offers, err := env.client.SearchRoundTrips(context.Background(), providers.RoundTripQuery{
		Outbound: leg("ORY", "LIS", "2026-10-20"), Return: leg("LIS", "ORY", "2026-10-27"), Passengers: pax})
	if err != nil || len(offers) == 0 {
		t.Fatalf("%d offers, %v", len(offers), err)
	}
	o := offers[0]
	h := mustHold(t, env, o)
	b, err := env.client.Book(context.Background(), bookRequestFor(o, h, "FG-5"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o.Slices, b.Slices); diff != "" || len(b.Slices) != 2 {
		t.Fatalf("booked slices (-searched +booked)\n%s", diff)
	}
	moved := func(by time.Duration) []providers.Slice {
		var out []providers.Slice
		for _, sl := range o.Slices {
			var segs []providers.Segment
			for _, s := range sl.Segments {
				s.DepartureAt, s.ArrivalAt = s.DepartureAt.Add(by), s.ArrivalAt.Add(by)
				segs = append(segs, s)
			}
			out = append(out, providers.Slice{Segments: segs})
		}
		return out
	}

	// 2026-10-25 is the end of summer time: the return (27th) is in winter
	// time, the outbound (20th) in summer time, and the shift keeps each
	// airport's own offset.
	shift := func(d time.Duration) {
		t.Helper()
		for _, k := range flightsOf(o) {
			if err := env.sim.ShiftSchedule(k, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	shift(95 * time.Minute)
	got, err := env.client.Retrieve(context.Background(), b.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(moved(95*time.Minute), got.Slices); diff != "" {
		t.Errorf("after the shift (-want +got)\n%s", diff)
	}
	ret := got.Slices[1].Segments[0]
	checkZone(t, ret.DepartureAt, ret.Origin, map[string]int{"LIS": 0, "ORY": 3600, "MAD": 3600}[ret.Origin])

	// A search shows the moved outbound too (given seats, so that the
	// booking did not sell it out).
	roomy(t, env, o, 9)
	again, err := env.client.Search(context.Background(), providers.Query{OriginDestination: leg("ORY", "LIS", "2026-10-20"), Passengers: pax})
	if err != nil {
		t.Fatal(err)
	}
	want := moved(95 * time.Minute)[0].Segments[0]
	found := false
	for _, a := range again {
		if s := a.Slices[0].Segments[0]; s.CarrierCode == want.CarrierCode && s.FlightNumber == want.FlightNumber {
			found = true
			if !s.DepartureAt.Equal(want.DepartureAt) || !s.ArrivalAt.Equal(want.ArrivalAt) {
				t.Errorf("searched %s%s %s-%s, want %s-%s", s.CarrierCode, s.FlightNumber, s.DepartureAt, s.ArrivalAt, want.DepartureAt, want.ArrivalAt)
			}
		}
	}
	if !found {
		t.Errorf("no search result flies %s%s", want.CarrierCode, want.FlightNumber)
	}
	if err := env.sim.ShiftSchedule(sim.FlightKey{Carrier: "ZZ", Number: "1", Date: "2026-10-20"}, time.Hour); !errors.Is(err, sim.ErrUnknownFlight) {
		t.Errorf("shift of an unknown flight: %v", err)
	}

	// Shifts add up.
	shift(-125 * time.Minute)
	got, err = env.client.Retrieve(context.Background(), b.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(moved(-30*time.Minute), got.Slices); diff != "" {
		t.Errorf("after the second shift (-want +got)\n%s", diff)
	}
	if got.Reference != b.Reference || got.Total != b.Total || !cmp.Equal(got.Locators, b.Locators) {
		t.Errorf("retrieved %+v, booked %+v", got, b)
	}
}

func TestRetrieveUnknown(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	_, err := env.client.Retrieve(context.Background(), "019d0674-834d-7db7-9c8b-93fe8e46e7b8")
	if pe := wantError(t, err, "retrieve", providers.NotFound, "47002"); pe.Status != 404 {
		t.Errorf("status %d", pe.Status)
	}
	_, err = env.client.Retrieve(context.Background(), "not-a-booking")
	wantError(t, err, "retrieve", providers.Rejected, "47005")
	_, err = env.client.Retrieve(context.Background(), "")
	wantError(t, err, "retrieve", providers.Rejected, "")
}

// TestBookRejectsBadInput: what cannot be sent is refused before any call.
func TestBookRejectsBadInput(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := providers.Offer{Parts: []providers.Part{{Provider: Name, Ref: "x", Passengers: providers.Passengers{Adults: 1}}}}
	long := make([]byte, wire.MaxCustomTagValue+1)
	for i := range long {
		long[i] = 'A'
	}
	for name, r := range map[string]providers.BookRequest{
		"no hold":        bookRequestFor(o, &providers.Hold{}, "FG"),
		"other provider": {Part: providers.Part{Provider: "citizenplane"}, Hold: providers.Hold{Ref: "x"}},
		"long id":        bookRequestFor(o, &providers.Hold{Ref: "x"}, string(long)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := env.client.Book(context.Background(), r)
			wantError(t, err, "book", providers.Rejected, "")
			_, err = env.client.FindBooking(context.Background(), r)
			wantError(t, err, "find_booking", providers.Rejected, "")
		})
	}
	if calls := env.obs.all(); len(calls) != 0 {
		t.Errorf("calls made: %v", calls)
	}
}
