package liteapi

import (
	"encoding/json"
	"net/url"
	"time"
)

// This file holds the JSON shapes of the LiteAPI flights v3.0 API as the
// adapter and the simulator exchange them (shared/seeds/provider-apis.md,
// section B). Field names are the provider's. Everything the documentation
// does not state is tagged [assumed] or [INF] here and only here, so that it
// is easy to change once the sandbox confirms or contradicts it. Amounts are
// json.Number so that they never pass through a float.

// API paths, appended to Config.BaseURL (which carries the version).
const (
	ratesPath    = "/flights/rates"
	verifyPath   = "/flights/verify"
	prebooksPath = "/flights/prebooks"
	bookingsPath = "/flights/bookings"
)

// prebookPath is GET /flights/prebooks/{prebookId} (B.4).
func prebookPath(prebookID string) string { return prebooksPath + "/" + url.PathEscape(prebookID) }

// servicesPath is POST /flights/prebooks/{prebookId}/services (B.5).
func servicesPath(prebookID string) string { return prebookPath(prebookID) + "/services" }

// bookingPath is GET /flights/bookings/{bookingId} (B.7).
func bookingPath(bookingID string) string { return bookingsPath + "/" + url.PathEscape(bookingID) }

// Leg directions.
const (
	directionOutbound = "OUTBOUND"
	directionInbound  = "INBOUND"
)

// cabinEconomy is the only cabin the neutral query can ask for.
const cabinEconomy = "ECONOMY"

// defaultCurrency is asked for when the query names none.
const defaultCurrency = "EUR"

// [assumed] The neutral query counts children and infants without ages, and
// LiteAPI requires one age per child (2–11) and per infant (under 2). The
// airlines we sell price by passenger type, not by exact age, so every child
// is sent as 8 years old and every infant as 1.
const (
	assumedChildAge  = 8
	assumedInfantAge = 1
)

// [assumed] fallbackOfferTTL is the life of an offer that comes without an
// expiration; the guide only says that offers expire "in minutes".
const fallbackOfferTTL = 10 * time.Minute

// Layouts of the times LiteAPI sends.
const (
	// localLayout is a segment time: local to its airport, with no offset.
	localLayout = "2006-01-02T15:04:05"
	// instantLayout is an expiration or timestamp: UTC with milliseconds.
	instantLayout = "2006-01-02T15:04:05.000Z"
)

// ratesRequest is the body of POST /flights/rates. Filters, sort, margin
// and country are not sent: the provider defaults apply.
type ratesRequest struct {
	Legs         []wireLeg `json:"legs"`
	Adults       int       `json:"adults"`
	Children     int       `json:"children"`
	ChildrenAges []int     `json:"childrenAges"`
	Infants      int       `json:"infants"`
	InfantAges   []int     `json:"infantAges"`
	CabinClass   string    `json:"cabinClass,omitempty"`
	Currency     string    `json:"currency"`
}

// wireLeg is one searched direction; Date is "2006-01-02".
type wireLeg struct {
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	Date        string `json:"date"`
	Direction   string `json:"direction"`
}

// verifyRequest is the body of POST /flights/verify.
type verifyRequest struct {
	OfferID string `json:"offerId"`
}

// errorEnvelope is every error body: {"error":{"code":41002,...}}. Key is
// set on validation errors only.
type errorEnvelope struct {
	Error *apiError `json:"error,omitempty"`
}

// apiError is the body of an error envelope. Code has five digits (first 4
// client, 5 server; second the operation), a few generic ones fewer.
type apiError struct {
	Code        int    `json:"code"`
	Message     string `json:"message"`
	Description string `json:"description,omitempty"`
	Key         string `json:"key,omitempty"`
}

// ratesResponse is the 200 body of /flights/rates. Data has one item per
// provider batch (one for buffered JSON).
type ratesResponse struct {
	Data  []ratesData `json:"data"`
	Error *apiError   `json:"error,omitempty"`
}

