// Package wire holds the JSON shapes of the LiteAPI flights v3.0 API as
// the adapter (providers/liteapi) and its simulator exchange them
// (shared/seeds/provider-apis.md, section B). Field names are the
// provider's. Everything the documentation does not state is tagged
// [assumed] or [INF] here and only here, so that it is easy to change once
// the sandbox confirms or contradicts it. Amounts are json.Number so that
// they never pass through a float.
package wire

import (
	"encoding/json"
	"net/url"
	"time"
)

// API paths, appended to Config.BaseURL (which carries the version).
const (
	RatesPath    = "/flights/rates"
	VerifyPath   = "/flights/verify"
	PrebooksPath = "/flights/prebooks"
	BookingsPath = "/flights/bookings"
)

// PrebookPath is GET /flights/prebooks/{prebookId} (B.4).
func PrebookPath(prebookID string) string { return PrebooksPath + "/" + url.PathEscape(prebookID) }

// ServicesPath is POST /flights/prebooks/{prebookId}/services (B.5).
func ServicesPath(prebookID string) string { return PrebookPath(prebookID) + "/services" }

// BookingPath is GET /flights/bookings/{bookingId} (B.7).
func BookingPath(bookingID string) string { return BookingsPath + "/" + url.PathEscape(bookingID) }

// CancellationsPath is POST /flights/bookings/{bookingId}/cancellations
// (B.7), which cancels the booking, and GET at the same path, which
// quotes the cancellation.
func CancellationsPath(bookingID string) string { return BookingPath(bookingID) + "/cancellations" }

// CancelResponse is the answer of POST .../cancellations: unlike the other
// operations, data is one object, not an array (B.0). 200 answers status
// CANCELLED or CANCELLED_WITH_CHARGES; 202 a pending cancellation, with
// the booking still CONFIRMED.
type CancelResponse struct {
	Data  *CancelData `json:"data,omitempty"`
	Error *APIError   `json:"error,omitempty"`
}

// CancelData is a cancellation's outcome; amounts are decimal strings in
// Currency.
type CancelData struct {
	BookingID       string `json:"bookingId"`
	Status          string `json:"status"`
	CancellationFee string `json:"cancellation_fee"`
	RefundAmount    string `json:"refund_amount"`
	Currency        string `json:"currency"`
}

// CancellationQuoteResponse is the answer of GET .../cancellations (B.7):
// what cancelling the booking would refund. [assumed] The envelope is the
// cancel answer's (data one object, at the same path); refund and penalty,
// for which the contract gives no currency field, are {amount, currency}
// objects like payment.
type CancellationQuoteResponse struct {
	Data  *CancellationQuote `json:"data,omitempty"`
	Error *APIError          `json:"error,omitempty"`
}

// CancellationQuote is a cancellation quote (B.7): {confidence,
// isRefundable, isVoidable, refund, penalty, penalties, tickets,
// destination, pnr, vouchers}. The lists are kept opaque.
type CancellationQuote struct {
	Confidence   string            `json:"confidence,omitempty"`
	IsRefundable bool              `json:"isRefundable"`
	IsVoidable   bool              `json:"isVoidable"`
	Refund       *PaymentAmount    `json:"refund,omitempty"`
	Penalty      *PaymentAmount    `json:"penalty,omitempty"`
	Penalties    []json.RawMessage `json:"penalties,omitempty"`
	Tickets      []json.RawMessage `json:"tickets,omitempty"`
	Destination  string            `json:"destination,omitempty"`
	PNR          string            `json:"pnr,omitempty"`
	Vouchers     []json.RawMessage `json:"vouchers,omitempty"`
}

// Leg directions.
const (
	DirectionOutbound = "OUTBOUND"
	DirectionInbound  = "INBOUND"
)

// Direction is the direction of the leg at index i of a search: the
// first leg is the outbound, the second the return.
func Direction(i int) string {
	if i == 1 {
		return DirectionInbound
	}
	return DirectionOutbound
}

// KeyCurrency is the key of an error about the searched currency. [assumed]
// Rates refuses a currency it does not price with 41006 on this key: B.1
// numbers 41006 for invalid request data.
const KeyCurrency = "bodyRequest.currency"

