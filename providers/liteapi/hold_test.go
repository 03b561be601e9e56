package liteapi

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// TestHold: the prebook body is exactly B.3's flat shape; the hold is the
// prebook's id, expiry, price and attachable extras.
func TestHold(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	pax := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), pax, nil)
	roomy(t, env, o, 20)
	pc, err := env.client.CheckPrice(context.Background(), o.Parts[0])
	if err != nil {
		t.Fatal(err)
	}
	log := env.tap()
	before := env.seatsLeft(t, o)

	h := mustHold(t, env, o)

	passenger := func(first, birthday, gender string, typ float64, doc, expiry string) map[string]any {
		return map[string]any{"firstName": first, "lastName": "Dupont", "birthday": birthday, "gender": gender,
			"nationality": "FR", "passengerType": typ, "documentType": "passport", "documentNumber": doc,
			"documentIssueCountry": "FR", "documentExpiry": expiry}
	}
	want := map[string]any{
		"offerId": o.Parts[0].Ref, "usePaymentSdk": false, "includeCreditBalance": false,
		"contact": map[string]any{"firstName": "Marie", "lastName": "Dupont", "email": "marie.dupont@example.com",
			"phoneCountryCode": "33", "phoneNumber": "612345678"},
		"passengers": []any{
			passenger("Jean", "1985-04-12", "M", 0, "19AB12345", "2031-01-01"),
			passenger("Marie", "1988-11-30", "F", 0, "20CD67890", "2032-06-30"),
			passenger("Léa", "2018-05-20", "F", 1, "21EF13579", "2030-05-20"),
			passenger("Hugo", "2025-09-14", "M", 2, "25GH24680", "2030-09-14"),
		},
	}
	got := log.bodies(t, "POST", wire.PrebooksPath)
	if len(got) != 1 {
		t.Fatalf("%d prebook requests", len(got))
	}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("prebook body (-want +got)\n%s", diff)
	}
	if n := len(log.bodies(t, "POST", wire.PrebooksPath+"/")); n != 0 {
		t.Errorf("%d services calls without selections", n)
	}

	if !isUUIDv7(h.Ref) || h.Total != o.Total || !h.ExpiresAt.Equal(testNow.Add(litesim.PrebookTTL)) {
		t.Errorf("hold %+v; want a UUID, total %s, expiry %s", h, o.Total, testNow.Add(litesim.PrebookTTL))
	}
	// The paid bag keeps verify's serviceId; seats come per flight.
	paid := pc.Ancillaries[len(pc.Ancillaries)-1]
	seats := map[string]int{}
	var bag *providers.Ancillary
	for i, a := range h.Ancillaries {
		switch a.Kind {
		case providers.Seat:
			seats[a.Segment]++
			if a.Price.Amount <= 0 || a.Price.Currency != "EUR" || a.Description == "" {
				t.Errorf("seat %+v", a)
			}
		case providers.CheckedBag:
			bag = &h.Ancillaries[i]
		default:
			t.Errorf("unexpected ancillary %+v", a)
		}
	}
	if bag == nil || *bag != paid {
		t.Errorf("paid bag %+v, verify's %+v", bag, paid)
	}
	for _, s := range o.Slices[0].Segments {
		if seats[s.CarrierCode+s.FlightNumber] != litesim.SeatsPerSegment {
			t.Errorf("seats per flight %v", seats)
		}
	}
	// The seated travellers' seats are held, the infant takes none.
	if left := env.seatsLeft(t, o); left != before-3 {
		t.Errorf("%d seats left, want %d", left, before-3)
	}
	if calls := env.obs.all(); calls[len(calls)-1] != (call{"liteapi/hold", "ok"}) {
		t.Errorf("observed %v", calls)
	}
}

