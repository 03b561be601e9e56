package litesim

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/refdata"
)

// The simulator's inventory is a pure function of route, date and seed:
// each route has a fixed list of scheduled journeys (nonstop or with one
// connection), of which 3 to 6 operate on a given day, and a fixed list
// of edge journeys that operate every day (edgeSchedules), priced in EUR.

// flightPlan is a scheduled flight: it leaves at Dep, local time at From,
// and takes Minutes.
type flightPlan struct {
	carrier, number, from, to string
	dep                       string
	minutes                   int
}

// fl is a flightPlan, for short schedule tables.
func fl(carrier, number, from, to, dep string, minutes int) flightPlan {
	return flightPlan{carrier, number, from, to, dep, minutes}
}

// journeyPlan is one or two flights, each connection at least 45 minutes.
type journeyPlan []flightPlan

// schedules lists the journeys of every served route.
var schedules = map[string][]journeyPlan{
	"CDG-PMI": {
		{fl("VY", "7821", "CDG", "PMI", "06:45", 115)},
		{fl("AF", "1762", "CDG", "PMI", "09:20", 120)},
		{fl("VY", "7823", "CDG", "PMI", "13:10", 115)},
		{fl("AF", "1764", "CDG", "PMI", "17:35", 120)},
		{fl("UX", "1036", "CDG", "MAD", "07:15", 125), fl("UX", "6053", "MAD", "PMI", "10:30", 80)},
		{fl("IB", "3437", "CDG", "MAD", "11:50", 125), fl("IB", "3910", "MAD", "PMI", "15:20", 85)},
		{fl("VY", "8011", "CDG", "BCN", "08:00", 105), fl("VY", "3902", "BCN", "PMI", "10:45", 55)},
	},
	"PMI-CDG": {
		{fl("VY", "7822", "PMI", "CDG", "09:35", 120)},
		{fl("AF", "1763", "PMI", "CDG", "12:25", 120)},
		{fl("VY", "7824", "PMI", "CDG", "16:30", 120)},
		{fl("AF", "1765", "PMI", "CDG", "20:40", 115)},
		{fl("UX", "6056", "PMI", "MAD", "07:00", 80), fl("UX", "1035", "MAD", "CDG", "09:45", 125)},
		{fl("IB", "3911", "PMI", "MAD", "13:05", 85), fl("IB", "3444", "MAD", "CDG", "16:10", 125)},
		{fl("VY", "3903", "PMI", "BCN", "11:40", 55), fl("VY", "8014", "BCN", "CDG", "13:55", 110)},
	},
	"CDG-BCN": {
		{fl("VY", "8001", "CDG", "BCN", "06:30", 105)},
		{fl("AF", "1448", "CDG", "BCN", "08:05", 105)},
		{fl("VY", "8005", "CDG", "BCN", "12:40", 105)},
		{fl("AF", "1348", "CDG", "BCN", "16:20", 105)},
		{fl("VY", "8015", "CDG", "BCN", "20:05", 105)},
		{fl("IB", "3441", "CDG", "MAD", "06:55", 125), fl("IB", "2710", "MAD", "BCN", "10:00", 80)},
		{fl("UX", "1028", "CDG", "MAD", "12:30", 125), fl("UX", "7703", "MAD", "BCN", "16:05", 75)},
	},
	"BCN-CDG": {
		{fl("VY", "8000", "BCN", "CDG", "07:05", 110)},
		{fl("AF", "1449", "BCN", "CDG", "10:25", 110)},
		{fl("VY", "8006", "BCN", "CDG", "14:30", 110)},
		{fl("AF", "1349", "BCN", "CDG", "18:55", 110)},
		{fl("VY", "8016", "BCN", "CDG", "21:40", 110)},
		{fl("IB", "2711", "BCN", "MAD", "07:30", 80), fl("IB", "3442", "MAD", "CDG", "09:50", 125)},
		{fl("UX", "7704", "BCN", "MAD", "13:20", 75), fl("UX", "1027", "MAD", "CDG", "15:40", 125)},
	},
	"CDG-MAD": {
		{fl("AF", "1000", "CDG", "MAD", "07:00", 125)},
		{fl("UX", "1036", "CDG", "MAD", "07:15", 125)},
		{fl("IB", "3407", "CDG", "MAD", "09:50", 125)},
		{fl("UX", "1028", "CDG", "MAD", "12:30", 125)},
		{fl("AF", "1300", "CDG", "MAD", "14:35", 125)},
		{fl("IB", "3417", "CDG", "MAD", "18:10", 125)},
		{fl("AF", "1600", "CDG", "MAD", "20:30", 125)},
	},
	"MAD-CDG": {
		{fl("IB", "3406", "MAD", "CDG", "07:20", 125)},
		{fl("UX", "1035", "MAD", "CDG", "09:45", 125)},
		{fl("AF", "1001", "MAD", "CDG", "10:15", 125)},
		{fl("UX", "1027", "MAD", "CDG", "15:40", 125)},
		{fl("AF", "1301", "MAD", "CDG", "17:30", 125)},
		{fl("IB", "3416", "MAD", "CDG", "20:55", 125)},
	},
	"ORY-LIS": {
		{fl("TP", "441", "ORY", "LIS", "07:00", 145)},
		{fl("TP", "433", "ORY", "LIS", "11:30", 145)},
		{fl("TP", "435", "ORY", "LIS", "16:45", 145)},
		{fl("TP", "445", "ORY", "LIS", "20:10", 145)},
		{fl("UX", "1050", "ORY", "MAD", "08:20", 125), fl("UX", "1153", "MAD", "LIS", "12:05", 75)},
		{fl("IB", "3495", "ORY", "MAD", "10:40", 125), fl("IB", "3106", "MAD", "LIS", "14:30", 75)},
	},
	"LIS-ORY": {
		{fl("TP", "444", "LIS", "ORY", "06:30", 140)},
		{fl("TP", "440", "LIS", "ORY", "09:25", 140)},
		{fl("TP", "432", "LIS", "ORY", "14:00", 140)},
		{fl("TP", "434", "LIS", "ORY", "19:15", 140)},
		{fl("UX", "1154", "LIS", "MAD", "07:10", 75), fl("UX", "1051", "MAD", "ORY", "11:00", 125)},
		{fl("IB", "3107", "LIS", "MAD", "15:35", 75), fl("IB", "3496", "MAD", "ORY", "19:20", 125)},
	},
}

