// Package wire holds the JSON shapes of the CitizenPlane booking API v3
// that the adapter (providers/citizenplane) reads and writes and the
// simulator (providers/citizenplane/cpsim) serves, as described in section
// A of provider-apis.md. It is the only thing the two share: each keeps its
// own logic, so that a test of the adapter against the simulator checks
// one reading of the document against another.
//
// The paths, query parameters, the verify request and response, the
// bodies of POST /v3/requests and POST /v3/bookings, the status codes and
// the integer ids are documented by CitizenPlane [doc]. The following are
// ASSUMED and are to be confirmed against the sandbox: they are kept here,
// and only here, so that they are easy to change:
//   - the response bodies of GET /v3/flights (the flight object and the
//     results/total/page/total_pages envelope) and GET /v3/roundTrips;
//   - the error body {"message": ..., "type": ...} and its type values,
//     and the cp_reference it carries with REQUEST_ALREADY_BOOKED;
//   - the "page" query parameter, sent only when an answer says there are
//     further pages (PageParam);
//   - the response of POST /v3/requests (RequestsResponse) and the booking
//     object answered by POST /v3/bookings and GET /v3/bookings (Booking),
//     with its status values;
//   - how a 409 says the price moved rather than the seats being gone
//     (IsPriceType);
//   - what included_airport_tax covers (the adapter's airportTaxes): it is per seat and
//     included in price, so a fare's tax is included_airport_tax times the
//     seats (adults and children); infants, who pay infant_price and take
//     no seat, pay no airport tax; a round-trip fare, whose object has no
//     tax of its own, includes the included_airport_tax of both flights.
//
// Prices are JSON numbers in EUR with at most two decimals; they are kept
// as json.Number so that they never pass through a float.
package wire

import (
	"encoding/json"
	"strings"
)

// API paths, appended to the configured origin.
const (
	PathFlights    = "/v3/flights"
	PathRoundTrips = "/v3/roundTrips"
	PathVerify     = "/v3/flights/verify"
	PathRequests   = "/v3/requests"
	PathBookings   = "/v3/bookings"
)

// ReferenceParam is the query parameter of GET /v3/bookings [doc].
const ReferenceParam = "cp_reference"

// PageParam is the query parameter that asks for a further page of results
// [assumed]; pages are numbered from 0 like the "page" field of the answer.
const PageParam = "page"

// CurrencyEUR is the only currency CitizenPlane sells in [doc].
const CurrencyEUR = "EUR"

// Error types of the error body [assumed]: the ones the simulator sends.
// The adapter copies whatever type it receives into ProviderCode.
const (
	TypeInvalidRequest    = "INVALID_REQUEST"
	TypeUnauthorized      = "UNAUTHORIZED"
	TypeNotFound          = "NOT_FOUND"
	TypeFlightNotFound    = "FLIGHT_NOT_FOUND"
	TypeFlightUnavailable = "FLIGHT_UNAVAILABLE"
	TypeInternal          = "INTERNAL_ERROR"
	TypeRequestNotFound   = "REQUEST_NOT_FOUND"
	TypeRequestExpired    = "REQUEST_EXPIRED"
	TypeRequestAborted    = "REQUEST_ABORTED"
	TypeAlreadyBooked     = "REQUEST_ALREADY_BOOKED"
	TypePriceChanged      = "PRICE_CHANGED"
	TypePaymentFailed     = "PAYMENT_FAILED"
	TypeBookingNotFound   = "BOOKING_NOT_FOUND"
)

// IsPriceType reports whether the type of a 409 says that the price moved
// [assumed: any type naming the price, such as PRICE_CHANGED]; any other
// 409 of a hold or booking is read as the seats being gone.
func IsPriceType(typ string) bool { return strings.Contains(strings.ToUpper(typ), "PRICE") }

// Page is the envelope of search answers [assumed]. A round-trip answer
// carries only Results; a zero TotalPages means a single page.
type Page[T any] struct {
	Results    []T `json:"results"`
	Total      int `json:"total,omitempty"`
	Page       int `json:"page"`
	TotalPages int `json:"total_pages,omitempty"`
}