// CabinEconomy is the only cabin the neutral query can ask for.
const CabinEconomy = "ECONOMY"

// DefaultCurrency is asked for when the query names none.
const DefaultCurrency = "EUR"

// [assumed] The neutral query counts children and infants without ages, and
// LiteAPI requires one age per child (2–11) and per infant (under 2). The
// airlines we sell price by passenger type, not by exact age, so every child
// is sent as 8 years old and every infant as 1.
const (
	AssumedChildAge  = 8
	AssumedInfantAge = 1
)

// [assumed] fallbackOfferTTL is the life of an offer that comes without an
// expiration; the guide only says that offers expire "in minutes".
const FallbackOfferTTL = 10 * time.Minute

// Layouts of the times LiteAPI sends.
const (
	// LocalLayout is a segment time: local to its airport, with no offset.
	LocalLayout = "2006-01-02T15:04:05"
	// InstantLayout is an expiration or timestamp: UTC with milliseconds.
	InstantLayout = "2006-01-02T15:04:05.000Z"
)

// RatesRequest is the body of POST /flights/rates. Filters, sort, margin
// and country are not sent: the provider defaults apply.
type RatesRequest struct {
	Legs         []Leg  `json:"legs"`
	Adults       int    `json:"adults"`
	Children     int    `json:"children"`
	ChildrenAges []int  `json:"childrenAges"`
	Infants      int    `json:"infants"`
	InfantAges   []int  `json:"infantAges"`
	CabinClass   string `json:"cabinClass,omitempty"`
	Currency     string `json:"currency"`
}

// Leg is one searched direction; Date is "2006-01-02".
type Leg struct {
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	Date        string `json:"date"`
	Direction   string `json:"direction"`
}

// VerifyRequest is the body of POST /flights/verify.
type VerifyRequest struct {
	OfferID string `json:"offerId"`
}

// ErrorEnvelope is every error body: {"error":{"code":41002,...}}. Key is
// set on validation errors only.
type ErrorEnvelope struct {
	Error *APIError `json:"error,omitempty"`
}

// APIError is the body of an error envelope. Code has five digits (first 4
// client, 5 server; second the operation), a few generic ones fewer.
type APIError struct {
	Code        int    `json:"code"`
	Message     string `json:"message"`
	Description string `json:"description,omitempty"`
	Key         string `json:"key,omitempty"`
}

// RatesResponse is the 200 body of /flights/rates. Data has one item per
// provider batch (one for buffered JSON).
type RatesResponse struct {
	Data  []RatesData `json:"data"`
	Error *APIError   `json:"error,omitempty"`
}

// Failure is the error envelope of a body, nil for a success body.
func (r *RatesResponse) Failure() *APIError { return r.Error }

type RatesData struct {
	Journeys []Journey `json:"journeys"`
}

// Journey is a priced itinerary: its segments (both directions for a
// two-leg search) and the offers selling it.
type Journey struct {
	JourneyKey    string        `json:"journeyKey"`
	Timestamp     string        `json:"timestamp,omitempty"`
	TotalDuration *Duration     `json:"totalDuration,omitempty"`
	LegDurations  []LegDuration `json:"legDurations,omitempty"`
	Parameters    *PaxCounts    `json:"parameters,omitempty"`
	Segments      []Segment     `json:"segments"`
	Offers        []Offer       `json:"offers"`
}

type Duration struct {
	ISO8601 string `json:"iso8601"`
	Minutes int    `json:"minutes"`
}

type LegDuration struct {
	Direction       string   `json:"direction"`
	Duration        Duration `json:"duration"`
	DayChange       int      `json:"dayChange"`
	OvernightFlight bool     `json:"overnightFlight"`
}

type PaxCounts struct {
	Adults   int `json:"adults"`
	Children int `json:"children"`
	Infants  int `json:"infants"`
}

// Segment is one flight. DepartureTime and ArrivalTime are local to the
// origin and destination airports and carry no offset ([DOC] example).
type Segment struct {
	SegmentKey      string        `json:"segmentKey"`
	StopCount       int           `json:"stopCount"`
	OriginCode      string        `json:"originCode"`
	OriginName      string        `json:"originName,omitempty"`
	DestinationCode string        `json:"destinationCode"`
	DestinationName string        `json:"destinationName,omitempty"`
	DepartureTime   string        `json:"departureTime"`
	ArrivalTime     string        `json:"arrivalTime"`
	Direction       string        `json:"direction"`
	Duration        *Duration     `json:"duration,omitempty"`
	Flight          FlightNumbers `json:"flight"`
	Carrier         Carrier       `json:"carrier"`
}

