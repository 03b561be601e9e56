package payments

import (
	"errors"
	"time"
)

// ErrInvalidRequest means a gateway refused a request before sending it:
// something in it breaks the gateway's documented limits (a cart item name
// too long, an amount too large, ...). The error says which field and why;
// nothing was created. Retrying the same request cannot succeed.
var ErrInvalidRequest = errors.New("payments: request outside the gateway's limits")

// Order describes what a payment is for, for gateways that take it (Gr4vy's
// checkout session): the cart, the airline addendum and the buyer. Field
// names and units follow Gr4vy's checkout session (seed documents 002 and
// 003): amounts in minor units, a line's total is
// UnitAmount × Quantity − DiscountAmount + TaxAmount. Gateways that take no
// order (Stripe, the sandbox) ignore it.
type Order struct {
	CartItems []CartItem
	Airline   *Airline
	Buyer     *Buyer
}

// CartItem is one line of the cart.
type CartItem struct {
	Name               string   `json:"name"`
	Quantity           int64    `json:"quantity"`
	UnitAmount         int64    `json:"unit_amount"`
	DiscountAmount     int64    `json:"discount_amount"`
	TaxAmount          int64    `json:"tax_amount"`
	ExternalIdentifier string   `json:"external_identifier,omitempty"`
	SKU                string   `json:"sku,omitempty"`
	ProductURL         string   `json:"product_url,omitempty"`
	ImageURL           string   `json:"image_url,omitempty"`
	Categories         []string `json:"categories,omitempty"`
	ProductType        string   `json:"product_type,omitempty"`
}

// Total is the line's total: UnitAmount × Quantity − DiscountAmount + TaxAmount.
func (c CartItem) Total() int64 { return c.UnitAmount*c.Quantity - c.DiscountAmount + c.TaxAmount }

// Airline is the airline addendum.
type Airline struct {
	PassengerNameRecord       string             `json:"passenger_name_record,omitempty"`
	BookingCode               string             `json:"booking_code,omitempty"`
	TicketNumber              string             `json:"ticket_number,omitempty"`
	TicketDeliveryMethod      string             `json:"ticket_delivery_method,omitempty"`
	IssuedAt                  *time.Time         `json:"issued_at,omitempty"`
	IssuedAddress             string             `json:"issued_address,omitempty"`
	TravelAgencyCode          string             `json:"travel_agency_code,omitempty"`
	TravelAgencyName          string             `json:"travel_agency_name,omitempty"`
	TravelAgencyInvoiceNumber string             `json:"travel_agency_invoice_number,omitempty"`
	TravelAgencyPlanName      string             `json:"travel_agency_plan_name,omitempty"`
	RestrictedTicket          *bool              `json:"restricted_ticket,omitempty"`
	IssuingCarrierCode        string             `json:"issuing_carrier_code,omitempty"`
	ReservationSystem         string             `json:"reservation_system,omitempty"`
	Passengers                []AirlinePassenger `json:"passengers,omitempty"`
	Legs                      []AirlineLeg       `json:"legs,omitempty"`
}

// AirlinePassenger is one travelling passenger.
type AirlinePassenger struct {
	Title               string `json:"title,omitempty"`
	FirstName           string `json:"first_name,omitempty"`
	LastName            string `json:"last_name,omitempty"`
	EmailAddress        string `json:"email_address,omitempty"`
	PhoneNumber         string `json:"phone_number,omitempty"`
	PassportNumber      string `json:"passport_number,omitempty"`
	TicketNumber        string `json:"ticket_number,omitempty"`
	FrequentFlyerNumber string `json:"frequent_flyer_number,omitempty"`
	DateOfBirth         string `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	AgeGroup            string `json:"age_group,omitempty"`     // adult, infant
}

// AirlineLeg is one flight (coupon) with its share of the amounts.
type AirlineLeg struct {
	CarrierCode        string     `json:"carrier_code,omitempty"`
	FlightNumber       string     `json:"flight_number,omitempty"`
	DepartureAt        *time.Time `json:"departure_at,omitempty"`
	DepartureCountry   string     `json:"departure_country,omitempty"`
	DepartureCity      string     `json:"departure_city,omitempty"`
	DepartureAirport   string     `json:"departure_airport,omitempty"`
	ArrivalAt          *time.Time `json:"arrival_at,omitempty"`
	ArrivalCountry     string     `json:"arrival_country,omitempty"`
	ArrivalCity        string     `json:"arrival_city,omitempty"`
	ArrivalAirport     string     `json:"arrival_airport,omitempty"`
	FareBasisCode      string     `json:"fare_basis_code,omitempty"`
	FlightClass        string     `json:"flight_class,omitempty"`
	StopOver           *bool      `json:"stop_over,omitempty"`
	RouteType          string     `json:"route_type,omitempty"` // round_trip, one_way
	CouponNumber       string     `json:"coupon_number,omitempty"`
	FareAmount         int64      `json:"fare_amount"`
	FeeAmount          int64      `json:"fee_amount"`
	TaxAmount          int64      `json:"tax_amount"`
	DepartureTaxAmount int64      `json:"departure_tax_amount"`
}

// Buyer is who pays; no buyer resource is created at the gateway.
type Buyer struct {
	ExternalIdentifier string          `json:"external_identifier,omitempty"`
	DisplayName        string          `json:"display_name,omitempty"`
	BillingDetails     *BillingDetails `json:"billing_details,omitempty"`
	AccountNumber      string          `json:"account_number,omitempty"`
}

// BillingDetails are the buyer's billing name, contact, address and tax id.
type BillingDetails struct {
	FirstName    string   `json:"first_name,omitempty"`
	LastName     string   `json:"last_name,omitempty"`
	EmailAddress string   `json:"email_address,omitempty"`
	PhoneNumber  string   `json:"phone_number,omitempty"`
	Address      *Address `json:"address,omitempty"`
	TaxID        *TaxID   `json:"tax_id,omitempty"`
}

// Address is a postal address.
type Address struct {
	City              string `json:"city,omitempty"`
	Country           string `json:"country,omitempty"`
	PostalCode        string `json:"postal_code,omitempty"`
	State             string `json:"state,omitempty"`
	StateCode         string `json:"state_code,omitempty"`
	HouseNumberOrName string `json:"house_number_or_name,omitempty"`
	Line1             string `json:"line1,omitempty"`
	Line2             string `json:"line2,omitempty"`
	Organization      string `json:"organization,omitempty"`
}

// TaxID is a tax identifier and its kind (gb.vat, eu.vat, ...).
type TaxID struct {
	Value string `json:"value"`
	Kind  string `json:"kind"`
}
