package providers

import (
	"cmp"
	"context"
	"time"
)

// PassengerType is a traveller's fare type.
type PassengerType string

const (
	Adult  PassengerType = "ADULT"  // 12 or more
	Child  PassengerType = "CHILD"  // 2 to 11
	Infant PassengerType = "INFANT" // under 2, on an adult's lap
)

// Count adds one traveller of type t to p and reports whether t is one of
// Adult, Child and Infant (p is unchanged otherwise).
func (p *Passengers) Count(t PassengerType) bool {
	switch t {
	case Adult:
		p.Adults++
	case Child:
		p.Children++
	case Infant:
		p.Infants++
	default:
		return false
	}
	return true
}

// Traveller is a passenger as providers need one to hold and book.
// Countries are ISO 3166-1 alpha-2, upper case ("FR"). Its json names are
// part of the request hash an idempotency key stores (package checkout,
// guarded by TestRequestHashIsStable); stored sessions use
// records.Traveller.
type Traveller struct {
	Type                   PassengerType `json:"type"`
	GivenName              string        `json:"givenName"`
	FamilyName             string        `json:"familyName"`
	Gender                 string        `json:"gender"` // "MALE" or "FEMALE"
	DateOfBirth            Date          `json:"dateOfBirth"`
	DocumentNumber         string        `json:"documentNumber"`
	DocumentExpiresOn      Date          `json:"documentExpiresOn"`
	DocumentIssuingCountry string        `json:"documentIssuingCountry"`
	Nationality            string        `json:"nationality"`
	Email                  string        `json:"email,omitempty"`
	PhoneNumber            string        `json:"phoneNumber,omitempty"` // E.164
	// TicketedGivenName and TicketedFamilyName are the names as the
	// airline tickets them (package rules: ICAO 9303 transliteration, upper
	// case A to Z and spaces), set by checkout once the names are checked;
	// empty on input. Providers and payment gateways get only these
	// (Ticketed).
	TicketedGivenName  string `json:"ticketedGivenName,omitempty"`
	TicketedFamilyName string `json:"ticketedFamilyName,omitempty"`
}

// Ticketed returns t as it is sent to providers: its given and family
// names replaced by their ticketed forms, when set.
func (t Traveller) Ticketed() Traveller {
	t.GivenName, t.FamilyName = cmp.Or(t.TicketedGivenName, t.GivenName), cmp.Or(t.TicketedFamilyName, t.FamilyName)
	return t
}

// Contact is who the provider writes to about a booking. Its json names
// are part of the request hash an idempotency key stores, as Traveller's.
type Contact struct {
	GivenName   string `json:"givenName"`
	FamilyName  string `json:"familyName"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phoneNumber"` // E.164, "+33600000000"
	// TicketedGivenName and TicketedFamilyName are the names in Latin
	// letters, as Traveller's.
	TicketedGivenName  string `json:"ticketedGivenName,omitempty"`
	TicketedFamilyName string `json:"ticketedFamilyName,omitempty"`
}

// Ticketed returns c as it is sent to providers and payment gateways: its
// names replaced by their ticketed forms, when set.
func (c Contact) Ticketed() Contact {
	c.GivenName, c.FamilyName = cmp.Or(c.TicketedGivenName, c.GivenName), cmp.Or(c.TicketedFamilyName, c.FamilyName)
	return c
}

// Selection is an extra chosen for one traveller: an Ancillary.Ref of the
// part, the 0-based index of the traveller, and how many.
type Selection struct {
	Ref            string `json:"ref"`
	PassengerIndex int    `json:"passengerIndex"`
	Quantity       int    `json:"quantity"`
}

// HoldRequest asks a provider to hold a part's seats (and chosen extras)
// for the travellers, at the price searched.
type HoldRequest struct {
	Part       Part
	Travellers []Traveller
	Contact    Contact
	// Selections are the extras chosen with this part (refs of this part's
	// ancillaries only).
	Selections []Selection
	// Settlement is who takes the money for the part; "" is Merchant.
	// ProviderIntent asks the provider for its own payment intent, which
	// the hold then carries (Hold.Intent).
	Settlement Settlement
}