type FlightNumbers struct {
	MarketingNumber string `json:"marketingNumber"`
	OperatingNumber string `json:"operatingNumber,omitempty"`
}

type Carrier struct {
	MarketingCode string `json:"marketingCode"`
	MarketingName string `json:"marketingName,omitempty"`
	OperatingCode string `json:"operatingCode,omitempty"`
	OperatingName string `json:"operatingName,omitempty"`
}

// Offer is one fare for a journey. OfferID is opaque ([INF] base64 of a
// msgpack map) and is sent back verbatim to verify.
type Offer struct {
	OfferID      string        `json:"offerId"`
	Expiration   string        `json:"expiration"`
	Pricing      Pricing       `json:"pricing"`
	Provider     *Supplier     `json:"provider,omitempty"`
	Fare         Fare          `json:"fare"`
	Baggage      Baggage       `json:"baggage"`
	Terms        Terms         `json:"terms"`
	SegmentFares []SegmentFare `json:"segmentFares,omitempty"`
}

type Supplier struct {
	Code string `json:"code"`
}

// Pricing: only Display.Total carries the partner markup; Base, Fees and
// Taxes are the supplier's values and may sum to less than Total.
type Pricing struct {
	Display   Display `json:"display"`
	Converted bool    `json:"converted"`
}

// Display is an offer's price in the currency asked for. Taxes and Fees
// are for the whole offer (all passengers), in Currency; the neutral
// part's Taxes is their sum. [assumed] A missing fees is no fees; a
// missing taxes is not knowing the taxes.
type Display struct {
	Total        json.Number   `json:"total"`
	Currency     string        `json:"currency"`
	Base         json.Number   `json:"base,omitempty"`
	Fees         LooseAmount   `json:"fees,omitempty"`
	Taxes        LooseAmount   `json:"taxes,omitempty"`
	PerPassenger *PerPassenger `json:"perPassenger,omitempty"`
}

// LooseAmount is a tax or fee amount, read leniently so that an
// unreadable one costs the offer its tax share, not the offer (nor the
// whole answer, as a json.Number would). A JSON number, or a quoted one,
// reads as that number; null as no amount (""); anything else ("n/a", an
// object) is kept as its raw JSON, which no amount parser accepts, so that
// it is told apart from a missing amount. No amount is written as null.
type LooseAmount json.Number

func (a *LooseAmount) UnmarshalJSON(b []byte) error {
	var n json.Number
	if json.Unmarshal(b, &n) != nil {
		n = json.Number(b) // kept as is: no amount parser accepts it
	}
	*a = LooseAmount(n)
	return nil
}

func (a LooseAmount) MarshalJSON() ([]byte, error) {
	if a == "" {
		return []byte("null"), nil
	}
	return json.Marshal(json.Number(a))
}

// PerPassenger prices one person of each type; types not searched come
// back as zeros.
type PerPassenger struct {
	Adult  *PaxPrice `json:"adult,omitempty"`
	Child  *PaxPrice `json:"child,omitempty"`
	Infant *PaxPrice `json:"infant,omitempty"`
}

type PaxPrice struct {
	Base     json.Number `json:"base"`
	Currency string      `json:"currency"`
	Fees     LooseAmount `json:"fees"`
	Taxes    LooseAmount `json:"taxes"`
	Total    json.Number `json:"total"`
}

type Fare struct {
	Family          string `json:"family"`
	MixedCabin      bool   `json:"mixedCabin"`
	MixedFareFamily bool   `json:"mixedFareFamily"`
	SeatsRemaining  int    `json:"seatsRemaining"`
}

