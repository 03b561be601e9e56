package citizenplane

import "encoding/json"

// This file holds the JSON shapes of the CitizenPlane booking API v3 that
// the adapter reads and writes and the simulator serves, as described in
// section A of provider-apis.md.
//
// The paths, query parameters, the verify request and response, the status
// codes and the integer ids are documented by CitizenPlane [doc]. The
// following are ASSUMED and are to be confirmed against the sandbox: they
// are kept here, and only here, so that they are easy to change:
//   - the response bodies of GET /v3/flights (the flight object and the
//     results/total/page/total_pages envelope) and GET /v3/roundTrips;
//   - the error body {"message": ..., "type": ...} and its type values;
//   - the "page" query parameter, sent only when an answer says there are
//     further pages (pageParam).
//
// Prices are JSON numbers in EUR with at most two decimals; they are kept
// as json.Number so that they never pass through a float.

// API paths, appended to the configured origin.
const (
	pathFlights    = "/v3/flights"
	pathRoundTrips = "/v3/roundTrips"
	pathVerify     = "/v3/flights/verify"
)

// pageParam is the query parameter that asks for a further page of results
// [assumed]; pages are numbered from 0 like the "page" field of the answer.
const pageParam = "page"

// currencyEUR is the only currency CitizenPlane sells in [doc].
const currencyEUR = "EUR"

// Error types of the error body [assumed]: the ones the simulator sends.
// The adapter copies whatever type it receives into ProviderCode.
const (
	typeInvalidRequest    = "INVALID_REQUEST"
	typeUnauthorized      = "UNAUTHORIZED"
	typeNotFound          = "NOT_FOUND"
	typeFlightNotFound    = "FLIGHT_NOT_FOUND"
	typeFlightUnavailable = "FLIGHT_UNAVAILABLE"
	typeInternal          = "INTERNAL_ERROR"
)

// page is the envelope of search answers [assumed]. A round-trip answer
// carries only Results; a zero TotalPages means a single page.
type page[T any] struct {
	Results    []T `json:"results"`
	Total      int `json:"total,omitempty"`
	Page       int `json:"page"`
	TotalPages int `json:"total_pages,omitempty"`
}

// flight is one flight as search answers carry it [assumed, after the
// documented v1.1 object].
type flight struct {
	ID            int64   `json:"id"`
	FlightNumber  string  `json:"flight_number"`
	Origin        string  `json:"origin"`
	Destination   string  `json:"destination"`
	DepartureDate string  `json:"departure_date"` // RFC 3339 with the airport's offset
	ArrivalDate   string  `json:"arrival_date"`
	Airline       airline `json:"airline"`
	// AvailableSeats is the number of seats left, from the provider's cache.
	AvailableSeats int    `json:"available_seats"`
	CabinClass     string `json:"cabin_class"`
	BookingClass   string `json:"booking_class"`
	// Price is per seat, adults and children alike; infants pay InfantPrice.
	Price              json.Number `json:"price"`
	InfantPrice        json.Number `json:"infant_price"`
	IncludedAirportTax json.Number `json:"included_airport_tax"`
	Currency           string      `json:"currency"`
	Bags               bags        `json:"bags"`
}

// airline is the carrier operating a flight.
type airline struct {
	Name     string `json:"name"`
	IATACode string `json:"iata_code"`
}

// bags are the bag options sold with a flight, each priced per bag and per
// passenger.
type bags struct {
	Checked []checkedBag `json:"checked"`
	Cabin   []cabinBag   `json:"cabin"`
}

// checkedBag is a hold bag option sold by weight.
type checkedBag struct {
	Weight int         `json:"weight"`
	Price  json.Number `json:"price"`
}

// cabinBag is a cabin bag option sold by size.
type cabinBag struct {
	Dimensions dimensions  `json:"dimensions"`
	Price      json.Number `json:"price"`
}

// dimensions of a cabin bag, in centimetres.
type dimensions struct {
	Width  int `json:"width"`
	Height int `json:"height"`
	Length int `json:"length"`
}

// roundTrip is a round-trip fare [assumed]: Price and InfantPrice are per
// seat (per infant) for the pair of flights.
type roundTrip struct {
	Outbound    flight      `json:"outbound"`
	Inbound     flight      `json:"inbound"`
	Price       json.Number `json:"price"`
	InfantPrice json.Number `json:"infant_price"`
	Currency    string      `json:"currency"`
}

// verifyRequest is the body of POST /v3/flights/verify [doc].
type verifyRequest struct {
	FlightID     int64           `json:"flight_id"`
	Passengers   verifyPassenger `json:"passengers"`
	CustomerCode string          `json:"customer_code"`
}

// verifyPassenger counts the travellers of a verify request [doc]; infants
// may not outnumber adults.
type verifyPassenger struct {
	Adults   int `json:"adults"`
	Children int `json:"children"`
	Infants  int `json:"infants"`
}

// verifyResponse is the answer of POST /v3/flights/verify [doc].
// InfantPrice is null unless infants were asked for.
type verifyResponse struct {
	Price              json.Number  `json:"price"`
	Currency           string       `json:"currency"`
	InfantPrice        *json.Number `json:"infant_price"`
	TotalPrice         json.Number  `json:"total_price"`
	IncludedAirportTax json.Number  `json:"included_airport_tax"`
}

// errorBody is the body of every error answer [assumed].
type errorBody struct {
	Message string `json:"message"`
	Type    string `json:"type"`
}
