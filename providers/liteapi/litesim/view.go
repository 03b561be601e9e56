package litesim

import (
	"slices"
	"time"
)

// This file is the read-only view of the simulator that tests use to check
// what the adapter's calls did, without reaching into its state.

// Prebook is a prebook as the simulator keeps it.
type Prebook struct {
	ID, OfferID string
	// Price is what the prebook costs now, its attached services
	// included, in minor units of Currency.
	Price    int64
	Currency string
	// Services is the number of services attached to it.
	Services int
	// Expires is when it lapses, by the simulator's clock.
	Expires time.Time
	// Released tells that it lapsed and gave its seats back.
	Released bool
	// BookingID is the booking that sold it, once booked.
	BookingID string
	// TransactionID is its latest payment intent ("" without
	// usePaymentSdk), IntentConfirmed whether the app confirmed it.
	TransactionID   string
	IntentConfirmed bool
}

// Prebook returns the prebook with id, and false for an id the simulator
// never issued.
func (s *Simulator) Prebook(id string) (Prebook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prebooks[id]
	if !ok {
		return Prebook{}, false
	}
	return Prebook{ID: p.id, OfferID: p.offerID, Price: p.price(), Currency: p.q.cur, Services: len(p.services),
		Expires: p.expires, Released: p.released, BookingID: p.bookingID,
		TransactionID: p.transactionID, IntentConfirmed: p.confirmed}, true
}

// Booking is a booking as the simulator keeps it.
type Booking struct {
	// ID is the bookingId (a UUIDv7), Ref the bookingRef ("FH-26C-…").
	ID, Ref   string
	PrebookID string
	Status    string
}

// Booking returns the booking with id, and false for an id the simulator
// never issued.
func (s *Simulator) Booking(id string) (Booking, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bookings[id]
	if !ok {
		return Booking{}, false
	}
	return Booking{ID: b.id, Ref: b.ref, PrebookID: b.prebook.id, Status: b.status}, true
}

// BookingCount is the number of bookings made, for tests that check that
// a retried booking was made once.
func (s *Simulator) BookingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bookings)
}

// BookingRefs are the bookingIds of the bookings made, sorted, for tests
// that match every provider booking with a booking row of ours.
func (s *Simulator) BookingRefs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	refs := make([]string, 0, len(s.bookings))
	for id := range s.bookings {
		refs = append(refs, id)
	}
	slices.Sort(refs)
	return refs
}

// SeatsLeft returns the seats left now for the fare an offerId sells: the
// fewest left on any of its flights in its fare family, held and sold
// seats deducted, not capped at what answers show. It returns false for a
// string that is not one of the simulator's offer ids or an offer whose
// journey the inventory no longer has.
func (s *Simulator) SeatsLeft(offerID string) (int, bool) {
	var tok offerToken
	if !s.open(offerID, &tok) {
		return 0, false
	}
	q, ok := s.requote(tok)
	if !ok {
		return 0, false
	}
	return s.seats.left(q.buckets()), true
}

// Currencies returns the currencies the simulator prices in, sorted; rates
// refuses any other (400 41006).
func Currencies() []string {
	out := make([]string, 0, len(sandboxRates))
	for cur := range sandboxRates {
		out = append(out, cur)
	}
	slices.Sort(out)
	return out
}

// CheckedBagPrice returns the price per passenger, in EUR cents, of the
// paid 23 kg checked bag of a one-way journey whose first flight is the
// carrier's (IATA code carrier); 0 for a carrier the inventory does not
// fly.
func CheckedBagPrice(carrier string) int64 { return carrierInfo[carrier].bagCents }
