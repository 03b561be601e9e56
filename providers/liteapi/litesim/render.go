package litesim

import (
	"fmt"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// This file renders the simulator's quotes in the wire shapes of package
// wire.

// sandboxSupplier is the provider.code of the simulator's offers.
const sandboxSupplier = "SANDBOX"

func minutesDuration(d time.Duration) wire.Duration {
	m := int(d / time.Minute)
	iso := "PT"
	if h := m / 60; h > 0 {
		iso += fmt.Sprintf("%dH", h)
	}
	if m%60 > 0 || m == 0 {
		iso += fmt.Sprintf("%dM", m%60)
	}
	return wire.Duration{ISO8601: iso, Minutes: m}
}

// journeyKey is the key of a one-way itinerary, or one derived from both
// of a round trip.
func (inv inventory) journeyKey(its []itinerary) string {
	if len(its) == 1 {
		return its[0].key
	}
	return fmt.Sprintf("%016x", inv.hash(its[0].key, its[1].key))
}

func (s *Simulator) wireJourney(its []itinerary, pax providers.Passengers, now time.Time, offers []wire.Offer) wire.Journey {
	j := wire.Journey{
		JourneyKey: s.inv.journeyKey(its),
		Timestamp:  now.UTC().Format(wire.InstantLayout),
		Parameters: &wire.PaxCounts{Adults: pax.Adults, Children: pax.Children, Infants: pax.Infants},
		Segments:   quote{its: its}.segments(),
		Offers:     offers,
	}
	var total time.Duration
	for i, it := range its {
		d := it.arr().Sub(it.dep())
		total += d
		dep, arr := it.dep(), it.arr()
		dayChange := int(time.Date(arr.Year(), arr.Month(), arr.Day(), 0, 0, 0, 0, time.UTC).
			Sub(time.Date(dep.Year(), dep.Month(), dep.Day(), 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		j.LegDurations = append(j.LegDurations, wire.LegDuration{Direction: wire.Direction(i), Duration: minutesDuration(d), DayChange: dayChange})
	}
	td := minutesDuration(total)
	j.TotalDuration = &td
	return j
}

func (s *Simulator) wireOffer(q quote, id string, exp time.Time, seats int) wire.Offer {
	return wire.Offer{
		OfferID:      id,
		Expiration:   exp.UTC().Format(wire.InstantLayout),
		Pricing:      q.pricing(),
		Provider:     &wire.Supplier{Code: sandboxSupplier},
		Fare:         q.fare(seats),
		Baggage:      q.baggage(""),
		Terms:        q.terms(),
		SegmentFares: q.segmentFares(seats),
	}
}

func (q quote) segments() []wire.Segment {
	var out []wire.Segment
	for i, it := range q.its {
		for _, f := range it.flights {
			name := airlineName(f.carrier)
			out = append(out, wire.Segment{
				SegmentKey:      f.key,
				OriginCode:      f.from,
				OriginName:      airportName(f.from),
				DestinationCode: f.to,
				DestinationName: airportName(f.to),
				DepartureTime:   f.dep.Format(wire.LocalLayout),
				ArrivalTime:     f.arr.Format(wire.LocalLayout),
				Direction:       wire.Direction(i),
				Duration:        ptr(minutesDuration(f.arr.Sub(f.dep))),
				Flight:          wire.FlightNumbers{MarketingNumber: f.number, OperatingNumber: f.number},
				Carrier:         wire.Carrier{MarketingCode: f.carrier, MarketingName: name, OperatingCode: f.carrier, OperatingName: name},
			})
		}
	}
	return out
}

// pricing: the total and per-person totals carry a markup; base, taxes
// and fees are the supplier's, split from each person's price in q's
// currency, and the offer's are the sums over the party, so that they add
// up exactly in every currency. Types not searched come back as zeros, as
// LiteAPI does.
func (q quote) pricing() wire.Pricing {
	per := func(cents int64, n int) *wire.PaxPrice {
		if n == 0 {
			return &wire.PaxPrice{Base: "0", Currency: q.cur, Fees: "0", Taxes: "0", Total: "0"}
		}
		base, taxes, fees := Split(cents)
		return &wire.PaxPrice{Base: q.money(base), Currency: q.cur, Fees: wire.LooseAmount(q.money(fees)),
			Taxes: wire.LooseAmount(q.money(taxes)), Total: q.money(cents)}
	}
	var base, taxes, fees int64
	for _, p := range []struct {
		cents int64
		n     int
	}{{q.adult, q.pax.Adults}, {q.child, q.pax.Children}, {q.infant, q.pax.Infants}} {
		b, t, f := Split(p.cents)
		base += b * int64(p.n)
		taxes += t * int64(p.n)
		fees += f * int64(p.n)
	}
	return wire.Pricing{Display: wire.Display{
		Total:    q.money(q.total()),
		Currency: q.cur,
		Base:     q.money(base),
		Fees:     wire.LooseAmount(q.money(fees)),
		Taxes:    wire.LooseAmount(q.money(taxes)),
		PerPassenger: &wire.PerPassenger{
			Adult:  per(q.adult, q.pax.Adults),
			Child:  per(q.child, q.pax.Children),
			Infant: per(q.infant, q.pax.Infants),
		},
	}}
}

func (q quote) fare(seats int) wire.Fare {
	return wire.Fare{Family: q.fam.name, SeatsRemaining: seats}
}

func (q quote) segmentFares(seats int) []wire.SegmentFare {
	var out []wire.SegmentFare
	kind := "OW"
	if len(q.its) > 1 {
		kind = "RT"
	}
	for _, it := range q.its {
		for _, f := range it.flights {
			out = append(out, wire.SegmentFare{SegmentKey: f.key, BookingCode: q.fam.bookingCode, Cabin: "Economy",
				FareBasisCode: q.fam.bookingCode + f.carrier + kind, FareFamily: q.fam.name, SeatsRemaining: seats})
		}
	}
	return out
}

// terms: a changeable family charges a change fee (an amount in q's
// currency) before departure, a refundable one a refund fee (a percent of
// the fare), as B.1's changeFee and refundFee.
func (q quote) terms() wire.Terms {
	t := wire.Terms{Changeable: q.fam.changeable, Refundable: q.fam.refundable}
	if q.fam.changeable {
		t.ChangeFee = &wire.Fee{Pricing: &wire.BagPricing{Display: wire.Amount{Amount: q.money(FromEUR(changeFeeEUR, q.cur)), Currency: q.cur}},
			Applicability: "beforeDeparture", Label: "Change fee (before departure)"}
		t.HasChangeFee = true
	}
	if q.fam.refundable {
		t.RefundFee = &wire.Fee{Percent: refundFeePercent, Applicability: "beforeDeparture", Label: "Refund fee (before departure)"}
		t.HasRefundFee = true
	}
	if !q.fam.refundable {
		t.Summary = append(t.Summary, wire.TermSummary{Level: "danger", Message: "Non-refundable"})
	}
	if !q.fam.changeable {
		t.Summary = append(t.Summary, wire.TermSummary{Level: "danger", Message: "Changes not allowed"})
	}
	return t
}

// baggage lists the included bags of each passenger type searched (infants
// have none) and, when paidServiceID is set (verify), a paid 23 kg checked
// bag per passenger.
func (q quote) baggage(paidServiceID string) wire.Baggage {
	b := wire.Baggage{HasCarryOnBag: true, HasCheckedBag: q.fam.checkedBag, Included: []wire.Bag{}}
	zero := wire.BagPricing{Display: wire.Amount{Amount: "0", Currency: q.cur}}
	for _, pt := range []struct {
		code string
		n    int
	}{{"ADT", q.pax.Adults}, {"CHD", q.pax.Children}} {
		if pt.n == 0 {
			continue
		}
		b.Included = append(b.Included, wire.Bag{BagType: "cabin", Description: "1 carry-on bag up to 8 kg", PassengerType: pt.code,
			Pieces: 1, Pricing: zero, Unit: "kg", WeightKg: "8", Size: "55x40x20"})
		if q.fam.checkedBag {
			b.Included = append(b.Included, wire.Bag{BagType: "checked", Description: "1 checked bag up to 23 kg", PassengerType: pt.code,
				Pieces: 1, Pricing: zero, Unit: "kg", WeightKg: "23"})
		}
	}
	if paidServiceID != "" {
		b.Paid = []wire.Bag{{ServiceID: paidServiceID, BagType: "checked", Description: "Extra checked bag up to 23 kg",
			PassengerType: "ALL", Pieces: 1, Unit: "kg", WeightKg: "23",
			Pricing: wire.BagPricing{Display: wire.Amount{Amount: q.money(q.bagFee), Currency: q.cur}}}}
	}
	return b
}

func ptr[T any](v T) *T { return &v }
