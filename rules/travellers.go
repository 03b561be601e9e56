package rules

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// MaxAge is the oldest traveller accepted, in years: a date of birth
// further back is a typing mistake.
const MaxAge = 120

var alnum = regexp.MustCompile(`^[A-Za-z0-9]*$`)

// AgeOn is the age in whole years on day of someone born on birth (both
// calendar dates; a birthday on 29 February is reached on 1 March in
// other years).
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

// FlightDates are the calendar dates of o's flights, in order: each
// departure's date at its origin airport.
func FlightDates(o providers.Offer) []time.Time {
	var ds []time.Time
	for _, sl := range o.Slices {
		for _, sg := range sl.Segments {
			ds = append(ds, date(sg.DepartureAt))
		}
	}
	return ds
}

// lastDate is the date o's last flight lands, at its destination.
func lastDate(o providers.Offer) time.Time {
	sl := o.Slices[len(o.Slices)-1]
	return date(sl.ArrivalAt())
}

func date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Travellers checks ps, given as the passengers of a request for offer
// o, against the rules of what may be sold under lim, today being the
// current date. It returns the travellers with their names normalised and
// ticketed (Traveller.TicketedGivenName...) and every violation found,
// each on its field under "input", "passengers", index:
//
//   - givenName, familyName: see Name, with lim.NameMaxLength (TOO_LONG,
//     INVALID, REQUIRED);
//   - dateOfBirth: a date in the past, at most MaxAge years back; the
//     passenger type fits the age on the date of every flight: ADULT 12 or
//     older, CHILD 2 to 11, INFANT under 2 (PASSENGER_MIX, naming the
//     flight date where it stops fitting);
//   - a lap infant travels with its own adult of lim.InfantAdultMinAge or
//     older on every flight, one infant per adult (PASSENGER_MIX on the
//     infant left without one);
//   - document.number: lim.DocumentMinLength to lim.DocumentMaxLength
//     letters and digits (INVALID, TOO_LONG);
//   - document.expiresOn: after the date the last flight lands (INVALID);
//   - the same traveller only once: the same ticketed names and date of
//     birth, or the same document number (DUPLICATE on the repeat).
//
// Other fields (type, gender, countries, email, phone) are the caller's
// input checks. o has at least one slice.
func Travellers(ps []providers.Traveller, o providers.Offer, lim providers.Limits, today time.Time) ([]providers.Traveller, []fault.Violation) {
	var vs []fault.Violation
	add := func(code fault.Code, msg string, field ...string) {
		vs = append(vs, fault.Violation{Field: field, Code: code, Message: msg})
	}
	dates := FlightDates(o)
	end := lastDate(o)
	out := make([]providers.Traveller, len(ps))
	born := make([]*time.Time, len(ps))
	byName, byDoc := map[string]int{}, map[string]int{}
	for i, p := range ps {
		f := func(name ...string) []string {
			return fault.Path(append([]any{"input", "passengers", i}, toAny(name)...)...)
		}
		var v *fault.Violation
		p.GivenName, p.TicketedGivenName, v = Name(p.GivenName, lim.NameMaxLength, f("givenName"))
		if v != nil {
			vs = append(vs, *v)
		}
		p.FamilyName, p.TicketedFamilyName, v = Name(p.FamilyName, lim.NameMaxLength, f("familyName"))
		if v != nil {
			vs = append(vs, *v)
		}
		out[i] = p

		dob, err := p.DateOfBirth.Time()
		switch {
		case err != nil:
			add(fault.Invalid, "must be a date like 1990-04-28", f("dateOfBirth")...)
		case !dob.Before(today):
			add(fault.Invalid, "must be in the past", f("dateOfBirth")...)
		case AgeOn(dob, today) > MaxAge:
			add(fault.OutOfRange, fmt.Sprintf("is more than %d years ago", MaxAge), f("dateOfBirth")...)
		default:
			born[i] = &dob
			if msg := typeFits(p.Type, dob, dates); msg != "" {
				add(fault.PassengerMix, msg, f("dateOfBirth")...)
			}
		}

		doc := p.DocumentNumber
		switch n := len(doc); {
		case !alnum.MatchString(doc):
			add(fault.Invalid, fmt.Sprintf("must be %d to %d letters and digits", lim.DocumentMinLength, lim.DocumentMaxLength), f("document", "number")...)
		case n > lim.DocumentMaxLength:
			add(fault.TooLong, fmt.Sprintf("must be at most %d letters and digits, got %d", lim.DocumentMaxLength, n), f("document", "number")...)
		case n < lim.DocumentMinLength:
			add(fault.Invalid, fmt.Sprintf("must be at least %d letters and digits, got %d", lim.DocumentMinLength, n), f("document", "number")...)
		}
		if exp, err := p.DocumentExpiresOn.Time(); err != nil {
			add(fault.Invalid, "must be a date like 2031-04-28", f("document", "expiresOn")...)
		} else if !exp.After(end) {
			add(fault.Invalid, fmt.Sprintf("must be after the last flight lands (%s)", end.Format(time.DateOnly)), f("document", "expiresOn")...)
		}

		if p.TicketedGivenName != "" && p.TicketedFamilyName != "" && err == nil {
			key := p.TicketedGivenName + "|" + p.TicketedFamilyName + "|" + string(p.DateOfBirth)
			if j, dup := byName[key]; dup {
				add(fault.Duplicate, fmt.Sprintf("is the same traveller as %s (same name and date of birth)", Passenger(j)), f()...)
			} else {
				byName[key] = i
			}
		}
		if d := strings.ToUpper(doc); d != "" {
			if j, dup := byDoc[d]; dup {
				add(fault.Duplicate, fmt.Sprintf("has the same document number as %s: each traveller travels once", Passenger(j)), f("document", "number")...)
			} else {
				byDoc[d] = i
			}
		}
	}
	vs = append(vs, infants(ps, born, dates, lim.InfantAdultMinAge)...)
	return out, vs
}

