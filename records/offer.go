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
func DomainSlices(ss []Slice) []providers.Slice {
	return Map(ss, func(s Slice) providers.Slice {
		return providers.Slice{Segments: Map(s.Segments, func(g Segment) providers.Segment { return providers.Segment(g) })}
	})
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
}

// PassengerPrice is providers.PassengerPrice.
type PassengerPrice struct {
	Adult  Money  `json:"ad"`
	Child  *Money `json:"ch,omitempty"`
	Infant *Money `json:"in,omitempty"`
}

// Conditions is providers.Conditions.
type Conditions struct {
	Refundable bool `json:"rf,omitempty"`
	Changeable bool `json:"cg,omitempty"`
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
			}
		}),
		Total: FromMoney(o.Total),
		PerPassenger: PassengerPrice{
			Adult: FromMoney(o.PerPassenger.Adult), Child: fromMoneyPtr(o.PerPassenger.Child), Infant: fromMoneyPtr(o.PerPassenger.Infant),
		},
		SeatsAvailable: o.SeatsAvailable,
		Conditions:     Conditions(o.Conditions),
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
			}
		}),
		Total: o.Total.Domain(),
		PerPassenger: providers.PassengerPrice{
			Adult: o.PerPassenger.Adult.Domain(), Child: o.PerPassenger.Child.domainPtr(), Infant: o.PerPassenger.Infant.domainPtr(),
		},
		SeatsAvailable: o.SeatsAvailable,
		Conditions:     providers.Conditions(o.Conditions),
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