// TestHoldWithServices: chosen extras are attached with a second call
// (included bags are not), the total grows by their price, and a seat
// taken by another hold is SoldOut.
func TestHoldWithServices(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	pax := providers.Passengers{Adults: 2}
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), pax, func(o providers.Offer) bool { return o.Conditions.Changeable })
	roomy(t, env, o, 20)
	first := mustHold(t, env, o)
	var seat, bag providers.Ancillary
	for _, a := range first.Ancillaries {
		switch {
		case a.Kind == providers.Seat && seat.Ref == "":
			seat = a
		case a.Kind == providers.CheckedBag:
			bag = a
		}
	}
	if seat.Ref == "" || bag.Ref == "" {
		t.Fatalf("no seat or bag in %+v", first.Ancillaries)
	}

	log := env.tap()
	h := mustHold(t, env, o,
		providers.Selection{Ref: bag.Ref, PassengerIndex: 0, Quantity: 2},
		providers.Selection{Ref: "checked:23", PassengerIndex: 0, Quantity: 1}, // Flex includes it
		providers.Selection{Ref: seat.Ref, PassengerIndex: 1, Quantity: 1},
	)
	got := log.bodies(t, "POST", wire.PrebooksPath+"/")
	want := []map[string]any{{"selectedServices": []any{
		map[string]any{"passengerIndex": 0.0, "serviceId": bag.Ref, "quantity": 2.0},
		map[string]any{"passengerIndex": 1.0, "serviceId": seat.Ref, "quantity": 1.0},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("services body (-want +got)\n%s", diff)
	}
	if h.Ref == first.Ref || !isUUIDv7(h.Ref) {
		t.Errorf("second hold %s, first %s", h.Ref, first.Ref)
	}
	wantTotal := o.Total.Amount + 2*bag.Price.Amount + seat.Price.Amount
	if h.Total != (providers.Money{Amount: wantTotal, Currency: "EUR"}) {
		t.Errorf("total %s, want %d cents", h.Total, wantTotal)
	}
	if !h.ExpiresAt.Equal(testNow.Add(litesim.PrebookTTL)) {
		t.Errorf("expires %s", h.ExpiresAt)
	}
	for _, a := range h.Ancillaries {
		if a.Ref == seat.Ref {
			t.Error("the seat taken is still attachable")
		}
	}
	p := env.prebookOf(t, h.Ref)
	if p.Price != wantTotal || p.Services != 2 {
		t.Errorf("simulated prebook: price %d, %d services", p.Price, p.Services)
	}

	// The seat is now someone's: another hold cannot have it.
	_, err := env.client.Hold(context.Background(), holdRequest(o, providers.Selection{Ref: seat.Ref, PassengerIndex: 0, Quantity: 1}))
	wantError(t, err, "attach_services", providers.SoldOut, "44012")
	calls := env.obs.all()
	if diff := cmp.Diff([]call{{"liteapi/hold", "ok"}, {"liteapi/attach_services", "error"}}, calls[len(calls)-2:], cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("observed (-want +got)\n%s", diff)
	}
}

// TestHoldRejectsBadInput: what cannot be sent is refused before any call.
func TestHoldRejectsBadInput(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nil)
	tests := []struct {
		name string
		edit func(r *providers.HoldRequest)
	}{
		{"other provider", func(r *providers.HoldRequest) { r.Part.Provider = "citizenplane" }},
		{"no travellers", func(r *providers.HoldRequest) { r.Travellers = nil }},
		{"gender", func(r *providers.HoldRequest) { r.Travellers[0].Gender = "X" }},
		{"type", func(r *providers.HoldRequest) { r.Travellers[0].Type = "SENIOR" }},
		{"phone unknown code", func(r *providers.HoldRequest) { r.Contact.PhoneNumber = "+88012345678" }},
		{"phone not E.164", func(r *providers.HoldRequest) { r.Contact.PhoneNumber = "0612345678" }},
		{"no phone", func(r *providers.HoldRequest) { r.Contact.PhoneNumber = "" }},
		{"selection index", func(r *providers.HoldRequest) {
			r.Selections = []providers.Selection{{Ref: "x", PassengerIndex: 1, Quantity: 1}}
		}},
		{"selection quantity", func(r *providers.HoldRequest) { r.Selections = []providers.Selection{{Ref: "x", Quantity: 0}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := holdRequest(o)
			tt.edit(&r)
			_, err := env.client.Hold(context.Background(), r)
			wantError(t, err, "hold", providers.Rejected, "")
		})
	}
	if calls := env.obs.all(); len(calls) != 1 {
		t.Errorf("calls made: %v", calls)
	}
}

// TestHoldContactFallback: a contact without email or phone takes the
// first traveller's.
func TestHoldContactFallback(t *testing.T) {
	r := holdRequest(providers.Offer{Parts: []providers.Part{{Provider: Name, Ref: "x", Passengers: providers.Passengers{Adults: 2}}}})
	r.Contact.Email, r.Contact.PhoneNumber = "", ""
	r.Travellers[1].Email, r.Travellers[1].PhoneNumber = "m@example.com", "+351 912 345 678"
	req, err := newPrebookRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	want := wire.Contact{FirstName: "Marie", LastName: "Dupont", Email: "m@example.com", PhoneCountryCode: "351", PhoneNumber: "912345678"}
	if req.Contact != want {
		t.Errorf("contact %+v", req.Contact)
	}
}

func TestSplitPhone(t *testing.T) {
	tests := []struct{ in, code, national string }{
		{"+33612345678", "33", "612345678"},
		{"+33 6 12 34 56 78", "33", "612345678"},
		{"0033612345678", "33", "612345678"},
		{"+34 612-345-678", "34", "612345678"},
		{"+351912345678", "351", "912345678"},
		{"+390612345678", "39", "0612345678"}, // Italian numbers keep their 0
		{"+447700900123", "44", "7700900123"},
		{"+4915123456789", "49", "15123456789"},
		{"+1 (415) 555-0100", "1", "4155550100"},
		{"+262692123456", "262", "692123456"},
		{"+212612345678", "212", "612345678"},
		{"+352621123456", "352", "621123456"},
	}
	for _, tt := range tests {
		code, national, err := splitPhone(tt.in)
		if err != nil || code != tt.code || national != tt.national {
			t.Errorf("splitPhone(%q) = %q %q %v, want %q %q", tt.in, code, national, err, tt.code, tt.national)
		}
	}
	for _, bad := range []string{"", "+", "612345678", "+33", "+33 12", "+33abc", "+8801234567", "+3361234567890123"} {
		if code, national, err := splitPhone(bad); err == nil {
			t.Errorf("splitPhone(%q) = %q %q, want an error", bad, code, national)
		}
	}
	// The table is prefix-free: no code starts another.
	for _, a := range callingCodes {
		for _, b := range callingCodes {
			if a != b && len(a) < len(b) && b[:len(a)] == a {
				t.Errorf("calling code %s is a prefix of %s", a, b)
			}
		}
	}
}

// TestConcurrentPrebooksNeverOversell: 50 holds of one seat at once on a
// flight of 10 seats make exactly 10 prebooks; the others are SoldOut.
func TestConcurrentPrebooksNeverOversell(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 8})
	o := searchOffer(t, env, leg("ORY", "LIS", "2026-06-10"), providers.Passengers{Adults: 1}, nonstop)
	roomy(t, env, o, 10)

	const n = 50
	errs := make([]error, n)
	refs := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			h, err := env.client.Hold(context.Background(), holdRequest(o))
			errs[i] = err
			if h != nil {
				refs[i] = h.Ref
			}
		}()
	}
	close(start)
	wg.Wait()

	held := map[string]bool{}
	for i, err := range errs {
		if err == nil {
			held[refs[i]] = true
			continue
		}
		if pe := providerError(t, err); pe.Code != providers.SoldOut || pe.ProviderCode != "53010" {
			t.Errorf("hold %d: %v", i, err)
		}
	}
	if len(held) != 10 {
		t.Errorf("%d distinct prebooks, want 10", len(held))
	}
	if left := env.seatsLeft(t, o); left != 0 {
		t.Errorf("%d seats left", left)
	}
	// Verify sees the flight sold out.
	pc, err := env.client.CheckPrice(context.Background(), o.Parts[0])
	if err != nil || pc.Available {
		t.Errorf("check after sell-out: %+v %v", pc, err)
	}
}

