// Package litesim is a simulator of the LiteAPI flights v3.0 API: an
// http.Handler that accepts the documented requests and answers in the
// documented shapes (package wire) from a deterministic inventory, so that
// the real adapter (package liteapi) runs against it in tests, local runs
// and benchmarks. It shares nothing with the adapter but package wire.
package litesim

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faregraph/faregraph/providers/liteapi/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// Config configures a Simulator.
type Config struct {
	// APIKey is the X-API-Key the simulator accepts. Empty accepts any
	// non-empty key; a missing key is always refused.
	APIKey string
	// Latency is how long the simulator waits before answering.
	Latency time.Duration
	// FailureRate is the share of requests (0 to 1) answered with the
	// operation's "unavailable" error.
	FailureRate float64
	// Seed fixes the inventory, the ids and the failure sequence.
	Seed int64
	// Now is the simulator's clock, time.Now when nil. Offers, prebooks
	// and bookings are dated and expire by it.
	Now func() time.Time
	// OfferTTL is how long an offerId stays valid after the search; 30
	// minutes when zero.
	OfferTTL time.Duration
}

// Simulator is an http.Handler speaking the LiteAPI flights v3.0 API from a
// deterministic inventory, with the paths, JSON fields, envelopes and error
// codes of shared/seeds/provider-apis.md section B:
//
//   - POST /flights/rates (B.1): CDG↔PMI, CDG↔BCN, CDG↔MAD and ORY↔LIS, every
//     day, 3 to 6 journeys a day, with one-stop journeys among them, plus
//     4 nonstop edge journeys every day (an early flight, two tight
//     same-day returns, a flight landing after midnight: edgeSchedules),
//     and legs at most 11 months ahead (monthsAhead). The inventory is priced
//     in EUR and answered in the currency asked for: EUR, USD, GBP or CHF,
//     at the fixed rates of sandboxRates (any other currency is 400 41006).
//     The offer keeps its currency: verify, prebooks, services and bookings
//     answer in it. Two-leg searches combine every outbound with every
//     return, 8% below the two one-ways. Search answers carry the included
//     bags.
//   - POST /flights/verify (B.2): the live price, and a paid 23 kg checked
//     bag with a serviceId.
//   - POST /flights/prebooks (B.3): holds the seats of the adults and
//     children for 15 minutes of the simulator's clock (seats come back when
//     the prebook lapses) and lists attachable seats and bags (B.8). The
//     simulated account has payment bypass and a credit line, so
//     usePaymentSdk false is accepted; with true the answer carries a fake
//     transactionId and secretKey.
//   - GET /flights/prebooks/{id} (B.4) and POST /flights/prebooks/{id}/services
//     (B.5): attach seats and bags; the price grows by theirs.
//   - POST /flights/bookings, and /flights/bookings/ (B.6): books a prebook,
//     paid with CREDIT, ACC_CREDIT_CARD or TRANSACTION_ID (the prebook's
//     latest), idempotent per prebookId: 201 with the booking the first
//     time, 200 with the replay shape after. Bookings are CONFIRMED at once.
//   - GET /flights/bookings/{id} (B.7).
//
// Every answer shows a flight's times as ShiftSchedule moved them.
//
// The paths are served at the handler's root, so the base URL of a client
// is the server's URL itself, where in production it is
// https://api.liteapi.travel/v3.0.
//
// Offer and service ids are self-contained and signed with a key derived
// from the seed: a simulator restarted with the same seed still accepts
// them, and any other string is refused (400 42013 on verify). Verify
// re-derives the price from the inventory; an offer whose seats ran out is
// answered 404 42018 (not found), the verify code for an offer no longer
// sold. Prebooks and bookings live in memory; their ids are UUIDv7 made
// from the clock and the seed, so a run is reproducible when its requests
// come in the same order. Which codes the simulator answers for what the
// documentation leaves open is said where they are defined (prebook.go,
// services.go, book.go). A Simulator is safe for concurrent use.
type Simulator struct {
	cfg   Config
	inv   inventory
	seats *seatStore
	key   []byte
	knobs *sim.Knobs

	// nextExpiry is the earliest expiry of a live prebook (Unix
	// nanoseconds, 0 when none), read without the lock so that requests
	// have nothing to expire cheaply; written under mu.
	nextExpiry atomic.Int64

	mu       sync.Mutex // guards what follows
	prebooks map[string]*prebook
	bookings map[string]*booking
	seatMap  map[string]string               // segmentKey|seat number → prebookId holding or sold
	ids      uint64                          // ids made so far
	shifts   map[sim.FlightKey]time.Duration // ShiftSchedule
	// pendCancels makes cancellations answer 202 pending until it is
	// turned off (SetCancellationsPending).
	pendCancels bool
	stale       map[string]bool // secretKeys of intents a newer one replaced
	// noCredit: the account has no payment bypass and credit line
	// (SetCreditLine), so usePaymentSdk false is a validation error.
	noCredit bool
}

