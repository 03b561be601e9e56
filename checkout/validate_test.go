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

func TestCreateValidation(t *testing.T) {
	e := newEnv(t, "")
	o := e.offer(t, oneWay("liteapi"), nil)
	for _, tt := range []struct {
		name  string
		mod   func(*checkout.CreateInput)
		field string
		code  fault.Code
	}{
		{"forged offer", func(in *checkout.CreateInput) { in.OfferID = "Offer.abc.def" }, "offerId", fault.OfferNotFound},
		{"no passengers", func(in *checkout.CreateInput) { in.Passengers = nil }, "passengers", fault.Required},
		{"too many adults", func(in *checkout.CreateInput) { in.Passengers = append(in.Passengers, in.Passengers[0]) }, "passengers", fault.PassengerMix},
		{"empty given name", func(in *checkout.CreateInput) { in.Passengers[0].GivenName = " " }, "passengers.0.givenName", fault.Required},
		{"long family name", func(in *checkout.CreateInput) { in.Passengers[0].FamilyName = strings.Repeat("a", 256) }, "passengers.0.familyName", fault.TooLong},
		{"digits in a name", func(in *checkout.CreateInput) { in.Passengers[0].GivenName = "R2D2" }, "passengers.0.givenName", fault.Invalid},
		{"gender", func(in *checkout.CreateInput) { in.Passengers[0].Gender = "X" }, "passengers.0.gender", fault.Invalid},
		{"adult too young", func(in *checkout.CreateInput) { in.Passengers[0].DateOfBirth = "2020-01-01" }, "passengers.0.dateOfBirth", fault.PassengerMix},
		{"born tomorrow", func(in *checkout.CreateInput) { in.Passengers[0].DateOfBirth = "2026-06-02" }, "passengers.0.dateOfBirth", fault.Invalid},
		{"bad date", func(in *checkout.CreateInput) { in.Passengers[0].DateOfBirth = "1985-02-30" }, "passengers.0.dateOfBirth", fault.Invalid},
		{"document expires before travel", func(in *checkout.CreateInput) { in.Passengers[0].DocumentExpiresOn = "2026-06-30" }, "passengers.0.document.expiresOn", fault.Invalid},
		{"document number", func(in *checkout.CreateInput) { in.Passengers[0].DocumentNumber = "AB-12" }, "passengers.0.document.number", fault.Invalid},
		{"issuing country", func(in *checkout.CreateInput) { in.Passengers[0].DocumentIssuingCountry = "XX" }, "passengers.0.document.issuingCountry", fault.Invalid},
		{"nationality lower case", func(in *checkout.CreateInput) { in.Passengers[0].Nationality = "fr" }, "passengers.0.document.nationality", fault.Invalid},
		{"passenger email", func(in *checkout.CreateInput) { in.Passengers[0].Email = "not-an-email" }, "passengers.0.email", fault.Invalid},
		{"passenger phone", func(in *checkout.CreateInput) { in.Passengers[0].PhoneNumber = "0612345678" }, "passengers.0.phoneNumber", fault.Invalid},
		{"contact email missing", func(in *checkout.CreateInput) { in.Contact.Email = "" }, "contact.email", fault.Required},
		{"contact email too long", func(in *checkout.CreateInput) { in.Contact.Email = strings.Repeat("a", 320) + "@example.com" }, "contact.email", fault.TooLong},
		{"contact phone", func(in *checkout.CreateInput) { in.Contact.PhoneNumber = "+33 6 12" }, "contact.phoneNumber", fault.Invalid},
		{"expiresIn low", func(in *checkout.CreateInput) { v := 60; in.ExpiresIn = &v }, "expiresIn", fault.OutOfRange},
		{"expiresIn zero", func(in *checkout.CreateInput) { v := 0; in.ExpiresIn = &v }, "expiresIn", fault.OutOfRange},
		{"expiresIn high", func(in *checkout.CreateInput) { v := 86401; in.ExpiresIn = &v }, "expiresIn", fault.OutOfRange},
		{"ancillary forged", func(in *checkout.CreateInput) {
			in.Ancillaries = []checkout.AncillaryChoice{{ID: "Ancillary.x.y", Quantity: 1}}
		}, "ancillaries.0.ancillaryId", fault.AncillaryNotFound},
		{"metadata key", func(in *checkout.CreateInput) { in.Metadata = map[string]string{"bad key!": "v"} }, "metadata.bad key!", fault.Invalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := input(o)
			in.Passengers = append([]providers.Traveller(nil), in.Passengers...)
			tt.mod(&in)
			res, err := e.a.Checkout.Create(e.ctx, tenant, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Session != nil {
				t.Fatalf("a session was created")
			}
			for _, ue := range res.UserErrors {
				if fault.Dotted(ue.Field) == "input."+tt.field && ue.Code == tt.code {
					return
				}
			}
			t.Errorf("user errors %+v, want %s on %s", res.UserErrors, tt.code, tt.field)
		})
	}
	t.Run("infants above adults", func(t *testing.T) {
		o := e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", Passengers: providers.Passengers{Adults: 2, Infants: 1}, Providers: []string{"liteapi"}}, nil)
		in := input(o)
		in.Passengers[1].Type, in.Passengers[1].DateOfBirth = providers.Infant, "2025-11-01"
		res, _ := e.a.Checkout.Create(e.ctx, tenant, in)
		if len(res.UserErrors) == 0 || res.UserErrors[len(res.UserErrors)-2].Code != fault.PassengerMix {
			t.Errorf("user errors %+v", res.UserErrors)
		}
	})
	t.Run("expired offer", func(t *testing.T) {
		e.clock.Add(2 * time.Hour)
		defer e.clock.Add(-2 * time.Hour)
		res, _ := e.a.Checkout.Create(e.ctx, tenant, input(o))
		if len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.OfferExpired {
			t.Errorf("user errors %+v", res.UserErrors)
		}
	})
}
