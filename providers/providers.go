// Package providers holds the neutral vocabulary every flight provider
// adapter maps to (offers, slices, segments, money, parts, ancillaries,
// price checks), one small interface per provider capability, the Set of
// providers with its typed, panic-guarded capability look-ups, the fan-out
// that runs a search across providers in parallel, and the Registration a
// provider package exports for the app's registry.
//
// Adapters live in sub-packages (providers/citizenplane, providers/liteapi),
// each registering itself as one Registration value listed in
// app/providers.go, with the JSON shapes of its API in a wire sub-package
// and an HTTP simulator of its provider beside it
// (providers/citizenplane/cpsim, providers/liteapi/litesim) that shares
// only the wire package with the adapter and offers the controls of
// sim.Controller.
package providers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/faregraph/faregraph/refdata"
)

// FareType tells how an offer, or one provider part of it, is priced.
type FareType string

const (
	// OneWay is a single slice priced on its own.
	OneWay FareType = "ONE_WAY"
	// RoundTrip is an outbound and a return slice priced together by one provider.
	RoundTrip FareType = "ROUND_TRIP"
	// CombinedOneWays is two one-way fares sold together (only on offers, never on parts).
	CombinedOneWays FareType = "COMBINED_ONE_WAYS"
)

// Passengers counts travellers by type. Infants travel on an adult's lap
// and take no seat.
type Passengers struct {
	Adults   int
	Children int
	Infants  int
}

// Seats is the number of seats the passengers take.
func (p Passengers) Seats() int { return p.Adults + p.Children }

// Total is the number of travellers.
func (p Passengers) Total() int { return p.Adults + p.Children + p.Infants }

// Date is a calendar day, formatted "2006-01-02".
type Date string

// Time parses d at midnight UTC.
func (d Date) Time() (time.Time, error) { return time.Parse(time.DateOnly, string(d)) }

// OriginDestination is one direction of a search: from Origin to
// Destination on Date (IATA NDC's term; LiteAPI's rates request calls them
// "legs"). An offer answers it with a Slice; the airline addendum's legs
// (one flight each) are checkout.AirlineLeg.
type OriginDestination struct {
	Origin      string
	Destination string
	Date        Date
}

// Query is a one-way search.
type Query struct {
	OriginDestination
	Passengers Passengers
	// Currency is the currency the caller wants prices in; providers that
	// can price in only one currency ignore it.
	Currency string
}

// RoundTripQuery is a search for fares that price an outbound and a return
// direction together.
type RoundTripQuery struct {
	Outbound   OriginDestination
	Return     OriginDestination
	Passengers Passengers
	Currency   string
}

// Segment is one flight.
type Segment struct {
	// CarrierCode is the IATA code of the marketing airline.
	CarrierCode  string
	FlightNumber string
	Origin       string
	Destination  string
	// DepartureAt and ArrivalAt are local to their airport and carry its UTC offset.
	DepartureAt time.Time
	ArrivalAt   time.Time
	// OperatingCarrierCode is the IATA code of the airline that flies it,
	// when the provider says (it may be CarrierCode).
	OperatingCarrierCode string
}

// Slice is one direction of a journey: one or more segments.
type Slice struct {
	Segments []Segment
}

// Origin is the first segment's origin.
func (s Slice) Origin() string { return s.Segments[0].Origin }

// Destination is the last segment's destination.
func (s Slice) Destination() string { return s.Segments[len(s.Segments)-1].Destination }

// DepartureAt is the first segment's departure.
func (s Slice) DepartureAt() time.Time { return s.Segments[0].DepartureAt }

// ArrivalAt is the last segment's arrival.
func (s Slice) ArrivalAt() time.Time { return s.Segments[len(s.Segments)-1].ArrivalAt }

// Duration is the time from first departure to last arrival, layovers
// included.
func (s Slice) Duration() time.Duration { return s.ArrivalAt().Sub(s.DepartureAt()) }

// FlyingTime is the time in the air: the sum of the segments' durations,
// layovers left out.
func (s Slice) FlyingTime() time.Duration {
	var d time.Duration
	for _, g := range s.Segments {
		d += g.ArrivalAt.Sub(g.DepartureAt)
	}
	return d
}

