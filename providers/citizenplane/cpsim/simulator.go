// Package cpsim is a simulator of the CitizenPlane booking API v3: an
// http.Handler that accepts the documented requests and answers in the
// documented shapes (package wire) from a deterministic inventory, so that
// the real adapter (package citizenplane) runs against it in tests, local
// runs and benchmarks. It shares nothing with the adapter but package wire.
package cpsim

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// Config configures a Simulator.
type Config struct {
	// Token is the API token the simulator accepts, with or without
	// "Bearer "; empty accepts any non-empty Authorization header.
	Token string
	// Latency is how long the simulator waits before answering.
	Latency time.Duration
	// FailureRate is the share of requests answered with a 500, from 0 to 1.
	FailureRate float64
	// Seed makes the inventory and the failures; the same seed gives the
	// same flights.
	Seed int64
	// Now is the simulator's clock; nil means time.Now. It drives what is
	// on sale and the expiry of booking requests, so tests can move it.
	Now func() time.Time
}

// Operations of the simulator, as SetFailure names them.
const (
	simOpSearch     = "search"      // GET /v3/flights
	simOpRoundTrips = "round_trips" // GET /v3/roundTrips
	simOpVerify     = "verify"      // POST /v3/flights/verify
	simOpHold       = "hold"        // POST /v3/requests
	simOpBook       = "book"        // POST /v3/bookings
	simOpRetrieve   = "retrieve"    // GET /v3/bookings
)

// Simulator is an http.Handler that speaks the CitizenPlane booking API v3
// (GET /v3/flights, GET /v3/roundTrips, POST /v3/flights/verify, POST
// /v3/requests, POST /v3/bookings, GET /v3/bookings) from a deterministic
// inventory of French charter routes (CDG–PMI, CDG–BCN, ORY–AJA, CDG–HER,
// both ways), on every day from today to a year ahead. Booking requests
// hold seats for 3 minutes of the configured clock; bookings sell them.
// It is safe for concurrent use.
type Simulator struct {
	token string
	seed  int64
	now   func() time.Time
	mux   *http.ServeMux
	knobs *sim.Knobs

	// mu guards the state below: every change of seats, requests and
	// bookings happens under it, so holds and bookings are atomic.
	mu       sync.Mutex
	sold     map[int64]int               // seats sold per flight
	capacity map[int64]int               // seats per flight set by SetSeats, in place of the generated ones
	held     map[int64][]*bookingRequest // requests per flight that may hold seats
	requests map[int64]*bookingRequest   // by id
	bookings map[string]*simBooking      // by cp_reference
	shifts   map[int64]time.Duration     // schedule changes per flight
	reprices map[int64]int64             // fare changes per flight, cents per seat
	nextID   int64                       // the next request id
	refSeq   uint64                      // draws of booking references so far
}

// New returns a Simulator for cfg.
func New(cfg Config) *Simulator {
	s := &Simulator{
		token:    cfg.Token,
		seed:     cfg.Seed,
		now:      cfg.Now,
		knobs:    sim.NewKnobs(cfg.Latency, cfg.FailureRate, cfg.Seed),
		sold:     map[int64]int{},
		capacity: map[int64]int{},
		held:     map[int64][]*bookingRequest{},
		requests: map[int64]*bookingRequest{},
		bookings: map[string]*simBooking{},
		shifts:   map[int64]time.Duration{},
		reprices: map[int64]int64{},
		nextID:   FirstRequestID,
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.mux = http.NewServeMux()
	s.handle("GET "+wire.PathFlights, simOpSearch, s.searchFlights)
	s.handle("GET "+wire.PathRoundTrips, simOpRoundTrips, s.searchRoundTrips)
	s.handle("POST "+wire.PathVerify, simOpVerify, s.verify)
	s.handle("POST "+wire.PathRequests, simOpHold, s.createRequests)
	s.handle("POST "+wire.PathBookings, simOpBook, s.createBooking)
	s.handle("GET "+wire.PathBookings, simOpRetrieve, s.getBooking)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, wire.TypeNotFound, fmt.Sprintf("No endpoint %s %s", r.Method, r.URL.Path))
	})
	return s
}

