package checkout

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bojanz/currency"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// Limits from the Gr4vy checkout-session document (003).
const (
	maxNameLen     = 255
	maxEmailLen    = 320
	maxDocumentLen = 50
	minExpiresIn   = 3600
	maxExpiresIn   = 86400
	maxMetadata    = 20
	maxMetaKeyLen  = 40
	maxMetaValLen  = 500
	maxQuantity    = 9
	maxMinorAmount = 99999999
)

// PassengerInput is a traveller as the caller gives one.
type PassengerInput = providers.Traveller

// AncillaryChoice is an extra the caller picks: a signed ancillary id from
// the offer, for one passenger, a quantity.
type AncillaryChoice struct {
	ID             string
	PassengerIndex int
	Quantity       int
}

// CreateInput is what a checkout session is created from.
type CreateInput struct {
	OfferID     string
	Passengers  []PassengerInput
	Contact     providers.Contact
	Ancillaries []AncillaryChoice
	// ExpiresIn is the session's lifetime in seconds, 3600 to 86400; nil
	// means 3600.
	ExpiresIn      *int
	Metadata       map[string]string
	IdempotencyKey string
	// PartialBooking is ALLOW or FORBID; empty means FORBID (the parts of
	// an offer form one journey). Empty is left out of the request's hash,
	// so keys stored before the field existed still match.
	PartialBooking PartialBooking `json:",omitempty"`
}

// checker collects every violation of a request; field names are relative
// to the mutation's input argument.
type checker struct{ errs []fault.Violation }

func (c *checker) add(code fault.Code, msg string, field ...string) {
	c.errs = append(c.errs, violation(code, msg, field...))
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	document  = regexp.MustCompile(`^[A-Za-z0-9]{1,50}$`)
	metaKeyRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

func (c *checker) name(v string, field ...string) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		c.add(fault.Required, "is required", field...)
	case utf8.RuneCountInString(v) > maxNameLen:
		c.add(fault.TooLong, fmt.Sprintf("must be at most %d characters", maxNameLen), field...)
	default:
		for _, r := range v {
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != ' ' && r != '-' && r != '\'' && r != '.' {
				c.add(fault.Invalid, "may contain only letters, spaces, hyphens, apostrophes and dots", field...)
				return
			}
		}
	}
}

func (c *checker) email(v string, required bool, field ...string) {
	switch {
	case v == "" && !required:
	case v == "":
		c.add(fault.Required, "is required", field...)
	case len(v) > maxEmailLen:
		c.add(fault.TooLong, fmt.Sprintf("must be at most %d characters", maxEmailLen), field...)
	default:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
			c.add(fault.Invalid, "must be an email address like name@example.com", field...)
		}
	}
}

func (c *checker) phone(v string, required bool, field ...string) {
	switch {
	case v == "" && !required:
	case v == "":
		c.add(fault.Required, "is required", field...)
	case !e164.MatchString(v):
		c.add(fault.Invalid, "must be an E.164 phone number like +33612345678", field...)
	}
}

func (c *checker) country(v string, field ...string) {
	if _, ok := currency.ForCountryCode(v); len(v) != 2 || strings.ToUpper(v) != v || !ok {
		c.add(fault.Invalid, fmt.Sprintf("must be an ISO 3166-1 alpha-2 country code like FR, got %q", v), field...)
	}
}

func (c *checker) date(v providers.Date, field ...string) (time.Time, bool) {
	t, err := v.Time()
	if err != nil {
		c.add(fault.Invalid, "must be a date like 1990-04-28", field...)
		return time.Time{}, false
	}
	return t, true
}

// ageOn is the age in whole years on day of someone born on birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		age--
	}
	return age
}