// typeFits says why a passenger of type t born on dob does not fit its
// type on one of the flight dates, or "" when it fits on all.
func typeFits(t providers.PassengerType, dob time.Time, dates []time.Time) string {
	for _, d := range dates {
		age := AgeOn(dob, d)
		day := d.Format(time.DateOnly)
		switch {
		case t == providers.Adult && age < AdultMinAge:
			return fmt.Sprintf("an ADULT is %d or older on every flight; this traveller is %d on %s", AdultMinAge, age, day)
		case t == providers.Child && (age < ChildMinAge || age >= AdultMinAge):
			return fmt.Sprintf("a CHILD is %d to %d on every flight; this traveller is %d on %s", ChildMinAge, AdultMinAge-1, age, day)
		case t == providers.Infant && age >= ChildMinAge:
			return fmt.Sprintf("an INFANT is under %d on every flight; this traveller turns %d before the flight of %s and needs a seat: book it as a CHILD on that flight, as a separate booking", ChildMinAge, ChildMinAge, day)
		}
	}
	return ""
}

// infants pairs every lap infant with an adult of minAge or older on
// every flight date (the first date suffices: ages only grow), one infant
// per adult, and reports the infants left without one.
func infants(ps []providers.Traveller, born []*time.Time, dates []time.Time, minAge int) []fault.Violation {
	if len(dates) == 0 {
		return nil
	}
	adults, youngest := 0, -1
	for i, p := range ps {
		if p.Type != providers.Adult || born[i] == nil {
			continue
		}
		if AgeOn(*born[i], dates[0]) >= minAge {
			adults++
		} else if youngest < 0 {
			youngest = i
		}
	}
	var vs []fault.Violation
	n := 0
	for i, p := range ps {
		if p.Type != providers.Infant {
			continue
		}
		if n++; n <= adults {
			continue
		}
		msg := fmt.Sprintf("each lap infant travels with its own adult aged %d or older on every flight; this booking has %d such adults", minAge, adults)
		if youngest >= 0 {
			msg += fmt.Sprintf(" (%s is under %d on %s)", Passenger(youngest), minAge, dates[0].Format(time.DateOnly))
		}
		vs = append(vs, fault.Violation{Field: fault.Path("input", "passengers", i), Code: fault.PassengerMix, Message: msg})
	}
	return vs
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Contact checks the names of the booking's contact (field "input",
// "contact", ...) as Travellers checks a traveller's, and returns the
// contact with its names normalised and ticketed.
func Contact(c providers.Contact, lim providers.Limits) (providers.Contact, []fault.Violation) {
	var vs []fault.Violation
	var v *fault.Violation
	c.GivenName, c.TicketedGivenName, v = Name(c.GivenName, lim.NameMaxLength, fault.Path("input", "contact", "givenName"))
	if v != nil {
		vs = append(vs, *v)
	}
	c.FamilyName, c.TicketedFamilyName, v = Name(c.FamilyName, lim.NameMaxLength, fault.Path("input", "contact", "familyName"))
	if v != nil {
		vs = append(vs, *v)
	}
	return c, vs
}
