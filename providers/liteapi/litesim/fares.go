package litesim

import (
	"encoding/json"
	"slices"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// family is a fare family the simulator sells.
type family struct {
	name        string
	percent     int64 // of the Basic fare
	refundable  bool
	changeable  bool
	checkedBag  bool // a 23 kg checked bag is included
	bookingCode string
}

// families: every journey sells Basic; most also sell Flex.
var families = []family{
	{name: "Basic", percent: 100, bookingCode: "Q"},
	{name: "Flex", percent: 135, refundable: true, changeable: true, checkedBag: true, bookingCode: "Y"},
}

func familyNamed(name string) (family, bool) {
	for _, f := range families {
		if f.name == name {
			return f, true
		}
	}
	return family{}, false
}

// sells reports whether fam is sold on every one of its.
func (f family) sells(its []itinerary) bool {
	for _, it := range its {
		if f.name != "Basic" && !it.flex {
			return false
		}
	}
	return true
}

// The penalties of the families that allow changes and refunds: a change
// fee in EUR cents (converted like every price) and a refund fee in
// percent of the fare.
const (
	changeFeeEUR     = 5000
	refundFeePercent = "20"
)

// Percentages of the simulated pricing.
const (
	roundTripPercent = 92  // a round trip costs this share of its two one-ways
	childPercent     = 75  // of the adult fare
	infantPercent    = 10  // of the adult fare
	markupPercent    = 103 // total over the supplier price (base+taxes+fees)
	taxPercent       = 28  // of the supplier price: government and airport taxes
	feePercent       = 3   // of the supplier price: carrier-imposed fees
)

// quote is what one offer sells: a fare family on one itinerary (one way)
// or two (outbound, return) for a party. Prices are minor units of cur per
// person.
type quote struct {
	its                  []itinerary
	fam                  family
	pax                  providers.Passengers
	cur                  string // one of sandboxRates
	adult, child, infant int64
	bagFee               int64 // a paid checked bag for the whole journey, per passenger
}

// newQuote prices fam on its for pax in EUR.
func newQuote(its []itinerary, fam family, pax providers.Passengers) quote {
	q := quote{its: its, fam: fam, pax: pax, cur: wire.DefaultCurrency}
	for _, it := range its {
		q.adult += percentOf(it.adult, fam.percent)
		q.bagFee += it.bagFee
	}
	if len(its) > 1 {
		q.adult = percentOf(q.adult, roundTripPercent)
	}
	q.child = percentOf(q.adult, childPercent)
	q.infant = percentOf(q.adult, infantPercent)
	return q
}

// in is q, priced in EUR, converted to cur (one of sandboxRates): each
// price per person, and the bag, on its own, so that the totals are the
// sums of the converted prices, as in EUR.
func (q quote) in(cur string) quote {
	if cur == q.cur {
		return q
	}
	if q.cur != wire.DefaultCurrency {
		panic("liteapi simulator: a quote is converted from EUR only")
	}
	q.cur = cur
	q.adult, q.child, q.infant = FromEUR(q.adult, cur), FromEUR(q.child, cur), FromEUR(q.infant, cur)
	q.bagFee = FromEUR(q.bagFee, cur)
	return q
}

// money is an amount of minor units of q's currency as JSON.
func (q quote) money(minor int64) json.Number { return amountIn(minor, q.cur) }

// total is the price of the whole party, in minor units of q.cur.
func (q quote) total() int64 {
	return q.adult*int64(q.pax.Adults) + q.child*int64(q.pax.Children) + q.infant*int64(q.pax.Infants)
}

// buckets are the seat buckets the offer sells from: each flight on its
// day, in the offer's family.
func (q quote) buckets() []string {
	var b []string
	for _, it := range q.its {
		for _, f := range it.flights {
			b = append(b, bucket(f.flightKey(), q.fam))
		}
	}
	return b
}

// bucket is the seat bucket of a flight in a fare family.
func bucket(k sim.FlightKey, fam family) string {
	return k.Carrier + k.Number + "|" + k.Date + "|" + fam.name
}

// percentOf is cents × pct / 100, rounded half up.
func percentOf(cents, pct int64) int64 { return (cents*pct + 50) / 100 }

// Split divides a price per person, in minor units of any currency, into
// the supplier's base, taxes and fees as the simulator's answers show
// them; the rest is the partner markup, which only the total carries. base
// is never negative, so taxes+fees is at most the supplier price, below
// the price.
func Split(cents int64) (base, taxes, fees int64) {
	supplier := cents * 100 / markupPercent
	taxes = percentOf(supplier, taxPercent)
	fees = percentOf(supplier, feePercent)
	return supplier - taxes - fees, taxes, fees
}

// carriers lists the marketing carriers of a quote in order of flight.
func (q quote) carriers() []string {
	var out []string
	for _, it := range q.its {
		for _, f := range it.flights {
			if !slices.Contains(out, f.carrier) {
				out = append(out, f.carrier)
			}
		}
	}
	return out
}
