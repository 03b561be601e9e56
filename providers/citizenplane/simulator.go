package citizenplane

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// SimConfig configures a Simulator.
type SimConfig struct {
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
	// Now is the simulator's clock; nil means time.Now.
	Now func() time.Time
}

// Simulator is an http.Handler that speaks the CitizenPlane booking API v3
// (GET /v3/flights, GET /v3/roundTrips, POST /v3/flights/verify) from a
// deterministic inventory of French charter routes (CDG–PMI, CDG–BCN,
// ORY–AJA, CDG–HER, both ways), on every day from today to a year ahead.
// It is safe for concurrent use.
type Simulator struct {
	token string
	seed  int64
	now   func() time.Time
	mux   *http.ServeMux
	seats seatLedger

	mu          sync.Mutex
	latency     time.Duration
	failureRate float64
	rng         *rand.Rand
}

// NewSimulator returns a Simulator for cfg.
func NewSimulator(cfg SimConfig) *Simulator {
	s := &Simulator{
		token:       cfg.Token,
		seed:        cfg.Seed,
		now:         cfg.Now,
		latency:     cfg.Latency,
		failureRate: cfg.FailureRate,
		rng:         rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed)),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+pathFlights, s.searchFlights)
	s.mux.HandleFunc("GET "+pathRoundTrips, s.searchRoundTrips)
	s.mux.HandleFunc("POST "+pathVerify, s.verify)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, typeNotFound, fmt.Sprintf("No endpoint %s %s", r.Method, r.URL.Path))
	})
	return s
}

// SetLatency changes how long the simulator waits before answering.
func (s *Simulator) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetFailureRate changes the share of requests answered with a 500.
func (s *Simulator) SetFailureRate(r float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failureRate = r
}

// SellSeats takes n seats of a flight off sale, as a booking made elsewhere
// would; tests use it to sell a flight out.
func (s *Simulator) SellSeats(flightID int64, n int) { s.seats.sell(flightID, n) }

// ServeHTTP answers one API request: after the configured latency (or
// when the client gives up), a random failure if one is drawn, then the
// token check, then the endpoint.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	latency, fail := s.draw()
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
	if fail {
		writeError(w, http.StatusInternalServerError, typeInternal, "Internal server error")
		return
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		writeError(w, http.StatusUnauthorized, typeUnauthorized, "Invalid or missing API token")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// draw reads the latency and draws whether this request fails.
func (s *Simulator) draw() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latency, s.failureRate > 0 && s.rng.Float64() < s.failureRate
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
		writeError(w, http.StatusBadRequest, typeInvalidRequest, err.Error())
		return
	}
	all := []flight{}
	if ri, ok := routeIndex(p.origin, p.destination); ok {
		for d := p.start; d < p.end; d++ {
			for _, f := range schedule(s.seed, ri, d) {
				if left, ok := s.onSale(f, p.seats); ok {
					all = append(all, toWire(f, left))
				}
			}
		}
	}
	out := page[flight]{Results: all, Total: len(all), Page: p.page, TotalPages: 1}
	if p.page > 0 {
		out.Results = []flight{}
	}
	writeJSON(w, http.StatusOK, out)
}

// searchRoundTrips answers GET /v3/roundTrips. A route with round-trip
// fares pairs the first flight of each outbound day with the last flight
// of each return day, when the return leaves at least two hours after the
// outbound lands.
func (s *Simulator) searchRoundTrips(w http.ResponseWriter, r *http.Request) {
	p, err := parseSearch(r.URL.Query(), true)
	if err != nil {
		writeError(w, http.StatusBadRequest, typeInvalidRequest, err.Error())
		return
	}
	all := []roundTrip{}
	ri, okOut := routeIndex(p.origin, p.destination)
	rb, okBack := routeIndex(p.destination, p.origin)
	if okOut && okBack && routes[ri].roundTrips {
		for d := p.start; d < p.end; d++ {
			outs := schedule(s.seed, ri, d)
			if len(outs) == 0 {
				continue
			}
			out := outs[0]
			outLeft, ok := s.onSale(out, p.seats)
			if !ok {
				continue
			}
			for rd := p.returnStart; rd < p.returnEnd; rd++ {
				backs := schedule(s.seed, rb, rd)
				if len(backs) == 0 {
					continue
				}
				back := backs[len(backs)-1]
				backLeft, ok := s.onSale(back, p.seats)
				if !ok || back.dep.Before(out.arr.Add(2*time.Hour)) {
					continue
				}
				price, infant := pairFare(out, back)
				all = append(all, roundTrip{
					Outbound:    toWire(out, outLeft),
					Inbound:     toWire(back, backLeft),
					Price:       cents(price),
					InfantPrice: cents(infant),
					Currency:    currencyEUR,
				})
			}
		}
	}
	writeJSON(w, http.StatusOK, page[roundTrip]{Results: all})
}