var _ http.Handler = (*Simulator)(nil)

// DefaultOfferTTL is the life of the simulator's offers when
// Config.OfferTTL is zero.
const DefaultOfferTTL = 30 * time.Minute

// New returns a simulator for cfg.
func New(cfg Config) *Simulator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OfferTTL <= 0 {
		cfg.OfferTTL = DefaultOfferTTL
	}
	inv := inventory{seed: cfg.Seed}
	key := sha256.Sum256(fmt.Appendf(nil, "faregraph liteapi simulator %d", cfg.Seed))
	return &Simulator{
		cfg:      cfg,
		inv:      inv,
		seats:    newSeatStore(inv),
		key:      key[:],
		knobs:    sim.NewKnobs(cfg.Latency, cfg.FailureRate, cfg.Seed),
		prebooks: map[string]*prebook{},
		bookings: map[string]*booking{},
		seatMap:  map[string]string{},
		shifts:   map[sim.FlightKey]time.Duration{},
		stale:    map[string]bool{},
	}
}

// SetLatency changes the delay before every answer.
func (s *Simulator) SetLatency(d time.Duration) { s.knobs.SetLatency(d) }

// SetFailureRate changes the share of requests answered with their
// operation's "unavailable" error (0 to 1).
func (s *Simulator) SetFailureRate(r float64) { s.knobs.SetFailureRate(r) }

// SetFailure makes every call of operation op fail in mode m; sim.FailNone
// restores it. The operations are "rates", "verify", "prebook" (POST
// /flights/prebooks), "get_prebook", "services", "book", "retrieve" (GET
// /flights/bookings/{id}), "cancel" (POST .../cancellations) and
// "quote_cancellation" (GET .../cancellations). sim.FailBefore answers the operation's
// "unavailable" error without doing anything; sim.FailAfter does the
// operation, then answers that error; sim.FailTimeout does it, then never
// answers until the client gives up. The errors are 503 51004 (rates), 503
// 52014 (verify), 503 53014 (prebook), 500 53020 (get_prebook), 502 54001
// (services), 503 55035 (book) and 500 57099 (retrieve). [assumed] The
// documentation has no 503 for services and get booking: their generic
// server errors are used.
func (s *Simulator) SetFailure(op string, m sim.FailMode) { s.knobs.SetFailure(op, m) }

// Operations names the operations SetFailure takes.
func (s *Simulator) Operations() []string {
	return []string{epRates.op, epVerify.op, epPrebook.op, epGetPrebook.op, epServices.op, epBook.op, epRetrieve.op, epCancel.op, epQuote.op}
}

// SetSeats leaves n seats of a flight on sale in each fare family from now
// on, whatever it had: prebooks and bookings made after it count against
// n, live prebooks keep their seats. Answers show at most 9. A flight the
// inventory does not fly is an error wrapping sim.ErrUnknownFlight.
func (s *Simulator) SetSeats(flight sim.FlightKey, n int) error {
	if !s.inv.flies(flight) {
		return fmt.Errorf("litesim: %s: %w", flight, sim.ErrUnknownFlight)
	}
	var buckets []string
	for _, f := range families {
		buckets = append(buckets, bucket(flight, f))
	}
	s.seats.setLeft(buckets, n)
	return nil
}

