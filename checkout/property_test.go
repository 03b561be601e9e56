package checkout_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

// Dates the property test searches: DST changes in Europe (2026-10-25,
// 2027-03-28) and the days around them, year ends, a leap-free 28
// February, and ordinary days.
var propertyDates = []string{
	"2026-06-01", "2026-06-02", "2026-07-01", "2026-10-24", "2026-10-25", "2026-10-26",
	"2026-12-31", "2027-01-01", "2027-02-28", "2027-03-27", "2027-03-28", "2027-03-29",
}

var propertyRoutes = [][2]string{{"CDG", "PMI"}, {"CDG", "BCN"}, {"CDG", "HER"}, {"ORY", "AJA"}, {"PMI", "CDG"}}

// TestNothingSoldBreaksARule generates searches (routes across time
// zones, dates around DST changes, same-day returns, the clock anywhere
// from two days before the flight to the evening of its day, so that
// flights earlier today are on sale at the simulators) and passenger lists
// (ages a day either side of 2, 12 and 16 on the first or the last
// flight date), on both simulators, and checks from first principles,
// not through package rules, that every offer shown and every session
// opened keeps every rule with the default limits.
func TestNothingSoldBreaksARule(t *testing.T) {
	e := newEnv(t, "")
	var shown, opened, refused int
	defer func() { t.Logf("%d offers shown, %d sessions opened, %d refused", shown, opened, refused) }()
	rapid.Check(t, func(rt *rapid.T) {
		provider := rapid.SampledFrom([]string{"citizenplane", "liteapi"}).Draw(rt, "provider")
		route := rapid.SampledFrom(propertyRoutes).Draw(rt, "route")
		day := rapid.SampledFrom(propertyDates).Draw(rt, "date")
		depDay, _ := time.Parse(time.DateOnly, day)
		req := search.Request{Origin: route[0], Destination: route[1], DepartureDate: providers.Date(day), Providers: []string{provider}}
		switch rapid.IntRange(0, 2).Draw(rt, "trip") {
		case 1:
			req.ReturnDate = req.DepartureDate
		case 2:
			req.ReturnDate = providers.Date(depDay.AddDate(0, 0, rapid.IntRange(1, 4).Draw(rt, "stay")).Format(time.DateOnly))
		}
		adults := rapid.IntRange(1, 3).Draw(rt, "adults")
		req.Passengers = providers.Passengers{Adults: adults, Children: rapid.IntRange(0, 2).Draw(rt, "children"), Infants: rapid.IntRange(0, adults).Draw(rt, "infants")}
		loc := providers.AirportLocation(route[0])
		now := time.Date(depDay.Year(), depDay.Month(), depDay.Day(), 0, 0, 0, 0, loc).Add(time.Duration(rapid.IntRange(-48*60, 22*60).Draw(rt, "minutes")) * time.Minute)
		if now.Before(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
			now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		}
		e.clock.mu.Lock()
		e.clock.now = now
		e.clock.mu.Unlock()
		res, err := e.a.Search.Search(e.ctx, req)
		if err != nil {
			return // a date before today at the origin is refused as input
		}
		shown += len(res.Offers)
		for _, o := range res.Offers {
			if msg := offerBreaks(o.Offer, now); msg != "" {
				rt.Fatalf("offer shown at %s: %s", now.Format(time.RFC3339), msg)
			}
		}
		if len(res.Offers) == 0 {
			return
		}
		o := res.Offers[rapid.IntRange(0, len(res.Offers)-1).Draw(rt, "offer")]
		in := checkout.CreateInput{OfferID: o.ID, Contact: contact, Passengers: travellers(req.Passengers)}
		first, last := flightDays(o.Offer)
		for i := range in.Passengers {
			in.Passengers[i].DateOfBirth = providers.Date(birthNear(rt, in.Passengers[i].Type, first, last, fmt.Sprint("dob", i)).Format(time.DateOnly))
		}
		r, err := e.a.Checkout.Create(e.ctx, tenant, in)
		if err != nil {
			rt.Fatal(err)
		}
		if r.Session == nil {
			refused++
			return
		}
		opened++
		if msg := travellersBreak(r.Session.Passengers, o.Offer); msg != "" {
			rt.Fatalf("session opened for %s–%s: %s", first.Format(time.DateOnly), last.Format(time.DateOnly), msg)
		}
	})
}

