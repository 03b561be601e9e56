package liteapi

import (
	"time"

	"github.com/faregraph/faregraph/providers"
)

// maxMonthsAhead is how far ahead LiteAPI searches a leg (B.1: "leg date
// ≤ 11 months ahead"), while our own API takes searches up to 365 days
// ahead.
const maxMonthsAhead = 11

// lastSearchDate is the last leg date LiteAPI searches on the day of now:
// that day plus maxMonthsAhead months, at midnight UTC. The adapter does
// not ask for later legs; the simulator states the same documented rule on
// its own and refuses them (400 41002).
//
// [assumed] The documentation does not say in which time zone "ahead" is
// counted; the day of now is taken in UTC.
func lastSearchDate(now time.Time) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month()+maxMonthsAhead, now.Day(), 0, 0, 0, 0, time.UTC)
}

// beyondHorizon reports whether any of legs is dated after
// lastSearchDate(now). A date that does not parse is not: LiteAPI judges it.
func beyondHorizon(legs []providers.OriginDestination, now time.Time) bool {
	last := lastSearchDate(now)
	for _, l := range legs {
		if d, err := l.Date.Time(); err == nil && d.After(last) {
			return true
		}
	}
	return false
}
