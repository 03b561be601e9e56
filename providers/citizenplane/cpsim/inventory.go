package cpsim

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/refdata"
)

// The simulator's inventory is a pure function of route, day and seed:
// the same flights, times, prices and initial seats on every run, and no
// randomness at request time. Only seats held and sold, requests, bookings
// and schedule changes are state (see Simulator).

// route is a charter route the simulator flies every day. Routes are only
// ever appended to the table: a route's index is part of its flight ids.
type route struct {
	from, to string
	block    time.Duration // scheduled gate-to-gate time
	baseEUR  int64         // one-way fare on an ordinary day, in euros
	carriers []string
	// roundTrips tells whether the route has round-trip fares.
	roundTrips bool
}

var routes = []route{
	{"CDG", "PMI", 125 * time.Minute, 89, []string{"5O", "V7", "TO"}, true},
	{"PMI", "CDG", 120 * time.Minute, 85, []string{"5O", "V7", "TO"}, true},
	{"CDG", "BCN", 105 * time.Minute, 69, []string{"V7", "TO"}, true},
	{"BCN", "CDG", 105 * time.Minute, 69, []string{"V7", "TO"}, true},
	{"ORY", "AJA", 100 * time.Minute, 79, []string{"V7", "TO"}, false},
	{"AJA", "ORY", 95 * time.Minute, 79, []string{"V7", "TO"}, false},
	{"CDG", "HER", 215 * time.Minute, 139, []string{"5O", "TO"}, true},
	{"HER", "CDG", 230 * time.Minute, 135, []string{"5O", "TO"}, true},
}

// carrierInfo is what the simulator knows of a charter airline: where its
// flight numbers start, its bag prices in cents and the size of the cabin
// bag it sells. Its name comes from the reference data (airlineName).
type carrierInfo struct {
	numberBase int
	checked20  int64
	checked23  int64
	cabin      int64
	cabinSize  wire.Dimensions
}

var carriers = map[string]carrierInfo{
	"5O": {7800, 2550, 3200, 1500, wire.Dimensions{Width: 56, Height: 45, Length: 25}},
	"V7": {2100, 2299, 2999, 1299, wire.Dimensions{Width: 55, Height: 40, Length: 20}},
	"TO": {3400, 2400, 3050, 1400, wire.Dimensions{Width: 55, Height: 35, Length: 25}},
}

// airlineName is the name of the airline with IATA code code, from the
// reference data the API serves too (package refdata).
func airlineName(code string) string {
	a, _ := refdata.LookupAirline(code)
	return a.Name
}

// airportTax is the airport tax included in a fare, by origin, in cents.
var airportTax = map[string]int64{
	"CDG": 1320, "ORY": 1240, "PMI": 985, "BCN": 1105, "AJA": 780, "HER": 1530,
}

// Flight ids encode (day, route, slot) so that any id a search returned
// can be decoded back: id = idBase + ((day-idEpoch)*maxRoutes + route)*maxSlots + slot.
// Regular flights take slots 0 to 4, the edge flights (see edges) the
// slots from edgeSlot on.
const (
	idBase      = 3_000_000
	maxRoutes   = 64
	maxSlots    = 16
	horizonDays = 365
	// firstDeparture and daySpan place the day's regular departures, in
	// minutes after local midnight: from 06:05 over the next 15 hours.
	firstDeparture = 6*60 + 5
	daySpan        = 15 * 60
)

// The edge flights every route flies every day, on purpose, so that the
// booking rules of whoever sells them are exercised in the default mode:
// their slots and their times, in minutes after local midnight.
const (
	// edgeSlot is the slot of the first edge flight: the one departing
	// soon after the reverse route's first flight lands, less than 60
	// minutes after it (a return too tight for any ground time); the next
	// slot departs 100 minutes after it (a return too tight for a
	// self-transfer between separate tickets, 2 hours). Routes without a
	// reverse route have neither.
	edgeSlot = 5
	// soonSlot departs at 11:10 local: within the 2-hour booking cut-off
	// of a clock between 09:10 and 11:10 at the origin, such as the tests'
	// 08:00 UTC in summer in Paris (10:00) or Heraklion (11:00).
	soonSlot   = edgeSlot + 2
	soonMinute = 11*60 + 10
	// lateSlot departs at 22:40 local and lands after midnight at its
	// destination, on the next local day.
	lateSlot   = edgeSlot + 3
	lateMinute = 22*60 + 40
	// tightReturn and snugReturn are how long after the reverse route's
	// first flight lands the two tight returns depart, before rounding
	// up to 5 minutes.
	tightReturn = 45 * time.Minute
	snugReturn  = 100 * time.Minute
)