// Hold is a provider's hold of a part: seats and prices guaranteed until
// ExpiresAt.
type Hold struct {
	// Ref is the provider's own id of the hold (CitizenPlane request ids
	// "244401,244402", a LiteAPI prebookId), opaque outside the adapter.
	Ref       string
	ExpiresAt time.Time
	// Total is what the provider will charge for the part with its
	// extras, as held.
	Total Money
	// Ancillaries are extras the provider offers with the hold, if it says
	// (LiteAPI servicesAttachable).
	Ancillaries []Ancillary
	// Intent is the provider's own payment intent for the hold, when it
	// was asked for one (Settlement ProviderIntent): the latest one, after
	// any extras were attached.
	Intent *Intent
}

// Settlement says who takes a part's money.
type Settlement string

const (
	// Merchant: we charge the traveller through our own gateway (or a
	// tenant's credit line) and the provider is paid on account
	// (CitizenPlane self_psp, LiteAPI CREDIT).
	Merchant Settlement = "MERCHANT"
	// ProviderIntent: the provider creates a Stripe payment intent with the
	// hold (LiteAPI usePaymentSdk), the app confirms it with Stripe's SDK,
	// and the booking names it (LiteAPI TRANSACTION_ID).
	ProviderIntent Settlement = "PROVIDER_INTENT"
	// CardForward: the app makes a Stripe PaymentMethod with the provider's
	// restricted key and the booking carries it, with any 3-D Secure
	// results, for the provider to charge (CitizenPlane payment_method).
	CardForward Settlement = "CARD_FORWARD"
)

// Settler is implemented by adapters that settle in other ways than
// Merchant; Settlements lists every way the provider supports, Merchant
// included. An adapter without it settles only as Merchant.
type Settler interface {
	Settlements() []Settlement
}

// Intent is a provider's payment intent (LiteAPI transactionId and
// secretKey: the Stripe PaymentIntent's client secret).
type Intent struct {
	TransactionID string
	ClientSecret  string
	Amount        Money
}

// ThreeDSecure is the result of a 3-D Secure authentication, as
// CitizenPlane takes it.
type ThreeDSecure struct {
	Version                     string
	ElectronicCommerceIndicator string
	Cryptogram                  string
	TransactionID               string
}

// Payment is how a booking is paid to the provider.
type Payment struct {
	// Settlement is the part's; "" is Merchant (paid on account).
	Settlement Settlement
	// TransactionID is the provider intent to book with (ProviderIntent).
	TransactionID string
	// PaymentMethod is the Stripe PaymentMethod (pm_...) the provider
	// charges (CardForward), with ThreeDSecure when authenticated.
	PaymentMethod string
	ThreeDSecure  *ThreeDSecure
}

// Holder holds seats. A part that cannot be held because it is sold out
// is an *Error with code SoldOut; one whose price moved, PriceChanged; an
// expired offer, OfferExpired. Holding the same part twice makes two holds.
// When the provider did hold the part, at another price, a Holder may
// return that hold (its Total the new price) together with the
// PriceChanged error, so that the caller can offer the new price.
type Holder interface {
	Hold(ctx context.Context, r HoldRequest) (*Hold, error)
}

// AttachRequest asks a provider to add extras (seats) to a hold it made,
// before booking.
type AttachRequest struct {
	Part Part
	Hold Hold
	// Selections are the extras to add, refs of Hold.Ancillaries.
	Selections []Selection
}

// Attacher adds extras to a hold (LiteAPI: POST
// /flights/prebooks/{prebookId}/services). It answers the hold as it now
// stands: the same Ref, the new Total with the extras, and the extras
// still on offer. A seat taken meanwhile is an *Error with code SoldOut.
// Providers that sell seats only with the hold request (or none at all)
// do not implement it.
type Attacher interface {
	Attach(ctx context.Context, r AttachRequest) (*Hold, error)
}

// BookRequest asks a provider to turn a hold into a booking. With
// Payment's zero value we take the payment ourselves and the provider is
// paid on account (CitizenPlane self_psp, LiteAPI credit); otherwise
// Payment says how the provider is paid.
type BookRequest struct {
	Part       Part
	Hold       Hold
	Travellers []Traveller
	Contact    Contact
	// ExternalID is our own id of the booking, sent where the provider
	// keeps one so that the booking can be traced back (CitizenPlane
	// external_id).
	ExternalID string
	// Payment is how the provider is paid.
	Payment Payment
}