// Layover is the time on the ground between two segments of a slice.
type Layover struct {
	// Arrival is where the earlier flight lands; Departure where the next
	// one leaves, another airport when the traveller must change airports.
	Arrival   Airport
	Departure Airport
	Duration  time.Duration
}

// AirportChange reports whether the traveller changes airports.
func (l Layover) AirportChange() bool { return l.Arrival != l.Departure }

// DurationMinutes is Duration in whole minutes.
func (l Layover) DurationMinutes() int { return int(l.Duration.Minutes()) }

// Layovers are the connections of the slice, in order; none for a nonstop.
func (s Slice) Layovers() []Layover {
	out := []Layover{}
	for i := 1; i < len(s.Segments); i++ {
		a, b := s.Segments[i-1], s.Segments[i]
		out = append(out, Layover{Arrival: Airport{a.Destination}, Departure: Airport{b.Origin}, Duration: b.DepartureAt.Sub(a.ArrivalAt)})
	}
	return out
}

// FlyingMinutes is FlyingTime in whole minutes.
func (s Slice) FlyingMinutes() int { return int(s.FlyingTime().Minutes()) }

// Conditions are the fare rules that matter to a traveller.
type Conditions struct {
	Refundable bool
	Changeable bool
	// ChangeFee and RefundFee are what a change or a refund costs, when the
	// provider says (LiteAPI terms.changeFee, terms.refundFee); nil when it
	// does not.
	ChangeFee *Penalty
	RefundFee *Penalty
	// Notes are the provider's own summary of the rules, safe to show.
	Notes []string
}

// Penalty is what a change or a refund of a fare costs: an amount, or a
// percentage of the fare, or both, as the provider states it.
type Penalty struct {
	// Amount is nil when the provider gives a percentage only.
	Amount *Money
	// Percent is a decimal string ("25"), empty when not given.
	Percent string
	// Label is the provider's description, like "Change fee (before departure)".
	Label string
}

// Cabin is a class of service.
type Cabin string

const (
	Economy        Cabin = "ECONOMY"
	PremiumEconomy Cabin = "PREMIUM_ECONOMY"
	Business       Cabin = "BUSINESS"
	First          Cabin = "FIRST"
)

// CabinOf reads a provider's cabin name ("economy", "Premium Economy",
// "PREMIUM_ECONOMY"); "" for one it does not know.
func CabinOf(name string) Cabin {
	switch strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToUpper(strings.TrimSpace(name))) {
	case "ECONOMY", "Y", "M":
		return Economy
	case "PREMIUM_ECONOMY", "PREMIUM", "W":
		return PremiumEconomy
	case "BUSINESS", "C", "J":
		return Business
	case "FIRST", "F":
		return First
	}
	return ""
}

// BagKind is where a bag travels.
type BagKind string

const (
	// CabinBagKind is a carry-on bag, in the overhead bin.
	CabinBagKind BagKind = "CABIN"
	// PersonalItem fits under the seat in front.
	PersonalItem BagKind = "PERSONAL_ITEM"
	// CheckedBagKind travels in the hold.
	CheckedBagKind BagKind = "CHECKED"
)

// BaggageAllowance is baggage included in a fare for each passenger of a
// type (or of every type, when PassengerTypes is empty).
type BaggageAllowance struct {
	Kind BagKind
	// PassengerTypes are the passenger types it is for; empty for all.
	PassengerTypes []PassengerType
	Pieces         int
	// WeightKg is the most a piece may weigh; 0 when not stated.
	WeightKg int
	// Dimensions is "55x40x20" (cm), empty when not stated.
	Dimensions  string
	Description string
}

// Fare is what a provider says of the fare of a part beyond its price.
type Fare struct {
	// Cabin is "" when the provider does not say, or the part's flights
	// are in different cabins.
	Cabin Cabin
	// Brand is the fare brand or family, like "Basic"; "" when not given.
	Brand string
	// Baggage is what is included; nil when the provider does not say.
	Baggage    []BaggageAllowance
	Conditions Conditions
}

// PassengerPrice is the price of one passenger of a type.
type PassengerPrice struct {
	Adult  Money
	Child  *Money
	Infant *Money
}