// Baggage lists the bags of an offer. Included is documented for search.
//
// [assumed] Paid is documented only on the prebook journey
// (baggage{included,paid}); we assume verify's journey.baggage has the same
// shape, paid items carrying a serviceId and a per-unit price.
type Baggage struct {
	HasCarryOnBag bool  `json:"hasCarryOnBag"`
	HasCheckedBag bool  `json:"hasCheckedBag"`
	Included      []Bag `json:"included"`
	Paid          []Bag `json:"paid,omitempty"`
}

// Bag is one baggage allowance or option. BagType is cabin, checked or
// personal; PassengerType ADT, CHD, INF or ALL; Size "55x40x20" (cm).
//
// [assumed] ServiceID and SegmentKey are not documented on baggage items;
// they are taken from the servicesAttachable shape (B.8) for paid bags.
// WeightKg is a number in the documentation's examples (8); it is read as
// json.Number in case the provider sends fractions.
type Bag struct {
	ServiceID     string      `json:"serviceId,omitempty"`
	SegmentKey    string      `json:"segmentKey,omitempty"`
	BagType       string      `json:"bagType"`
	Description   string      `json:"description"`
	PassengerType string      `json:"passengerType,omitempty"`
	Pieces        int         `json:"pieces,omitempty"`
	Pricing       BagPricing  `json:"pricing"`
	Unit          string      `json:"unit,omitempty"`
	WeightKg      json.Number `json:"weightKg,omitempty"`
	Size          string      `json:"size,omitempty"`
}

type BagPricing struct {
	Display   Amount `json:"display"`
	Converted bool   `json:"converted"`
}

type Amount struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

type Terms struct {
	Changeable bool          `json:"changeable"`
	Refundable bool          `json:"refundable"`
	Summary    []TermSummary `json:"summary,omitempty"`
	// ChangeFee and RefundFee are null when there is none [DOC B.1:
	// "changeFee":{...},"refundFee":null].
	ChangeFee    *Fee `json:"changeFee"`
	RefundFee    *Fee `json:"refundFee"`
	HasChangeFee bool `json:"hasChangeFee"`
	HasRefundFee bool `json:"hasRefundFee"`
}

// Fee is a change or refund penalty [DOC B.1]: an amount (pricing.display)
// or a percent (null in the example), when it applies ("beforeDeparture")
// and a label ("Change fee (before departure)").
type Fee struct {
	Pricing       *BagPricing `json:"pricing"`
	Percent       json.Number `json:"percent,omitempty"`
	Applicability string      `json:"applicability,omitempty"`
	Label         string      `json:"label,omitempty"`
}

type TermSummary struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

type SegmentFare struct {
	SegmentKey     string `json:"segmentKey"`
	BookingCode    string `json:"bookingCode"`
	Cabin          string `json:"cabin"`
	FareBasisCode  string `json:"fareBasisCode"`
	FareFamily     string `json:"fareFamily"`
	SeatsRemaining int    `json:"seatsRemaining"`
}

// VerifyResponse is the 200 body of /flights/verify: "always one item".
type VerifyResponse struct {
	Data  []VerifyData `json:"data"`
	Error *APIError    `json:"error,omitempty"`
}

// Failure is the error envelope of a body, nil for a success body.
func (r *VerifyResponse) Failure() *APIError { return r.Error }

// VerifyData: Changes may be absent; the adapter does not use it (totals
// are compared upstream).
type VerifyData struct {
	Journey VerifiedJourney `json:"journey"`
	Changes *Changes        `json:"changes,omitempty"`
}

// VerifiedJourney is the journey of a verify answer; it has no offerId.
type VerifiedJourney struct {
	JourneyKey   string        `json:"journeyKey"`
	Expiration   string        `json:"expiration"`
	Timestamp    string        `json:"timestamp,omitempty"`
	Provider     *Supplier     `json:"provider,omitempty"`
	Pricing      Pricing       `json:"pricing"`
	Baggage      Baggage       `json:"baggage"`
	Fare         Fare          `json:"fare"`
	Passengers   *PaxCounts    `json:"passengers,omitempty"`
	Segments     []Segment     `json:"segments"`
	SegmentFares []SegmentFare `json:"segmentFares,omitempty"`
	Terms        Terms         `json:"terms"`
}

type Changes struct {
	PriceChanged bool `json:"priceChanged"`
	FareChanged  bool `json:"fareChanged"`
	CabinChanged bool `json:"cabinChanged"`
}