// ShiftSchedule moves a flight's departure and arrival by d, as an
// airline's schedule change does: every answer that shows the flight
// (rates, verify, prebooks and bookings, made before or after) shows the
// new times from now on, each in its airport's zone. Shifts add up; offer
// ids stay valid. A flight the inventory does not fly is an error wrapping
// sim.ErrUnknownFlight.
func (s *Simulator) ShiftSchedule(flight sim.FlightKey, d time.Duration) error {
	if !s.inv.flies(flight) {
		return fmt.Errorf("litesim: %s: %w", flight, sim.ErrUnknownFlight)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shifts[flight] += d
	return nil
}

// DropPrebook ends an unbooked prebook before its time, as a supplier that
// withdraws the fare does: its seats are given back and booking it answers
// 404 "Booking expired". It reports whether the prebook was live.
func (s *Simulator) DropPrebook(prebookID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prebooks[prebookID]
	if !ok || p.released || p.bookingID != "" {
		return false
	}
	s.releaseLocked(p)
	return true
}

// CancelBooking cancels a booking as the airline does on its side (a
// cancelled flight): reading it back answers CANCELLED. It reports whether
// the booking existed and was not cancelled yet.
func (s *Simulator) CancelBooking(bookingID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bookings[bookingID]
	if !ok || b.status == wire.StatusCanceled {
		return false
	}
	b.status = wire.StatusCanceled
	return true
}

// SetCancellationsPending makes cancellations answer 202 (pending, the
// booking still CONFIRMED) while on; once it is off, the next cancellation
// call of a pending booking completes it.
func (s *Simulator) SetCancellationsPending(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pendCancels = on
}

// live is its with their flights as ShiftSchedule moved them.
func (s *Simulator) live(its []itinerary) []itinerary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.liveLocked(its)
}

func (s *Simulator) liveLocked(its []itinerary) []itinerary {
	if len(s.shifts) == 0 {
		return its
	}
	out := make([]itinerary, len(its))
	for i, it := range its {
		it.flights = slices.Clone(it.flights)
		for k := range it.flights {
			f := &it.flights[k]
			if d := s.shifts[f.flightKey()]; d != 0 {
				f.dep, f.arr = f.dep.Add(d), f.arr.Add(d)
			}
		}
		out[i] = it
	}
	return out
}

// incoming is what a handler gets: the body, the id in the path and the
// query.
type incoming struct {
	body  []byte
	id    string
	query url.Values
}

// endpoint is one simulated operation with its error codes.
type endpoint struct {
	op                string // SetFailure's name
	method            string
	handle            func(s *Simulator, w http.ResponseWriter, r incoming)
	keyRefused        int // 401
	unavailable       int
	unavailableStatus int
}

var (
	epRates      = endpoint{"rates", http.MethodPost, (*Simulator).searchRates, 41004, 51004, http.StatusServiceUnavailable}
	epVerify     = endpoint{"verify", http.MethodPost, (*Simulator).verify, 42003, 52014, http.StatusServiceUnavailable}
	epPrebook    = endpoint{"prebook", http.MethodPost, (*Simulator).createPrebook, 43003, 53014, http.StatusServiceUnavailable}
	epGetPrebook = endpoint{"get_prebook", http.MethodGet, (*Simulator).getPrebook, 47001, 53020, http.StatusInternalServerError}
	epServices   = endpoint{"services", http.MethodPost, (*Simulator).attachServices, 44003, 54001, http.StatusBadGateway}
	epBook       = endpoint{"book", http.MethodPost, (*Simulator).createBooking, 45028, 55035, http.StatusServiceUnavailable}
	epRetrieve   = endpoint{"retrieve", http.MethodGet, (*Simulator).getBooking, 47001, 57099, http.StatusInternalServerError}
	epCancel     = endpoint{"cancel", http.MethodPost, (*Simulator).cancel, 46001, 56099, http.StatusServiceUnavailable}
	epQuote      = endpoint{"quote_cancellation", http.MethodGet, (*Simulator).quoteCancellation, 49001, 59099, http.StatusInternalServerError}
)

