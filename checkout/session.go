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

	"github.com/faregraph/faregraph/db"
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
	// PriceChanged: a hold renewal found another price; the session waits
	// for acceptPriceChange (or its own expiry). Failure carries the old
	// and new totals.
	PriceChanged Status = "PRICE_CHANGED"
)

// Session is a checkout session as the saga sees it.
type Session struct {
	ID       string
	TenantID string
	Status   Status
	Version  int64

	OfferID    string
	Offer      providers.Offer
	Passengers []providers.Traveller
	Contact    providers.Contact
	Selections []Selection
	Items      []Item
	Airline    Airline
	Total      providers.Money
	Metadata   map[string]string

	GroupIdentifier string
	ExpiresAt       time.Time
	HoldExpiresAt   *time.Time

	// Holds has one entry per offer part once held.
	Holds []PartHold
	// Parts tracks each part's booking.
	Parts   []PartState
	Payment *Payment
	Failure *Failure
	// PriceRevision counts the price changes accepted (acceptPriceChange).
	PriceRevision int
	// PartialBooking is ALLOW or FORBID (sessions stored before the choice
	// existed read as FORBID, the default).
	PartialBooking PartialBooking

	// Bookings are the bookings made, read from their own table.
	Bookings []BookingRecord

	CreatedAt time.Time
	UpdatedAt time.Time

	// ReconcileAttempts counts the reconciler's lookups while a booking's
	// outcome is unknown; ReconcileAt is when it looks next.
	ReconcileAttempts int
	ReconcileAt       *time.Time

	// busyOp and busyUntil are the lease of the step under way.
	busyOp    string
	busyUntil *time.Time
	// leased is set on the copy of the step that took the lease: its
	// writes renew it (move) and a heartbeat keeps it alive meanwhile.
	leased bool
	// releaseDue is set on a final session whose payment is still to be
	// released (by the step that ended it, or else by the sweeper).
	releaseDue *time.Time
	// payGateway is the gateway a card payment is being set up through
	// (db.SessionRow.PaymentGateway), from the moment the pay step takes
	// the session, before the intent exists; Payment.Gateway once it does.
	payGateway string
	// steps are the saga steps to record with the session's next write
	// (see intend and outcome in steps.go).
	steps []db.StepRow
}

// Selection is an extra chosen at checkout, with what its signed id says.
type Selection struct {
	PartIndex      int
	PassengerIndex int
	Quantity       int
	Ancillary      providers.Ancillary
}

// Item is a cart line in minor units: Total = Unit × Quantity − Discount + Tax.
type Item struct {
	Name        string
	Quantity    int
	UnitAmount  int64
	Discount    int64
	Tax         int64
	Total       int64
	Currency    string
	ProductType string // FLIGHT, CHECKED_BAG, CABIN_BAG, SEAT
	PartIndex   int
}

// Airline is the airline addendum: what was flown, by whom, and the
// references once booked.
type Airline struct {
	Legs       []AirlineLeg
	Passengers []providers.Traveller // the session's own
	// Locators are the airline record locators, once known.
	Locators []string
}

// AirlineLeg is one flight of the addendum with its share of the fare: a
// leg in the airline addendum's sense (Gr4vy's "legs", one coupon each),
// not a searched direction (providers.OriginDestination).
type AirlineLeg struct {
	CarrierCode      string
	FlightNumber     string
	DepartureAirport string
	ArrivalAirport   string
	DepartureAt      time.Time
	ArrivalAt        time.Time
	RouteType        string // one_way, round_trip
	FareAmount       int64
	FeeAmount        int64
	TaxAmount        int64
	Provider         string
	PartIndex        int
	// BookingReference is our booking's reference (BookingRecord.Reference)
	// once the leg's part is booked; not the fare's booking code (RBD).
	BookingReference   string
	ProviderBookingRef string
}

// PartHold is a provider's hold of one part.
type PartHold struct {
	PartIndex int
	Provider  string
	Hold      providers.Hold
	HeldAt    time.Time
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
	// PartCanceled: booked, then canceled (voided) at the provider because
	// another part of an all-or-nothing trip failed.
	PartCanceled PartStatus = "CANCELED"
)

// PartState is one part's booking state.
type PartState struct {
	Status PartStatus
	Code   fault.Code
	// Amount is what booking the part costs (the part and its extras).
	Amount int64
	// Settlement is who takes the part's money; "" is MERCHANT (the
	// default, and every session stored before settlements existed).
	Settlement providers.Settlement
	// Forward is the card of a CARD_FORWARD part, once given.
	Forward *CardForward
	// IntentConfirmed is the provider's id (TransactionID) of the payment
	// intent of a PROVIDER_INTENT part that the app said it confirmed
	// (confirmProviderIntent, or the sandbox); the action is done while it
	// is the hold's latest intent's.
	IntentConfirmed string
	// Reference is our booking reference for the part, given at creation
	// (booking_references) and kept by its booking; "" for sessions
	// created before, until booked.
	Reference string
}

// PaymentMethod is how a session is paid.
type PaymentMethod string

const (
	Card       PaymentMethod = "CARD"
	CreditLine PaymentMethod = "CREDIT_LINE"
)

// Payment is a session's payment.
type Payment struct {
	Method       PaymentMethod
	Gateway      string
	IntentID     string
	Status       payments.Status
	Amount       int64
	Currency     string
	Captured     int64
	ClientSecret string
	EphemeralKey string
	CustomerID   string
	// ActionURL is where the buyer completes a 3-D Secure challenge while
	// Status is REQUIRES_ACTION (see payments.Intent.ActionURL).
	ActionURL   string
	Card        *payments.Card
	FailureCode string
	FailureMsg  string
}

// Failure says why a session failed.
type Failure struct {
	Code    fault.Code
	Message string
	// PreviousTotal and NewTotal are the session total before and after a
	// price change (code PRICE_CHANGED); nil otherwise.
	PreviousTotal, NewTotal *providers.Money
}

// PartialBooking says whether a trip may end with only some parts booked.
type PartialBooking string

const (
	// AllowPartial books every part independently; what books is kept.
	AllowPartial PartialBooking = "ALLOW"
	// ForbidPartial books all parts or none: when a part fails, the parts
	// booked are canceled where the provider allows it.
	ForbidPartial PartialBooking = "FORBID"
)

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
	// DepartsAt is the booking's first departure, nil for bookings made
	// before it was recorded.
	DepartsAt *time.Time
	// Schedule is its flights as last read from the provider (see
	// BookingChange), "" before the first read.
	Schedule string
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
