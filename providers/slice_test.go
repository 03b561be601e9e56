package providers

import (
	"testing"
	"time"
)

// A slice's duration includes its layovers; its flying time does not. A
// layover between two airports of a city is an airport change.
func TestLayoversAndFlyingTime(t *testing.T) {
	paris := AirportLocation("CDG")
	at := func(h, m int) time.Time { return time.Date(2027, 3, 1, h, m, 0, 0, paris) }
	s := Slice{Segments: []Segment{
		{CarrierCode: "TP", FlightNumber: "1", Origin: "LIS", Destination: "ORY", DepartureAt: at(6, 0), ArrivalAt: at(9, 20)},
		{CarrierCode: "AF", FlightNumber: "2", Origin: "CDG", Destination: "AMS", DepartureAt: at(12, 0), ArrivalAt: at(13, 15)},
		{CarrierCode: "KL", FlightNumber: "3", Origin: "AMS", Destination: "OSL", DepartureAt: at(14, 0), ArrivalAt: at(15, 50)},
	}}
	if got := s.DurationMinutes(); got != 590 {
		t.Errorf("duration %d minutes, want 590 (06:00 to 15:50)", got)
	}
	if got := s.FlyingMinutes(); got != 200+75+110 {
		t.Errorf("flying %d minutes, want %d", got, 200+75+110)
	}
	ls := s.Layovers()
	if len(ls) != 2 {
		t.Fatalf("%d layovers, want 2", len(ls))
	}
	if l := ls[0]; !l.AirportChange() || l.Arrival.IataCode != "ORY" || l.Departure.IataCode != "CDG" || l.DurationMinutes() != 160 {
		t.Errorf("first layover %+v, change %t", l, l.AirportChange())
	}
	if l := ls[1]; l.AirportChange() || l.DurationMinutes() != 45 {
		t.Errorf("second layover %+v", l)
	}
	if n := (Slice{Segments: s.Segments[:1]}).Layovers(); n == nil || len(n) != 0 {
		t.Errorf("a nonstop has no layovers (an empty list): %v", n)
	}
}

func TestCabinOf(t *testing.T) {
	for in, want := range map[string]Cabin{"economy": Economy, "Economy": Economy, "PREMIUM_ECONOMY": PremiumEconomy,
		"Premium Economy": PremiumEconomy, "business": Business, "FIRST": First, "": "", "sleeper": ""} {
		if got := CabinOf(in); got != want {
			t.Errorf("CabinOf(%q) = %q, want %q", in, got, want)
		}
	}
}