// ---- Write side: prebooks (B.3, B.4), services (B.5, B.8), bookings (B.6, B.7).

// Passenger types of a prebook passenger (B.3): a number, not "ADT".
const (
	PaxTypeAdult  = 0
	PaxTypeChild  = 1
	PaxTypeInfant = 2
)

// Genders of a prebook passenger (B.3).
const (
	GenderMale   = "M"
	GenderFemale = "F"
)

// DocumentPassport is the documentType sent for every traveller: the
// neutral Traveller has one document, a passport. [assumed] B.3 shows
// "passport" as the only example value.
const DocumentPassport = "passport"

// Payment methods of POST /flights/bookings (B.6).
const (
	PaymentCredit        = "CREDIT"
	PaymentTransactionID = "TRANSACTION_ID"
	PaymentThirdParty    = "THIRD_PARTY"
	PaymentCreditCard    = "CREDIT_CARD"
	PaymentAccCreditCard = "ACC_CREDIT_CARD"
)

// Custom tags of a booking (B.6): at most 5 keys of customTagKeyLetter
// (^[A-Z0-9_-]+$), values at most 255 characters. customTagRef is the key
// carrying our own booking id.
const (
	CustomTagRef       = "FAREGRAPH_REF"
	MaxCustomTagValue  = 255
	MaxCustomTags      = 5
	CustomTagKeyLetter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
)

// FlightBooking statuses (B.6). TICKETED is not in the OpenAPI list but is
// named as mapping to CONFIRMED, so the adapter accepts it.
const (
	StatusCreated             = "CREATED"
	StatusPendingConfirmation = "PENDING_CONFIRMATION"
	StatusConfirmed           = "CONFIRMED"
	StatusTicketed            = "TICKETED"
	StatusCanceled            = "CANCELLED"
	StatusCanceledWithCharges = "CANCELLED_WITH_CHARGES"
)

// Service categories of servicesAttachable (B.8).
const (
	CategorySeat    = "seat"
	CategoryBaggage = "baggage"
)

// ReplayMessage is the message of the 200 replay of POST /flights/bookings (B.6).
const ReplayMessage = "a booking already exists for this prebookId; returning the existing booking"

// PrebookRequest is the body of POST /flights/prebooks (B.3), flat fields
// as in the OpenAPI and the sandbox (not LA-RECIPES' nested sketch).
// UsePaymentSdk has no omitempty: the provider's default is true. We send
// false when we take the payment ourselves (payment bypass plus credit
// line: LiteAPI is paid on credit) and true when LiteAPI's own Stripe
// intent takes it (transactionId, secretKey in the answer).
type PrebookRequest struct {
	OfferID              string      `json:"offerId"`
	UsePaymentSdk        bool        `json:"usePaymentSdk"`
	IncludeCreditBalance bool        `json:"includeCreditBalance"`
	Contact              Contact     `json:"contact"`
	Passengers           []Passenger `json:"passengers"`
}

