package search

import (
	"slices"
	"strings"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// MaxPassengers is the most travellers one search or booking can hold.
const MaxPassengers = 9

// Horizon is how far ahead flights can be searched.
const Horizon = 365 * 24 * time.Hour

// Normalize checks r against the rules of a search and returns it with
// codes upper-cased and defaults filled in. known lists the provider names.
// now decides which dates are in the past, at the origin airport's local time.
func Normalize(r Request, known []string, now time.Time) (Request, error) {
	var e fault.FieldError
	r.Origin = strings.ToUpper(strings.TrimSpace(r.Origin))
	r.Destination = strings.ToUpper(strings.TrimSpace(r.Destination))
	if !isIATA(r.Origin) {
		e.Add(fault.Path("input", "origin"), fault.Invalid, "must be a three-letter IATA airport code, got %q", r.Origin)
	}
	if !isIATA(r.Destination) {
		e.Add(fault.Path("input", "destination"), fault.Invalid, "must be a three-letter IATA airport code, got %q", r.Destination)
	} else if r.Destination == r.Origin {
		e.Add(fault.Path("input", "destination"), fault.Invalid, "must differ from origin")
	}

	// Today at the origin airport (UTC when the origin is not a code).
	today := now.In(providers.AirportLocation(r.Origin)).Format(time.DateOnly)
	last := now.Add(Horizon).Format(time.DateOnly)
	dep, err := r.DepartureDate.Time()
	switch {
	case err != nil:
		e.Add(fault.Path("input", "departureDate"), fault.Invalid, "must be a date like 2026-07-01")
	case string(r.DepartureDate) < today:
		e.Add(fault.Path("input", "departureDate"), fault.OutOfRange, "is in the past (today is %s at the origin)", today)
	case string(r.DepartureDate) > last:
		e.Add(fault.Path("input", "departureDate"), fault.OutOfRange, "is more than 365 days ahead (last bookable day is %s)", last)
	}
	if r.ReturnDate != "" {
		ret, rerr := r.ReturnDate.Time()
		switch {
		case rerr != nil:
			e.Add(fault.Path("input", "returnDate"), fault.Invalid, "must be a date like 2026-07-08")
		case err == nil && ret.Before(dep):
			e.Add(fault.Path("input", "returnDate"), fault.OutOfRange, "is before departureDate")
		case string(r.ReturnDate) > last:
			e.Add(fault.Path("input", "returnDate"), fault.OutOfRange, "is more than 365 days ahead (last bookable day is %s)", last)
		}
	}

	// Each count is checked alone before any sum, so that no count a
	// client sends can overflow the total.
	p := r.Passengers
	counts := []struct {
		name string
		n    int
		min  int
	}{{"adults", p.Adults, 1}, {"children", p.Children, 0}, {"infants", p.Infants, 0}}
	inRange := true
	for _, c := range counts {
		f := fault.Path("input", "passengers", c.name)
		switch {
		case c.n < 0:
			e.Add(f, fault.OutOfRange, "must not be negative")
		case c.n < c.min:
			e.Add(f, fault.OutOfRange, "must be at least 1: children and infants travel with an adult")
		case c.n > MaxPassengers:
			e.Add(f, fault.OutOfRange, "must be at most %d, got %d", MaxPassengers, c.n)
		default:
			continue
		}
		inRange = false
	}
	if inRange {
		if p.Infants > p.Adults {
			e.Add(fault.Path("input", "passengers", "infants"), fault.PassengerMix, "must not exceed adults (%d): each infant travels on an adult's lap", p.Adults)
		}
		if n := p.Total(); n > MaxPassengers {
			e.Add(fault.Path("input", "passengers"), fault.OutOfRange, "has %d travellers; at most %d", n, MaxPassengers)
		}
	}

	if r.Currency == "" {
		r.Currency = "EUR"
	}
	r.Currency = strings.ToUpper(r.Currency)
	if !providers.ValidCurrency(r.Currency) {
		e.Add(fault.Path("input", "currencyCode"), fault.Invalid, "must be an ISO 4217 currency code, got %q", r.Currency)
	}

	if r.Providers == nil {
		r.Providers = known
	} else {
		if len(r.Providers) == 0 {
			e.Add(fault.Path("input", "providers"), fault.Required, "must name at least one provider when given (known: %s)", strings.Join(known, ", "))
		}
		seen := map[string]bool{}
		var names []string
		for i, name := range r.Providers {
			name = strings.ToLower(strings.TrimSpace(name))
			switch {
			case !slices.Contains(known, name):
				e.Add(fault.Path("input", "providers", i), fault.Invalid, "unknown provider %q (known: %s)", r.Providers[i], strings.Join(known, ", "))
			case seen[name]:
				e.Add(fault.Path("input", "providers", i), fault.Invalid, "provider %q listed twice", name)
			}
			seen[name] = true
			names = append(names, name)
		}
		slices.Sort(names)
		r.Providers = names
	}
	return r, e.Err()
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
