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

// UserError is something wrong the caller can fix, named by its input path.
type UserError struct {
	Field   []string
	Code    string
	Message string
}

func (e UserError) Error() string { return strings.Join(e.Field, ".") + ": " + e.Message }

// User error codes.
const (
	CodeInvalid            = "INVALID"
	CodeRequired           = "REQUIRED"
	CodeTooLong            = "TOO_LONG"
	CodeOutOfRange         = "OUT_OF_RANGE"
	CodePassengerMix       = "PASSENGER_MIX"
	CodeOfferExpired       = "OFFER_EXPIRED"
	CodeOfferNotFound      = "OFFER_NOT_FOUND"
	CodeAncillaryNotFound  = "ANCILLARY_NOT_FOUND"
	CodePriceChanged       = "PRICE_CHANGED"
	CodeSoldOut            = "SOLD_OUT"
	CodeInvalidState       = "INVALID_STATE"
	CodeSessionExpired     = "SESSION_EXPIRED"
	CodeCardDeclined       = "CARD_DECLINED"
	CodeCreditUnavailable  = "CREDIT_LINE_UNAVAILABLE"
	CodeInsufficientCredit = "INSUFFICIENT_CREDIT"
	CodeIdempotencyReused  = "IDEMPOTENCY_KEY_REUSED"
	CodeProviderError      = "PROVIDER_UNAVAILABLE"
	CodeInProgress         = "IN_PROGRESS"
	CodeHoldExpired        = "HOLD_EXPIRED"
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
}

type checker struct{ errs []UserError }

func (c *checker) add(code, msg string, field ...string) {
	c.errs = append(c.errs, UserError{Field: field, Code: code, Message: msg})
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
		c.add(CodeRequired, "is required", field...)
	case utf8.RuneCountInString(v) > maxNameLen:
		c.add(CodeTooLong, fmt.Sprintf("must be at most %d characters", maxNameLen), field...)
	default:
		for _, r := range v {
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != ' ' && r != '-' && r != '\'' && r != '.' {
				c.add(CodeInvalid, "may contain only letters, spaces, hyphens, apostrophes and dots", field...)
				return
			}
		}
	}
}

func (c *checker) email(v string, required bool, field ...string) {
	switch {
	case v == "" && !required:
	case v == "":
		c.add(CodeRequired, "is required", field...)
	case len(v) > maxEmailLen:
		c.add(CodeTooLong, fmt.Sprintf("must be at most %d characters", maxEmailLen), field...)
	default:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
			c.add(CodeInvalid, "must be an email address like name@example.com", field...)
		}
	}
}

func (c *checker) phone(v string, required bool, field ...string) {
	switch {
	case v == "" && !required:
	case v == "":
		c.add(CodeRequired, "is required", field...)
	case !e164.MatchString(v):
		c.add(CodeInvalid, "must be an E.164 phone number like +33612345678", field...)
	}
}

func (c *checker) country(v string, field ...string) {
	if _, ok := currency.ForCountryCode(v); len(v) != 2 || strings.ToUpper(v) != v || !ok {
		c.add(CodeInvalid, fmt.Sprintf("must be an ISO 3166-1 alpha-2 country code like FR, got %q", v), field...)
	}
}

func (c *checker) date(v providers.Date, field ...string) (time.Time, bool) {
	t, err := v.Time()
	if err != nil {
		c.add(CodeInvalid, "must be a date like 1990-04-28", field...)
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
		c.add(CodeRequired, "at least one passenger is required", "passengers")
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
			c.add(CodeInvalid, "must be ADULT, CHILD or INFANT", f("type")...)
		}
		c.name(p.GivenName, f("givenName")...)
		c.name(p.FamilyName, f("familyName")...)
		if p.Gender != "MALE" && p.Gender != "FEMALE" {
			c.add(CodeInvalid, "must be MALE or FEMALE", f("gender")...)
		}
		if dob, ok := c.date(p.DateOfBirth, f("dateOfBirth")...); ok {
			switch age, ageBack := ageOn(dob, firstDay), ageOn(dob, lastDay); {
			case !dob.Before(today):
				c.add(CodeInvalid, "must be in the past", f("dateOfBirth")...)
			case age > 120:
				c.add(CodeOutOfRange, "is more than 120 years ago", f("dateOfBirth")...)
			case p.Type == providers.Adult && age < 12:
				c.add(CodePassengerMix, "an ADULT is 12 or older on the day of departure", f("dateOfBirth")...)
			case p.Type == providers.Child && (age < 2 || age > 11):
				c.add(CodePassengerMix, "a CHILD is 2 to 11 on the day of departure", f("dateOfBirth")...)
			case p.Type == providers.Infant && ageBack >= 2:
				c.add(CodePassengerMix, "an INFANT is under 2 for the whole journey", f("dateOfBirth")...)
			}
		}
		if !document.MatchString(p.DocumentNumber) {
			c.add(CodeInvalid, fmt.Sprintf("must be 1 to %d letters and digits", maxDocumentLen), f("document", "number")...)
		}
		if exp, ok := c.date(p.DocumentExpiresOn, f("document", "expiresOn")...); ok && !exp.After(lastDay) {
			c.add(CodeInvalid, fmt.Sprintf("must be after the end of the journey (%s)", lastDay.Format(time.DateOnly)), f("document", "expiresOn")...)
		}
		c.country(p.DocumentIssuingCountry, f("document", "issuingCountry")...)
		c.country(p.Nationality, f("document", "nationality")...)
		c.email(p.Email, false, f("email")...)
		c.phone(p.PhoneNumber, false, f("phoneNumber")...)
	}
	want := offer.Parts[0].Passengers
	if n != want {
		c.add(CodePassengerMix, fmt.Sprintf("the offer is for %d adults, %d children and %d infants; got %d, %d and %d",
			want.Adults, want.Children, want.Infants, n.Adults, n.Children, n.Infants), "passengers")
	}
	if n.Infants > n.Adults {
		c.add(CodePassengerMix, "there cannot be more infants than adults", "passengers")
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
		c.add(CodeOutOfRange, fmt.Sprintf("at most %d keys", maxMetadata), "metadata")
	}
	for k, v := range m {
		if len(k) == 0 || len(k) > maxMetaKeyLen || !metaKeyRe.MatchString(k) {
			c.add(CodeInvalid, fmt.Sprintf("keys are 1 to %d letters, digits, '_', '.' or '-'", maxMetaKeyLen), "metadata", k)
		}
		if len(v) > maxMetaValLen {
			c.add(CodeTooLong, fmt.Sprintf("must be at most %d characters", maxMetaValLen), "metadata", k)
		}
	}
}

func (c *checker) expiresIn(p *int) {
	if p != nil && (*p < minExpiresIn || *p > maxExpiresIn) {
		v := *p
		c.add(CodeOutOfRange, fmt.Sprintf("must be between %d and %d seconds, got %d", minExpiresIn, maxExpiresIn, v), "expiresIn")
	}
}