// failure is the error envelope of a body, nil for a success body.
func (r *ratesResponse) failure() *apiError { return r.Error }

type ratesData struct {
	Journeys []journey `json:"journeys"`
}

// journey is a priced itinerary: its segments (both directions for a
// two-leg search) and the offers selling it.
type journey struct {
	JourneyKey    string        `json:"journeyKey"`
	Timestamp     string        `json:"timestamp,omitempty"`
	TotalDuration *wireDuration `json:"totalDuration,omitempty"`
	LegDurations  []legDuration `json:"legDurations,omitempty"`
	Parameters    *paxCounts    `json:"parameters,omitempty"`
	Segments      []segment     `json:"segments"`
	Offers        []offer       `json:"offers"`
}

type wireDuration struct {
	ISO8601 string `json:"iso8601"`
	Minutes int    `json:"minutes"`
}

type legDuration struct {
	Direction       string       `json:"direction"`
	Duration        wireDuration `json:"duration"`
	DayChange       int          `json:"dayChange"`
	OvernightFlight bool         `json:"overnightFlight"`
}

type paxCounts struct {
	Adults   int `json:"adults"`
	Children int `json:"children"`
	Infants  int `json:"infants"`
}

// segment is one flight. DepartureTime and ArrivalTime are local to the
// origin and destination airports and carry no offset ([DOC] example).
type segment struct {
	SegmentKey      string        `json:"segmentKey"`
	StopCount       int           `json:"stopCount"`
	OriginCode      string        `json:"originCode"`
	OriginName      string        `json:"originName,omitempty"`
	DestinationCode string        `json:"destinationCode"`
	DestinationName string        `json:"destinationName,omitempty"`
	DepartureTime   string        `json:"departureTime"`
	ArrivalTime     string        `json:"arrivalTime"`
	Direction       string        `json:"direction"`
	Duration        *wireDuration `json:"duration,omitempty"`
	Flight          flightNumbers `json:"flight"`
	Carrier         carrier       `json:"carrier"`
}

type flightNumbers struct {
	MarketingNumber string `json:"marketingNumber"`
	OperatingNumber string `json:"operatingNumber,omitempty"`
}

type carrier struct {
	MarketingCode string `json:"marketingCode"`
	MarketingName string `json:"marketingName,omitempty"`
	OperatingCode string `json:"operatingCode,omitempty"`
	OperatingName string `json:"operatingName,omitempty"`
}

// offer is one fare for a journey. OfferID is opaque ([INF] base64 of a
// msgpack map) and is sent back verbatim to verify.
type offer struct {
	OfferID      string        `json:"offerId"`
	Expiration   string        `json:"expiration"`
	Pricing      pricing       `json:"pricing"`
	Provider     *supplier     `json:"provider,omitempty"`
	Fare         fare          `json:"fare"`
	Baggage      baggage       `json:"baggage"`
	Terms        terms         `json:"terms"`
	SegmentFares []segmentFare `json:"segmentFares,omitempty"`
}

type supplier struct {
	Code string `json:"code"`
}

// pricing: only Display.Total carries the partner markup; Base, Fees and
// Taxes are the supplier's values and may sum to less than Total.
type pricing struct {
	Display   display `json:"display"`
	Converted bool    `json:"converted"`
}

// display is an offer's price in the currency asked for. Taxes and Fees
// are for the whole offer (all passengers), in Currency; the neutral
// part's Taxes is their sum. [assumed] A missing fees is no fees; a
// missing taxes is not knowing the taxes.
type display struct {
	Total        json.Number   `json:"total"`
	Currency     string        `json:"currency"`
	Base         json.Number   `json:"base,omitempty"`
	Fees         looseAmount   `json:"fees,omitempty"`
	Taxes        looseAmount   `json:"taxes,omitempty"`
	PerPassenger *perPassenger `json:"perPassenger,omitempty"`
}