// handle routes pattern to h, failing as SetFailure set operation op.
func (s *Simulator) handle(pattern, op string, h http.HandlerFunc) {
	internal := func(w http.ResponseWriter) {
		writeError(w, http.StatusInternalServerError, wire.TypeInternal, "Internal server error")
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		switch m := s.knobs.Failure(op); m {
		case sim.FailBefore:
			internal(w)
		case sim.FailAfter, sim.FailTimeout:
			// A refusal, such as the 409 REQUEST_ALREADY_BOOKED of a
			// replay, is answered: that is how a lost booking is found.
			sim.After(w, r, m, h, sim.Made, internal)
		default:
			h(w, r)
		}
	})
}

// SetLatency changes how long the simulator waits before answering.
func (s *Simulator) SetLatency(d time.Duration) { s.knobs.SetLatency(d) }

// SetFailureRate changes the share of requests answered with a 500.
func (s *Simulator) SetFailureRate(r float64) { s.knobs.SetFailureRate(r) }

// SetFailure makes every call of operation op fail in mode m, until it is
// set to sim.FailNone: FailBefore answers 500 without doing anything,
// FailAfter does the operation and then answers 500 {"message": "Internal
// server error", "type": "INTERNAL_ERROR"}, FailTimeout does it and then
// never answers until the client gives up. The operations are "search"
// (GET /v3/flights), "round_trips" (GET /v3/roundTrips), "verify" (POST
// /v3/flights/verify), "hold" (POST /v3/requests), "book" (POST
// /v3/bookings) and "retrieve" (GET /v3/bookings); other names have no
// effect.
func (s *Simulator) SetFailure(op string, m sim.FailMode) { s.knobs.SetFailure(op, m) }

// Operations names the operations SetFailure takes.
func (s *Simulator) Operations() []string {
	return []string{simOpSearch, simOpRoundTrips, simOpVerify, simOpHold, simOpBook, simOpRetrieve}
}

// SetSeats leaves n seats of a flight on sale from now on, whatever it had:
// requests and bookings made after it count against n, pending requests
// keep their seats. A flight the inventory does not have is an error
// wrapping sim.ErrUnknownFlight.
func (s *Simulator) SetSeats(flight sim.FlightKey, n int) error {
	f, err := s.flight(flight)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capacity[f.id] = n + s.sold[f.id] + s.heldLocked(f, s.now())
	return nil
}

// ShiftSchedule moves a flight's departure and arrival by d, as an
// airline's schedule change does: every answer that shows the flight
// (searches, bookings) shows the new times from now on. Shifts add up. A
// flight the inventory does not have is an error wrapping
// sim.ErrUnknownFlight.
func (s *Simulator) ShiftSchedule(flight sim.FlightKey, d time.Duration) error {
	f, err := s.flight(flight)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shifts[f.id] += d
	return nil
}

// flight finds the flight a key names, as generated: the flight whose
// number is the key's on the key's day, on any route.
func (s *Simulator) flight(k sim.FlightKey) (simFlight, error) {
	if d, err := time.Parse(time.DateOnly, k.Date); err == nil {
		for ri := range routes {
			for _, f := range schedule(s.seed, ri, dayOf(d)) {
				if f.carrier == k.Carrier && f.number == k.Carrier+k.Number {
					return f, nil
				}
			}
		}
	}
	return simFlight{}, fmt.Errorf("cpsim: %s: %w", k, sim.ErrUnknownFlight)
}

// Reprice changes a flight's fare by delta cents per seat for the booking
// requests made from now on, as a fare change at the airline does: a new
// request (a renewed hold) answers the new price. Changes add up.
func (s *Simulator) Reprice(flightID int64, delta int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reprices[flightID] += delta
}

func (s *Simulator) reprice(flightID int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reprices[flightID]
}

// AbortRequest aborts a pending booking request, as CitizenPlane does to
// the requests of a failed payment: booking it answers 403
// REQUEST_ABORTED, and its seats are free again. It reports whether the
// request was pending.
func (s *Simulator) AbortRequest(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rq, ok := s.requests[id]
	if !ok || rq.status != wire.RequestPending {
		return false
	}
	rq.status = wire.RequestAborted
	return true
}

// BookingCount is the number of bookings made, for tests that check that
// a retried booking was made once.
func (s *Simulator) BookingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bookings)
}

// BookingRefs are the cp_references of the bookings made, sorted, for
// tests that match every provider booking with a booking row of ours.
func (s *Simulator) BookingRefs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	refs := make([]string, 0, len(s.bookings))
	for ref := range s.bookings {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	return refs
}

