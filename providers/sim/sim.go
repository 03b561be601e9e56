// Package sim holds what every provider simulator shares: the knobs tests
// and operators turn (latency, a random failure rate, and failures of a
// given operation, before or after it takes effect), safe for concurrent
// use and deterministic for a seed, and the one control interface,
// Controller, that every simulator implements, with its seats and
// schedule changes named by FlightKey.
package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// FailMode is how a failing operation fails.
type FailMode string

const (
	// FailNone: the operation works.
	FailNone FailMode = ""
	// FailBefore: the simulator answers a server error without doing anything.
	FailBefore FailMode = "before"
	// FailAfter: the simulator does the operation, then answers a server
	// error, so the caller cannot know it happened ("book, then answer 500").
	FailAfter FailMode = "after"
	// FailTimeout: the simulator does the operation, then never answers
	// until the caller gives up.
	FailTimeout FailMode = "timeout"
)

// ParseFailMode reads "before", "after" or "timeout".
func ParseFailMode(s string) (FailMode, error) {
	switch m := FailMode(strings.ToLower(strings.TrimSpace(s))); m {
	case FailNone, FailBefore, FailAfter, FailTimeout:
		return m, nil
	default:
		return "", fmt.Errorf("failure mode %q is not before, after or timeout", s)
	}
}

// Knobs are a simulator's run-time settings.
type Knobs struct {
	mu          sync.Mutex
	latency     time.Duration
	failureRate float64
	rng         *rand.Rand
	ops         map[string]FailMode
}

// NewKnobs returns knobs with a latency, a failure rate (0 to 1) and the
// seed of the random failures.
func NewKnobs(latency time.Duration, failureRate float64, seed int64) *Knobs {
	return &Knobs{latency: latency, failureRate: failureRate, rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), ops: map[string]FailMode{}}
}

// SetLatency changes how long every answer waits.
func (k *Knobs) SetLatency(d time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.latency = d
}

// SetFailureRate changes the share of requests answered with a provider error.
func (k *Knobs) SetFailureRate(r float64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.failureRate = r
}

// SetFailure makes every call of operation op (a simulator's own name,
// such as "book" or "hold") fail in mode m; FailNone restores it.
func (k *Knobs) SetFailure(op string, m FailMode) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if m == FailNone {
		delete(k.ops, op)
		return
	}
	k.ops[op] = m
}

// Failure is how operation op fails now.
func (k *Knobs) Failure(op string) FailMode {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ops[op]
}

// Wait sleeps the latency, or less if ctx ends first, and then draws
// whether this request fails at random. It returns false when ctx ended.
func (k *Knobs) Wait(ctx context.Context) (fail, ok bool) {
	k.mu.Lock()
	d := k.latency
	fail = k.failureRate > 0 && k.rng.Float64() < k.failureRate
	k.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false, false
		case <-t.C:
		}
	}
	return fail, true
}

// Route is a direction a simulator flies, by IATA airport codes.
type Route struct {
	From, To string
}

// RouteLister is a simulator that lists the routes it flies, from its own
// tables: the README documents them (a test keeps the two equal) and, in
// the default mode, a search on any other route answers that the provider
// does not fly it.
type RouteLister interface {
	Routes() []Route
}

// Hang blocks until ctx ends: the answer of an operation in FailTimeout.
func Hang(ctx context.Context) { <-ctx.Done() }

// Made reports whether an answer's status says the operation made
// something (2xx).
func Made(status int) bool { return status >= 200 && status <= 299 }

// After runs do for an operation failing in mode m (FailAfter or
// FailTimeout). The operation takes effect; if made says its answer made
// something new, that answer is lost, as a provider glitch would lose it:
// fail writes the provider's server error, or the request hangs until the
// client gives up (FailTimeout). Any other answer (a refusal, the replay of
// something made before) is written as it came: that is how a caller finds
// again what a lost answer made.
func After(w http.ResponseWriter, r *http.Request, m FailMode, do http.HandlerFunc, made func(status int) bool, fail func(http.ResponseWriter)) {
	rec := httptest.NewRecorder()
	do(rec, r)
	switch {
	case !made(rec.Code):
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	case m == FailTimeout:
		Hang(r.Context())
	default:
		fail(w)
	}
}

// Clock is a clock moved by hand, for simulators and adapters under test;
// its Now is the Now of their configs. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock that reads t until it is advanced.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// FlightKey names a flight as airlines and every provider do: the
// marketing carrier's IATA code, the flight number without it and the
// scheduled departure date, local to the origin airport. A schedule change
// does not change a flight's key.
type FlightKey struct {
	Carrier string // "VY"
	Number  string // "7821"
	Date    string // "2026-07-01"
}

// FlightOf is the key of flight number of carrier scheduled to leave at
// departure, whose location is the origin airport's.
func FlightOf(carrier, number string, departure time.Time) FlightKey {
	return FlightKey{Carrier: carrier, Number: number, Date: departure.Format(time.DateOnly)}
}

// String is the key as "VY7821 on 2026-07-01".
func (k FlightKey) String() string { return k.Carrier + k.Number + " on " + k.Date }

// ErrUnknownFlight is what a simulator's SetSeats and ShiftSchedule
// answer, wrapped, for a flight it does not fly.
var ErrUnknownFlight = errors.New("the simulator does not fly this flight")

// Controller is the control every provider simulator offers, the same for
// all of them: it serves the provider's HTTP API and takes the run-time
// knobs tests, the bench command and FAREGRAPH_SIM_* turn. Operation
// names are the simulator's own ("book", "prebook"); a name it does not
// know has no effect.
type Controller interface {
	http.Handler
	// SetLatency changes how long every answer waits.
	SetLatency(d time.Duration)
	// SetFailureRate changes the share of requests answered with the
	// provider's server error, from 0 to 1.
	SetFailureRate(r float64)
	// SetFailure makes every call of operation op fail in mode m, until it
	// is set to FailNone.
	SetFailure(op string, m FailMode)
	// SetSeats leaves n seats of flight on sale from now on, as sales
	// made elsewhere (or seats added) would: holds and sales made after it
	// count against n, while holds made before it keep their seats. Where
	// the provider sells several fares on a flight, each fare has n seats.
	// For a flight the simulator does not fly it changes nothing and
	// returns an error wrapping ErrUnknownFlight.
	SetSeats(flight FlightKey, n int) error
	// ShiftSchedule moves flight's departure and arrival by d, as an
	// airline's schedule change does: every answer that shows the flight
	// from now on (searches, price checks, holds and bookings, made before
	// or after) shows the new times. Shifts add up; a flight keeps its key.
	// For a flight the simulator does not fly it changes nothing and
	// returns an error wrapping ErrUnknownFlight.
	ShiftSchedule(flight FlightKey, d time.Duration) error
}