// looseAmount is a tax or fee amount, read leniently so that an
// unreadable one costs the offer its tax share, not the offer (nor the
// whole answer, as a json.Number would). A JSON number, or a quoted one,
// reads as that number; null as no amount (""); anything else ("n/a", an
// object) is kept as its raw JSON, which no amount parser accepts, so that
// it is told apart from a missing amount. No amount is written as null.
type looseAmount json.Number

func (a *looseAmount) UnmarshalJSON(b []byte) error {
	var n json.Number
	if json.Unmarshal(b, &n) != nil {
		n = json.Number(b) // kept as is: no amount parser accepts it
	}
	*a = looseAmount(n)
	return nil
}

func (a looseAmount) MarshalJSON() ([]byte, error) {
	if a == "" {
		return []byte("null"), nil
	}
	return json.Marshal(json.Number(a))
}

// perPassenger prices one person of each type; types not searched come
// back as zeros.
type perPassenger struct {
	Adult  *paxPrice `json:"adult,omitempty"`
	Child  *paxPrice `json:"child,omitempty"`
	Infant *paxPrice `json:"infant,omitempty"`
}

type paxPrice struct {
	Base     json.Number `json:"base"`
	Currency string      `json:"currency"`
	Fees     looseAmount `json:"fees"`
	Taxes    looseAmount `json:"taxes"`
	Total    json.Number `json:"total"`
}

type fare struct {
	Family          string `json:"family"`
	MixedCabin      bool   `json:"mixedCabin"`
	MixedFareFamily bool   `json:"mixedFareFamily"`
	SeatsRemaining  int    `json:"seatsRemaining"`
}

// baggage lists the bags of an offer. Included is documented for search.
//
// [assumed] Paid is documented only on the prebook journey
// (baggage{included,paid}); we assume verify's journey.baggage has the same
// shape, paid items carrying a serviceId and a per-unit price.
type baggage struct {
	HasCarryOnBag bool  `json:"hasCarryOnBag"`
	HasCheckedBag bool  `json:"hasCheckedBag"`
	Included      []bag `json:"included"`
	Paid          []bag `json:"paid,omitempty"`
}

// bag is one baggage allowance or option. BagType is cabin, checked or
// personal; PassengerType ADT, CHD, INF or ALL; Size "55x40x20" (cm).
//
// [assumed] ServiceID and SegmentKey are not documented on baggage items;
// they are taken from the servicesAttachable shape (B.8) for paid bags.
// WeightKg is a number in the documentation's examples (8); it is read as
// json.Number in case the provider sends fractions.
type bag struct {
	ServiceID     string      `json:"serviceId,omitempty"`
	SegmentKey    string      `json:"segmentKey,omitempty"`
	BagType       string      `json:"bagType"`
	Description   string      `json:"description"`
	PassengerType string      `json:"passengerType,omitempty"`
	Pieces        int         `json:"pieces,omitempty"`
	Pricing       bagPricing  `json:"pricing"`
	Unit          string      `json:"unit,omitempty"`
	WeightKg      json.Number `json:"weightKg,omitempty"`
	Size          string      `json:"size,omitempty"`
}

type bagPricing struct {
	Display   amount `json:"display"`
	Converted bool   `json:"converted"`
}

type amount struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

type terms struct {
	Changeable   bool          `json:"changeable"`
	Refundable   bool          `json:"refundable"`
	Summary      []termSummary `json:"summary,omitempty"`
	HasChangeFee bool          `json:"hasChangeFee"`
	HasRefundFee bool          `json:"hasRefundFee"`
}

type termSummary struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

type segmentFare struct {
	SegmentKey     string `json:"segmentKey"`
	BookingCode    string `json:"bookingCode"`
	Cabin          string `json:"cabin"`
	FareBasisCode  string `json:"fareBasisCode"`
	FareFamily     string `json:"fareFamily"`
	SeatsRemaining int    `json:"seatsRemaining"`
}

// verifyResponse is the 200 body of /flights/verify: "always one item".
type verifyResponse struct {
	Data  []verifyData `json:"data"`
	Error *apiError    `json:"error,omitempty"`
}