// edgeSchedules lists, for every served route, nonstop journeys flown
// every day on purpose so that the rules of what may be sold are
// exercised in the default mode (issue 8): in this order,
//
//   - an early flight, which has left by the time of a search made that
//     morning (the tests' clock is 08:00 UTC: 10:00 in Paris, 09:00 in
//     Lisbon in summer), and which lands by 09:35 local;
//   - two same-day returns after the reverse route's early flight: one
//     leaving 45 minutes after it lands (too short for any ground time, so
//     a round-trip fare pairing them is not sold), one 100 to 115 minutes
//     after (long enough for a round-trip fare's turnaround, too short for
//     a self-transfer between two one-way tickets); one of the two leaves
//     within 2 hours of 10:00 local in Paris (09:00 in Lisbon), inside the
//     booking cut-off of a search made then;
//   - a late flight that lands after midnight, on the next local day
//     (ORY-LIS lands at 00:10 in Lisbon, when it is still the day before
//     in UTC).
//
// Every outbound is paired with every return in the round-trip fares
// (journeys), so those fares include the tight turnarounds. Flight
// numbers are used by no other journey.
var edgeSchedules = map[string][]journeyPlan{
	"CDG-PMI": {
		{fl("VY", "7801", "CDG", "PMI", "06:20", 115)}, // lands 08:15
		{fl("AF", "1760", "CDG", "PMI", "09:10", 120)}, // PMI-CDG early +45
		{fl("VY", "7825", "CDG", "PMI", "10:05", 115)}, // PMI-CDG early +100
		{fl("AF", "1768", "CDG", "PMI", "22:30", 120)}, // lands 00:30
	},
	"PMI-CDG": {
		{fl("VY", "7800", "PMI", "CDG", "06:25", 120)}, // lands 08:25
		{fl("AF", "1761", "PMI", "CDG", "09:00", 120)}, // CDG-PMI early +45
		{fl("VY", "7827", "PMI", "CDG", "10:05", 120)}, // CDG-PMI early +110
		{fl("VY", "7830", "PMI", "CDG", "22:45", 120)}, // lands 00:45
	},
	"CDG-BCN": {
		{fl("VY", "8003", "CDG", "BCN", "06:40", 105)}, // lands 08:25
		{fl("AF", "1446", "CDG", "BCN", "08:55", 105)}, // BCN-CDG early +45
		{fl("VY", "8007", "CDG", "BCN", "10:05", 105)}, // BCN-CDG early +115
		{fl("AF", "1350", "CDG", "BCN", "22:50", 105)}, // lands 00:35
	},
	"BCN-CDG": {
		{fl("VY", "8002", "BCN", "CDG", "06:20", 110)}, // lands 08:10
		{fl("AF", "1447", "BCN", "CDG", "09:10", 110)}, // CDG-BCN early +45
		{fl("VY", "8009", "BCN", "CDG", "10:10", 110)}, // CDG-BCN early +105
		{fl("AF", "1351", "BCN", "CDG", "22:55", 110)}, // lands 00:45
	},
	"CDG-MAD": {
		{fl("AF", "1002", "CDG", "MAD", "06:15", 125)}, // lands 08:20
		{fl("UX", "1030", "CDG", "MAD", "09:10", 125)}, // MAD-CDG early +45
		{fl("IB", "3409", "CDG", "MAD", "10:05", 125)}, // MAD-CDG early +100
		{fl("IB", "3419", "CDG", "MAD", "22:35", 125)}, // lands 00:40
	},
	"MAD-CDG": {
		{fl("IB", "3400", "MAD", "CDG", "06:20", 125)}, // lands 08:25
		{fl("UX", "1031", "MAD", "CDG", "09:05", 125)}, // CDG-MAD early +45
		{fl("AF", "1003", "MAD", "CDG", "10:05", 125)}, // CDG-MAD early +105
		{fl("AF", "1603", "MAD", "CDG", "22:40", 125)}, // lands 00:45
	},
	"ORY-LIS": {
		{fl("TP", "431", "ORY", "LIS", "06:20", 145)},  // lands 07:45 Lisbon
		{fl("TP", "437", "ORY", "LIS", "10:20", 145)},  // LIS-ORY early +45
		{fl("UX", "1052", "ORY", "LIS", "11:15", 145)}, // LIS-ORY early +100
		{fl("TP", "447", "ORY", "LIS", "22:45", 145)},  // lands 00:10 Lisbon
	},
	"LIS-ORY": {
		{fl("TP", "430", "LIS", "ORY", "06:15", 140)},  // lands 09:35 Paris
		{fl("TP", "436", "LIS", "ORY", "08:30", 140)},  // ORY-LIS early +45
		{fl("UX", "1055", "LIS", "ORY", "09:30", 140)}, // ORY-LIS early +105
		{fl("TP", "438", "LIS", "ORY", "21:55", 140)},  // lands 01:15 Paris
	},
}

