package liteapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// search is what a rates call asked for, needed to map its answer.
type search struct {
	fareType providers.FareType
	legs     []providers.OriginDestination
	pax      providers.Passengers
	now      time.Time
}

// newRatesRequest is the rates body for legs (outbound, then return) and
// pax, priced in currency (EUR when empty).
func newRatesRequest(legs []providers.OriginDestination, pax providers.Passengers, currency string) wire.RatesRequest {
	cur := strings.ToUpper(currency)
	if cur == "" {
		cur = wire.DefaultCurrency
	}
	wl := make([]wire.Leg, len(legs))
	for i, l := range legs {
		wl[i] = wire.Leg{Origin: l.Origin, Destination: l.Destination, Date: string(l.Date), Direction: wire.Direction(i)}
	}
	return wire.RatesRequest{
		Legs:         wl,
		Adults:       pax.Adults,
		Children:     pax.Children,
		ChildrenAges: repeat(wire.AssumedChildAge, pax.Children),
		Infants:      pax.Infants,
		InfantAges:   repeat(wire.AssumedInfantAge, pax.Infants),
		CabinClass:   wire.CabinEconomy,
		Currency:     cur,
	}
}

// repeat is n copies of v, never nil: LiteAPI wants [] rather than null.
func repeat(v, n int) []int {
	s := make([]int, 0, max(n, 0))
	for range n {
		s = append(s, v)
	}
	return s
}

// skippedItem is an item of an answer that could not be read and was left
// out: what it is ("journey a3bb offer 1") and why. Neither carries
// passenger data: search answers have none.
type skippedItem struct {
	item string
	err  error
}

// toOffers maps every offer of every journey to a neutral offer with one
// part. An offer that cannot be mapped is left out, and so are all the
// offers of a journey whose segments cannot be: one bad item must not cost
// the others, and a wrong price is worse than no price. What was left out
// is returned in skipped (a journey counts once, whatever its offers).
func toOffers(resp wire.RatesResponse, s search) (offers []providers.Offer, skipped []skippedItem) {
	offers = []providers.Offer{}
	for _, d := range resp.Data {
		for _, j := range d.Journeys {
			if len(j.Offers) == 0 {
				continue
			}
			sl, err := toSlices(j.Segments, len(s.legs))
			if err != nil {
				skipped = append(skipped, skippedItem{fmt.Sprintf("journey %s (%d offers)", j.JourneyKey, len(j.Offers)), err})
				continue
			}
			for i, o := range j.Offers {
				offer, err := toOffer(o, sl, s)
				if err != nil {
					skipped = append(skipped, skippedItem{fmt.Sprintf("journey %s offer %d", j.JourneyKey, i), err})
					continue
				}
				offers = append(offers, offer)
			}
		}
	}
	return offers, skipped
}

func toOffer(o wire.Offer, sl []providers.Slice, s search) (providers.Offer, error) {
	if o.OfferID == "" {
		return providers.Offer{}, errors.New("no offerId")
	}
	d := o.Pricing.Display
	total, err := requiredMoney(d.Total, d.Currency)
	if err != nil {
		return providers.Offer{}, fmt.Errorf("total: %w", err)
	}
	pp, err := toPerPassenger(d.PerPassenger, d.Currency, s.pax)
	if err != nil {
		return providers.Offer{}, err
	}
	exp, err := expiry(o.Expiration, s.now)
	if err != nil {
		return providers.Offer{}, err
	}
	fare := fareOf(o, d.Currency)
	part := providers.Part{Provider: Name, Ref: o.OfferID, FareType: s.fareType,
		OriginDestinations: slices.Clone(s.legs), Passengers: s.pax, Total: total, Taxes: taxesOf(d, total),
		PerPassenger: pp, PassengerTaxes: passengerTaxes(d.PerPassenger, d.Currency, s.pax, pp), Fare: fare}
	return providers.Offer{
		FareType:       s.fareType,
		Slices:         cloneSlices(sl),
		Parts:          []providers.Part{part},
		Total:          total,
		PerPassenger:   pp,
		SeatsAvailable: o.Fare.SeatsRemaining,
		Conditions:     fare.Conditions,
		ExpiresAt:      exp,
	}, nil
}