// route finds the endpoint of path and the id it names.
func route(method, path string) (*endpoint, string) {
	switch path {
	case wire.RatesPath:
		return &epRates, ""
	case wire.VerifyPath:
		return &epVerify, ""
	case wire.PrebooksPath:
		return &epPrebook, ""
	case wire.BookingsPath, wire.BookingsPath + "/":
		return &epBook, ""
	}
	if rest, ok := strings.CutPrefix(path, wire.PrebooksPath+"/"); ok {
		if id, ok := strings.CutSuffix(rest, "/services"); ok && id != "" && !strings.Contains(id, "/") {
			return &epServices, id
		}
		if rest != "" && !strings.Contains(rest, "/") {
			return &epGetPrebook, rest
		}
	}
	if id, ok := strings.CutPrefix(path, wire.BookingsPath+"/"); ok && !strings.Contains(id, "/") {
		return &epRetrieve, id
	}
	if rest, ok := strings.CutPrefix(path, wire.BookingsPath+"/"); ok {
		if id, ok := strings.CutSuffix(rest, "/cancellations"); ok && id != "" && !strings.Contains(id, "/") {
			if method == http.MethodGet {
				return &epQuote, id
			}
			return &epCancel, id
		}
	}
	return nil, ""
}

// maxRequestBytes caps the request bodies the simulator reads.
const maxRequestBytes = 1 << 20

// Generic codes for what the documentation leaves unnumbered [assumed].
const (
	codeBadRequest = 4000
	codeNotFound   = 4004
)

// ServeHTTP answers one request: after the configured latency, it checks
// the API key, then may fail at the configured rate or as SetFailure says,
// then serves the path.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep, id := route(r.Method, r.URL.Path)
	if ep == nil {
		writeError(w, http.StatusNotFound, wire.APIError{Code: codeNotFound, Message: "Not found"})
		return
	}
	if r.Method != ep.method {
		w.Header().Set("Allow", ep.method)
		writeError(w, http.StatusMethodNotAllowed, wire.APIError{Code: codeBadRequest, Message: "Method not allowed"})
		return
	}
	// Reading the body first lets the server notice a client that gives
	// up during the latency, and so cancel the request's context.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, wire.APIError{Code: codeBadRequest, Message: "Request body too large"})
		return
	}
	fail, ok := s.knobs.Wait(r.Context())
	if !ok {
		return
	}
	if key := r.Header.Get("X-API-Key"); key == "" || (s.cfg.APIKey != "" && key != s.cfg.APIKey) {
		writeError(w, http.StatusUnauthorized, wire.APIError{Code: ep.keyRefused, Message: "Invalid API key"})
		return
	}
	unavailable := func(w http.ResponseWriter) {
		writeError(w, ep.unavailableStatus, wire.APIError{Code: ep.unavailable, Message: "Provider unavailable"})
	}
	mode := s.knobs.Failure(ep.op)
	if fail || mode == sim.FailBefore {
		unavailable(w)
		return
	}
	s.expire()
	req := incoming{body: body, id: id, query: r.URL.Query()}
	if mode != sim.FailAfter && mode != sim.FailTimeout {
		ep.handle(s, w, req)
		return
	}
	// The 200 replay of a booking made before made nothing new: a replay
	// finds what a lost answer made.
	made := func(status int) bool { return sim.Made(status) && !(ep.op == "book" && status == http.StatusOK) }
	sim.After(w, r, mode, func(w http.ResponseWriter, _ *http.Request) { ep.handle(s, w, req) }, made, unavailable)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e wire.APIError) {
	writeJSON(w, status, wire.ErrorEnvelope{Error: &e})
}

var _ sim.Controller = (*Simulator)(nil)