// idEpoch is 2020-01-01 as a day number.
var idEpoch = dayOf(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))

// day is a calendar day, counted from 1970-01-01.
type day int64

// dayOf is the calendar day of t in t's location.
func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// midnight is d at 00:00 UTC.
func (d day) midnight() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// simFlight is one generated flight.
type simFlight struct {
	id      int64
	route   int
	carrier string
	number  string
	dep     time.Time // local to the origin
	arr     time.Time // local to the destination
	price   int64     // per seat, in cents
	infant  int64
	tax     int64
	seats   int // seats on sale before any sale
}

// schedule returns the flights of route ri on day d, in departure order:
// the regular flights (see regular) and the edge flights (see edges).
func schedule(seed int64, ri int, d day) []simFlight {
	fs := append(regular(seed, ri, d), edges(seed, ri, d)...)
	slices.SortFunc(fs, func(a, b simFlight) int { return cmp.Or(a.dep.Compare(b.dep), cmp.Compare(a.id, b.id)) })
	return fs
}

// regular returns the regular flights of route ri on day d, in departure
// order (slot order): three to five a day, leaving between 06:05 and
// about 19:00 local time.
func regular(seed int64, ri int, d day) []simFlight {
	if ri < 0 || ri >= len(routes) || d < idEpoch {
		return nil
	}
	n := 3 + int(mix(seed, int64(ri), int64(d), saltCount)%3)
	step := daySpan / n
	flights := make([]simFlight, n)
	for slot := range n {
		minute := firstDeparture + slot*step + 5*int(mix(seed, int64(ri), int64(d), int64(slot), saltTime)%10)
		flights[slot] = newFlight(seed, ri, d, slot, localTime(ri, d, minute))
	}
	return flights
}

// edges returns the flights route ri flies on day d so that the edge
// cases of selling flights come up in every search: two returns departing
// 45 to 49 and 100 to 104 minutes after the reverse route's first flight
// of the day lands (a same-day round trip with too short a turnaround),
// one at 11:10 local (earlier today, or within the booking cut-off, for a
// search made that morning) and one at 22:40 local that lands on the next
// local day.
func edges(seed int64, ri int, d day) []simFlight {
	if ri < 0 || ri >= len(routes) || d < idEpoch {
		return nil
	}
	var fs []simFlight
	r := routes[ri]
	if rb, ok := routeIndex(r.to, r.from); ok {
		if back := regular(seed, rb, d); len(back) > 0 {
			landed := back[0].arr.In(providers.AirportLocation(r.from))
			for i, after := range []time.Duration{tightReturn, snugReturn} {
				dep := landed.Add(after) // whole minutes: round up to 5
				dep = dep.Add(time.Duration((5-dep.Minute()%5)%5) * time.Minute)
				fs = append(fs, newFlight(seed, ri, d, edgeSlot+i, dep))
			}
		}
	}
	return append(fs,
		newFlight(seed, ri, d, soonSlot, localTime(ri, d, soonMinute)),
		newFlight(seed, ri, d, lateSlot, localTime(ri, d, lateMinute)))
}

// localTime is minute after midnight on day d at route ri's origin.
func localTime(ri int, d day, minute int) time.Time {
	y, m, dd := d.midnight().Date()
	return time.Date(y, m, dd, minute/60, minute%60, 0, 0, providers.AirportLocation(routes[ri].from))
}

// newFlight is the flight in slot of route ri on day d, departing at dep.
func newFlight(seed int64, ri int, d day, slot int, dep time.Time) simFlight {
	r := routes[ri]
	block := r.block + 5*time.Minute*time.Duration(mix(seed, int64(ri), int64(d), int64(slot), saltBlock)%3)
	cc := r.carriers[mix(seed, int64(ri), int64(slot), saltCarrier)%uint64(len(r.carriers))]
	infant := int64(2500)
	if r.block > 3*time.Hour {
		infant = 3500
	}
	return simFlight{
		id:      flightID(ri, d, slot),
		route:   ri,
		carrier: cc,
		number:  cc + strconv.Itoa(carriers[cc].numberBase+ri*10+slot),
		dep:     dep,
		arr:     dep.Add(block).In(providers.AirportLocation(r.to)),
		price:   fareCents(seed, r, ri, d, slot, dep),
		infant:  infant,
		tax:     airportTax[r.from],
		seats:   4 + int(mix(seed, int64(ri), int64(d), int64(slot), saltSeats)%57),
	}
}