// fareOf reads what an offer says of its fare beyond the price: the cabin
// of its segment fares (when they agree), its fare family, the baggage
// included per passenger type, and its terms with their penalties [DOC
// B.1]. What cannot be read is left out rather than failing the offer.
func fareOf(o wire.Offer, currency string) providers.Fare {
	f := providers.Fare{Brand: o.Fare.Family, Conditions: conditionsOf(o.Terms, currency)}
	for i, sf := range o.SegmentFares {
		c := providers.CabinOf(sf.Cabin)
		if i > 0 && c != f.Cabin {
			f.Cabin = ""
			break
		}
		f.Cabin = c
	}
	if f.Brand == "" && len(o.SegmentFares) > 0 {
		f.Brand = o.SegmentFares[0].FareFamily
	}
	for _, b := range o.Baggage.Included {
		kind, ok := bagAllowanceKinds[b.BagType]
		if !ok {
			continue
		}
		w, err := weightKg(b.WeightKg)
		if err != nil {
			w = 0
		}
		a := providers.BaggageAllowance{Kind: kind, Pieces: max(b.Pieces, 1), WeightKg: w, Dimensions: b.Size, Description: b.Description}
		if t, ok := passengerTypes[b.PassengerType]; ok {
			a.PassengerTypes = []providers.PassengerType{t}
		}
		f.Baggage = append(f.Baggage, a)
	}
	if f.Baggage == nil {
		f.Baggage = []providers.BaggageAllowance{}
	}
	return f
}

// bagAllowanceKinds maps LiteAPI's bagType of included baggage.
var bagAllowanceKinds = map[string]providers.BagKind{
	"cabin":    providers.CabinBagKind,
	"checked":  providers.CheckedBagKind,
	"personal": providers.PersonalItem,
}

// passengerTypes maps LiteAPI's passengerType; ALL (every type) is absent.
var passengerTypes = map[string]providers.PassengerType{"ADT": providers.Adult, "CHD": providers.Child, "INF": providers.Infant}

// conditionsOf maps terms: the booleans, the change and refund fees when
// given, and the summary messages.
func conditionsOf(t wire.Terms, currency string) providers.Conditions {
	c := providers.Conditions{Refundable: t.Refundable, Changeable: t.Changeable,
		ChangeFee: penaltyOf(t.ChangeFee, currency), RefundFee: penaltyOf(t.RefundFee, currency)}
	for _, m := range t.Summary {
		if m.Message != "" {
			c.Notes = append(c.Notes, m.Message)
		}
	}
	return c
}

// penaltyOf maps a fee; nil for none, or one with neither a readable
// amount nor a percent.
func penaltyOf(f *wire.Fee, currency string) *providers.Penalty {
	if f == nil {
		return nil
	}
	p := &providers.Penalty{Label: f.Label}
	if f.Pricing != nil && f.Pricing.Display.Amount != "" {
		cur := f.Pricing.Display.Currency
		if cur == "" {
			cur = currency
		}
		if m, err := providers.MoneyFromJSON(f.Pricing.Display.Amount, cur); err == nil && m.Amount >= 0 {
			p.Amount = &m
		}
	}
	if f.Percent != "" {
		if _, err := f.Percent.Float64(); err == nil {
			p.Percent = f.Percent.String()
		}
	}
	if p.Amount == nil && p.Percent == "" {
		return nil
	}
	if p.Label == "" {
		p.Label = f.Applicability
	}
	return p
}

// passengerTaxes is the taxes and fees in the price of one passenger of
// each type searched (perPassenger taxes + fees); the zero PassengerPrice
// when LiteAPI does not say for every type, or says more than the price.
func passengerTaxes(pp *wire.PerPassenger, currency string, pax providers.Passengers, prices providers.PassengerPrice) providers.PassengerPrice {
	if pp == nil {
		return providers.PassengerPrice{}
	}
	one := func(p *wire.PaxPrice, price *providers.Money) (*providers.Money, bool) {
		if p == nil || price == nil {
			return nil, false
		}
		cur := currency
		if p.Currency != "" {
			cur = p.Currency
		}
		m := taxesOf(wire.Display{Taxes: p.Taxes, Fees: p.Fees, Currency: cur}, *price)
		if m.Amount == 0 && price.Amount > 0 && p.Taxes != "" && p.Taxes != "0" {
			return nil, false
		}
		if m.Currency == "" {
			m.Currency = price.Currency
		}
		return &m, true
	}
	var out providers.PassengerPrice
	a, ok := one(pp.Adult, &prices.Adult)
	if !ok || a.Amount == 0 {
		return providers.PassengerPrice{}
	}
	out.Adult = *a
	if pax.Children > 0 {
		if out.Child, ok = one(pp.Child, prices.Child); !ok {
			return providers.PassengerPrice{}
		}
	}
	if pax.Infants > 0 {
		if out.Infant, ok = one(pp.Infant, prices.Infant); !ok {
			return providers.PassengerPrice{}
		}
	}
	return out
}