// routeFares is the typical adult Basic fare of a route, whole euros, both ways.
var routeFares = map[string]int64{"CDG-PMI": 79, "CDG-BCN": 65, "CDG-MAD": 72, "ORY-LIS": 85}

// carrierInfo sets a carrier's fare level (percent) and the price of a
// paid 23 kg checked bag (EUR cents). Carrier and airport names come from
// the reference data (airlineName, airportName).
var carrierInfo = map[string]struct {
	percent  int64
	bagCents int64
}{
	"VY": {90, 3299},
	"UX": {100, 3500},
	"AF": {115, 3900},
	"IB": {105, 3600},
	"TP": {100, 3700},
}

// airlineName is the name of the airline with IATA code code, from the
// reference data the API serves too (package refdata).
func airlineName(code string) string {
	a, _ := refdata.LookupAirline(code)
	return a.Name
}

// airportName is the name of the airport with IATA code code, from the
// reference data.
func airportName(code string) string {
	a, _ := refdata.LookupAirport(code)
	return a.Name
}

// flight is a scheduled flight on a day; Dep and Arr are in the zones of
// its airports.
type flight struct {
	key                       string // segmentKey
	carrier, number, from, to string
	date                      string // the scheduled day, "2026-07-01"
	dep, arr                  time.Time
}

// flightKey is the key by which SetSeats and ShiftSchedule name f.
func (f flight) flightKey() sim.FlightKey {
	return sim.FlightKey{Carrier: f.carrier, Number: f.number, Date: f.date}
}

// itinerary is one direction of a journey operating on a day.
type itinerary struct {
	key     string // journeyKey
	index   int    // position in the day's list, kept in offer ids
	flights []flight
	adult   int64 // adult Basic fare, EUR cents
	flex    bool  // whether a Flex fare is sold too
	bagFee  int64 // a paid 23 kg checked bag, EUR cents
}

func (it itinerary) dep() time.Time { return it.flights[0].dep }
func (it itinerary) arr() time.Time { return it.flights[len(it.flights)-1].arr }

// inventory generates the schedule and fares for a seed.
type inventory struct{ seed int64 }