// verify answers POST /v3/flights/verify.
func (s *Simulator) verify(w http.ResponseWriter, r *http.Request) {
	var req verifyRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, typeInvalidRequest, "Body must be a JSON object with flight_id, passengers and customer_code")
		return
	}
	if msg := checkVerify(req); msg != "" {
		writeError(w, http.StatusBadRequest, typeInvalidRequest, msg)
		return
	}
	f, ok := lookup(s.seed, req.FlightID)
	if !ok || dayOf(f.dep) > s.today(f)+horizonDays {
		writeError(w, http.StatusNotFound, typeFlightNotFound, fmt.Sprintf("Flight %d not found", req.FlightID))
		return
	}
	pax := req.Passengers
	if _, ok := s.onSale(f, pax.Adults+pax.Children); !ok {
		writeError(w, http.StatusConflict, typeFlightUnavailable, fmt.Sprintf("Flight %d is no longer available", req.FlightID))
		return
	}
	resp := verifyResponse{
		Price:              cents(f.price),
		Currency:           currencyEUR,
		TotalPrice:         cents(f.price*int64(pax.Adults+pax.Children) + f.infant*int64(pax.Infants)),
		IncludedAirportTax: cents(f.tax),
	}
	if pax.Infants > 0 {
		n := cents(f.infant)
		resp.InfantPrice = &n
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkVerify validates a verify request like the API does, returning the
// message of a 400 or "".
func checkVerify(req verifyRequest) string {
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

// onSale reports whether f is sold today: in the booking horizon, not yet
// departed and with seats seats left. It returns the seats left.
func (s *Simulator) onSale(f simFlight, seats int) (int, bool) {
	today := s.today(f)
	if d := dayOf(f.dep); d < today || d > today+horizonDays || !f.dep.After(s.now()) {
		return 0, false
	}
	left := s.seats.left(f)
	return left, left >= seats
}

// toWire is the API's flight object for f with left seats on sale.
func toWire(f simFlight, left int) flight {
	r, c := routes[f.route], carriers[f.carrier]
	return flight{
		ID:                 f.id,
		FlightNumber:       f.number,
		Origin:             r.from,
		Destination:        r.to,
		DepartureDate:      f.dep.Format(time.RFC3339),
		ArrivalDate:        f.arr.Format(time.RFC3339),
		Airline:            airline{Name: c.name, IATACode: f.carrier},
		AvailableSeats:     left,
		CabinClass:         "economy",
		BookingClass:       "Y",
		Price:              cents(f.price),
		InfantPrice:        cents(f.infant),
		IncludedAirportTax: cents(f.tax),
		Currency:           currencyEUR,
		Bags: bags{
			Checked: []checkedBag{{Weight: 20, Price: cents(c.checked20)}, {Weight: 23, Price: cents(c.checked23)}},
			Cabin:   []cabinBag{{Dimensions: c.cabinSize, Price: cents(c.cabin)}},
		},
	}
}

// cents is an amount of euro cents as the API's JSON number ("89.99").
func cents(n int64) json.Number {
	return providers.Money{Amount: n, Currency: currencyEUR}.JSONNumber()
}

// writeJSON writes v as the JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes the API's error body.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, errorBody{Message: msg, Type: typ})
}