// Flight is one flight as search answers carry it [assumed, after the
// documented v1.1 object].
type Flight struct {
	ID            int64   `json:"id"`
	FlightNumber  string  `json:"flight_number"`
	Origin        string  `json:"origin"`
	Destination   string  `json:"destination"`
	DepartureDate string  `json:"departure_date"` // RFC 3339 with the airport's offset
	ArrivalDate   string  `json:"arrival_date"`
	Airline       Airline `json:"airline"`
	// AvailableSeats is the number of seats left, from the provider's cache.
	AvailableSeats int    `json:"available_seats"`
	CabinClass     string `json:"cabin_class"`
	BookingClass   string `json:"booking_class"`
	// Price is per seat, adults and children alike; infants pay InfantPrice.
	Price       json.Number `json:"price"`
	InfantPrice json.Number `json:"infant_price"`
	// IncludedAirportTax is the airport tax included in Price, per seat
	// [assumed: charged to adults and children, not to infants, whose
	// InfantPrice carries none; a round-trip fare includes both flights'].
	IncludedAirportTax TaxAmount `json:"included_airport_tax"`
	Currency           string    `json:"currency"`
	Bags               Bags      `json:"bags"`
}

// TaxAmount is an amount of tax, read leniently so that an unreadable one
// costs the offer its tax share, not the flight (nor the whole answer, as a
// json.Number would). A JSON number, or a quoted one, reads as that
// number; null as no amount (""); anything else ("n/a", an object) is kept
// as its raw JSON, which no amount parser accepts. No amount is written as
// null.
type TaxAmount json.Number

func (a *TaxAmount) UnmarshalJSON(b []byte) error {
	var n json.Number
	if json.Unmarshal(b, &n) != nil {
		n = json.Number(b) // kept as is: no amount parser accepts it
	}
	*a = TaxAmount(n)
	return nil
}

func (a TaxAmount) MarshalJSON() ([]byte, error) {
	if a == "" {
		return []byte("null"), nil
	}
	return json.Marshal(json.Number(a))
}

// Airline is the carrier operating a flight.
type Airline struct {
	Name     string `json:"name"`
	IATACode string `json:"iata_code"`
}

// Bags are the bag options sold with a flight, each priced per bag and per
// passenger.
type Bags struct {
	Checked []CheckedBag `json:"checked"`
	Cabin   []CabinBag   `json:"cabin"`
}

// CheckedBag is a hold bag option sold by weight.
type CheckedBag struct {
	Weight int         `json:"weight"`
	Price  json.Number `json:"price"`
}

// CabinBag is a cabin bag option sold by size.
type CabinBag struct {
	Dimensions Dimensions  `json:"dimensions"`
	Price      json.Number `json:"price"`
}

// Dimensions of a cabin bag, in centimetres.
type Dimensions struct {
	Width  int `json:"width"`
	Height int `json:"height"`
	Length int `json:"length"`
}

// RoundTrip is a round-trip fare [assumed]: Price and InfantPrice are per
// seat (per infant) for the pair of flights. It has no airport tax of its
// own: Price includes the IncludedAirportTax of both flights [assumed].
type RoundTrip struct {
	Outbound    Flight      `json:"outbound"`
	Inbound     Flight      `json:"inbound"`
	Price       json.Number `json:"price"`
	InfantPrice json.Number `json:"infant_price"`
	Currency    string      `json:"currency"`
}

// VerifyRequest is the body of POST /v3/flights/verify [doc].
type VerifyRequest struct {
	FlightID     int64           `json:"flight_id"`
	Passengers   VerifyPassenger `json:"passengers"`
	CustomerCode string          `json:"customer_code"`
}

// VerifyPassenger counts the travellers of a verify request [doc]; infants
// may not outnumber adults.
type VerifyPassenger struct {
	Adults   int `json:"adults"`
	Children int `json:"children"`
	Infants  int `json:"infants"`
}

// VerifyResponse is the answer of POST /v3/flights/verify [doc].
// InfantPrice is null unless infants were asked for.
type VerifyResponse struct {
	Price              json.Number  `json:"price"`
	Currency           string       `json:"currency"`
	InfantPrice        *json.Number `json:"infant_price"`
	TotalPrice         json.Number  `json:"total_price"`
	IncludedAirportTax TaxAmount    `json:"included_airport_tax"`
}

// ErrorBody is the body of every error answer [assumed]. CPReference is
// set on a 409 REQUEST_ALREADY_BOOKED: the booking that holds the request.
type ErrorBody struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	CPReference string `json:"cp_reference,omitempty"`
}

// Fare types of a booking request [doc].
const (
	FareOneWay    = "one_way"
	FareRoundTrip = "round_trip"
)

// Formats of the dates of a booking request's passengers [doc].
const (
	BirthDateLayout  = "2006-01-02" // date_of_birth, YYYY-MM-DD
	ExpiryDateLayout = "02/01/2006" // passport_expiry_date, DD/MM/YYYY
)