// offerBreaks checks an offer's times with the default limits: the first
// flight at least 2 hours from now, 60 minutes between the flights of
// one part, 2 hours between parts, every flight landing after it leaves.
func offerBreaks(o providers.Offer, now time.Time) string {
	var prev *providers.Segment
	prevPart, part, legs := -1, 0, 0
	for si, sl := range o.Slices {
		if si >= legs+len(o.Parts[part].OriginDestinations) {
			legs += len(o.Parts[part].OriginDestinations)
			part++
		}
		for k := range sl.Segments {
			s := &sl.Segments[k]
			if s.ArrivalAt.UTC().Sub(s.DepartureAt.UTC()) <= 0 {
				return "a flight lands before it leaves"
			}
			if prev == nil && s.DepartureAt.UTC().Sub(now.UTC()) < 2*time.Hour {
				return fmt.Sprintf("first flight leaves at %s", s.DepartureAt.Format(time.RFC3339))
			}
			if prev != nil {
				ground := s.DepartureAt.UTC().Sub(prev.ArrivalAt.UTC())
				if part == prevPart && ground < time.Hour || part != prevPart && ground < 2*time.Hour {
					return fmt.Sprintf("%s on the ground between %s and %s", ground, prev.ArrivalAt.Format(time.RFC3339), s.DepartureAt.Format(time.RFC3339))
				}
			}
			prev, prevPart = s, part
		}
	}
	return ""
}

// flightDays are the first departure's and the last departure's dates,
// local to their airports.
func flightDays(o providers.Offer) (time.Time, time.Time) {
	d := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	last := o.Slices[len(o.Slices)-1]
	return d(o.Slices[0].DepartureAt()), d(last.Segments[len(last.Segments)-1].DepartureAt)
}

// birthNear draws a date of birth a day either side of an age boundary
// of typ (2 for infants and children, 12 for children and adults, 16 for
// adults) on the first or the last flight date, or a plainly fitting one.
func birthNear(rt *rapid.T, typ providers.PassengerType, first, last time.Time, label string) time.Time {
	on := rapid.SampledFrom([]time.Time{first, last}).Draw(rt, label+"on")
	var ages []int
	switch typ {
	case providers.Infant:
		ages = []int{0, 2}
	case providers.Child:
		ages = []int{2, 12, 7}
	default:
		ages = []int{12, 16, 16, 40}
	}
	age := rapid.SampledFrom(ages).Draw(rt, label+"age")
	return on.AddDate(-age, 0, rapid.IntRange(-1, 1).Draw(rt, label+"shift"))
}

// years is the age in whole years on day of someone born on dob.
func years(dob, day time.Time) int {
	n := day.Year() - dob.Year()
	if day.Month() < dob.Month() || day.Month() == dob.Month() && day.Day() < dob.Day() {
		n--
	}
	return n
}

// travellersBreak checks a session's travellers from first principles:
// types by age on every flight date, one adult of 16 or more per lap
// infant, ticketed names of A to Z and spaces, each traveller once.
func travellersBreak(ps []providers.Traveller, o providers.Offer) string {
	var dates []time.Time
	for _, sl := range o.Slices {
		for _, s := range sl.Segments {
			dates = append(dates, time.Date(s.DepartureAt.Year(), s.DepartureAt.Month(), s.DepartureAt.Day(), 0, 0, 0, 0, time.UTC))
		}
	}
	grown, infants := 0, 0
	seen := map[string]bool{}
	for i, p := range ps {
		dob, _ := time.Parse(time.DateOnly, string(p.DateOfBirth))
		for _, d := range dates {
			a := years(dob, d)
			if p.Type == providers.Adult && a < 12 || p.Type == providers.Child && (a < 2 || a > 11) || p.Type == providers.Infant && a >= 2 {
				return fmt.Sprintf("passenger %d, %s born %s, is %d on %s", i, p.Type, p.DateOfBirth, a, d.Format(time.DateOnly))
			}
		}
		switch {
		case p.Type == providers.Infant:
			infants++
		case p.Type == providers.Adult && years(dob, dates[0]) >= 16:
			grown++
		}
		for _, n := range []string{p.TicketedGivenName, p.TicketedFamilyName} {
			if n == "" || strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ ") != "" {
				return fmt.Sprintf("passenger %d is ticketed as %q", i, n)
			}
		}
		key := p.TicketedGivenName + p.TicketedFamilyName + string(p.DateOfBirth)
		if seen[key] || seen[p.DocumentNumber] {
			return fmt.Sprintf("passenger %d is there twice", i)
		}
		seen[key], seen[p.DocumentNumber] = true, true
	}
	if infants > grown {
		return fmt.Sprintf("%d lap infants for %d adults of 16 or more", infants, grown)
	}
	return ""
}
