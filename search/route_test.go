package search

import "testing"

// A provider known not to fly a route is not asked (NO_ROUTE); one that
// flies only one direction of a round trip is asked, with a message.
func TestNotFlown(t *testing.T) {
	s := testService()
	s.cfg.Flies = func(provider, from, to string) (bool, bool) {
		if provider == "real" {
			return false, false
		}
		return from == "CDG" && to == "AJA", true
	}
	oneWay := Request{Origin: "ORY", Destination: "AJA"}
	if msg, ok := s.notFlown("sim", oneWay); !ok || msg != "sim does not fly ORY→AJA" {
		t.Errorf("one way not flown: %q %t", msg, ok)
	}
	if _, ok := s.notFlown("real", oneWay); ok {
		t.Error("a provider whose routes are unknown is asked")
	}
	if _, ok := s.notFlown("sim", Request{Origin: "CDG", Destination: "AJA"}); ok {
		t.Error("a flown route is asked")
	}
	rt := Request{Origin: "CDG", Destination: "AJA", ReturnDate: "2026-07-08"}
	if _, ok := s.notFlown("sim", rt); ok {
		t.Error("a round trip with one direction flown is asked")
	}
	if msg := s.oneWayNotFlown("sim", rt); msg == "" {
		t.Error("no message for the direction not flown")
	}
	both := Request{Origin: "ORY", Destination: "NCE", ReturnDate: "2026-07-08"}
	if msg, ok := s.notFlown("sim", both); !ok || msg != "sim does not fly ORY→NCE nor NCE→ORY" {
		t.Errorf("round trip not flown: %q %t", msg, ok)
	}
}
