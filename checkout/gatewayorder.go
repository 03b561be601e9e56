package checkout

import (
	"fmt"
	"strings"
	"time"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
)

// gatewayOrder is what the session's MERCHANT payment is for, in the shape
// gateways that take an order expect (Gr4vy's checkout session): the cart
// lines and airline legs of the parts we charge for, the passengers with
// their ticketed names, and the contact as buyer. The lines sum to
// merchantTotal.
func gatewayOrder(sess *Session) *payments.Order {
	merchant := func(i int) bool { return settlementOf(sess, i) == providers.Merchant }
	o := &payments.Order{}
	for i, it := range sess.Items {
		if !merchant(it.PartIndex) {
			continue
		}
		o.CartItems = append(o.CartItems, payments.CartItem{
			Name: it.Name, Quantity: int64(it.Quantity), UnitAmount: it.UnitAmount, DiscountAmount: it.Discount, TaxAmount: it.Tax,
			ExternalIdentifier: fmt.Sprintf("%s-%d", sess.ID, i), ProductType: "digital",
			Categories: []string{strings.ToLower(it.ProductType)},
		})
	}
	a := &payments.Airline{}
	for _, l := range sess.Airline.Legs {
		if !merchant(l.PartIndex) {
			continue
		}
		flight := l.FlightNumber
		if len(flight) < 3 || strings.Trim(flight, "0123456789") == "" {
			flight = l.CarrierCode + flight // Gr4vy's example: "BA98"
		}
		dep, arr := l.DepartureAt, l.ArrivalAt
		leg := payments.AirlineLeg{CarrierCode: l.CarrierCode, FlightNumber: flight, DepartureAirport: l.DepartureAirport,
			ArrivalAirport: l.ArrivalAirport, RouteType: l.RouteType, FareAmount: l.FareAmount, FeeAmount: l.FeeAmount, TaxAmount: l.TaxAmount}
		if !dep.IsZero() {
			leg.DepartureAt = &dep
		}
		if !arr.IsZero() {
			leg.ArrivalAt = &arr
		}
		a.Legs = append(a.Legs, leg)
	}
	for _, p := range sess.Passengers {
		t := p.Ticketed()
		ap := payments.AirlinePassenger{FirstName: t.GivenName, LastName: t.FamilyName, EmailAddress: t.Email, PhoneNumber: t.PhoneNumber,
			PassportNumber: t.DocumentNumber}
		if d, err := p.DateOfBirth.Time(); err == nil {
			ap.DateOfBirth = d.Format(time.DateOnly)
		}
		switch p.Type {
		case providers.Adult:
			ap.AgeGroup = "adult"
		case providers.Infant:
			ap.AgeGroup = "infant"
		}
		a.Passengers = append(a.Passengers, ap)
	}
	if len(sess.Airline.Locators) > 0 {
		a.PassengerNameRecord = sess.Airline.Locators[0]
	}
	if len(a.Legs) > 0 || len(a.Passengers) > 0 {
		o.Airline = a
	}
	c := sess.Contact.Ticketed()
	o.Buyer = &payments.Buyer{ExternalIdentifier: sess.ID, DisplayName: strings.TrimSpace(c.GivenName + " " + c.FamilyName),
		BillingDetails: &payments.BillingDetails{FirstName: c.GivenName, LastName: c.FamilyName, EmailAddress: c.Email, PhoneNumber: c.PhoneNumber}}
	return o
}
