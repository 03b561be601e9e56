package rules

import (
	"fmt"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// Breach is a rule an offer breaks: the code a caller is told
// (fault.BookingClosed, fault.ConnectionTooShort) and a message safe to
// show that names the flights and times involved.
type Breach struct {
	Code    fault.Code
	Message string
}

func (b *Breach) Error() string { return string(b.Code) + ": " + b.Message }

// Itinerary checks offer o's times at now under lim and returns the first
// rule it breaks, or nil:
//
//   - its first flight departs at least lim.BookingCutoff after now
//     (fault.BookingClosed);
//   - every flight lands after it departs, and departs no earlier than the
//     flight before it lands plus the ground time: lim.MinConnection
//     between flights of one part (connections, and the turnaround of a
//     provider's own round-trip fare), lim.MinSelfTransfer between flights
//     of different parts (combined one-ways) (fault.ConnectionTooShort).
//
// Times are compared as instants, so time zones and DST changes between
// airports do not matter. An offer with no flight breaks nothing here.
func Itinerary(o providers.Offer, lim providers.Limits, now time.Time) *Breach {
	var prev *providers.Segment
	prevPart := -1
	for si, sl := range o.Slices {
		part := partOf(o, si)
		for k := range sl.Segments {
			sg := &sl.Segments[k]
			if prev == nil {
				if sg.DepartureAt.Before(now.Add(lim.BookingCutoff)) {
					return &Breach{fault.BookingClosed, fmt.Sprintf("flight %s%s departs at %s, less than %s from now; search again",
						sg.CarrierCode, sg.FlightNumber, sg.DepartureAt.Format(time.RFC3339), hours(lim.BookingCutoff))}
				}
			} else {
				ground, what := lim.MinConnection, "connection"
				if part != prevPart {
					ground, what = lim.MinSelfTransfer, "self-transfer between separate tickets"
				}
				if sg.DepartureAt.Before(prev.ArrivalAt.Add(ground)) {
					return &Breach{fault.ConnectionTooShort, fmt.Sprintf("flight %s%s departs %s at %s, less than %s (%s) after flight %s%s lands at %s",
						sg.CarrierCode, sg.FlightNumber, sg.Origin, sg.DepartureAt.Format(time.RFC3339), hours(ground), what,
						prev.CarrierCode, prev.FlightNumber, prev.ArrivalAt.Format(time.RFC3339))}
				}
			}
			if !sg.ArrivalAt.After(sg.DepartureAt) {
				return &Breach{fault.ConnectionTooShort, fmt.Sprintf("flight %s%s lands at %s, not after it departs at %s",
					sg.CarrierCode, sg.FlightNumber, sg.ArrivalAt.Format(time.RFC3339), sg.DepartureAt.Format(time.RFC3339))}
			}
			prev, prevPart = sg, part
		}
	}
	return nil
}

// SelfTransfer reports whether o's slices are ticketed separately (more
// than one part), so that a missed flight is not re-protected by the
// airline of the next one: combined one-ways are.
func SelfTransfer(o providers.Offer) bool { return len(o.Parts) > 1 }

// partOf is the index of the part covering slice si: parts cover the
// slices in order, each as many as its legs.
func partOf(o providers.Offer, si int) int {
	first := 0
	for i, p := range o.Parts {
		n := max(len(p.OriginDestinations), 1)
		if si < first+n {
			return i
		}
		first += n
	}
	return len(o.Parts) - 1
}

// hours writes d as "2h", "1h30m" or "45m".
func hours(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}
