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
	"time"
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
	CarrierCode  string
	FlightNumber string
	Origin       string
	Destination  string
	// DepartureAt and ArrivalAt are local to their airport and carry its UTC offset.
	DepartureAt time.Time
	ArrivalAt   time.Time
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

// Duration is the time from first departure to last arrival.
func (s Slice) Duration() time.Duration { return s.ArrivalAt().Sub(s.DepartureAt()) }

// Conditions are the fare rules that matter to a traveller.
type Conditions struct {
	Refundable bool
	Changeable bool
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

// Airport is an airport by its IATA code.
type Airport struct {
	IataCode string
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