// Part is one provider booking unit: what is held and booked with the
// provider in one go. Ref is the provider's own id of it and is opaque to
// everything outside the adapter.
type Part struct {
	Provider string
	Ref      string
	FareType FareType
	// OriginDestinations are the searched directions the part covers (one,
	// or two for a round trip).
	OriginDestinations []OriginDestination
	Passengers         Passengers
	Total              Money
	// Taxes is the share of Total that is taxes and fees, as the provider
	// states it (CitizenPlane included_airport_tax, LiteAPI taxes + fees);
	// zero when the provider does not say.
	Taxes Money
	// PerPassenger is the price of one passenger of each type, as the
	// provider prices the part; a zero Adult means it does not say.
	PerPassenger PassengerPrice
	// PassengerTaxes is the share of taxes and fees in the price of one
	// passenger of each type; a zero Adult means the provider does not say.
	PassengerTaxes PassengerPrice
	// Fare is the fare's cabin, brand, included baggage and conditions.
	Fare Fare
	// Converted is the part's prices in the offer's currency when the
	// provider priced it in another (package search converts); nil when
	// Total is in the offer's currency. Total, Taxes and the per-passenger
	// prices stay the provider's: what it is paid and re-checks.
	Converted *Converted
}

// Conversion says how prices in one currency were converted into another.
type Conversion struct {
	From, To string
	// Rate is how much of To one unit of From buys, a decimal string for
	// display (the conversion used the exact rate).
	Rate string
	// Source names the rates and Date their day.
	Source RateSource
	Date   Date
}

// RateSource names where exchange rates come from.
type RateSource string

// RateECB is the ECB's euro foreign exchange reference rates (package fx).
const RateECB RateSource = "ECB"

// Converted is a part's prices converted into the offer's currency.
type Converted struct {
	Conversion
	Prices
}

// Prices are a part's prices in one currency (Part has the same fields).
type Prices struct {
	Total          Money
	Taxes          Money
	PerPassenger   PassengerPrice
	PassengerTaxes PassengerPrice
}

// Charged are the part's prices in the offer's currency: its Converted
// prices, or its own when it was not converted.
func (p Part) Charged() Prices {
	if p.Converted != nil {
		return p.Converted.Prices
	}
	return Prices{Total: p.Total, Taxes: p.Taxes, PerPassenger: p.PerPassenger, PassengerTaxes: p.PassengerTaxes}
}

// For returns the price of one passenger of type t; nil when there is none.
func (pp PassengerPrice) For(t PassengerType) *Money {
	switch t {
	case Adult:
		if pp.Adult.Currency == "" {
			return nil
		}
		return &pp.Adult
	case Child:
		return pp.Child
	case Infant:
		return pp.Infant
	}
	return nil
}

// Key identifies the part for deduplication: the same provider and ref for
// the same passengers is the same provider call.
func (p Part) Key() string {
	return fmt.Sprintf("%s|%s|%d.%d.%d", p.Provider, p.Ref, p.Passengers.Adults, p.Passengers.Children, p.Passengers.Infants)
}

// Offer is a priced journey: one slice (one way) or two (outbound, return),
// made of one or more provider parts.
type Offer struct {
	FareType       FareType
	Slices         []Slice
	Parts          []Part
	Total          Money
	PerPassenger   PassengerPrice
	SeatsAvailable int
	Conditions     Conditions
	ExpiresAt      time.Time
}

// FlyingMinutes is the summed flying time of the offer's slices, in whole minutes.
func (o Offer) FlyingMinutes() int {
	n := 0
	for _, s := range o.Slices {
		n += s.FlyingMinutes()
	}
	return n
}

// Cabin is the cabin of every part of the offer, "" when they differ or
// a provider does not say.
func (o Offer) Cabin() Cabin {
	if len(o.Parts) == 0 {
		return ""
	}
	c := o.Parts[0].Fare.Cabin
	for _, p := range o.Parts[1:] {
		if p.Fare.Cabin != c {
			return ""
		}
	}
	return c
}

// Duration is the summed duration of the offer's slices.
func (o Offer) Duration() time.Duration {
	var d time.Duration
	for _, s := range o.Slices {
		d += s.Duration()
	}
	return d
}

// AncillaryKind is the kind of an extra sold with a fare.
type AncillaryKind string

