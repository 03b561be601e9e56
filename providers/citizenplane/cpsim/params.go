package cpsim

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// Limits of the simulator's search parameters.
const (
	maxSeats      = 9
	maxWindowDays = 31
)

// searchParams are the validated query parameters of a search.
type searchParams struct {
	origin, destination string
	start, end          day
	// returnStart and returnEnd are set for round-trip searches only.
	returnStart, returnEnd day
	seats                  int
	page                   int
}

// parseSearch validates the query of GET /v3/flights, or of GET
// /v3/roundTrips when roundTrip is set. Its errors are the messages of a
// 400 and name the bad parameter.
func parseSearch(q url.Values, roundTrip bool) (searchParams, error) {
	var p searchParams
	var err error
	if p.origin, err = airportParam(q, "origin"); err != nil {
		return p, err
	}
	if p.destination, err = airportParam(q, "destination"); err != nil {
		return p, err
	}
	if p.origin == p.destination {
		return p, errors.New("destination must differ from origin")
	}
	if p.start, p.end, err = windowParams(q, "start", "end"); err != nil {
		return p, err
	}
	if roundTrip {
		if p.returnStart, p.returnEnd, err = windowParams(q, "returnStart", "returnEnd"); err != nil {
			return p, err
		}
		if p.returnStart < p.start {
			return p, errors.New("returnStart must not be before start")
		}
	}
	s := q.Get("seats")
	if s == "" {
		return p, errors.New("seats is required")
	}
	if p.seats, err = strconv.Atoi(s); err != nil || p.seats < 1 || p.seats > maxSeats {
		return p, fmt.Errorf("seats must be an integer from 1 to %d", maxSeats)
	}
	if s := q.Get(wire.PageParam); s != "" {
		if p.page, err = strconv.Atoi(s); err != nil || p.page < 0 {
			return p, errors.New("page must be a non-negative integer")
		}
	}
	return p, nil
}

// airportParam reads a required IATA airport code.
func airportParam(q url.Values, name string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(q.Get(name)))
	if s == "" {
		return "", fmt.Errorf("%s is required", name)
	}
	if len(s) != 3 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", fmt.Errorf("%s must be a 3-letter IATA airport code", name)
	}
	return s, nil
}

// windowParams reads a required departure window [from, to): two dates,
// to after from, at most maxWindowDays apart.
func windowParams(q url.Values, from, to string) (day, day, error) {
	a, err := dateParam(q, from)
	if err != nil {
		return 0, 0, err
	}
	b, err := dateParam(q, to)
	if err != nil {
		return 0, 0, err
	}
	if b <= a {
		return 0, 0, fmt.Errorf("%s must be after %s", to, from)
	}
	if b-a > maxWindowDays {
		return 0, 0, fmt.Errorf("%s to %s must span at most %d days", from, to, maxWindowDays)
	}
	return a, b, nil
}

// dateParam reads a required YYYY-MM-DD date.
func dateParam(q url.Values, name string) (day, error) {
	s := q.Get(name)
	if s == "" {
		return 0, fmt.Errorf("%s is required", name)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("%s must be a date formatted YYYY-MM-DD", name)
	}
	return dayOf(t), nil
}
