package litesim

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// checkPrebook applies the documented request rules, answering the HTTP
// status and error of the first broken one.
func (s *Simulator) checkPrebook(req prebookBody, tok offerToken, q quote, found bool) (int, *wire.APIError) {
	missing := func(key string) (int, *wire.APIError) {
		return http.StatusBadRequest, invalid(codePrebookMissing, "bodyRequest."+key, key+" is required")
	}
	bad := func(key, msg string) (int, *wire.APIError) {
		return http.StatusBadRequest, invalid(codePrebookInvalid, "bodyRequest."+key, msg)
	}
	c := req.Contact
	switch {
	case c == nil:
		return missing("contact")
	case c.FirstName == "":
		return missing("contact.firstName")
	case c.LastName == "":
		return missing("contact.lastName")
	case c.Email == "":
		return missing("contact.email")
	case c.PhoneNumber == "":
		return missing("contact.phoneNumber")
	case !validEmail(c.Email):
		return bad("contact.email", "not an email address")
	case !digits(c.PhoneNumber, 4, 14) || (c.PhoneCountryCode != "" && !digits(c.PhoneCountryCode, 1, 3)):
		return http.StatusInternalServerError, &wire.APIError{Code: codePrebookServerError, Message: "Internal server error"}
	case len(req.Passengers) == 0:
		return missing("passengers")
	}
	// Age limits apply on the first flight's day; documents must outlive
	// the last flight.
	var first, last time.Time
	if found {
		first, last = q.its[0].dep(), q.its[len(q.its)-1].arr()
	} else if len(tok.Legs) > 0 {
		d, _ := time.Parse(time.DateOnly, tok.Legs[0].Date)
		first, last = d, d
	}
	var counts [3]int
	for i, p := range req.Passengers {
		key := fmt.Sprintf("passengers[%d].", i)
		for _, f := range []struct{ name, v string }{
			{"firstName", p.FirstName}, {"lastName", p.LastName}, {"birthday", p.Birthday}, {"gender", p.Gender},
			{"documentType", p.DocumentType}, {"documentNumber", p.DocumentNumber},
			{"documentIssueCountry", p.DocumentIssueCountry}, {"documentExpiry", p.DocumentExpiry},
		} {
			if f.v == "" {
				return missing(key + f.name)
			}
		}
		if p.PassengerType == nil {
			return missing(key + "passengerType")
		}
		born, errB := time.Parse(time.DateOnly, p.Birthday)
		expiry, errE := time.Parse(time.DateOnly, p.DocumentExpiry)
		pt := *p.PassengerType
		switch {
		case p.Gender != wire.GenderMale && p.Gender != wire.GenderFemale:
			return bad(key+"gender", "gender must be M or F")
		case pt < wire.PaxTypeAdult || pt > wire.PaxTypeInfant:
			return bad(key+"passengerType", "passengerType must be 0 (adult), 1 (child) or 2 (infant)")
		case errB != nil || born.After(first):
			return bad(key+"birthday", "birthday must be a past date YYYY-MM-DD")
		case !ageFits(pt, born, first):
			return bad(key+"birthday", "age does not match passengerType (adult 12+, child 2-11, infant under 2)")
		case errE != nil || !expiry.After(last):
			return bad(key+"documentExpiry", "the document must be valid after the last flight")
		case !isCountry(p.DocumentIssueCountry):
			return bad(key+"documentIssueCountry", "an ISO 3166-1 alpha-2 country is required")
		case p.Nationality != "" && !isCountry(p.Nationality):
			return bad(key+"nationality", "an ISO 3166-1 alpha-2 country is required")
		}
		counts[pt]++
	}
	if counts != tok.Pax {
		return bad("passengers", fmt.Sprintf("the offer is for %d adults, %d children and %d infants; got %d, %d and %d",
			tok.Pax[0], tok.Pax[1], tok.Pax[2], counts[0], counts[1], counts[2]))
	}
	// usePaymentSdk false needs payment bypass and a credit line: the
	// simulated account has both, so it is accepted.
	return 0, nil
}

// ageFits reports whether someone born on born has the passenger type's
// age on day.
func ageFits(pt int, born, day time.Time) bool {
	age := day.Year() - born.Year()
	if day.Month() < born.Month() || day.Month() == born.Month() && day.Day() < born.Day() {
		age--
	}
	switch pt {
	case wire.PaxTypeAdult:
		return age >= 12
	case wire.PaxTypeChild:
		return age >= 2 && age <= 11
	default:
		return age < 2
	}
}

func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " \t")
}

// digits reports whether s is lo to hi decimal digits.
func digits(s string, lo, hi int) bool {
	return len(s) >= lo && len(s) <= hi && strings.Trim(s, "0123456789") == ""
}

func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