// taxesOf is the share of total that is taxes and fees: the offer's
// taxes plus fees, in the display currency (the supplier's values, without
// the markup). A missing fees counts as none. It is the zero Money, as if
// LiteAPI had not said, when taxes is missing, when either is unreadable or
// negative, or when they would exceed total: the offer is still sold, only
// without its tax share.
func taxesOf(d wire.Display, total providers.Money) providers.Money {
	if d.Taxes == "" {
		return providers.Money{}
	}
	var sum providers.Money
	for _, n := range []wire.LooseAmount{d.Taxes, d.Fees} {
		m, err := providers.MoneyFromJSON(json.Number(n), d.Currency)
		if err != nil || m.Amount < 0 || m.Amount > total.Amount {
			return providers.Money{}
		}
		if sum, err = sum.Add(m); err != nil {
			return providers.Money{}
		}
	}
	if sum.Amount == 0 || sum.Currency != total.Currency || sum.Amount > total.Amount {
		return providers.Money{}
	}
	return sum
}

// toSlices groups a journey's segments by direction: OUTBOUND is slice 0,
// INBOUND slice 1. Every searched leg must have at least one segment.
func toSlices(segs []wire.Segment, legs int) ([]providers.Slice, error) {
	out := make([]providers.Slice, legs)
	for i, sg := range segs {
		idx := -1
		switch {
		case sg.Direction == wire.DirectionOutbound, sg.Direction == "" && legs == 1:
			idx = 0
		case sg.Direction == wire.DirectionInbound:
			idx = 1
		}
		if idx < 0 || idx >= legs {
			return nil, fmt.Errorf("segment %d: direction %q in a %d-leg search", i, sg.Direction, legs)
		}
		seg, err := toSegment(sg)
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i, err)
		}
		out[idx].Segments = append(out[idx].Segments, seg)
	}
	for i := range out {
		if len(out[i].Segments) == 0 {
			return nil, fmt.Errorf("no segment for leg %d", i)
		}
		slices.SortStableFunc(out[i].Segments, func(a, b providers.Segment) int {
			return a.DepartureAt.Compare(b.DepartureAt)
		})
	}
	return out, nil
}

func toSegment(sg wire.Segment) (providers.Segment, error) {
	if sg.OriginCode == "" || sg.DestinationCode == "" || sg.Carrier.MarketingCode == "" || sg.Flight.MarketingNumber == "" {
		return providers.Segment{}, errors.New("missing airport, carrier or flight number")
	}
	dep, err := localTime(sg.DepartureTime, sg.OriginCode)
	if err != nil {
		return providers.Segment{}, fmt.Errorf("departureTime: %w", err)
	}
	arr, err := localTime(sg.ArrivalTime, sg.DestinationCode)
	if err != nil {
		return providers.Segment{}, fmt.Errorf("arrivalTime: %w", err)
	}
	return providers.Segment{
		CarrierCode:  sg.Carrier.MarketingCode,
		FlightNumber: sg.Flight.MarketingNumber,
		Origin:       sg.OriginCode,
		Destination:  sg.DestinationCode,
		DepartureAt:  dep,
		ArrivalAt:    arr,
		// LiteAPI names the operating carrier [DOC B.1 carrier.operatingCode].
		OperatingCarrierCode: sg.Carrier.OperatingCode,
	}, nil
}

// localTime reads a LiteAPI segment time, which has no offset, in the time
// zone of the airport it is local to. A time that does carry an offset is
// taken as is and shown in the airport's zone.
func localTime(s, iata string) (time.Time, error) {
	loc := providers.AirportLocation(iata)
	for _, layout := range []string{wire.LocalLayout, "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	return t.In(loc), nil
}

// expiry reads an offer's expiration; an offer without one is given
// fallbackOfferTTL from now.
func expiry(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now.Add(wire.FallbackOfferTTL).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expiration %q: %w", s, err)
	}
	return t.UTC(), nil
}

// toPerPassenger takes the price of one adult, and of one child and one
// infant when the search had some.
func toPerPassenger(pp *wire.PerPassenger, currency string, pax providers.Passengers) (providers.PassengerPrice, error) {
	if pp == nil || pp.Adult == nil {
		return providers.PassengerPrice{}, errors.New("no per-passenger adult price")
	}
	var out providers.PassengerPrice
	var err error
	if out.Adult, err = paxMoney(pp.Adult, currency, 1); err != nil {
		return providers.PassengerPrice{}, fmt.Errorf("adult price: %w", err)
	}
	if pax.Children > 0 {
		m, err := paxMoney(pp.Child, currency, 0)
		if err != nil {
			return providers.PassengerPrice{}, fmt.Errorf("child price: %w", err)
		}
		out.Child = &m
	}
	if pax.Infants > 0 {
		m, err := paxMoney(pp.Infant, currency, 0)
		if err != nil {
			return providers.PassengerPrice{}, fmt.Errorf("infant price: %w", err)
		}
		out.Infant = &m
	}
	return out, nil
}

// paxMoney is the total of one person. Children and infants may travel
// free (minor 0); an adult may not (minor 1).
func paxMoney(p *wire.PaxPrice, currency string, minor int64) (providers.Money, error) {
	if p == nil {
		return providers.Money{}, errors.New("missing")
	}
	if p.Currency != "" {
		currency = p.Currency
	}
	return atLeast(p.Total, currency, minor)
}