// fareCents prices a seat from the route's base fare, the season, the day
// of the week and the time of day, with some noise: 49.49 to 259.99 EUR.
func fareCents(seed int64, r route, ri int, d day, slot int, dep time.Time) int64 {
	season := [...]int64{85, 90, 95, 110, 115, 130, 160, 170, 125, 105, 80, 110}[dep.Month()-1]
	weekday := [...]int64{115, 95, 85, 88, 100, 120, 105}[dep.Weekday()]
	hour := int64(95)
	switch h := dep.Hour(); {
	case h < 8:
		hour = 85
	case h < 12:
		hour = 105
	case h >= 17:
		hour = 110
	}
	h := mix(seed, int64(ri), int64(d), int64(slot), saltPrice)
	noise := 88 + int64(h%25)
	eur := min(max(r.baseEUR*season*weekday*hour*noise/100_000_000, 49), 259)
	if (h>>8)%2 == 0 {
		return eur*100 + 99
	}
	return eur*100 + 49
}

// isPair reports whether out and back have a round-trip fare: on a route
// with round-trip fares, the first flight of an outbound day with the
// last regular flight of a return day on the reverse route (edge flights
// have no round-trip fares), when the return leaves at least two hours
// after the outbound lands (as scheduled at first: a schedule change does
// not take a fare off sale).
func isPair(seed int64, out, back simFlight) bool {
	r, b := routes[out.route], routes[back.route]
	if !r.roundTrips || b.from != r.to || b.to != r.from {
		return false
	}
	first, okOut := pairOutbound(seed, out.route, dayOf(out.dep))
	last, okBack := pairReturn(seed, back.route, dayOf(back.dep))
	return okOut && okBack && first.id == out.id && last.id == back.id &&
		!back.dep.Before(out.arr.Add(2*time.Hour))
}

// pairOutbound is the flight of route ri on day d that round-trip fares
// leave with: the first regular one, the first of the day.
func pairOutbound(seed int64, ri int, d day) (simFlight, bool) {
	fs := regular(seed, ri, d)
	if len(fs) == 0 {
		return simFlight{}, false
	}
	return fs[0], true
}

// pairReturn is the flight of route ri on day d that round-trip fares
// come back with: the last regular one.
func pairReturn(seed int64, ri int, d day) (simFlight, bool) {
	fs := regular(seed, ri, d)
	if len(fs) == 0 {
		return simFlight{}, false
	}
	return fs[len(fs)-1], true
}

// pairFare is the per-seat and per-infant price of a round trip on
// out and back: 15% off the two one-way fares, in whole euros.
func pairFare(out, back simFlight) (price, infant int64) {
	return (out.price + back.price) * 85 / 100 / 100 * 100, out.infant + back.infant - 500
}

// flightID is the id of the flight in slot of route ri on day d.
func flightID(ri int, d day, slot int) int64 {
	return idBase + ((int64(d-idEpoch)*maxRoutes)+int64(ri))*maxSlots + int64(slot)
}

// lookup finds the flight an id names.
func lookup(seed int64, id int64) (simFlight, bool) {
	x := id - idBase
	if x < 0 {
		return simFlight{}, false
	}
	slot, ri, d := int(x%maxSlots), int(x/maxSlots%maxRoutes), idEpoch+day(x/maxSlots/maxRoutes)
	fs := regular(seed, ri, d)
	if slot >= edgeSlot {
		fs = edges(seed, ri, d)
	}
	for _, f := range fs {
		if f.id == id {
			return f, true
		}
	}
	return simFlight{}, false
}

// Routes lists the routes the simulator flies, in the order of its table.
func (s *Simulator) Routes() []sim.Route {
	out := make([]sim.Route, len(routes))
	for i, r := range routes {
		out[i] = sim.Route{From: r.from, To: r.to}
	}
	return out
}

// routeIndex finds the route from one airport to another.
func routeIndex(from, to string) (int, bool) {
	for i, r := range routes {
		if r.from == from && r.to == to {
			return i, true
		}
	}
	return 0, false
}

// Salts keep the generator's draws for one flight independent.
const (
	saltCount = iota + 1
	saltTime
	saltBlock
	saltCarrier
	saltPrice
	saltSeats
	saltReference
)

// mix hashes seed and xs into a well-spread 64-bit number (splitmix64).
func mix(seed int64, xs ...int64) uint64 {
	h := uint64(seed) ^ 0x9e3779b97f4a7c15
	for _, x := range xs {
		h ^= uint64(x)
		h += 0x9e3779b97f4a7c15
		h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
		h = (h ^ h>>27) * 0x94d049bb133111eb
		h ^= h >> 31
	}
	return h
}