// failure is the error envelope of a body, nil for a success body.
func (r *verifyResponse) failure() *apiError { return r.Error }

// verifyData: Changes may be absent; the adapter does not use it (totals
// are compared upstream).
type verifyData struct {
	Journey verifiedJourney `json:"journey"`
	Changes *changes        `json:"changes,omitempty"`
}

// verifiedJourney is the journey of a verify answer; it has no offerId.
type verifiedJourney struct {
	JourneyKey   string        `json:"journeyKey"`
	Expiration   string        `json:"expiration"`
	Timestamp    string        `json:"timestamp,omitempty"`
	Provider     *supplier     `json:"provider,omitempty"`
	Pricing      pricing       `json:"pricing"`
	Baggage      baggage       `json:"baggage"`
	Fare         fare          `json:"fare"`
	Passengers   *paxCounts    `json:"passengers,omitempty"`
	Segments     []segment     `json:"segments"`
	SegmentFares []segmentFare `json:"segmentFares,omitempty"`
	Terms        terms         `json:"terms"`
}

type changes struct {
	PriceChanged bool `json:"priceChanged"`
	FareChanged  bool `json:"fareChanged"`
	CabinChanged bool `json:"cabinChanged"`
}

// ---- Write side: prebooks (B.3, B.4), services (B.5, B.8), bookings (B.6, B.7).

// Passenger types of a prebook passenger (B.3): a number, not "ADT".
const (
	paxTypeAdult  = 0
	paxTypeChild  = 1
	paxTypeInfant = 2
)

// Genders of a prebook passenger (B.3).
const (
	genderMale   = "M"
	genderFemale = "F"
)

// documentPassport is the documentType sent for every traveller: the
// neutral Traveller has one document, a passport. [assumed] B.3 shows
// "passport" as the only example value.
const documentPassport = "passport"

// Payment methods of POST /flights/bookings (B.6).
const (
	paymentCredit        = "CREDIT"
	paymentTransactionID = "TRANSACTION_ID"
	paymentThirdParty    = "THIRD_PARTY"
	paymentCreditCard    = "CREDIT_CARD"
	paymentAccCreditCard = "ACC_CREDIT_CARD"
)

// Custom tags of a booking (B.6): at most 5 keys of customTagKeyLetter
// (^[A-Z0-9_-]+$), values at most 255 characters. customTagRef is the key
// carrying our own booking id.
const (
	customTagRef       = "FAREGRAPH_REF"
	maxCustomTagValue  = 255
	maxCustomTags      = 5
	customTagKeyLetter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
)

// FlightBooking statuses (B.6). TICKETED is not in the OpenAPI list but is
// named as mapping to CONFIRMED, so the adapter accepts it.
const (
	statusCreated              = "CREATED"
	statusPendingConfirmation  = "PENDING_CONFIRMATION"
	statusConfirmed            = "CONFIRMED"
	statusTicketed             = "TICKETED"
	statusCancelled            = "CANCELLED"
	statusCancelledWithCharges = "CANCELLED_WITH_CHARGES"
)

// Service categories of servicesAttachable (B.8).
const (
	categorySeat    = "seat"
	categoryBaggage = "baggage"
)

// replayMessage is the message of the 200 replay of POST /flights/bookings (B.6).
const replayMessage = "a booking already exists for this prebookId; returning the existing booking"

// prebookRequest is the body of POST /flights/prebooks (B.3), flat fields
// as in the OpenAPI and the sandbox (not LA-RECIPES' nested sketch).
// UsePaymentSdk has no omitempty: the provider's default is true, and we
// send false (payment bypass plus credit line: we take the payment
// ourselves and LiteAPI is paid on credit).
type prebookRequest struct {
	OfferID              string          `json:"offerId"`
	UsePaymentSdk        bool            `json:"usePaymentSdk"`
	IncludeCreditBalance bool            `json:"includeCreditBalance"`
	Contact              wireContact     `json:"contact"`
	Passengers           []wirePassenger `json:"passengers"`
}