// requiredMoney is a price that must be present and positive.
func requiredMoney(n json.Number, currency string) (providers.Money, error) {
	return atLeast(n, currency, 1)
}

// atLeast is a price that must be present and at least minor units.
func atLeast(n json.Number, currency string, minor int64) (providers.Money, error) {
	if n == "" {
		return providers.Money{}, errors.New("no amount")
	}
	m, err := providers.MoneyFromJSON(n, currency)
	if err != nil {
		return providers.Money{}, err
	}
	if m.Amount < minor {
		return providers.Money{}, fmt.Errorf("amount %s is below %d minor units", m, minor)
	}
	return m, nil
}

// toPriceCheck maps the one item of a verify answer.
func toPriceCheck(resp wire.VerifyResponse) (*providers.PriceCheck, error) {
	if len(resp.Data) == 0 {
		return nil, errors.New("no data")
	}
	j := resp.Data[0].Journey
	total, err := requiredMoney(j.Pricing.Display.Total, j.Pricing.Display.Currency)
	if err != nil {
		return nil, fmt.Errorf("total: %w", err)
	}
	anc, err := toAncillaries(j.Baggage, j.Segments, j.Pricing.Display.Currency)
	if err != nil {
		return nil, err
	}
	return &providers.PriceCheck{Available: true, Total: total, SeatsAvailable: j.Fare.SeatsRemaining, Ancillaries: anc}, nil
}

// bagKinds maps LiteAPI bag types; other types are not sold as ancillaries.
var bagKinds = map[string]providers.AncillaryKind{
	"checked":  providers.CheckedBag,
	"cabin":    providers.CabinBag,
	"personal": providers.CabinBag,
}

// toAncillaries lists the included bags (price 0) and the paid ones. Items
// with the same ref (the same allowance for several passenger types) are
// listed once. The result is never nil.
func toAncillaries(b wire.Baggage, segs []wire.Segment, currency string) ([]providers.Ancillary, error) {
	out := []providers.Ancillary{}
	seen := map[string]bool{}
	for _, group := range []struct {
		bags []wire.Bag
		paid bool
	}{{b.Included, false}, {b.Paid, true}} {
		for i, item := range group.bags {
			a, ok, err := toAncillary(item, group.paid, segs, currency)
			if err != nil {
				return nil, fmt.Errorf("baggage %d (paid %t): %w", i, group.paid, err)
			}
			if ok && !seen[a.Ref] {
				seen[a.Ref] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

func toAncillary(item wire.Bag, paid bool, segs []wire.Segment, currency string) (providers.Ancillary, bool, error) {
	kind, ok := bagKinds[item.BagType]
	if !ok {
		return providers.Ancillary{}, false, nil
	}
	weight, err := weightKg(item.WeightKg)
	if err != nil {
		return providers.Ancillary{}, false, err
	}
	if item.Pricing.Display.Currency != "" {
		currency = item.Pricing.Display.Currency
	}
	price := providers.Money{Currency: strings.ToUpper(currency)}
	if paid {
		if price, err = requiredMoney(item.Pricing.Display.Amount, currency); err != nil {
			return providers.Ancillary{}, false, fmt.Errorf("price: %w", err)
		}
	}
	ref := item.ServiceID
	if ref == "" {
		ref = item.BagType + ":" + strconv.Itoa(weight)
	}
	desc := item.Description
	if desc == "" {
		desc = fmt.Sprintf("%s bag %d kg", item.BagType, weight)
	}
	return providers.Ancillary{
		Ref:         ref,
		Kind:        kind,
		Description: desc,
		Price:       price,
		WeightKg:    weight,
		Dimensions:  item.Size,
		Segment:     flightOf(item.SegmentKey, segs),
	}, true, nil
}

// weightKg reads a bag weight, rounding a fractional one to the nearest kg.
func weightKg(n json.Number) (int, error) {
	if n == "" {
		return 0, nil
	}
	f, err := n.Float64()
	if err != nil || f < 0 {
		return 0, fmt.Errorf("weightKg %q: not a weight", n)
	}
	return int(math.Round(f)), nil
}

// flightOf names the flight ("VY7821") of a segment key, "" for the whole journey.
func flightOf(key string, segs []wire.Segment) string {
	if key == "" {
		return ""
	}
	for _, s := range segs {
		if s.SegmentKey == key {
			return s.Carrier.MarketingCode + s.Flight.MarketingNumber
		}
	}
	return ""
}

func cloneSlices(sl []providers.Slice) []providers.Slice {
	out := make([]providers.Slice, len(sl))
	for i, s := range sl {
		out[i] = providers.Slice{Segments: slices.Clone(s.Segments)}
	}
	return out
}
