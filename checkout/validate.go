package checkout

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/bojanz/currency"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
)

// Limits from the Gr4vy checkout-session document (003).
const (
	maxEmailLen   = 320
	minExpiresIn  = 3600
	maxExpiresIn  = 86400
	maxMetadata   = 20
	maxMetaKeyLen = 40
	maxMetaValLen = 500
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
	ExpiresIn *int
	Metadata  map[string]string
	// RepeatedMetadataKeys are the metadata keys the caller gave more
	// than once (Metadata keeps the last value); each is a DUPLICATE user
	// error. Omitted from the request hash when empty, so that the hash of
	// every request without repeats is what it was.
	RepeatedMetadataKeys []string `json:",omitempty"`
	IdempotencyKey       string
	// PartialBooking is ALLOW or FORBID; empty means FORBID (the parts of
	// an offer form one journey). Empty is left out of the request's hash,
	// so keys stored before the field existed still match.
	PartialBooking PartialBooking `json:",omitempty"`
	// Settlements say how providers' parts settle; a provider not listed
	// settles as MERCHANT. Left out of the hash when empty, as above.
	Settlements []ProviderSettlement `json:",omitempty"`
}

// checker collects every violation of a request; field names are relative
// to the mutation's input argument.
type checker struct{ errs []fault.Violation }

func (c *checker) add(code fault.Code, msg string, field ...string) {
	c.errs = append(c.errs, violation(code, msg, field...))
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	metaKeyRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

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

// passengers checks the travellers against the offer: their input
// formats here (type, gender, countries, email, phone, the mix the offer
// was priced for), and what may be sold with rules.Travellers (names,
// ages on each flight date, lap infants, documents, each traveller once).
// It returns the travellers with their names normalised and ticketed.
func (c *checker) passengers(ps []PassengerInput, offer providers.Offer, lim providers.Limits, today time.Time) []PassengerInput {
	if len(ps) == 0 {
		c.add(fault.Required, "at least one passenger is required", "passengers")
		return nil
	}
	var n providers.Passengers
	for i, p := range ps {
		f := func(name ...string) []string { return append([]string{"passengers", fmt.Sprint(i)}, name...) }
		if !n.Count(p.Type) {
			c.add(fault.Invalid, "must be ADULT, CHILD or INFANT", f("type")...)
		}
		if p.Gender != "MALE" && p.Gender != "FEMALE" {
			c.add(fault.Invalid, "must be MALE or FEMALE", f("gender")...)
		}
		c.country(p.DocumentIssuingCountry, f("document", "issuingCountry")...)
		c.country(p.Nationality, f("document", "nationality")...)
		c.email(p.Email, false, f("email")...)
		c.phone(p.PhoneNumber, false, f("phoneNumber")...)
	}
	out, vs := rules.Travellers(ps, offer, lim, today)
	c.errs = append(c.errs, vs...)
	want := offer.Parts[0].Passengers
	if n != want {
		c.add(fault.PassengerMix, fmt.Sprintf("the offer is for %s; got %s", travellers(want), travellers(n)), "passengers")
	}
	return out
}

// contact checks the booking's contact and returns it with its names
// normalised and ticketed (rules.Contact).
func (c *checker) contact(ct providers.Contact, lim providers.Limits) providers.Contact {
	ct, vs := rules.Contact(ct, lim)
	c.errs = append(c.errs, vs...)
	c.email(ct.Email, true, "contact", "email")
	c.phone(ct.PhoneNumber, true, "contact", "phoneNumber")
	return ct
}

func (c *checker) metadata(m map[string]string, repeated []string) {
	for _, k := range repeated {
		c.add(fault.Duplicate, "this key is given more than once; give each key once", "metadata", k)
	}
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

// travellers says how many of each type travel, in agreement with each
// number: "1 adult, 2 children and 0 infants".
func travellers(p providers.Passengers) string {
	return fmt.Sprintf("%s, %s and %s", fault.Count(p.Adults, "adult", "adults"),
		fault.Count(p.Children, "child", "children"), fault.Count(p.Infants, "infant", "infants"))
}