// wireContact is a prebook's contact. PhoneCountryCode is the calling code
// without "+" ("33"), PhoneNumber the national number ("670355364").
type wireContact struct {
	FirstName        string `json:"firstName"`
	LastName         string `json:"lastName"`
	Email            string `json:"email"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	PhoneNumber      string `json:"phoneNumber"`
}

// wirePassenger is one prebook passenger, in the order of the booking
// (passengerIndex of services counts in this order). Dates are
// "2006-01-02", countries ISO 3166-1 alpha-2.
//
// [assumed] The booking's passengers[] (prebook and FlightBooking) have the
// same shape as the request's; the documentation elides them.
type wirePassenger struct {
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

// prebookResponse is the 200 body of POST /flights/prebooks, GET
// /flights/prebooks/{id} and POST /flights/prebooks/{id}/services: "always
// one item".
type prebookResponse struct {
	Data  []prebookData `json:"data"`
	Error *apiError     `json:"error,omitempty"`
}

// failure is the error envelope of a body, nil for a success body.
func (r *prebookResponse) failure() *apiError { return r.Error }

// prebookData is a prebook (checkout session). Price is what will be
// charged, in Currency, extras attached included. TransactionID and
// SecretKey come only with usePaymentSdk true; CreditLine only with
// includeCreditBalance true (B.9).
type prebookData struct {
	PrebookID          string              `json:"prebookId"`
	Booking            *prebookBooking     `json:"booking,omitempty"`
	Price              json.Number         `json:"price"`
	Currency           string              `json:"currency"`
	TransactionID      string              `json:"transactionId,omitempty"`
	SecretKey          string              `json:"secretKey,omitempty"`
	PublishableKey     *string             `json:"publishableKey"`
	OfferID            string              `json:"offerId,omitempty"`
	ServicesAttachable *servicesAttachable `json:"servicesAttachable,omitempty"`
	VoucherCode        string              `json:"voucherCode,omitempty"`
	VoucherTotalAmount json.Number         `json:"voucherTotalAmount,omitempty"`
	PaymentTypes       []string            `json:"paymentTypes,omitempty"`
	CreditLine         *creditLine         `json:"creditLine,omitempty"`
}

// prebookBooking is the booking snapshot of a prebook: no bookingId or
// status (B.3). SelectedServices and BookedServices appear once services
// are attached (B.4, B.5).
type prebookBooking struct {
	Timestamp        string            `json:"timestamp,omitempty"`
	Journey          *bookedJourney    `json:"journey,omitempty"`
	Passengers       []wirePassenger   `json:"passengers,omitempty"`
	Order            *order            `json:"order,omitempty"`
	Contact          *wireContact      `json:"contact,omitempty"`
	SelectedServices []selectedService `json:"selectedServices,omitempty"`
	BookedServices   []bookedService   `json:"bookedServices,omitempty"`
}

// bookedJourney is the journey of a prebook or booking (B.3).
type bookedJourney struct {
	JourneyKey   string        `json:"journeyKey"`
	Segments     []segment     `json:"segments"`
	Pricing      *pricing      `json:"pricing,omitempty"`
	Terms        *terms        `json:"terms,omitempty"`
	CabinClass   string        `json:"cabinClass,omitempty"`
	Fare         *fare         `json:"fare,omitempty"`
	SegmentFares []segmentFare `json:"segmentFares,omitempty"`
	Baggage      *baggage      `json:"baggage,omitempty"`
}

// order is the provider order behind a prebook or booking.
type order struct {
	Reference       orderReference `json:"reference"`
	Currency        string         `json:"currency,omitempty"`
	Status          string         `json:"status,omitempty"`
	Price           *orderPrice    `json:"price,omitempty"`
	TicketLimitTime string         `json:"ticketLimitTime,omitempty"`
}

type orderReference struct {
	OrderID         string           `json:"orderId"`
	AirlineBookings []airlineBooking `json:"airlineBookings,omitempty"`
}

type airlineBooking struct {
	AirlineCode string `json:"airlineCode"`
	AirlineName string `json:"airlineName,omitempty"`
	AirlinePnr  string `json:"airlinePnr"`
}

type orderPrice struct {
	Currency string      `json:"currency"`
	Total    json.Number `json:"total"`
}

// creditLine is the credit balance (B.9), always in USD.
type creditLine struct {
	RemainingCredit json.Number `json:"remainingCredit"`
	Currency        string      `json:"currency"`
}

// servicesAttachable lists the extras that can still be attached to a
// prebook, per segment (B.8). ExpiresAt is an instant ("...Z").
//
// [assumed] The prebook's hold lasts as long as its attachable services:
// the adapter takes ExpiresAt as the hold's expiry.
type servicesAttachable struct {
	ExpiresAt string         `json:"expiresAt,omitempty"`
	Groups    []serviceGroup `json:"groups"`
}

// serviceGroup is one category of services. Available was missing in the
// sandbox (B.10), so it is a pointer.
type serviceGroup struct {
	Available *bool     `json:"available,omitempty"`
	Category  string    `json:"category"`
	Label     string    `json:"label,omitempty"`
	Services  []service `json:"services"`
}

// service is an attachable extra, priced per unit after margin (amount 0
// is included). PassengerType is ALL, ADT, CHD or INF.
type service struct {
	ServiceID     string           `json:"serviceId"`
	Name          string           `json:"name"`
	Category      string           `json:"category"`
	PassengerType string           `json:"passengerType,omitempty"`
	SegmentKey    string           `json:"segmentKey,omitempty"`
	Pricing       bagPricing       `json:"pricing"`
	Metadata      *serviceMetadata `json:"metadata,omitempty"`
}

type serviceMetadata struct {
	Seat    *seatMetadata    `json:"seat,omitempty"`
	Baggage *baggageMetadata `json:"baggage,omitempty"`
}

type seatMetadata struct {
	Available  bool   `json:"available"`
	Position   string `json:"position,omitempty"`
	SeatColumn string `json:"seatColumn,omitempty"`
	SeatNumber string `json:"seatNumber"`
	SeatRow    int    `json:"seatRow,omitempty"`
	SeatType   string `json:"seatType,omitempty"`
}

type baggageMetadata struct {
	BagType  string      `json:"bagType"`
	Pieces   int         `json:"pieces,omitempty"`
	WeightKg json.Number `json:"weightKg,omitempty"`
}

// servicesRequest is the body of POST /flights/prebooks/{id}/services
// (B.5; not the {"services":[…]} of a public client, B.10).
type servicesRequest struct {
	SelectedServices []selectedService `json:"selectedServices"`
}

// selectedService is one extra for one passenger (0-based index into the
// prebook's passengers[]).
//
// [assumed] booking.selectedServices echoes these items.
type selectedService struct {
	PassengerIndex int    `json:"passengerIndex"`
	ServiceID      string `json:"serviceId"`
	Quantity       int    `json:"quantity"`
}

// bookedService is the booked view of an attached service (B.8).
type bookedService struct {
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
	Pricing        bagPricing       `json:"pricing"`
	Metadata       *serviceMetadata `json:"metadata,omitempty"`
}

// bookRequest is the body of POST /flights/bookings (B.6): nothing else
// is accepted (no passengers, no holder).
type bookRequest struct {
	PrebookID  string            `json:"prebookId"`
	Payment    bookPayment       `json:"payment"`
	CustomTags map[string]string `json:"customTags,omitempty"`
}

// bookPayment: Method CREDIT needs nothing else; TRANSACTION_ID carries
// the prebook's latest transactionId.
type bookPayment struct {
	Method        string `json:"method"`
	TransactionID string `json:"transactionId,omitempty"`
}

// bookResponse is the 201 body of POST /flights/bookings, its 200 replay
// (a booking of only bookingId and status, and a message), and the 200
// body of GET /flights/bookings/{id}.
type bookResponse struct {
	Data  []bookData `json:"data"`
	Error *apiError  `json:"error,omitempty"`
}

// failure is the error envelope of a body, nil for a success body.
func (r *bookResponse) failure() *apiError { return r.Error }

type bookData struct {
	Booking flightBooking `json:"booking"`
	Message string        `json:"message,omitempty"`
}

// flightBooking is LiteAPI's FlightBooking (B.6). Every field but
// BookingID and Status is absent from the 200 replay.
//
// [assumed] timings, distributorCommission and distributorPrice are
// documented without a shape; they are neither read nor simulated.
type flightBooking struct {
	BookingID           string            `json:"bookingId"`
	BookingRef          string            `json:"bookingRef,omitempty"`
	Status              string            `json:"status"`
	CancelIntentAt      string            `json:"cancelIntentAt,omitempty"`
	Timestamp           string            `json:"timestamp,omitempty"`
	OfferID             string            `json:"offerId,omitempty"`
	PaymentStatus       string            `json:"paymentStatus,omitempty"`
	ProviderEnvironment string            `json:"providerEnvironment,omitempty"`
	TicketLimitTime     string            `json:"ticketLimitTime,omitempty"`
	Journey             *bookedJourney    `json:"journey,omitempty"`
	Passengers          []wirePassenger   `json:"passengers,omitempty"`
	Contact             *wireContact      `json:"contact,omitempty"`
	Order               *order            `json:"order,omitempty"`
	AirlineLocators     []airlineLocator  `json:"airlineLocators,omitempty"`
	Pricing             *bookingPricing   `json:"pricing,omitempty"`
	Payment             *paymentAmount    `json:"payment,omitempty"`
	SelectedServices    []selectedService `json:"selectedServices,omitempty"`
	BookedServices      []bookedService   `json:"bookedServices,omitempty"`
	TicketData          *ticketData       `json:"ticketData,omitempty"`
	PaymentInput        *bookPayment      `json:"paymentInput,omitempty"`
	CustomTags          map[string]string `json:"customTags,omitempty"`
}

type airlineLocator struct {
	AirlineCode string `json:"airlineCode"`
	AirlinePnr  string `json:"airlinePnr"`
}

// bookingPricing: TotalAmount is what the booking costs, extras included.
type bookingPricing struct {
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

type paymentAmount struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

// ticketData: Tickets were seen in the sandbox, not in the OpenAPI (B.10).
type ticketData struct {
	ConfirmationID string   `json:"confirmationId,omitempty"`
	TicketedAt     string   `json:"ticketedAt,omitempty"`
	Tickets        []ticket `json:"tickets,omitempty"`
}

type ticket struct {
	PassengerIndex int    `json:"passengerIndex"`
	Status         string `json:"status"`
	TicketNumber   string `json:"ticketNumber"`
	DocumentNumber string `json:"documentNumber,omitempty"`
}

// duplicateBody is what the adapter looks for in a 409 45036 (duplicate)
// or 45087 (already ticketed) answer to find the booking that exists.
//
// [assumed] The documentation gives these codes no body beyond the error
// envelope; the adapter reads a bookingId from the replay shape
// (data[0].booking.bookingId) or from the error object, whichever is there.
type duplicateBody struct {
	Data []struct {
		Booking struct {
			BookingID string `json:"bookingId"`
		} `json:"booking"`
	} `json:"data"`
	Error *struct {
		BookingID string `json:"bookingId"`
	} `json:"error"`
}

// replayResponse is the 200 answer of POST /flights/bookings for a prebook
// already booked (B.6), exactly: {"data":[{"booking":{"bookingId","status"},
// "message":"a booking already exists…"}]}. The adapter reads it as a
// bookResponse.
type replayResponse struct {
	Data []replayData `json:"data"`
}

type replayData struct {
	Booking replayBooking `json:"booking"`
	Message string        `json:"message"`
}

type replayBooking struct {
	BookingID string `json:"bookingId"`
	Status    string `json:"status"`
}