// validatePassengers checks every traveller against the offer: the mix of
// types, ages on the travel days, documents valid after the journey.
func (c *checker) passengers(ps []PassengerInput, offer providers.Offer, today time.Time) {
	if len(ps) == 0 {
		c.add(fault.Required, "at least one passenger is required", "passengers")
		return
	}
	first := offer.Slices[0].DepartureAt()
	last := offer.Slices[len(offer.Slices)-1].ArrivalAt()
	firstDay := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
	lastDay := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC)
	var n providers.Passengers
	for i, p := range ps {
		f := func(name ...string) []string { return append([]string{"passengers", fmt.Sprint(i)}, name...) }
		switch p.Type {
		case providers.Adult:
			n.Adults++
		case providers.Child:
			n.Children++
		case providers.Infant:
			n.Infants++
		default:
			c.add(fault.Invalid, "must be ADULT, CHILD or INFANT", f("type")...)
		}
		c.name(p.GivenName, f("givenName")...)
		c.name(p.FamilyName, f("familyName")...)
		if p.Gender != "MALE" && p.Gender != "FEMALE" {
			c.add(fault.Invalid, "must be MALE or FEMALE", f("gender")...)
		}
		if dob, ok := c.date(p.DateOfBirth, f("dateOfBirth")...); ok {
			switch age, ageBack := ageOn(dob, firstDay), ageOn(dob, lastDay); {
			case !dob.Before(today):
				c.add(fault.Invalid, "must be in the past", f("dateOfBirth")...)
			case age > 120:
				c.add(fault.OutOfRange, "is more than 120 years ago", f("dateOfBirth")...)
			case p.Type == providers.Adult && age < 12:
				c.add(fault.PassengerMix, "an ADULT is 12 or older on the day of departure", f("dateOfBirth")...)
			case p.Type == providers.Child && (age < 2 || age > 11):
				c.add(fault.PassengerMix, "a CHILD is 2 to 11 on the day of departure", f("dateOfBirth")...)
			case p.Type == providers.Infant && ageBack >= 2:
				c.add(fault.PassengerMix, "an INFANT is under 2 for the whole journey", f("dateOfBirth")...)
			}
		}
		if !document.MatchString(p.DocumentNumber) {
			c.add(fault.Invalid, fmt.Sprintf("must be 1 to %d letters and digits", maxDocumentLen), f("document", "number")...)
		}
		if exp, ok := c.date(p.DocumentExpiresOn, f("document", "expiresOn")...); ok && !exp.After(lastDay) {
			c.add(fault.Invalid, fmt.Sprintf("must be after the end of the journey (%s)", lastDay.Format(time.DateOnly)), f("document", "expiresOn")...)
		}
		c.country(p.DocumentIssuingCountry, f("document", "issuingCountry")...)
		c.country(p.Nationality, f("document", "nationality")...)
		c.email(p.Email, false, f("email")...)
		c.phone(p.PhoneNumber, false, f("phoneNumber")...)
	}
	want := offer.Parts[0].Passengers
	if n != want {
		c.add(fault.PassengerMix, fmt.Sprintf("the offer is for %d adults, %d children and %d infants; got %d, %d and %d",
			want.Adults, want.Children, want.Infants, n.Adults, n.Children, n.Infants), "passengers")
	}
	if n.Infants > n.Adults {
		c.add(fault.PassengerMix, "there cannot be more infants than adults", "passengers")
	}
}

func (c *checker) contact(ct providers.Contact) {
	c.name(ct.GivenName, "contact", "givenName")
	c.name(ct.FamilyName, "contact", "familyName")
	c.email(ct.Email, true, "contact", "email")
	c.phone(ct.PhoneNumber, true, "contact", "phoneNumber")
}

func (c *checker) metadata(m map[string]string) {
	if len(m) > maxMetadata {
		c.add(fault.OutOfRange, fmt.Sprintf("at most %d keys", maxMetadata), "metadata")
	}
	for k, v := range m {
		if len(k) == 0 || len(k) > maxMetaKeyLen || !metaKeyRe.MatchString(k) {
			c.add(fault.Invalid, fmt.Sprintf("keys are 1 to %d letters, digits, '_', '.' or '-'", maxMetaKeyLen), "metadata", k)
		}
		if len(v) > maxMetaValLen {
			c.add(fault.TooLong, fmt.Sprintf("must be at most %d characters", maxMetaValLen), "metadata", k)
		}
	}
}

func (c *checker) expiresIn(p *int) {
	if p != nil && (*p < minExpiresIn || *p > maxExpiresIn) {
		v := *p
		c.add(fault.OutOfRange, fmt.Sprintf("must be between %d and %d seconds, got %d", minExpiresIn, maxExpiresIn, v), "expiresIn")
	}
}
