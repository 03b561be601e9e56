// Package checkout runs the hold → pay → book saga of checkout sessions:
// it validates what a traveller gives, holds seats with every provider part
// of an offer, takes the payment (a card authorization, or a tenant's
// credit line), books every part, captures what was booked, and keeps the
// session's every state change in the database as one conditional UPDATE,
// so that a retried or concurrent call can never apply a change twice. A
// reconciler resolves bookings whose outcome a provider left unknown by
// asking the provider, never by booking again blindly.
package checkout

import (
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
)

// Status is a checkout session's state.
type Status string

const (
	Open            Status = "OPEN"
	Held            Status = "HELD"
	PaymentPending  Status = "PAYMENT_PENDING"
	Authorized      Status = "AUTHORIZED"
	Booking         Status = "BOOKING"
	Booked          Status = "BOOKED"
	PartiallyBooked Status = "PARTIALLY_BOOKED"
	Failed          Status = "FAILED"
	Expired         Status = "EXPIRED"
	Canceled        Status = "CANCELED"
	NeedsAttention  Status = "NEEDS_ATTENTION"
)

// Final reports whether no further change can happen to a session in s.
func (s Status) Final() bool {
	switch s {
	case Booked, PartiallyBooked, Failed, Expired, Canceled:
		return true
	}
	return false
}

// Session is a checkout session as the saga sees it.
type Session struct {
	ID       string `json:"-"`
	TenantID string `json:"-"`
	Status   Status `json:"-"`
	Version  int64  `json:"-"`

	OfferID    string                `json:"offerId"`
	Offer      providers.Offer       `json:"offer"`
	Passengers []providers.Traveller `json:"passengers"`
	Contact    providers.Contact     `json:"contact"`
	Selections []Selection           `json:"selections,omitempty"`
	Items      []Item                `json:"items"`
	Airline    Airline               `json:"airline"`
	Total      providers.Money       `json:"total"`
	Metadata   map[string]string     `json:"metadata,omitempty"`

	GroupIdentifier string     `json:"-"`
	ExpiresAt       time.Time  `json:"-"`
	HoldExpiresAt   *time.Time `json:"-"`

	// Holds has one entry per offer part once held.
	Holds []PartHold `json:"holds,omitempty"`
	// Parts tracks each part's booking.
	Parts   []PartState `json:"parts,omitempty"`
	Payment *Payment    `json:"payment,omitempty"`
	Failure *Failure    `json:"failure,omitempty"`

	// Bookings are the bookings made, read from their own table.
	Bookings []BookingRecord `json:"-"`

	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`

	busyOp    string
	busyUntil *time.Time
}

// Selection is an extra chosen at checkout, with what its signed id says.
type Selection struct {
	PartIndex      int                 `json:"partIndex"`
	PassengerIndex int                 `json:"passengerIndex"`
	Quantity       int                 `json:"quantity"`
	Ancillary      providers.Ancillary `json:"ancillary"`
}

// Item is a cart line in minor units: Total = Unit × Quantity − Discount + Tax.
type Item struct {
	Name        string `json:"name"`
	Quantity    int    `json:"quantity"`
	UnitAmount  int64  `json:"unitAmount"`
	Discount    int64  `json:"discountAmount"`
	Tax         int64  `json:"taxAmount"`
	Total       int64  `json:"total"`
	Currency    string `json:"currency"`
	ProductType string `json:"productType"` // FLIGHT, CHECKED_BAG, CABIN_BAG, SEAT
	PartIndex   int    `json:"partIndex"`
}

// Airline is the airline addendum: what was flown, by whom, and the
// references once booked.
type Airline struct {
	Legs       []Leg                 `json:"legs"`
	Passengers []providers.Traveller `json:"-"` // the session's own
	// PNRs are the airline record locators, once known.
	PNRs []string `json:"pnrs,omitempty"`
}

// Leg is one flight of the addendum with its share of the fare.
type Leg struct {
	CarrierCode        string    `json:"carrierCode"`
	FlightNumber       string    `json:"flightNumber"`
	DepartureAirport   string    `json:"departureAirport"`
	ArrivalAirport     string    `json:"arrivalAirport"`
	DepartureAt        time.Time `json:"departureAt"`
	ArrivalAt          time.Time `json:"arrivalAt"`
	RouteType          string    `json:"routeType"` // one_way, round_trip
	FareAmount         int64     `json:"fareAmount"`
	FeeAmount          int64     `json:"feeAmount"`
	TaxAmount          int64     `json:"taxAmount"`
	Provider           string    `json:"provider"`
	PartIndex          int       `json:"partIndex"`
	BookingCode        string    `json:"bookingCode,omitempty"`
	ProviderBookingRef string    `json:"providerReference,omitempty"`
}

// PartHold is a provider's hold of one part.
type PartHold struct {
	PartIndex int            `json:"partIndex"`
	Provider  string         `json:"provider"`
	Hold      providers.Hold `json:"hold"`
	HeldAt    time.Time      `json:"heldAt"`
}

// PartStatus is where one part's booking stands.
type PartStatus string

const (
	PartPending PartStatus = "PENDING"
	PartBooked  PartStatus = "BOOKED"
	PartFailed  PartStatus = "FAILED"
	// PartUnknown: the provider's answer left the outcome unknown; the
	// reconciler asks the provider.
	PartUnknown PartStatus = "UNKNOWN"
)

// PartState is one part's booking state.
type PartState struct {
	Status PartStatus `json:"status"`
	Code   fault.Code `json:"code,omitempty"`
	// Amount is what booking the part costs (the part and its extras).
	Amount int64 `json:"amount"`
}

// PaymentMethod is how a session is paid.
type PaymentMethod string

const (
	Card       PaymentMethod = "CARD"
	CreditLine PaymentMethod = "CREDIT_LINE"
)

// Payment is a session's payment.
type Payment struct {
	Method       PaymentMethod   `json:"method"`
	Gateway      string          `json:"gateway,omitempty"`
	IntentID     string          `json:"intentId,omitempty"`
	Status       payments.Status `json:"status"`
	Amount       int64           `json:"amount"`
	Currency     string          `json:"currency"`
	Captured     int64           `json:"captured"`
	ClientSecret string          `json:"clientSecret,omitempty"`
	EphemeralKey string          `json:"ephemeralKey,omitempty"`
	CustomerID   string          `json:"customerId,omitempty"`
	Card         *payments.Card  `json:"card,omitempty"`
	FailureCode  string          `json:"failureCode,omitempty"`
	FailureMsg   string          `json:"failureMessage,omitempty"`
}

// Failure says why a session failed.
type Failure struct {
	Code    fault.Code `json:"code"`
	Message string     `json:"message"`
}

// BookingRecord is a booking a session made with a provider.
type BookingRecord struct {
	ID                string
	TenantID          string
	SessionID         string
	PartIndex         int
	Reference         string
	Provider          string
	ProviderReference string
	Status            providers.BookingStatus
	Amount            providers.Money
	GroupIdentifier   string
	Locators          []string
	CreatedAt         time.Time
}

// Event is one recorded state change of a session.
type Event struct {
	Version int64
	From    Status
	To      Status
	Name    string
	Detail  string
	At      time.Time
}
