package gr4vy

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/faregraph/faregraph/payments"
)

// The limits of a checkout session as Gr4vy documents them (seed 003,
// "New checkout session"). Lengths are in characters.
const (
	MinExpiresIn = 3600
	MaxExpiresIn = 86400
	// MaxAmount bounds every amount and quantity (0 <= x <= 99999999).
	MaxAmount = 99999999
)

// ProductTypes are the cart item product types Gr4vy accepts.
var ProductTypes = []string{"physical", "discount", "shipping_fee", "sales_tax", "digital", "gift_card", "store_credit", "surcharge"}

// TaxIDKinds are the tax id kinds Gr4vy accepts.
var TaxIDKinds = []string{"ae.trn", "au.abn", "ar.dni", "ar.cuil", "ar.cuit", "br.cnpj", "br.cpf", "ca.bn", "ca.gst_hst", "ca.pst_bc",
	"ca.pst_mb", "ca.pst_sk", "ca.qst", "ch.vat", "cl.tin", "es.cif", "eu.vat", "gb.vat", "hk.br", "id.nik", "id.npwp", "in.gst", "jp.cn",
	"jp.rn", "kr.brn", "li.uid", "mx.curp", "my.frp", "my.itn", "my.nric", "my.sst", "no.vat", "nz.gst", "ph.tin", "ru.inn", "ru.kpp",
	"sa.vat", "sg.gst", "sg.uen", "th.id", "th.vat", "tw.vat", "us.ein", "za.vat"}

// SessionRequest is the body of POST /checkout/sessions.
type SessionRequest struct {
	ExpiresIn int                 `json:"expires_in,omitempty"`
	CartItems []payments.CartItem `json:"cart_items,omitempty"`
	Metadata  map[string]string   `json:"metadata,omitempty"`
	Airline   *payments.Airline   `json:"airline,omitempty"`
	Buyer     *payments.Buyer     `json:"buyer,omitempty"`
}

type checker struct{ errs []error }

func (c *checker) fail(field, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
}

// str checks an optional string's length (when set) against [min, max].
func (c *checker) str(field, v string, min, max int) {
	if v == "" {
		return
	}
	n := utf8.RuneCountInString(v)
	switch {
	case n < min:
		c.fail(field, "%d characters, at least %d", n, min)
	case n > max:
		c.fail(field, "%d characters, at most %d", n, max)
	}
}

// exact checks an optional string has exactly n characters.
func (c *checker) exact(field, v string, n int) { c.str(field, v, n, n) }

func (c *checker) amount(field string, v, min int64) {
	if v < min || v > MaxAmount {
		c.fail(field, "%d is outside %d..%d", v, min, MaxAmount)
	}
}

func (c *checker) oneOf(field, v string, allowed ...string) {
	if v != "" && !slices.Contains(allowed, v) {
		c.fail(field, "%q is not one of %v", v, allowed)
	}
}

