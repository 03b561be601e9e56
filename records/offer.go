package records

import (
	"time"

	"github.com/faregraph/faregraph/providers"
)

// OfferID is the payload sealed into an offer id (package search): the
// whole offer, so that checkout can start from the id alone.
type OfferID struct {
	Header
	Offer
}

// NewOfferID returns the payload of o's id at Version.
func NewOfferID(o providers.Offer) OfferID { return OfferID{Current(), FromOffer(o)} }

// AncillaryID is the payload sealed into an ancillary id (package
// search): an extra and the provider part it is sold with.
type AncillaryID struct {
	Header
	Provider string `json:"pv"`
	// PartRef is the Ref of the part the extra is sold with.
	PartRef string `json:"pr"`
	Ancillary
}

// NewAncillaryID returns the payload of the id of a, sold with the part
// ref of provider, at Version.
func NewAncillaryID(provider, ref string, a providers.Ancillary) AncillaryID {
	return AncillaryID{Current(), provider, ref, FromAncillary(a)}
}

// Money is providers.Money: minor units and an ISO 4217 code.
type Money struct {
	Amount   int64  `json:"a"`
	Currency string `json:"c"`
}

// FromMoney returns the record of m.
func FromMoney(m providers.Money) Money { return Money(m) }

// Domain returns the providers.Money m records.
func (m Money) Domain() providers.Money { return providers.Money(m) }

func fromMoneyPtr(m *providers.Money) *Money {
	if m == nil {
		return nil
	}
	r := FromMoney(*m)
	return &r
}

func (m *Money) domainPtr() *providers.Money {
	if m == nil {
		return nil
	}
	d := m.Domain()
	return &d
}

// Passengers is providers.Passengers.
type Passengers struct {
	Adults   int `json:"ad"`
	Children int `json:"ch,omitempty"`
	Infants  int `json:"in,omitempty"`
}

// OriginDestination is providers.OriginDestination: a searched direction, its date "2006-01-02".
type OriginDestination struct {
	Origin      string `json:"o"`
	Destination string `json:"d"`
	Date        string `json:"t"`
}

// Segment is providers.Segment; times are RFC 3339 with the airport's
// UTC offset.
type Segment struct {
	CarrierCode  string    `json:"cc"`
	FlightNumber string    `json:"fn"`
	Origin       string    `json:"o"`
	Destination  string    `json:"d"`
	DepartureAt  time.Time `json:"dep"`
	ArrivalAt    time.Time `json:"arr"`
	// OperatingCarrierCode is absent when the provider did not say.
	OperatingCarrierCode string `json:"oc,omitempty"`
}

// Slice is providers.Slice.
type Slice struct {
	Segments []Segment `json:"s"`
}

// FromSlices returns the records of ss (nil for nil).
func FromSlices(ss []providers.Slice) []Slice {
	return Map(ss, func(s providers.Slice) Slice {
		return Slice{Map(s.Segments, func(g providers.Segment) Segment { return Segment(g) })}
	})
}

// DomainSlices returns the providers.Slice values ss record (nil for nil).
// Times come back in their airport's time zone when it has the recorded
// offset (JSON keeps only the offset, and writes a zero one as "Z").
func DomainSlices(ss []Slice) []providers.Slice {
	return Map(ss, func(s Slice) providers.Slice {
		return providers.Slice{Segments: Map(s.Segments, func(g Segment) providers.Segment {
			d := providers.Segment(g)
			d.DepartureAt = inZone(d.DepartureAt, d.Origin)
			d.ArrivalAt = inZone(d.ArrivalAt, d.Destination)
			return d
		})}
	})
}

// inZone is t in the time zone of airport when that zone has t's offset
// at t, and t unchanged otherwise.
func inZone(t time.Time, airport string) time.Time {
	l := t.In(providers.AirportLocation(airport))
	_, a := t.Zone()
	if _, b := l.Zone(); a != b {
		return t
	}
	return l
}