// TestHoldExpiry: a prebook lapses after 15 minutes of the simulator's
// clock: its seats come back and it can no longer be booked.
func TestHoldExpiry(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "BCN", "2026-05-05"), providers.Passengers{Adults: 2}, nil)
	roomy(t, env, o, 6)
	before := env.seatsLeft(t, o)
	h := mustHold(t, env, o)
	if left := env.seatsLeft(t, o); left != before-2 {
		t.Fatalf("%d seats left after the hold, want %d", left, before-2)
	}

	env.clock.Advance(litesim.PrebookTTL - time.Second)
	env.client.CheckPrice(context.Background(), o.Parts[0]) // any request sweeps
	if left := env.seatsLeft(t, o); left != before-2 {
		t.Fatalf("released early: %d seats left", left)
	}
	env.clock.Advance(2 * time.Second)
	_, err := env.client.Book(context.Background(), bookRequestFor(o, h, "FG-1"))
	wantError(t, err, "book", providers.HoldExpired, "45084")
	if left := env.seatsLeft(t, o); left != before {
		t.Errorf("%d seats left after expiry, want %d", left, before)
	}
	if env.sim.BookingCount() != 0 {
		t.Error("an expired prebook was booked")
	}
	// Services cannot be attached to it either.
	status, raw := post(t, env.srv.URL+wire.ServicesPath(h.Ref), testKey, wire.ServicesRequest{SelectedServices: []wire.SelectedService{{ServiceID: "x", Quantity: 1}}})
	if e := envelope(t, status, raw); status != 400 || e.Code != 44013 {
		t.Errorf("attach to an expired prebook: HTTP %d %+v", status, e)
	}
}