// Validate reports every way r breaks Gr4vy's documented limits, joined,
// each error naming the JSON field ("cart_items[0].name: 256 characters,
// at most 255"); nil when r is within them.
func (r *SessionRequest) Validate() error {
	var c checker
	if r.ExpiresIn != 0 && (r.ExpiresIn < MinExpiresIn || r.ExpiresIn > MaxExpiresIn) {
		c.fail("expires_in", "%d is outside %d..%d seconds", r.ExpiresIn, MinExpiresIn, MaxExpiresIn)
	}
	for i, it := range r.CartItems {
		f := fmt.Sprintf("cart_items[%d].", i)
		if it.Name == "" {
			c.fail(f+"name", "required")
		}
		c.str(f+"name", it.Name, 1, 255)
		c.amount(f+"quantity", it.Quantity, 1)
		c.amount(f+"unit_amount", it.UnitAmount, 0)
		c.amount(f+"discount_amount", it.DiscountAmount, 0)
		c.amount(f+"tax_amount", it.TaxAmount, 0)
		c.str(f+"external_identifier", it.ExternalIdentifier, 1, 200)
		c.str(f+"sku", it.SKU, 1, 200)
		c.str(f+"product_url", it.ProductURL, 1, 2083)
		c.str(f+"image_url", it.ImageURL, 1, 2083)
		for j, cat := range it.Categories {
			if cat == "" {
				c.fail(fmt.Sprintf("%scategories[%d]", f, j), "empty")
			}
			c.str(fmt.Sprintf("%scategories[%d]", f, j), cat, 1, 50)
		}
		c.oneOf(f+"product_type", it.ProductType, ProductTypes...)
	}
	if a := r.Airline; a != nil {
		c.str("airline.passenger_name_record", a.PassengerNameRecord, 1, 50)
		c.str("airline.booking_code", a.BookingCode, 1, 50)
		c.str("airline.ticket_number", a.TicketNumber, 1, 50)
		c.oneOf("airline.ticket_delivery_method", a.TicketDeliveryMethod, "electronic", "other")
		c.str("airline.issued_address", a.IssuedAddress, 1, 255)
		c.str("airline.travel_agency_code", a.TravelAgencyCode, 1, 50)
		c.str("airline.travel_agency_name", a.TravelAgencyName, 1, 200)
		c.str("airline.travel_agency_invoice_number", a.TravelAgencyInvoiceNumber, 1, 50)
		c.str("airline.travel_agency_plan_name", a.TravelAgencyPlanName, 1, 200)
		c.exact("airline.issuing_carrier_code", a.IssuingCarrierCode, 2)
		c.str("airline.reservation_system", a.ReservationSystem, 1, 200)
		for i, p := range a.Passengers {
			f := fmt.Sprintf("airline.passengers[%d].", i)
			c.str(f+"title", p.Title, 1, 50)
			c.str(f+"first_name", p.FirstName, 1, 255)
			c.str(f+"last_name", p.LastName, 1, 255)
			c.str(f+"email_address", p.EmailAddress, 1, 320)
			c.str(f+"phone_number", p.PhoneNumber, 1, 50)
			c.str(f+"passport_number", p.PassportNumber, 1, 50)
			c.str(f+"ticket_number", p.TicketNumber, 1, 50)
			c.str(f+"frequent_flyer_number", p.FrequentFlyerNumber, 5, 50)
			c.oneOf(f+"age_group", p.AgeGroup, "adult", "infant")
		}
		for i, l := range a.Legs {
			f := fmt.Sprintf("airline.legs[%d].", i)
			c.exact(f+"carrier_code", l.CarrierCode, 2)
			c.str(f+"flight_number", l.FlightNumber, 3, 6)
			c.exact(f+"departure_country", l.DepartureCountry, 2)
			c.str(f+"departure_city", l.DepartureCity, 1, 100)
			c.exact(f+"departure_airport", l.DepartureAirport, 3)
			c.exact(f+"arrival_country", l.ArrivalCountry, 2)
			c.str(f+"arrival_city", l.ArrivalCity, 1, 100)
			c.exact(f+"arrival_airport", l.ArrivalAirport, 3)
			c.str(f+"fare_basis_code", l.FareBasisCode, 1, 8)
			c.str(f+"flight_class", l.FlightClass, 1, 5)
			c.oneOf(f+"route_type", l.RouteType, "round_trip", "one_way")
			c.str(f+"coupon_number", l.CouponNumber, 1, 50)
			c.amount(f+"fare_amount", l.FareAmount, 0)
			c.amount(f+"fee_amount", l.FeeAmount, 0)
			c.amount(f+"tax_amount", l.TaxAmount, 0)
			c.amount(f+"departure_tax_amount", l.DepartureTaxAmount, 0)
		}
	}
	if b := r.Buyer; b != nil {
		c.str("buyer.external_identifier", b.ExternalIdentifier, 1, 200)
		c.str("buyer.display_name", b.DisplayName, 1, 200)
		c.str("buyer.account_number", b.AccountNumber, 1, 255)
		if d := b.BillingDetails; d != nil {
			c.str("buyer.billing_details.first_name", d.FirstName, 1, 255)
			c.str("buyer.billing_details.last_name", d.LastName, 1, 255)
			c.str("buyer.billing_details.email_address", d.EmailAddress, 1, 320)
			c.str("buyer.billing_details.phone_number", d.PhoneNumber, 1, 50)
			if ad := d.Address; ad != nil {
				f := "buyer.billing_details.address."
				c.str(f+"city", ad.City, 1, 100)
				c.exact(f+"country", ad.Country, 2)
				c.str(f+"postal_code", ad.PostalCode, 1, 50)
				c.str(f+"state", ad.State, 1, 255)
				c.str(f+"state_code", ad.StateCode, 4, 6)
				c.str(f+"house_number_or_name", ad.HouseNumberOrName, 1, 255)
				c.str(f+"line1", ad.Line1, 1, 255)
				c.str(f+"line2", ad.Line2, 1, 255)
				c.str(f+"organization", ad.Organization, 1, 255)
			}
			if t := d.TaxID; t != nil {
				if t.Value == "" {
					c.fail("buyer.billing_details.tax_id.value", "required")
				}
				c.str("buyer.billing_details.tax_id.value", t.Value, 1, 50)
				if !slices.Contains(TaxIDKinds, t.Kind) {
					c.fail("buyer.billing_details.tax_id.kind", "%q is not a kind Gr4vy knows", t.Kind)
				}
			}
		}
	}
	return errors.Join(c.errs...)
}
