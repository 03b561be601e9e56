package liteapi

import (
	"encoding/json"
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
	ratesPath  = "/flights/rates"
	verifyPath = "/flights/verify"
)

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

type display struct {
	Total        json.Number   `json:"total"`
	Currency     string        `json:"currency"`
	Base         json.Number   `json:"base,omitempty"`
	Fees         json.Number   `json:"fees,omitempty"`
	Taxes        json.Number   `json:"taxes,omitempty"`
	PerPassenger *perPassenger `json:"perPassenger,omitempty"`
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
	Fees     json.Number `json:"fees"`
	Taxes    json.Number `json:"taxes"`
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