// RequestBody is the body of POST /v3/requests [doc]: one request is made
// per flight id. Bags are keyed by flight id as a string and must list
// every option of every flight, with quantity 0 where none is chosen.
type RequestBody struct {
	FlightIDs    []int64              `json:"flight_ids"`
	Passengers   []RequestPassenger   `json:"passengers"`
	Bags         map[string]BagChoice `json:"bags"`
	FareType     string               `json:"fare_type"`
	CustomerCode string               `json:"customer_code"`
}

// RequestPassenger is a traveller of a booking request [doc], infants
// included. Gender is "male" or "female"; countries are lower-case ISO
// 3166-1 alpha-2 codes ("fr").
type RequestPassenger struct {
	FirstName              string `json:"first_name"`
	LastName               string `json:"last_name"`
	Gender                 string `json:"gender"`
	DateOfBirth            string `json:"date_of_birth"` // birthDateLayout
	PassportNumber         string `json:"passport_number"`
	PassportExpiryDate     string `json:"passport_expiry_date"` // expiryDateLayout
	Nationality            string `json:"nationality"`
	PassportCountryOfIssue string `json:"passport_country_of_issue"`
}

// BagChoice is how many bags of each option of one flight are bought [doc].
type BagChoice struct {
	Checked []CheckedChoice `json:"checked"`
	Cabin   []CabinChoice   `json:"cabin"`
}

// CheckedChoice is a quantity of a checked-bag option, named by weight [doc].
type CheckedChoice struct {
	Weight   int `json:"weight"`
	Quantity int `json:"quantity"`
}

// CabinChoice is a quantity of a cabin-bag option, named by size [doc].
type CabinChoice struct {
	Dimensions Dimensions `json:"dimensions"`
	Quantity   int        `json:"quantity"`
}

// RequestsResponse is the answer of POST /v3/requests [assumed].
type RequestsResponse struct {
	Requests []Request `json:"requests"`
}

// Request is one booking request: the seats and bags of one flight,
// guaranteed until ExpiresAt (UTC, RFC 3339) [assumed]. Price is per seat
// (the flight's share of the pair price for a round trip); InfantPrice is
// null without infants; TotalPrice is everything the request costs.
type Request struct {
	ID          int64        `json:"id"`
	FlightID    int64        `json:"flight_id"`
	Status      string       `json:"status"`
	ExpiresAt   string       `json:"expires_at"`
	Price       json.Number  `json:"price"`
	InfantPrice *json.Number `json:"infant_price"`
	BagsPrice   json.Number  `json:"bags_price"`
	TotalPrice  json.Number  `json:"total_price"`
	Currency    string       `json:"currency"`
}

// Request statuses [assumed].
const (
	RequestPending = "pending"
	RequestBooked  = "booked"
	RequestExpired = "expired"
	RequestAborted = "aborted"
)

// BookingBody is the body of POST /v3/bookings [doc]. Either
// PaymentMethod (a Stripe PaymentMethod id, with ThreeDSecure if any) or
// SelfPSP; the adapter sends self_psp when we take the payment, and
// payment_method (with three_d_secure when given) for a card forwarded.
type BookingBody struct {
	RequestIDs    []int64       `json:"request_ids"`
	CustomerCode  string        `json:"customer_code"`
	ExternalID    string        `json:"external_id,omitempty"`
	FirstName     string        `json:"first_name"`
	LastName      string        `json:"last_name"`
	Gender        string        `json:"gender,omitempty"`
	Email         string        `json:"email"`
	PhoneNumber   string        `json:"phonenumber"`
	PaymentMethod string        `json:"payment_method,omitempty"`
	ThreeDSecure  *ThreeDSecure `json:"three_d_secure,omitempty"`
	SelfPSP       bool          `json:"self_psp,omitempty"`
}

// ThreeDSecure is the result of a 3-D Secure authentication [doc].
type ThreeDSecure struct {
	Version                     string `json:"version"`
	ElectronicCommerceIndicator string `json:"electronic_commerce_indicator"`
	Cryptogram                  string `json:"cryptogram"`
	TransactionID               string `json:"transaction_id"`
}

// Booking is a booking as POST /v3/bookings and GET /v3/bookings answer it
// [assumed], with its flights as they are now.
type Booking struct {
	CPReference string      `json:"cp_reference"`
	Status      string      `json:"status"`
	ExternalID  string      `json:"external_id,omitempty"`
	RequestIDs  []int64     `json:"request_ids"`
	TotalPrice  json.Number `json:"total_price"`
	Currency    string      `json:"currency"`
	Flights     []Flight    `json:"flights"`
}

// Booking statuses [assumed]: "confirmed" once ticketed or about to be;
// anything else but a cancellation is read as pending.
const (
	BookingConfirmed = "confirmed"
	BookingCanceled  = "cancelled"
)