// ServeHTTP answers one API request: after the configured latency (or
// when the client gives up), a random failure if one is drawn, then the
// token check, then the endpoint, failing as SetFailure says.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail, ok := s.knobs.Wait(r.Context())
	if !ok {
		return
	}
	if fail {
		writeError(w, http.StatusInternalServerError, wire.TypeInternal, "Internal server error")
		return
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		writeError(w, http.StatusUnauthorized, wire.TypeUnauthorized, "Invalid or missing API token")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// authorized checks an Authorization header, "Bearer <token>" or the bare
// token as the quickstart also shows it.
func (s *Simulator) authorized(h string) bool {
	h = strings.TrimSpace(h)
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		h = strings.TrimSpace(h[7:])
	}
	if s.token == "" {
		return h != ""
	}
	return subtle.ConstantTimeCompare([]byte(h), []byte(s.token)) == 1
}

// searchFlights answers GET /v3/flights.
func (s *Simulator) searchFlights(w http.ResponseWriter, r *http.Request) {
	p, err := parseSearch(r.URL.Query(), false)
	if err != nil {
		writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, err.Error())
		return
	}
	all := []wire.Flight{}
	if ri, ok := routeIndex(p.origin, p.destination); ok {
		for d := p.start; d < p.end; d++ {
			for _, f := range schedule(s.seed, ri, d) {
				f = s.live(f)
				if left, ok := s.onSale(f, p.seats); ok {
					all = append(all, toWire(f, left))
				}
			}
		}
	}
	out := wire.Page[wire.Flight]{Results: all, Total: len(all), Page: p.page, TotalPages: 1}
	if p.page > 0 {
		out.Results = []wire.Flight{}
	}
	writeJSON(w, http.StatusOK, out)
}

// searchRoundTrips answers GET /v3/roundTrips: the pairs of isPair.
func (s *Simulator) searchRoundTrips(w http.ResponseWriter, r *http.Request) {
	p, err := parseSearch(r.URL.Query(), true)
	if err != nil {
		writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, err.Error())
		return
	}
	all := []wire.RoundTrip{}
	ri, okOut := routeIndex(p.origin, p.destination)
	rb, okBack := routeIndex(p.destination, p.origin)
	if okOut && okBack && routes[ri].roundTrips {
		for d := p.start; d < p.end; d++ {
			out, ok := pairOutbound(s.seed, ri, d)
			if !ok {
				continue
			}
			outLive := s.live(out)
			outLeft, ok := s.onSale(outLive, p.seats)
			if !ok {
				continue
			}
			for rd := p.returnStart; rd < p.returnEnd; rd++ {
				back, ok := pairReturn(s.seed, rb, rd)
				if !ok {
					continue
				}
				backLive := s.live(back)
				backLeft, ok := s.onSale(backLive, p.seats)
				if !ok || !isPair(s.seed, out, back) {
					continue
				}
				price, infant := pairFare(out, back)
				all = append(all, wire.RoundTrip{
					Outbound:    toWire(outLive, outLeft),
					Inbound:     toWire(backLive, backLeft),
					Price:       cents(price),
					InfantPrice: cents(infant),
					Currency:    wire.CurrencyEUR,
				})
			}
		}
	}
	writeJSON(w, http.StatusOK, wire.Page[wire.RoundTrip]{Results: all})
}