// Part is providers.Part.
type Part struct {
	Provider           string              `json:"p"`
	Ref                string              `json:"r"`
	FareType           string              `json:"f"`
	OriginDestinations []OriginDestination `json:"l"`
	Passengers         Passengers          `json:"px"`
	Total              Money               `json:"t"`
	Taxes              Money               `json:"tx,omitzero"`
	// PassengerTaxes and Fare were added in place (additive, absent when
	// zero): a part without them decodes as one whose provider said nothing.
	PassengerTaxes PassengerPrice `json:"ptx,omitzero"`
	Fare           Fare           `json:"fr,omitzero"`
	PerPassenger   PassengerPrice `json:"pp,omitzero"`
	Converted      *Converted     `json:"cv,omitempty"`
}

// Conversion is providers.Conversion.
type Conversion struct {
	From   string `json:"f"`
	To     string `json:"t"`
	Rate   string `json:"r"`
	Source string `json:"s"`
	Date   string `json:"d"`
}

// FromConversion returns the record of c.
func FromConversion(c providers.Conversion) Conversion {
	return Conversion{From: c.From, To: c.To, Rate: c.Rate, Source: string(c.Source), Date: string(c.Date)}
}

// Domain returns the providers.Conversion c records.
func (c Conversion) Domain() providers.Conversion {
	return providers.Conversion{From: c.From, To: c.To, Rate: c.Rate, Source: providers.RateSource(c.Source), Date: providers.Date(c.Date)}
}

// Converted is providers.Converted.
type Converted struct {
	Conversion
	Total          Money          `json:"tt"`
	Taxes          Money          `json:"tx,omitzero"`
	PerPassenger   PassengerPrice `json:"pp,omitzero"`
	PassengerTaxes PassengerPrice `json:"ptx,omitzero"`
}

func fromConverted(c *providers.Converted) *Converted {
	if c == nil {
		return nil
	}
	return &Converted{Conversion: FromConversion(c.Conversion), Total: FromMoney(c.Total), Taxes: FromMoney(c.Taxes),
		PerPassenger: fromPassengerPrice(c.PerPassenger), PassengerTaxes: fromPassengerPrice(c.PassengerTaxes)}
}

func (c *Converted) domain() *providers.Converted {
	if c == nil {
		return nil
	}
	return &providers.Converted{Conversion: c.Conversion.Domain(), Prices: providers.Prices{Total: c.Total.Domain(), Taxes: c.Taxes.Domain(),
		PerPassenger: c.PerPassenger.domain(), PassengerTaxes: c.PassengerTaxes.domain()}}
}

// PassengerPrice is providers.PassengerPrice.
type PassengerPrice struct {
	Adult  Money  `json:"ad"`
	Child  *Money `json:"ch,omitempty"`
	Infant *Money `json:"in,omitempty"`
}

// Conditions is providers.Conditions.
type Conditions struct {
	Refundable bool     `json:"rf,omitempty"`
	Changeable bool     `json:"cg,omitempty"`
	ChangeFee  *Penalty `json:"chf,omitempty"`
	RefundFee  *Penalty `json:"rff,omitempty"`
	Notes      []string `json:"nt,omitempty"`
}

// Penalty is providers.Penalty.
type Penalty struct {
	Amount  *Money `json:"a,omitempty"`
	Percent string `json:"pc,omitempty"`
	Label   string `json:"lb,omitempty"`
}

func fromConditions(c providers.Conditions) Conditions {
	return Conditions{Refundable: c.Refundable, Changeable: c.Changeable, ChangeFee: fromPenalty(c.ChangeFee), RefundFee: fromPenalty(c.RefundFee), Notes: c.Notes}
}

func (c Conditions) domain() providers.Conditions {
	return providers.Conditions{Refundable: c.Refundable, Changeable: c.Changeable, ChangeFee: c.ChangeFee.domain(), RefundFee: c.RefundFee.domain(), Notes: c.Notes}
}