const (
	CheckedBag AncillaryKind = "CHECKED_BAG"
	CabinBag   AncillaryKind = "CABIN_BAG"
	Seat       AncillaryKind = "SEAT"
)

// Ancillary is an extra that can be bought with a part, priced per unit and
// per passenger.
type Ancillary struct {
	// Ref is the provider's own id of the option, opaque outside the adapter
	// (CitizenPlane: flight id and bag option; LiteAPI: serviceId).
	Ref         string
	Kind        AncillaryKind
	Description string
	Price       Money
	// WeightKg is set for bags sold by weight.
	WeightKg int
	// Dimensions is "56x45x25" (cm) for bags sold by size.
	Dimensions string
	// Segment is the flight (carrier code and number) it applies to, empty for the whole part.
	Segment string
	// Seat describes the seat of a Seat ancillary, when the provider says.
	Seat *SeatInfo
}

// SeatCharacteristic is a feature of a seat.
type SeatCharacteristic string

const (
	Window       SeatCharacteristic = "WINDOW"
	Aisle        SeatCharacteristic = "AISLE"
	Middle       SeatCharacteristic = "MIDDLE"
	ExtraLegroom SeatCharacteristic = "EXTRA_LEGROOM"
)

// SeatInfo is where a seat is and what it is like.
type SeatInfo struct {
	// Designator is the row and column, "7A".
	Designator      string
	Row             int
	Column          string
	Characteristics []SeatCharacteristic
	// Available is false for a seat the provider lists as taken.
	Available bool
}

// PriceCheck is a live check of a part's price and availability.
type PriceCheck struct {
	Available      bool
	Total          Money
	SeatsAvailable int
	// Ancillaries is set by providers whose price check also returns the
	// extras on sale; nil means the check did not say.
	Ancillaries []Ancillary
}

// Searcher searches one-way fares. Every provider has it.
//
// Search returns the offers for q, each with one slice and one part. An
// empty result is not an error. Errors are *Error values.
type Searcher interface {
	Name() string
	Search(ctx context.Context, q Query) ([]Offer, error)
}

// RoundTripSearcher searches fares that price both directions together.
// Providers that have none do not implement it.
//
// SearchRoundTrips returns offers with two slices and one part of fare type
// RoundTrip. An empty result is not an error.
type RoundTripSearcher interface {
	SearchRoundTrips(ctx context.Context, q RoundTripQuery) ([]Offer, error)
}

// PriceChecker re-checks the live price and availability of a part with the
// provider. A part the provider no longer sells (sold out, fare gone, offer
// id expired at the provider) is a PriceCheck with Available false, not an
// error; errors are failures to get an answer (*Error values).
type PriceChecker interface {
	CheckPrice(ctx context.Context, p Part) (*PriceCheck, error)
}

// AncillaryLister lists the extras on sale with parts. It takes a batch so
// that a provider can answer many parts with few calls; the result has one
// entry per part, in the order of parts. Providers whose price check returns
// the extras do not implement it.
type AncillaryLister interface {
	ListAncillaries(ctx context.Context, parts []Part) []AncillaryResult
}

// AncillaryResult is the answer for one part of a ListAncillaries batch.
type AncillaryResult struct {
	Ancillaries []Ancillary
	Err         error
}

// ErrorCode classifies provider failures for callers.
type ErrorCode string

const (
	// Unavailable: the provider answered with an error or could not be reached.
	Unavailable ErrorCode = "PROVIDER_UNAVAILABLE"
	// Timeout: the provider did not answer before the deadline.
	Timeout ErrorCode = "PROVIDER_TIMEOUT"
	// OfferExpired: the provider says the offer or fare is gone (search again).
	OfferExpired ErrorCode = "OFFER_EXPIRED"
	// NotFound: the provider does not know the id.
	NotFound ErrorCode = "NOT_FOUND"
	// Rejected: the provider refused the request as invalid (a bug of ours
	// or bad input that passed our validation).
	Rejected ErrorCode = "PROVIDER_REJECTED"
	// Internal: the call panicked inside faregraph (a bug of ours); the
	// panic was recovered and logged, and only this call failed. Whether a
	// write took effect at the provider is unknown.
	Internal ErrorCode = "INTERNAL"
)