// itineraries lists the journeys from one airport to another on date,
// sorted by departure; nil for a route not served.
func (inv inventory) itineraries(from, to string, date time.Time) []itinerary {
	route := from + "-" + to
	plans := schedules[route]
	if len(plans) == 0 {
		return nil
	}
	day := date.Format(time.DateOnly)
	order := make([]int, len(plans))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return compareUint(inv.hash(route, day, "pick", strconv.Itoa(a)), inv.hash(route, day, "pick", strconv.Itoa(b)))
	})
	n := min(3+int(inv.hash(route, day, "count")%4), len(plans))
	var out []itinerary
	for _, p := range order[:n] {
		out = append(out, inv.itinerary(route, date, strconv.Itoa(p), plans[p]))
	}
	for i, jp := range edgeSchedules[route] {
		out = append(out, inv.itinerary(route, date, "edge"+strconv.Itoa(i), jp))
	}
	slices.SortFunc(out, func(a, b itinerary) int { return a.dep().Compare(b.dep()) })
	for i := range out {
		out[i].index = i
	}
	return out
}

// itinerary is journey jp of route on date; tag names it among the
// route's journeys ("0" for the first of schedules, "edge0" for the first
// of edgeSchedules) and draws its key and fare.
func (inv inventory) itinerary(route string, date time.Time, tag string, jp journeyPlan) itinerary {
	day := date.Format(time.DateOnly)
	it := itinerary{key: fmt.Sprintf("%016x", inv.hash(route, day, tag))}
	for _, fp := range jp {
		f := fp.on(date)
		f.key = fmt.Sprintf("%08x", uint32(inv.hash("segment", fp.carrier+fp.number, day)))
		it.flights = append(it.flights, f)
	}
	first := carrierInfo[jp[0].carrier]
	cents := fareLevel(route) * 100
	cents = cents * seasonPercent(date.Month()) / 100
	if wd := date.Weekday(); wd == time.Friday || wd == time.Sunday {
		cents = cents * 110 / 100
	}
	cents = cents * first.percent / 100
	if len(jp) > 1 {
		cents = cents * 88 / 100
	}
	cents = cents * int64(80+inv.hash(route, day, tag, "fare")%50) / 100
	it.adult = cents/100*100 + 99 // whole euros and 99 cents, as airlines price
	it.flex = inv.hash(route, day, tag, "flex")%3 != 0
	it.bagFee = first.bagCents
	return it
}

// on is the flight flown on date.
func (fp flightPlan) on(date time.Time) flight {
	hm, _ := time.Parse("15:04", fp.dep)
	dep := time.Date(date.Year(), date.Month(), date.Day(), hm.Hour(), hm.Minute(), 0, 0, providers.AirportLocation(fp.from))
	arr := dep.Add(time.Duration(fp.minutes) * time.Minute).In(providers.AirportLocation(fp.to))
	return flight{carrier: fp.carrier, number: fp.number, from: fp.from, to: fp.to, date: date.Format(time.DateOnly), dep: dep, arr: arr}
}

// flies reports whether the inventory flies the flight k names on its day,
// on any route.
func (inv inventory) flies(k sim.FlightKey) bool {
	d, err := time.Parse(time.DateOnly, k.Date)
	if err != nil {
		return false
	}
	for route := range schedules {
		for _, it := range inv.itineraries(route[:3], route[4:], d) {
			for _, f := range it.flights {
				if f.flightKey() == k {
					return true
				}
			}
		}
	}
	return false
}

// Routes lists the routes the simulator flies (nonstop or with a
// connection), sorted.
func (s *Simulator) Routes() []sim.Route {
	var out []sim.Route
	for route := range schedules {
		out = append(out, sim.Route{From: route[:3], To: route[4:]})
	}
	slices.SortFunc(out, func(a, b sim.Route) int { return strings.Compare(a.From+a.To, b.From+b.To) })
	return out
}

// fareLevel is the route's typical fare, whichever way it is flown.
func fareLevel(route string) int64 {
	if f, ok := routeFares[route]; ok {
		return f
	}
	return routeFares[route[4:]+"-"+route[:3]]
}

func seasonPercent(m time.Month) int64 {
	switch m {
	case time.July, time.August:
		return 140
	case time.June, time.September, time.December:
		return 115
	default:
		return 100
	}
}

// hash mixes the seed and parts into a deterministic number: FNV-1a, then
// the splitmix64 finalizer so that inputs differing in one character give
// unrelated numbers.
func (inv inventory) hash(parts ...string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", inv.seed)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