// BookingStatus is a provider booking's state, in our words.
type BookingStatus string

const (
	// BookingConfirmed: the provider confirmed (ticketed or about to be).
	BookingConfirmed BookingStatus = "CONFIRMED"
	// BookingPending: accepted, confirmation to follow.
	BookingPending BookingStatus = "PENDING"
	// BookingCanceled: canceled at the provider.
	BookingCanceled BookingStatus = "CANCELED"
)

// Booking is a provider's booking.
type Booking struct {
	// Reference is the provider's reference (cp_reference, LiteAPI bookingId).
	Reference string        `json:"reference"`
	Status    BookingStatus `json:"status"`
	Total     Money         `json:"total"`
	// Locators are the airlines' record locators (PNRs), when known.
	Locators []string `json:"locators,omitempty"`
	// Slices are the flights as the provider has them now (schedule changes).
	Slices []Slice `json:"slices,omitempty"`
	// Refund is what the provider refunds for a cancellation it completed,
	// when its answer says (LiteAPI refund_amount); nil otherwise.
	Refund *Money `json:"refund,omitempty"`
}

// Booker books held parts.
//
// Book answers the booking, or an *Error. An error whose code is Timeout
// or Unavailable leaves the outcome unknown (the provider may have booked):
// callers must not book again but ask FindBooking. A hold that expired is
// HoldExpired; a price that moved, PriceChanged; seats gone, SoldOut.
//
// FindBooking looks up the booking made from r's hold: (nil, nil) means
// the provider has none and will make none for it (the hold is gone). The
// providers we sell have no read-only lookup by hold; their documented way
// is to replay the booking request, which they accept at most once per
// hold. So a hold still live and never booked may be booked by this call:
// call it only for a booking that is still wanted, never to probe.
type Booker interface {
	Book(ctx context.Context, r BookRequest) (*Booking, error)
	FindBooking(ctx context.Context, r BookRequest) (*Booking, error)
}

// Canceller cancels (voids) bookings, for the providers that allow it.
// Cancel cancels the booking with the provider's reference and answers it
// with status BookingCanceled; canceling a canceled booking answers the
// same. A cancellation the provider accepted but has not completed answers
// the booking with its current status (not BookingCanceled). An unknown
// reference is NotFound.
type Canceller interface {
	Cancel(ctx context.Context, reference string) (*Booking, error)
}

// CancellationQuote is what cancelling a booking would refund and cost,
// as the provider quotes it now.
type CancellationQuote struct {
	// Refundable: the provider refunds something on cancellation.
	Refundable bool
	// Voidable: the booking can still be voided (no penalty).
	Voidable bool
	// Refund is what the provider would refund; Penalty what it keeps.
	Refund, Penalty Money
}

// CancellationQuoter quotes the cancellation of a booking by the
// provider's reference, for the providers that can cancel. An unknown
// reference is NotFound; a booking that cannot be canceled any more
// (already canceled, flown) is Rejected.
type CancellationQuoter interface {
	QuoteCancellation(ctx context.Context, reference string) (*CancellationQuote, error)
}

// BookingRetriever reads a booking back by the provider's reference, with
// the latest flight information. An unknown reference is NotFound.
type BookingRetriever interface {
	Retrieve(ctx context.Context, reference string) (*Booking, error)
}

// Error codes of the write side.
const (
	// SoldOut: not enough seats left to hold or book.
	SoldOut ErrorCode = "SOLD_OUT"
	// PriceChanged: the provider's price is no longer the one held or searched.
	PriceChanged ErrorCode = "PRICE_CHANGED"
	// HoldExpired: the hold lapsed before booking.
	HoldExpired ErrorCode = "HOLD_EXPIRED"
	// PaymentDeclined: the provider charged the card forwarded to it
	// (CardForward) and the charge was declined; nothing was booked, and
	// another card may succeed.
	PaymentDeclined ErrorCode = "PAYMENT_DECLINED"
	// PaymentNotConfirmed: the provider's payment intent named at booking
	// (ProviderIntent) is not confirmed, or not its latest; nothing was
	// booked, and the booking may succeed once the app confirms it.
	PaymentNotConfirmed ErrorCode = "PAYMENT_NOT_CONFIRMED"
)