// Error is a failed provider call. Message is safe to show to API clients
// (it never carries the provider's raw body); Err has the detail for logs.
type Error struct {
	Provider string
	Op       string
	Code     ErrorCode
	// Status is the HTTP status of the answer, 0 when there was none.
	Status int
	// ProviderCode is the provider's own error code or type, if any.
	ProviderCode string
	Message      string
	Err          error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Provider, e.Op, e.Code)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d", e.Status)
		if e.ProviderCode != "" {
			s += " " + e.ProviderCode
		}
		s += ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the ErrorCode of err: the code of a wrapped *Error,
// Timeout for deadline errors, Unavailable for anything else.
func CodeOf(err error) ErrorCode {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Timeout
	}
	return Unavailable
}

// Airport is an airport by its IATA code; its name, city, country and
// time zone come from the reference data (package refdata).
type Airport struct {
	IataCode string
}

// Name is the airport's name; nil when the reference data does not know it.
func (a Airport) Name() *string {
	return airportField(a.IataCode, func(r refdata.Airport) string { return r.Name })
}

// City is the city the airport serves; nil when unknown.
func (a Airport) City() *string {
	return airportField(a.IataCode, func(r refdata.Airport) string { return r.City })
}

// CountryCode is the ISO 3166-1 alpha-2 code of the airport's country; nil when unknown.
func (a Airport) CountryCode() *string {
	return airportField(a.IataCode, func(r refdata.Airport) string { return r.Country })
}

// TimeZone is the IANA name of the airport's time zone; nil when unknown.
func (a Airport) TimeZone() *string {
	return airportField(a.IataCode, func(r refdata.Airport) string { return r.TimeZone })
}

func airportField(iata string, f func(refdata.Airport) string) *string {
	return refField(iata, refdata.LookupAirport, f)
}

// refField is field f of the reference data lookup finds for code; nil
// when it finds none or the field is empty.
func refField[R any](code string, lookup func(string) (R, bool), f func(R) string) *string {
	r, ok := lookup(code)
	if !ok || f(r) == "" {
		return nil
	}
	v := f(r)
	return &v
}

// Airline is an airline by its IATA code; its ICAO code and name come
// from the reference data.
type Airline struct {
	IataCode string
}

// IcaoCode is the airline's ICAO code; nil when unknown.
func (a Airline) IcaoCode() *string {
	return airlineField(a.IataCode, func(r refdata.Airline) string { return r.ICAO })
}

// Name is the airline's name; nil when unknown.
func (a Airline) Name() *string {
	return airlineField(a.IataCode, func(r refdata.Airline) string { return r.Name })
}

func airlineField(iata string, f func(refdata.Airline) string) *string {
	return refField(iata, refdata.LookupAirline, f)
}

// MarketingCarrier is the airline that sells the flight under its code.
func (s Segment) MarketingCarrier() Airline { return Airline{s.CarrierCode} }

// OperatingCarrier is the airline that flies it; nil when the provider
// does not say.
func (s Segment) OperatingCarrier() *Airline {
	if s.OperatingCarrierCode == "" {
		return nil
	}
	return &Airline{s.OperatingCarrierCode}
}

// OriginAirport is the slice's first origin as an Airport.
func (s Slice) OriginAirport() Airport { return Airport{s.Origin()} }

// DestinationAirport is the slice's last destination as an Airport.
func (s Slice) DestinationAirport() Airport { return Airport{s.Destination()} }

// DurationMinutes is Duration in whole minutes.
func (s Slice) DurationMinutes() int { return int(s.Duration().Minutes()) }

// OriginAirport is the segment's origin as an Airport.
func (s Segment) OriginAirport() Airport { return Airport{s.Origin} }

// DestinationAirport is the segment's destination as an Airport.
func (s Segment) DestinationAirport() Airport { return Airport{s.Destination} }

// DurationMinutes is the flight time in whole minutes.
func (s Segment) DurationMinutes() int { return int(s.ArrivalAt.Sub(s.DepartureAt).Minutes()) }

// DurationMinutes is Duration in whole minutes.
func (o Offer) DurationMinutes() int { return int(o.Duration().Minutes()) }