// verify answers POST /v3/flights/verify.
func (s *Simulator) verify(w http.ResponseWriter, r *http.Request) {
	var req wire.VerifyRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, "Body must be a JSON object with flight_id, passengers and customer_code")
		return
	}
	if msg := checkVerify(req); msg != "" {
		writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, msg)
		return
	}
	f, ok := s.find(req.FlightID)
	if !ok {
		writeError(w, http.StatusNotFound, wire.TypeFlightNotFound, fmt.Sprintf("Flight %d not found", req.FlightID))
		return
	}
	pax := req.Passengers
	if _, ok := s.onSale(f, pax.Adults+pax.Children); !ok {
		writeError(w, http.StatusConflict, wire.TypeFlightUnavailable, fmt.Sprintf("Flight %d is no longer available", req.FlightID))
		return
	}
	resp := wire.VerifyResponse{
		Price:              cents(f.price),
		Currency:           wire.CurrencyEUR,
		TotalPrice:         cents(f.price*int64(pax.Adults+pax.Children) + f.infant*int64(pax.Infants)),
		IncludedAirportTax: wire.TaxAmount(cents(f.tax)),
	}
	if pax.Infants > 0 {
		n := cents(f.infant)
		resp.InfantPrice = &n
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkVerify validates a verify request like the API does, returning the
// message of a 400 or "".
func checkVerify(req wire.VerifyRequest) string {
	p := req.Passengers
	switch {
	case req.FlightID <= 0:
		return "flight_id is required"
	case p.Adults < 1:
		return "passengers.adults must be at least 1"
	case p.Children < 0 || p.Infants < 0:
		return "passengers.children and passengers.infants must not be negative"
	case p.Adults+p.Children > maxSeats:
		return fmt.Sprintf("passengers.adults and passengers.children must total at most %d", maxSeats)
	case p.Infants > p.Adults:
		return "passengers.infants must not exceed passengers.adults"
	case req.CustomerCode == "":
		return "customer_code is required"
	}
	return ""
}

// today is the current day at f's origin.
func (s *Simulator) today(f simFlight) day {
	return dayOf(s.now().In(f.dep.Location()))
}

// find looks up a flight by id, with its schedule changes, among the
// flights sold up to the booking horizon.
func (s *Simulator) find(id int64) (simFlight, bool) {
	f, ok := lookup(s.seed, id)
	if !ok || dayOf(f.dep) > s.today(f)+horizonDays {
		return simFlight{}, false
	}
	return s.live(f), true
}

// live is f with its schedule changes.
func (s *Simulator) live(f simFlight) simFlight {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.liveLocked(f)
}

func (s *Simulator) liveLocked(f simFlight) simFlight {
	if d := s.shifts[f.id]; d != 0 {
		f.dep, f.arr = f.dep.Add(d), f.arr.Add(d)
	}
	return f
}

// onSale reports whether f is sold today: in the booking horizon, not yet
// departed and with seats seats left. It returns the seats left.
func (s *Simulator) onSale(f simFlight, seats int) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onSaleLocked(f, seats, s.now())
}

func (s *Simulator) onSaleLocked(f simFlight, seats int, now time.Time) (int, bool) {
	today := dayOf(now.In(f.dep.Location()))
	if d := dayOf(f.dep); d < today || d > today+horizonDays || !f.dep.After(now) {
		return 0, false
	}
	left := s.leftLocked(f, now)
	return left, left >= seats
}

// toWire is the API's flight object for f with left seats on sale.
func toWire(f simFlight, left int) wire.Flight {
	r := routes[f.route]
	return wire.Flight{
		ID:                 f.id,
		FlightNumber:       f.number,
		Origin:             r.from,
		Destination:        r.to,
		DepartureDate:      f.dep.Format(time.RFC3339),
		ArrivalDate:        f.arr.Format(time.RFC3339),
		Airline:            wire.Airline{Name: airlineName(f.carrier), IATACode: f.carrier},
		AvailableSeats:     left,
		CabinClass:         "economy",
		BookingClass:       "Y",
		Price:              cents(f.price),
		InfantPrice:        cents(f.infant),
		IncludedAirportTax: wire.TaxAmount(cents(f.tax)),
		Currency:           wire.CurrencyEUR,
		Bags:               wireBags(f),
	}
}

// simBag is a bag option of a flight: a checked bag by weight or a cabin
// bag by size, and its price in cents.
type simBag struct {
	weight int
	dims   wire.Dimensions
	cents  int64
}

// bagOptions are the bags sold with f, from its carrier's prices.
func bagOptions(f simFlight) (checked, cabin []simBag) {
	c := carriers[f.carrier]
	return []simBag{{weight: 20, cents: c.checked20}, {weight: 23, cents: c.checked23}},
		[]simBag{{dims: c.cabinSize, cents: c.cabin}}
}

// wireBags is the bags object of f.
func wireBags(f simFlight) wire.Bags {
	checked, cabin := bagOptions(f)
	b := wire.Bags{Checked: make([]wire.CheckedBag, len(checked)), Cabin: make([]wire.CabinBag, len(cabin))}
	for i, o := range checked {
		b.Checked[i] = wire.CheckedBag{Weight: o.weight, Price: cents(o.cents)}
	}
	for i, o := range cabin {
		b.Cabin[i] = wire.CabinBag{Dimensions: o.dims, Price: cents(o.cents)}
	}
	return b
}

// cents is an amount of euro cents as the API's JSON number ("89.99").
func cents(n int64) json.Number {
	return providers.Money{Amount: n, Currency: wire.CurrencyEUR}.JSONNumber()
}

// writeJSON writes v as the JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes the API's error body.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, wire.ErrorBody{Message: msg, Type: typ})
}

var _ sim.Controller = (*Simulator)(nil)
