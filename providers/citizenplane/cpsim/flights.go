package cpsim

import (
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers/citizenplane/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// This file is the read-only view of the inventory that tests use to
// predict the simulator's answers. It shows the flights as generated:
// sales and schedule changes are the Simulator's state.

// Flight is a flight of the inventory as generated. Amounts are euro cents.
type Flight struct {
	ID int64
	// Carrier is the airline's IATA code ("5O"); Number is the flight
	// number with it ("5O7892").
	Carrier, Number     string
	Origin, Destination string
	// Departure and Arrival are local to their airport.
	Departure, Arrival time.Time
	// Price is per seat (adults and children), InfantPrice per infant.
	Price, InfantPrice int64
	// AirportTax is the airport tax per seat included in Price.
	AirportTax int64
	// Seats is the number of seats on sale before any sale.
	Seats int
}

// Key is the flight's key, by which SetSeats and ShiftSchedule name it.
func (f Flight) Key() sim.FlightKey {
	return sim.FlightOf(f.Carrier, strings.TrimPrefix(f.Number, f.Carrier), f.Departure)
}

// Carrier is an airline of the inventory and the prices of the bags it
// sells, in euro cents.
type Carrier struct {
	Name                        string
	Checked20, Checked23, Cabin int64
	CabinSize                   wire.Dimensions
}

// Route is a route the inventory flies every day.
type Route struct {
	From, To string
	// RoundTrips tells whether the route has round-trip fares.
	RoundTrips bool
}

// Routes returns every route of the inventory, in the order of the table.
func Routes() []Route {
	out := make([]Route, len(routes))
	for i, r := range routes {
		out[i] = Route{From: r.from, To: r.to, RoundTrips: r.roundTrips}
	}
	return out
}

// Schedule returns the flights from origin to destination on date's
// calendar day for seed, in departure order; none for a route the
// inventory does not fly.
func Schedule(seed int64, origin, destination string, date time.Time) []Flight {
	ri, ok := routeIndex(origin, destination)
	if !ok {
		return nil
	}
	fs := schedule(seed, ri, dayOf(date))
	out := make([]Flight, len(fs))
	for i, f := range fs {
		out[i] = f.view()
	}
	return out
}

// FlightByID returns the flight an id names for seed, and false for an id
// the inventory never generated.
func FlightByID(seed, id int64) (Flight, bool) {
	f, ok := lookup(seed, id)
	if !ok {
		return Flight{}, false
	}
	return f.view(), true
}

// CarrierOf returns the airline with IATA code code; the zero Carrier for
// one the inventory does not fly.
func CarrierOf(code string) Carrier {
	c, ok := carriers[code]
	if !ok {
		return Carrier{}
	}
	return Carrier{Name: airlineName(code), Checked20: c.checked20, Checked23: c.checked23, Cabin: c.cabin, CabinSize: c.cabinSize}
}

// AirportTax returns the airport tax per seat of a flight from airport, in
// euro cents; 0 for an airport the inventory does not serve.
func AirportTax(airport string) int64 { return airportTax[airport] }

// RoundTripFare returns the per-seat and per-infant price of the
// round-trip fare of the flights with ids out and back for seed, and
// false when either id names no flight.
func RoundTripFare(seed, out, back int64) (price, infant int64, ok bool) {
	o, ok1 := lookup(seed, out)
	b, ok2 := lookup(seed, back)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	price, infant = pairFare(o, b)
	return price, infant, true
}

// RoundTripPair returns the flights of the round-trip fare from origin to
// destination on outDate and back on backDate for seed, as generated, and
// false when the inventory sells none on those days.
func RoundTripPair(seed int64, origin, destination string, outDate, backDate time.Time) (out, back Flight, ok bool) {
	ri, ok1 := routeIndex(origin, destination)
	rb, ok2 := routeIndex(destination, origin)
	if !ok1 || !ok2 {
		return Flight{}, Flight{}, false
	}
	o, ok1 := pairOutbound(seed, ri, dayOf(outDate))
	b, ok2 := pairReturn(seed, rb, dayOf(backDate))
	if !ok1 || !ok2 || !isPair(seed, o, b) {
		return Flight{}, Flight{}, false
	}
	return o.view(), b.view(), true
}

// view is f as a Flight.
func (f simFlight) view() Flight {
	r := routes[f.route]
	return Flight{
		ID: f.id, Carrier: f.carrier, Number: f.number, Origin: r.from, Destination: r.to,
		Departure: f.dep, Arrival: f.arr, Price: f.price, InfantPrice: f.infant, AirportTax: f.tax, Seats: f.seats,
	}
}

// HeldRequest is a booking request as the simulator keeps it. Amounts are
// euro cents.
type HeldRequest struct {
	ID, FlightID int64
	// Pair is the other request of a round-trip fare, 0 for a one-way one.
	Pair int64
	// Price is per seat (the flight's share of a pair's price),
	// InfantPrice per infant.
	Price, InfantPrice int64
	// Booking is the cp_reference of the booking that sold it, once booked.
	Booking string
}

// Request returns the booking request with id, and false for an id the
// simulator never issued.
func (s *Simulator) Request(id int64) (HeldRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return HeldRequest{}, false
	}
	return HeldRequest{ID: r.id, FlightID: r.flightID, Pair: r.pair, Price: r.price, InfantPrice: r.infant, Booking: r.booking}, true
}

// SeatsLeft returns the seats of the flight with id on sale now: its seats
// less those sold and those held by pending requests; 0 for an unknown id.
func (s *Simulator) SeatsLeft(id int64) int {
	f, ok := lookup(s.seed, id)
	if !ok {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leftLocked(f, s.now())
}