// Contact is a prebook's contact. PhoneCountryCode is the calling code
// without "+" ("33"), PhoneNumber the national number ("670355364").
type Contact struct {
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Email            string `json:"email"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	PhoneNumber      string `json:"phoneNumber"`
}

// Passenger is one prebook passenger, in the order of the booking
// (passengerIndex of services counts in this order). Dates are
// "2006-01-02", countries ISO 3166-1 alpha-2.
//
// [assumed] The booking's passengers[] (prebook and FlightBooking) have the
// same shape as the request's; the documentation elides them.
type Passenger struct {
	FirstName            string `json:"firstName"`
	LastName             string `json:"lastName"`
	MiddleName           string `json:"middleName,omitempty"`
	Birthday             string `json:"birthday"`
	Gender               string `json:"gender"`
	Nationality          string `json:"nationality,omitempty"`
	PassengerType        int    `json:"passengerType"`
	DocumentType         string `json:"documentType,omitempty"`
	DocumentNumber       string `json:"documentNumber,omitempty"`
	DocumentIssueCountry string `json:"documentIssueCountry,omitempty"`
	DocumentExpiry       string `json:"documentExpiry,omitempty"`
}

// PrebookResponse is the 200 body of POST /flights/prebooks, GET
// /flights/prebooks/{id} and POST /flights/prebooks/{id}/services: "always
// one item".
type PrebookResponse struct {
	Data  []PrebookData `json:"data"`
	Error *APIError     `json:"error,omitempty"`
}

// Failure is the error envelope of a body, nil for a success body.
func (r *PrebookResponse) Failure() *APIError { return r.Error }

// PrebookData is a prebook (checkout session). Price is what will be
// charged, in Currency, extras attached included. TransactionID and
// SecretKey come only with usePaymentSdk true; CreditLine only with
// includeCreditBalance true (B.9).
type PrebookData struct {
	PrebookID          string              `json:"prebookId"`
	Booking            *PrebookBooking     `json:"booking,omitempty"`
	Price              json.Number         `json:"price"`
	Currency           string              `json:"currency"`
	TransactionID      string              `json:"transactionId,omitempty"`
	SecretKey          string              `json:"secretKey,omitempty"`
	PublishableKey     *string             `json:"publishableKey"`
	OfferID            string              `json:"offerId,omitempty"`
	ServicesAttachable *ServicesAttachable `json:"servicesAttachable,omitempty"`
	VoucherCode        string              `json:"voucherCode,omitempty"`
	VoucherTotalAmount json.Number         `json:"voucherTotalAmount,omitempty"`
	PaymentTypes       []string            `json:"paymentTypes,omitempty"`
	CreditLine         *CreditLine         `json:"creditLine,omitempty"`
}

// PrebookBooking is the booking snapshot of a prebook: no bookingId or
// status (B.3). SelectedServices and BookedServices appear once services
// are attached (B.4, B.5).
type PrebookBooking struct {
	Timestamp        string            `json:"timestamp,omitempty"`
	Journey          *BookedJourney    `json:"journey,omitempty"`
	Passengers       []Passenger       `json:"passengers,omitempty"`
	Order            *Order            `json:"order,omitempty"`
	Contact          *Contact          `json:"contact,omitempty"`
	SelectedServices []SelectedService `json:"selectedServices,omitempty"`
	BookedServices   []BookedService   `json:"bookedServices,omitempty"`
}

// BookedJourney is the journey of a prebook or booking (B.3).
type BookedJourney struct {
	JourneyKey   string        `json:"journeyKey"`
	Segments     []Segment     `json:"segments"`
	Pricing      *Pricing      `json:"pricing,omitempty"`
	Terms        *Terms        `json:"terms,omitempty"`
	CabinClass   string        `json:"cabinClass,omitempty"`
	Fare         *Fare         `json:"fare,omitempty"`
	SegmentFares []SegmentFare `json:"segmentFares,omitempty"`
	Baggage      *Baggage      `json:"baggage,omitempty"`
}

// Order is the provider order behind a prebook or booking.
type Order struct {
	Reference       OrderReference `json:"reference"`
	Currency        string         `json:"currency,omitempty"`
	Status          string         `json:"status,omitempty"`
	Price           *OrderPrice    `json:"price,omitempty"`
	TicketLimitTime string         `json:"ticketLimitTime,omitempty"`
}

type OrderReference struct {
	OrderID         string           `json:"orderId"`
	AirlineBookings []AirlineBooking `json:"airlineBookings,omitempty"`
}

type AirlineBooking struct {
	AirlineCode string `json:"airlineCode"`
	AirlineName string `json:"airlineName,omitempty"`
	AirlinePnr  string `json:"airlinePnr"`
}

type OrderPrice struct {
	Currency string      `json:"currency"`
	Total    json.Number `json:"total"`
}

// CreditLine is the credit balance (B.9), always in USD.
type CreditLine struct {
	RemainingCredit json.Number `json:"remainingCredit"`
	Currency        string      `json:"currency"`
}

// ServicesAttachable lists the extras that can still be attached to a
// prebook, per segment (B.8). ExpiresAt is an instant ("...Z").
//
// [assumed] The prebook's hold lasts as long as its attachable services:
// the adapter takes ExpiresAt as the hold's expiry.
type ServicesAttachable struct {
	ExpiresAt string         `json:"expiresAt,omitempty"`
	Groups    []ServiceGroup `json:"groups"`
}

// ServiceGroup is one category of services. Available was missing in the
// sandbox (B.10), so it is a pointer.
type ServiceGroup struct {
	Available *bool     `json:"available,omitempty"`
	Category  string    `json:"category"`
	Label     string    `json:"label,omitempty"`
	Services  []Service `json:"services"`
}

// Service is an attachable extra, priced per unit after margin (amount 0
// is included). PassengerType is ALL, ADT, CHD or INF.
type Service struct {
	ServiceID     string           `json:"serviceId"`
	Name          string           `json:"name"`
	Category      string           `json:"category"`
	PassengerType string           `json:"passengerType,omitempty"`
	SegmentKey    string           `json:"segmentKey,omitempty"`
	Pricing       BagPricing       `json:"pricing"`
	Metadata      *ServiceMetadata `json:"metadata,omitempty"`
}

type ServiceMetadata struct {
	Seat    *SeatMetadata    `json:"seat,omitempty"`
	Baggage *BaggageMetadata `json:"baggage,omitempty"`
}

// SeatMetadata describes a seat (B.8). Available is a pointer: a seat
// without the flag is one on sale, "available": false is a seat taken.
type SeatMetadata struct {
	Available  *bool  `json:"available,omitempty"`
	Position   string `json:"position,omitempty"`
	SeatColumn string `json:"seatColumn,omitempty"`
	SeatNumber string `json:"seatNumber"`
	SeatRow    int    `json:"seatRow,omitempty"`
	SeatType   string `json:"seatType,omitempty"`
}

type BaggageMetadata struct {
	BagType  string      `json:"bagType"`
	Pieces   int         `json:"pieces,omitempty"`
	WeightKg json.Number `json:"weightKg,omitempty"`
}

// ServicesRequest is the body of POST /flights/prebooks/{id}/services
// (B.5; not the {"services":[…]} of a public client, B.10).
type ServicesRequest struct {
	SelectedServices []SelectedService `json:"selectedServices"`
}

// SelectedService is one extra for one passenger (0-based index into the
// prebook's passengers[]).
//
// [assumed] booking.selectedServices echoes these items.
type SelectedService struct {
	PassengerIndex int    `json:"passengerIndex"`
	ServiceID      string `json:"serviceId"`
	Quantity       int    `json:"quantity"`
}

// BookedService is the booked view of an attached service (B.8).
type BookedService struct {
	ServiceID      string           `json:"serviceId"`
	Name           string           `json:"name"`
	Category       string           `json:"category"`
	PassengerType  string           `json:"passengerType,omitempty"`
	PassengerIndex int              `json:"passengerIndex"`
	SegmentKey     string           `json:"segmentKey,omitempty"`
	Quantity       int              `json:"quantity"`
	CreatedAt      string           `json:"createdAt,omitempty"`
	Phase          string           `json:"phase,omitempty"`
	Status         string           `json:"status,omitempty"`
	Pricing        BagPricing       `json:"pricing"`
	Metadata       *ServiceMetadata `json:"metadata,omitempty"`
}

// BookRequest is the body of POST /flights/bookings (B.6): nothing else
// is accepted (no passengers, no holder).
type BookRequest struct {
	PrebookID  string            `json:"prebookId"`
	Payment    BookPayment       `json:"payment"`
	CustomTags map[string]string `json:"customTags,omitempty"`
}

// BookPayment: Method CREDIT needs nothing else; TRANSACTION_ID carries
// the prebook's latest transactionId.
type BookPayment struct {
	Method        string `json:"method"`
	TransactionID string `json:"transactionId,omitempty"`
}

// BookResponse is the 201 body of POST /flights/bookings, its 200 replay
// (a booking of only bookingId and status, and a message), and the 200
// body of GET /flights/bookings/{id}.
type BookResponse struct {
	Data  []BookData `json:"data"`
	Error *APIError  `json:"error,omitempty"`
}

// Failure is the error envelope of a body, nil for a success body.
func (r *BookResponse) Failure() *APIError { return r.Error }

type BookData struct {
	Booking FlightBooking `json:"booking"`
	Message string        `json:"message,omitempty"`
}

// FlightBooking is LiteAPI's FlightBooking (B.6). Every field but
// BookingID and Status is absent from the 200 replay.
//
// [assumed] timings, distributorCommission and distributorPrice are
// documented without a shape; they are neither read nor simulated.
type FlightBooking struct {
	BookingID           string            `json:"bookingId"`
	BookingRef          string            `json:"bookingRef,omitempty"`
	Status              string            `json:"status"`
	CancelIntentAt      string            `json:"cancelIntentAt,omitempty"`
	Timestamp           string            `json:"timestamp,omitempty"`
	OfferID             string            `json:"offerId,omitempty"`
	PaymentStatus       string            `json:"paymentStatus,omitempty"`
	ProviderEnvironment string            `json:"providerEnvironment,omitempty"`
	TicketLimitTime     string            `json:"ticketLimitTime,omitempty"`
	Journey             *BookedJourney    `json:"journey,omitempty"`
	Passengers          []Passenger       `json:"passengers,omitempty"`
	Contact             *Contact          `json:"contact,omitempty"`
	Order               *Order            `json:"order,omitempty"`
	AirlineLocators     []AirlineLocator  `json:"airlineLocators,omitempty"`
	Pricing             *BookingPricing   `json:"pricing,omitempty"`
	Payment             *PaymentAmount    `json:"payment,omitempty"`
	SelectedServices    []SelectedService `json:"selectedServices,omitempty"`
	BookedServices      []BookedService   `json:"bookedServices,omitempty"`
	TicketData          *TicketData       `json:"ticketData,omitempty"`
	PaymentInput        *BookPayment      `json:"paymentInput,omitempty"`
	CustomTags          map[string]string `json:"customTags,omitempty"`
}

type AirlineLocator struct {
	AirlineCode string `json:"airlineCode"`
	AirlinePnr  string `json:"airlinePnr"`
}

// BookingPricing: TotalAmount is what the booking costs, extras included.
type BookingPricing struct {
	Subtotal            json.Number `json:"subtotal,omitempty"`
	ServicesAmount      json.Number `json:"servicesAmount,omitempty"`
	SeatsAmount         json.Number `json:"seatsAmount,omitempty"`
	BaggageAmount       json.Number `json:"baggageAmount,omitempty"`
	TotalAmount         json.Number `json:"totalAmount"`
	MerchantOfRecordFee json.Number `json:"merchantOfRecordFee,omitempty"`
	TicketingFee        json.Number `json:"ticketingFee,omitempty"`
	FeesIncludedInTotal bool        `json:"feesIncludedInTotal"`
	Currency            string      `json:"currency"`
}

type PaymentAmount struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

// TicketData: Tickets were seen in the sandbox, not in the OpenAPI (B.10).
type TicketData struct {
	ConfirmationID string   `json:"confirmationId,omitempty"`
	TicketedAt     string   `json:"ticketedAt,omitempty"`
	Tickets        []Ticket `json:"tickets,omitempty"`
}

type Ticket struct {
	PassengerIndex int    `json:"passengerIndex"`
	Status         string `json:"status"`
	TicketNumber   string `json:"ticketNumber"`
	DocumentNumber string `json:"documentNumber,omitempty"`
}

// DuplicateBody is what the adapter looks for in a 409 45036 (duplicate)
// or 45087 (already ticketed) answer to find the booking that exists.
//
// [assumed] The documentation gives these codes no body beyond the error
// envelope; the adapter reads a bookingId from the replay shape
// (data[0].booking.bookingId) or from the error object, whichever is there.
type DuplicateBody struct {
	Data []struct {
		Booking struct {
			BookingID string `json:"bookingId"`
		} `json:"booking"`
	} `json:"data"`
	Error *struct {
		BookingID string `json:"bookingId"`
	} `json:"error"`
}

// ReplayResponse is the 200 answer of POST /flights/bookings for a prebook
// already booked (B.6), exactly: {"data":[{"booking":{"bookingId","status"},
// "message":"a booking already exists…"}]}. The adapter reads it as a
// bookResponse.
type ReplayResponse struct {
	Data []ReplayData `json:"data"`
}

type ReplayData struct {
	Booking ReplayBooking `json:"booking"`
	Message string        `json:"message"`
}

type ReplayBooking struct {
	BookingID string `json:"bookingId"`
	Status    string `json:"status"`
}