func fromPenalty(p *providers.Penalty) *Penalty {
	if p == nil {
		return nil
	}
	return &Penalty{Amount: fromMoneyPtr(p.Amount), Percent: p.Percent, Label: p.Label}
}

func (p *Penalty) domain() *providers.Penalty {
	if p == nil {
		return nil
	}
	return &providers.Penalty{Amount: p.Amount.domainPtr(), Percent: p.Percent, Label: p.Label}
}

// Baggage is providers.BaggageAllowance.
type Baggage struct {
	Kind           string   `json:"k"`
	PassengerTypes []string `json:"pt,omitempty"`
	Pieces         int      `json:"n,omitempty"`
	WeightKg       int      `json:"w,omitempty"`
	Dimensions     string   `json:"dm,omitempty"`
	Description    string   `json:"ds,omitempty"`
}

// Fare is providers.Fare.
type Fare struct {
	Cabin      string     `json:"cb,omitempty"`
	Brand      string     `json:"br,omitempty"`
	Baggage    []Baggage  `json:"bg,omitzero"`
	Conditions Conditions `json:"cn,omitzero"`
}

func fromFare(f providers.Fare) Fare {
	return Fare{Cabin: string(f.Cabin), Brand: f.Brand, Conditions: fromConditions(f.Conditions),
		Baggage: Map(f.Baggage, func(b providers.BaggageAllowance) Baggage {
			return Baggage{Kind: string(b.Kind), PassengerTypes: Map(b.PassengerTypes, func(t providers.PassengerType) string { return string(t) }),
				Pieces: b.Pieces, WeightKg: b.WeightKg, Dimensions: b.Dimensions, Description: b.Description}
		})}
}

func (f Fare) domain() providers.Fare {
	return providers.Fare{Cabin: providers.Cabin(f.Cabin), Brand: f.Brand, Conditions: f.Conditions.domain(),
		Baggage: Map(f.Baggage, func(b Baggage) providers.BaggageAllowance {
			return providers.BaggageAllowance{Kind: providers.BagKind(b.Kind), PassengerTypes: Map(b.PassengerTypes, func(t string) providers.PassengerType { return providers.PassengerType(t) }),
				Pieces: b.Pieces, WeightKg: b.WeightKg, Dimensions: b.Dimensions, Description: b.Description}
		})}
}

func fromPassengerPrice(p providers.PassengerPrice) PassengerPrice {
	return PassengerPrice{Adult: FromMoney(p.Adult), Child: fromMoneyPtr(p.Child), Infant: fromMoneyPtr(p.Infant)}
}

func (p PassengerPrice) domain() providers.PassengerPrice {
	return providers.PassengerPrice{Adult: p.Adult.Domain(), Child: p.Child.domainPtr(), Infant: p.Infant.domainPtr()}
}

// Offer is providers.Offer; ExpiresAt is UTC.
type Offer struct {
	FareType       string         `json:"ft"`
	Slices         []Slice        `json:"sl"`
	Parts          []Part         `json:"pt"`
	Total          Money          `json:"t"`
	PerPassenger   PassengerPrice `json:"pp"`
	SeatsAvailable int            `json:"sa"`
	Conditions     Conditions     `json:"cn"`
	ExpiresAt      time.Time      `json:"x"`
}

// FromOffer returns the record of o.
func FromOffer(o providers.Offer) Offer {
	return Offer{
		FareType: string(o.FareType),
		Slices:   FromSlices(o.Slices),
		Parts: Map(o.Parts, func(p providers.Part) Part {
			return Part{
				Provider: p.Provider, Ref: p.Ref, FareType: string(p.FareType),
				OriginDestinations: Map(p.OriginDestinations, func(l providers.OriginDestination) OriginDestination {
					return OriginDestination{Origin: l.Origin, Destination: l.Destination, Date: string(l.Date)}
				}),
				Passengers: Passengers(p.Passengers), Total: FromMoney(p.Total), Taxes: FromMoney(p.Taxes),
				PassengerTaxes: fromPassengerPrice(p.PassengerTaxes), Fare: fromFare(p.Fare),
				PerPassenger: fromPassengerPrice(p.PerPassenger), Converted: fromConverted(p.Converted),
			}
		}),
		Total:          FromMoney(o.Total),
		PerPassenger:   fromPassengerPrice(o.PerPassenger),
		SeatsAvailable: o.SeatsAvailable,
		Conditions:     fromConditions(o.Conditions),
		ExpiresAt:      o.ExpiresAt,
	}
}

