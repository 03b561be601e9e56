package checkout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

// TestIssue8Inputs runs every createCheckoutSession input of issue 8
// against the simulators: each is a user error naming its field with a
// code, and no session is opened.
func TestIssue8Inputs(t *testing.T) {
	e := newEnv(t, "")
	lite := e.offer(t, oneWay("liteapi"), from("liteapi"))
	cp := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
	req := oneWay("liteapi")
	req.Passengers = providers.Passengers{Adults: 1, Infants: 1}
	withInfant := e.offer(t, req, from("liteapi"))
	req.Passengers = providers.Passengers{Adults: 2}
	two := e.offer(t, req, from("liteapi"))
	bag, err := e.a.Search.AncillaryID(cp.Parts[0], providers.Ancillary{Ref: "bag", Kind: providers.CheckedBag, Description: "Checked bag 20 kg",
		Price: providers.Money{Amount: 2550, Currency: cp.Total.Currency}, WeightKg: 20})
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name  string
		offer *search.Offer
		edit  func(in *checkout.CreateInput)
		field string
		code  fault.Code
	}{
		{"a lap infant with a 12-year-old as its only adult", withInfant, func(in *checkout.CreateInput) {
			in.Passengers[0].DateOfBirth = "2014-06-01"
			in.Passengers[1].DateOfBirth = "2026-01-01"
		}, "input.passengers.1", fault.PassengerMix},
		{"a 105-character surname", lite, func(in *checkout.CreateInput) {
			in.Passengers[0].FamilyName = strings.Repeat("a", 105)
		}, "input.passengers.0.familyName", fault.TooLong},
		{"a given name of a dot", lite, func(in *checkout.CreateInput) { in.Passengers[0].GivenName = "." }, "input.passengers.0.givenName", fault.Invalid},
		{"a family name of a hyphen", lite, func(in *checkout.CreateInput) { in.Passengers[0].FamilyName = "-" }, "input.passengers.0.familyName", fault.Invalid},
		{"a name in a script with no ICAO transliteration", lite, func(in *checkout.CreateInput) { in.Passengers[0].GivenName = "Σοφία" }, "input.passengers.0.givenName", fault.Invalid},
		{"the same person twice", two, func(in *checkout.CreateInput) { in.Passengers[1] = in.Passengers[0] }, "input.passengers.1", fault.Duplicate},
		{"one bag 20 times, 9 each, for one passenger", cp, func(in *checkout.CreateInput) {
			for range 20 {
				in.Ancillaries = append(in.Ancillaries, checkout.AncillaryChoice{ID: bag, PassengerIndex: 0, Quantity: 9})
			}
		}, "input.ancillaries.0.quantity", fault.OutOfRange},
		{"repeated metadata keys", lite, func(in *checkout.CreateInput) {
			in.Metadata, in.RepeatedMetadataKeys = map[string]string{"order": "2"}, []string{"order"}
		}, "input.metadata.order", fault.Duplicate},
		{"a 200-letter given name on CitizenPlane", cp, func(in *checkout.CreateInput) {
			in.Passengers[0].GivenName = strings.Repeat("a", 200)
		}, "input.passengers.0.givenName", fault.TooLong},
		{"a 61-letter given name on CitizenPlane", cp, func(in *checkout.CreateInput) {
			in.Passengers[0].GivenName = strings.Repeat("a", 61)
		}, "input.passengers.0.givenName", fault.TooLong},
		{"a 50-character passport on CitizenPlane", cp, func(in *checkout.CreateInput) {
			in.Passengers[0].DocumentNumber = strings.Repeat("A1", 25)
		}, "input.passengers.0.document.number", fault.TooLong},
		{"a 4-character passport on CitizenPlane", cp, func(in *checkout.CreateInput) {
			in.Passengers[0].DocumentNumber = "AB12"
		}, "input.passengers.0.document.number", fault.Invalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := input(c.offer)
			c.edit(&in)
			res, err := e.a.Checkout.Create(e.ctx, tenant, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Session != nil {
				t.Fatalf("a session was opened: %s", res.Session.ID)
			}
			for _, v := range res.UserErrors {
				if fault.Dotted(v.Field) == c.field && v.Code == c.code {
					return
				}
			}
			t.Fatalf("user errors = %+v, want %s on %s", res.UserErrors, c.code, c.field)
		})
	}
}

// TestNamesAreTicketed is issue 8's names that did go through: Cyrillic
// names, a phone-keyboard apostrophe and a name padded with 10,000
// spaces are accepted, kept as given (normalised) and ticketed in Latin
// letters, which is all the providers get; the session books.
func TestNamesAreTicketed(t *testing.T) {
	e := newEnv(t, "")
	for _, provider := range []string{"citizenplane", "liteapi"} {
		t.Run(provider, func(t *testing.T) {
			o := e.offer(t, oneWay(provider), from(provider))
			in := input(o)
			in.Passengers[0].GivenName, in.Passengers[0].FamilyName = "Аня", "Мартин"
			in.Contact.GivenName, in.Contact.FamilyName = "Ana"+strings.Repeat(" ", 10000), "D’Angelo"
			s := e.payByCard(t, o, in)
			p := s.Passengers[0]
			if p.GivenName != "Аня" || p.FamilyName != "Мартин" || p.TicketedGivenName != "ANIA" || p.TicketedFamilyName != "MARTIN" {
				t.Errorf("passenger = %+v", p)
			}
			if c := s.Contact; c.GivenName != "Ana" || c.FamilyName != "D'Angelo" || c.TicketedFamilyName != "DANGELO" {
				t.Errorf("contact = %+v", c)
			}
			s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
			want(t, s, checkout.Booked)
		})
	}
}

// TestCutoffAgainBeforeHold: a session created 2 hours and 3 minutes
// before its flight cannot be held 5 minutes later.
func TestCutoffAgainBeforeHold(t *testing.T) {
	e := newEnv(t, "")
	req := oneWay("citizenplane")
	e.clock.now = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	first := e.offer(t, req, from("citizenplane"))
	e.clock.now = first.Slices[0].DepartureAt().Add(-2*time.Hour - 3*time.Minute)
	o := e.offer(t, req, func(o *search.Offer) bool { return o.Slices[0].DepartureAt().Equal(first.Slices[0].DepartureAt()) })
	s := ok(t)(e.a.Checkout.Create(e.ctx, tenant, input(o)))
	e.clock.Add(5 * time.Minute)
	res, err := e.a.Checkout.Hold(e.ctx, tenant, s.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.BookingClosed || fault.Dotted(res.UserErrors[0].Field) != "input.checkoutSessionId" {
		t.Fatalf("user errors = %+v, want BOOKING_CLOSED", res.UserErrors)
	}
}