// TestHoldShowsTakenSeats: a seat another hold took is still listed to
// a second session, unavailable (B.8 "available": false), with the same
// ref, so that choosing it is answered SOLD_OUT "seat X is taken" rather
// than an unknown seat.
func TestHoldShowsTakenSeats(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nil)
	roomy(t, env, o, 20)
	first := mustHold(t, env, o)
	var seat providers.Ancillary
	for _, a := range first.Ancillaries {
		if a.Kind == providers.Seat {
			if a.Seat == nil || !a.Seat.Available {
				t.Fatalf("fresh seat map has a taken seat: %+v", a)
			}
			if seat.Ref == "" {
				seat = a
			}
		}
	}
	if seat.Ref == "" {
		t.Fatal("no seat")
	}
	taker := mustHold(t, env, o, providers.Selection{Ref: seat.Ref, PassengerIndex: 0, Quantity: 1})
	for _, a := range taker.Ancillaries {
		if a.Ref == seat.Ref {
			t.Errorf("the hold that took %s still lists it: %+v", seat.Seat.Designator, a.Seat)
		}
	}
	second := mustHold(t, env, o)
	free, found := 0, false
	for _, a := range second.Ancillaries {
		if a.Kind != providers.Seat || a.Segment != seat.Segment {
			continue
		}
		if a.Seat.Designator == seat.Seat.Designator {
			found = true
			if a.Seat.Available || a.Ref != seat.Ref {
				t.Errorf("taken seat listed as %+v ref %q, want unavailable with ref %q", a.Seat, a.Ref, seat.Ref)
			}
		} else if a.Seat.Available {
			free++
		}
	}
	if !found {
		t.Errorf("taken seat %s missing from the second session's seat map", seat.Seat.Designator)
	}
	if free != litesim.SeatsPerSegment {
		t.Errorf("%d free seats, want %d", free, litesim.SeatsPerSegment)
	}
}
