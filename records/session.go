package records

import "time"

// Session is the document a checkout session stores in its row's data
// column (package checkout owns the converters): everything about the
// session the database does not filter on. Instants are UTC; flight
// times carry their airport's offset.
type Session struct {
	Header
	OfferID    string            `json:"offerId"`
	Offer      Offer             `json:"offer"`
	Passengers []Traveller       `json:"passengers"`
	Contact    Contact           `json:"contact"`
	Selections []Selection       `json:"selections,omitempty"`
	Items      []Item            `json:"items"`
	Airline    Airline           `json:"airline"`
	Total      Money             `json:"total"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Holds      []PartHold        `json:"holds,omitempty"`
	Parts      []PartState       `json:"parts,omitempty"`
	Payment    *Payment          `json:"payment,omitempty"`
	Failure    *Failure          `json:"failure,omitempty"`
	// PriceRevision counts the price changes accepted; the payment of
	// each revision has its own gateway key.
	PriceRevision int `json:"priceRevision,omitempty"`
	// PartialBooking is ALLOW or FORBID; empty in documents written before
	// it existed, which are read as FORBID, the default.
	PartialBooking string `json:"partialBooking,omitempty"`
}

// Selection is an extra chosen at checkout for one passenger of one part.
type Selection struct {
	PartIndex      int       `json:"partIndex"`
	PassengerIndex int       `json:"passengerIndex"`
	Quantity       int       `json:"quantity"`
	Ancillary      Ancillary `json:"ancillary"`
}

// Item is a cart line in minor units.
type Item struct {
	Name        string `json:"name"`
	Quantity    int    `json:"quantity"`
	UnitAmount  int64  `json:"unitAmount"`
	Discount    int64  `json:"discountAmount"`
	Tax         int64  `json:"taxAmount"`
	Total       int64  `json:"total"`
	Currency    string `json:"currency"`
	ProductType string `json:"productType"`
	PartIndex   int    `json:"partIndex"`
}

// Airline is the airline addendum without its passengers (the session's own).
type Airline struct {
	Legs []AirlineLeg `json:"legs"`
	// Locators are the airline record locators; stored under "pnrs".
	Locators []string `json:"pnrs,omitempty"`
}

// AirlineLeg is one flight of the addendum with its share of the fare.
type AirlineLeg struct {
	CarrierCode        string    `json:"carrierCode"`
	FlightNumber       string    `json:"flightNumber"`
	DepartureAirport   string    `json:"departureAirport"`
	ArrivalAirport     string    `json:"arrivalAirport"`
	DepartureAt        time.Time `json:"departureAt"`
	ArrivalAt          time.Time `json:"arrivalAt"`
	RouteType          string    `json:"routeType"`
	FareAmount         int64     `json:"fareAmount"`
	FeeAmount          int64     `json:"feeAmount"`
	TaxAmount          int64     `json:"taxAmount"`
	Provider           string    `json:"provider"`
	PartIndex          int       `json:"partIndex"`
	BookingReference   string    `json:"bookingCode,omitempty"` // our booking's reference, stored under "bookingCode"
	ProviderBookingRef string    `json:"providerReference,omitempty"`
}

// PartHold is a provider's hold of one part.
type PartHold struct {
	PartIndex int       `json:"partIndex"`
	Provider  string    `json:"provider"`
	Hold      Hold      `json:"hold"`
	HeldAt    time.Time `json:"heldAt"`
}

// PartState is where one part's booking stands.
type PartState struct {
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
	Amount int64  `json:"amount"`
	// Settlement is MERCHANT, PROVIDER_INTENT or CARD_FORWARD; absent
	// (documents written before it existed, and MERCHANT parts) reads as
	// MERCHANT.
	Settlement string `json:"settlement,omitempty"`
	// Forward is the card of a CARD_FORWARD part, once given.
	Forward *CardForward `json:"forward,omitempty"`
	// IntentConfirmed is the transaction id of the provider's intent the
	// app confirmed (PROVIDER_INTENT); absent until then.
	IntentConfirmed string `json:"intentConfirmed,omitempty"`
	// Reference is our booking reference for the part, given at creation;
	// absent in documents written before references were given then.
	Reference string `json:"reference,omitempty"`
}

// CardForward is a card forwarded to a provider: a Stripe PaymentMethod
// id and the 3-D Secure results, if any.
type CardForward struct {
	PaymentMethod string        `json:"paymentMethod"`
	ThreeDSecure  *ThreeDSecure `json:"threeDSecure,omitempty"`
}

// ThreeDSecure is providers.ThreeDSecure.
type ThreeDSecure struct {
	Version                     string `json:"version"`
	ElectronicCommerceIndicator string `json:"eci"`
	Cryptogram                  string `json:"cryptogram"`
	TransactionID               string `json:"transactionId"`
}

// Payment is a session's payment.
type Payment struct {
	Method       string `json:"method"`
	Gateway      string `json:"gateway,omitempty"`
	IntentID     string `json:"intentId,omitempty"`
	Status       string `json:"status"`
	Amount       int64  `json:"amount"`
	Currency     string `json:"currency"`
	Captured     int64  `json:"captured"`
	ClientSecret string `json:"clientSecret,omitempty"`
	EphemeralKey string `json:"ephemeralKey,omitempty"`
	CustomerID   string `json:"customerId,omitempty"`
	ActionURL    string `json:"actionUrl,omitempty"`
	Card         *Card  `json:"card,omitempty"`
	FailureCode  string `json:"failureCode,omitempty"`
	FailureMsg   string `json:"failureMessage,omitempty"`
}

// Card is the card summary of a payment. Its names are the Go field names
// version 1 was written with.
type Card struct {
	Scheme   string `json:"Scheme"`
	Last4    string `json:"Last4"`
	BIN      string `json:"BIN"`
	CardType string `json:"CardType"`
	Country  string `json:"Country"`
}

// Failure says why a session failed.
type Failure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// PreviousTotal and NewTotal are set for PRICE_CHANGED.
	PreviousTotal *Money `json:"previousTotal,omitempty"`
	NewTotal      *Money `json:"newTotal,omitempty"`
}

// BookingData is the document a booking stores in its row's data column.
type BookingData struct {
	Header
	// Locators are the airline record locators; null when none are known.
	Locators []string `json:"locators"`
}

// Replay is the answer an idempotency key stores and replays to a repeat
// of the request: the session as it was answered (its row, whose Data is
// an encoded Session, and its bookings' rows) and the user errors.
type Replay struct {
	Header
	Session    *SessionRow  `json:"row,omitempty"`
	Bookings   []BookingRow `json:"bookings,omitempty"`
	UserErrors []UserError  `json:"userErrors,omitempty"`
	// Warnings are the answer's warnings; absent in records written
	// before there were warnings, which decode as none.
	Warnings []UserError `json:"warnings,omitempty"`
}

// SessionRow is a checkout session's row as a Replay holds it. Its names
// are the Go field names version 1 was written with.
type SessionRow struct {
	ID              string     `json:"ID"`
	TenantID        string     `json:"TenantID"`
	Status          string     `json:"Status"`
	Version         int64      `json:"Version"`
	BusyOp          string     `json:"BusyOp"`
	BusyUntil       *time.Time `json:"BusyUntil"`
	OfferID         string     `json:"OfferID"`
	PaymentRef      string     `json:"PaymentRef"`
	Data            string     `json:"Data"`
	TotalAmount     int64      `json:"TotalAmount"`
	Currency        string     `json:"Currency"`
	GroupIdentifier string     `json:"GroupIdentifier"`
	ExpiresAt       time.Time  `json:"ExpiresAt"`
	HoldExpiresAt   *time.Time `json:"HoldExpiresAt"`
	CreatedAt       time.Time  `json:"CreatedAt"`
	UpdatedAt       time.Time  `json:"UpdatedAt"`
}

// BookingRow is a booking's row as a Replay holds it; Data is an encoded
// BookingData. Its names are the Go field names version 1 was written with.
type BookingRow struct {
	ID                string    `json:"ID"`
	TenantID          string    `json:"TenantID"`
	SessionID         string    `json:"SessionID"`
	PartIndex         int       `json:"PartIndex"`
	Reference         string    `json:"Reference"`
	Provider          string    `json:"Provider"`
	ProviderReference string    `json:"ProviderReference"`
	Status            string    `json:"Status"`
	Amount            int64     `json:"Amount"`
	Currency          string    `json:"Currency"`
	GroupIdentifier   string    `json:"GroupIdentifier"`
	Data              string    `json:"Data"`
	CreatedAt         time.Time `json:"CreatedAt"`
	UpdatedAt         time.Time `json:"UpdatedAt"`
}

// UserError is a problem the caller can fix, as a Replay answers it
// again: the input path, a client code, a message. Its names are the Go
// field names version 1 was written with.
type UserError struct {
	Field   []string `json:"Field"`
	Code    string   `json:"Code"`
	Message string   `json:"Message"`
}
