package search

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// MaxPassengers is the most travellers one search or booking can hold.
const MaxPassengers = 9

// Horizon is how far ahead flights can be searched.
const Horizon = 365 * 24 * time.Hour

// Violation is one thing wrong with a request, named by its input path.
type Violation struct {
	// Field is the path of the input field, e.g. "input.origin".
	Field   string
	Message string
}

// InputError lists everything wrong with a request. Nothing reaches a
// provider when a request has one.
type InputError struct {
	Violations []Violation
}

func (e *InputError) Error() string {
	var b strings.Builder
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", v.Field, v.Message)
	}
	return b.String()
}

func (e *InputError) add(field, format string, args ...any) {
	e.Violations = append(e.Violations, Violation{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Normalize checks r against the rules of a search and returns it with
// codes upper-cased and defaults filled in. known lists the provider names.
// now decides which dates are in the past, at the origin airport's local time.
func Normalize(r Request, known []string, now time.Time) (Request, error) {
	var e InputError
	r.Origin = strings.ToUpper(strings.TrimSpace(r.Origin))
	r.Destination = strings.ToUpper(strings.TrimSpace(r.Destination))
	if !isIATA(r.Origin) {
		e.add("input.origin", "must be a three-letter IATA airport code, got %q", r.Origin)
	}
	if !isIATA(r.Destination) {
		e.add("input.destination", "must be a three-letter IATA airport code, got %q", r.Destination)
	} else if r.Destination == r.Origin {
		e.add("input.destination", "must differ from origin")
	}

	// Today at the origin airport (UTC when the origin is not a code).
	today := now.In(providers.AirportLocation(r.Origin)).Format(time.DateOnly)
	last := now.Add(Horizon).Format(time.DateOnly)
	dep, err := r.DepartureDate.Time()
	switch {
	case err != nil:
		e.add("input.departureDate", "must be a date like 2026-07-01")
	case string(r.DepartureDate) < today:
		e.add("input.departureDate", "is in the past (today is %s at the origin)", today)
	case string(r.DepartureDate) > last:
		e.add("input.departureDate", "is more than 365 days ahead (last bookable day is %s)", last)
	}
	if r.ReturnDate != "" {
		ret, rerr := r.ReturnDate.Time()
		switch {
		case rerr != nil:
			e.add("input.returnDate", "must be a date like 2026-07-08")
		case err == nil && ret.Before(dep):
			e.add("input.returnDate", "is before departureDate")
		case string(r.ReturnDate) > last:
			e.add("input.returnDate", "is more than 365 days ahead (last bookable day is %s)", last)
		}
	}

	p := r.Passengers
	switch {
	case p.Adults < 0:
		e.add("input.passengers.adults", "must not be negative")
	case p.Adults == 0:
		e.add("input.passengers.adults", "must be at least 1: children and infants travel with an adult")
	}
	if p.Children < 0 {
		e.add("input.passengers.children", "must not be negative")
	}
	if p.Infants < 0 {
		e.add("input.passengers.infants", "must not be negative")
	} else if p.Infants > p.Adults && p.Adults > 0 {
		e.add("input.passengers.infants", "must not exceed adults (%d): each infant travels on an adult's lap", p.Adults)
	}
	if n := p.Total(); n > MaxPassengers {
		e.add("input.passengers", "has %d travellers; at most %d", n, MaxPassengers)
	}

	if r.Currency == "" {
		r.Currency = "EUR"
	}
	r.Currency = strings.ToUpper(r.Currency)
	if !providers.ValidCurrency(r.Currency) {
		e.add("input.currencyCode", "must be an ISO 4217 currency code, got %q", r.Currency)
	}

	if r.Providers == nil {
		r.Providers = known
	} else {
		if len(r.Providers) == 0 {
			e.add("input.providers", "must name at least one provider when given (known: %s)", strings.Join(known, ", "))
		}
		seen := map[string]bool{}
		var names []string
		for i, name := range r.Providers {
			name = strings.ToLower(strings.TrimSpace(name))
			switch {
			case !slices.Contains(known, name):
				e.add(fmt.Sprintf("input.providers[%d]", i), "unknown provider %q (known: %s)", r.Providers[i], strings.Join(known, ", "))
			case seen[name]:
				e.add(fmt.Sprintf("input.providers[%d]", i), "provider %q listed twice", name)
			}
			seen[name] = true
			names = append(names, name)
		}
		slices.Sort(names)
		r.Providers = names
	}
	if len(e.Violations) > 0 {
		return r, &e
	}
	return r, nil
}

func isIATA(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