// Domain returns the providers.Offer o records.
func (o Offer) Domain() providers.Offer {
	return providers.Offer{
		FareType: providers.FareType(o.FareType),
		Slices:   DomainSlices(o.Slices),
		Parts: Map(o.Parts, func(p Part) providers.Part {
			return providers.Part{
				Provider: p.Provider, Ref: p.Ref, FareType: providers.FareType(p.FareType),
				OriginDestinations: Map(p.OriginDestinations, func(l OriginDestination) providers.OriginDestination {
					return providers.OriginDestination{Origin: l.Origin, Destination: l.Destination, Date: providers.Date(l.Date)}
				}),
				Passengers: providers.Passengers(p.Passengers), Total: p.Total.Domain(), Taxes: p.Taxes.Domain(),
				PassengerTaxes: p.PassengerTaxes.domain(), Fare: p.Fare.domain(),
				PerPassenger: p.PerPassenger.domain(), Converted: p.Converted.domain(),
			}
		}),
		Total:          o.Total.Domain(),
		PerPassenger:   o.PerPassenger.domain(),
		SeatsAvailable: o.SeatsAvailable,
		Conditions:     o.Conditions.domain(),
		ExpiresAt:      o.ExpiresAt,
	}
}

// Ancillary is providers.Ancillary.
type Ancillary struct {
	Ref         string `json:"r"`
	Kind        string `json:"k"`
	Description string `json:"ds"`
	Price       Money  `json:"p"`
	WeightKg    int    `json:"w,omitempty"`
	Dimensions  string `json:"dm,omitempty"`
	Segment     string `json:"sg,omitempty"`
	// Seat is set for seats only (issue 12); records without it read as
	// before, so the version stays.
	Seat *Seat `json:"st,omitempty"`
}

// Seat is providers.SeatInfo.
type Seat struct {
	Designator      string   `json:"d"`
	Row             int      `json:"r,omitempty"`
	Column          string   `json:"c,omitempty"`
	Characteristics []string `json:"ch,omitempty"`
	Available       bool     `json:"a,omitempty"`
}

// FromAncillary returns the record of a.
func FromAncillary(a providers.Ancillary) Ancillary {
	r := Ancillary{Ref: a.Ref, Kind: string(a.Kind), Description: a.Description, Price: FromMoney(a.Price), WeightKg: a.WeightKg, Dimensions: a.Dimensions, Segment: a.Segment}
	if si := a.Seat; si != nil {
		r.Seat = &Seat{Designator: si.Designator, Row: si.Row, Column: si.Column, Available: si.Available,
			Characteristics: Map(si.Characteristics, func(c providers.SeatCharacteristic) string { return string(c) })}
	}
	return r
}

// Domain returns the providers.Ancillary a records.
func (a Ancillary) Domain() providers.Ancillary {
	d := providers.Ancillary{Ref: a.Ref, Kind: providers.AncillaryKind(a.Kind), Description: a.Description, Price: a.Price.Domain(), WeightKg: a.WeightKg, Dimensions: a.Dimensions, Segment: a.Segment}
	if st := a.Seat; st != nil {
		d.Seat = &providers.SeatInfo{Designator: st.Designator, Row: st.Row, Column: st.Column, Available: st.Available,
			Characteristics: Map(st.Characteristics, func(c string) providers.SeatCharacteristic { return providers.SeatCharacteristic(c) })}
	}
	return d
}

// Map returns f applied to every element of in, in order. A nil slice
// stays nil, because a nil and an empty slice encode differently ("null"
// and "[]") and a record must encode as its domain value did.
func Map[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
