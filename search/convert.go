package search

import (
	"fmt"
	"time"

	"github.com/faregraph/faregraph/fx"
	"github.com/faregraph/faregraph/providers"
)

// converter puts offers into the searched currency with one day's rates.
type converter struct {
	rates *fx.Rates
	to    string
	now   time.Time // the search's time, to tell the rates' age
}

// convert returns o priced in c.to: every part priced in another currency
// gets its Converted prices (its own stay the provider's), and the offer's
// total and per-passenger prices are the parts' in c.to. An offer that
// cannot be converted (no rate for its currency) is an error.
func (c converter) convert(o providers.Offer) (providers.Offer, *providers.Conversion, error) {
	if o.Total.Currency == c.to {
		return o, nil, nil
	}
	var conv *providers.Conversion
	parts := make([]providers.Part, len(o.Parts))
	for i, p := range o.Parts {
		if p.Total.Currency != c.to {
			cp, err := c.part(p)
			if err != nil {
				return o, nil, err
			}
			p.Converted = cp
			conv = &cp.Conversion
		}
		parts[i] = p
	}
	o.Parts = parts
	total := providers.Money{Currency: c.to}
	for _, p := range parts {
		total.Amount += p.Charged().Total.Amount
	}
	per, ok := sumPerPassenger(parts, c.to)
	if !ok {
		// A provider that does not price each passenger: its offer-level
		// per-passenger prices, converted one by one.
		var err error
		if per, err = c.passengers(o.PerPassenger); err != nil {
			return o, nil, err
		}
	}
	o.Total, o.PerPassenger = total, per
	return o, conv, nil
}

// part converts a part's prices. When the provider's per-passenger prices
// add up to its total, the converted total is the converted unit prices
// times the passengers, so that a cart line per passenger type adds up to
// what is charged; otherwise the total is converted on its own.
func (c converter) part(p providers.Part) (*providers.Converted, error) {
	cv := &providers.Converted{Conversion: c.rates.Describe(p.Total.Currency, c.to)}
	var err error
	if cv.Taxes, err = c.money(p.Taxes); err != nil {
		return nil, err
	}
	if cv.PassengerTaxes, err = c.passengers(p.PassengerTaxes); err != nil {
		return nil, err
	}
	if cv.PerPassenger, err = c.passengers(p.PerPassenger); err != nil {
		return nil, err
	}
	if addsUp(p.PerPassenger, p.Passengers, p.Total) {
		cv.Total = times(cv.PerPassenger, p.Passengers)
		return cv, nil
	}
	if cv.Total, err = c.rates.Convert(p.Total, c.to); err != nil {
		return nil, err
	}
	return cv, nil
}

// money converts m; the zero Money (not stated) stays zero.
func (c converter) money(m providers.Money) (providers.Money, error) {
	if m.Currency == "" {
		return m, nil
	}
	return c.rates.Convert(m, c.to)
}

func (c converter) passengers(pp providers.PassengerPrice) (providers.PassengerPrice, error) {
	var out providers.PassengerPrice
	var err error
	if out.Adult, err = c.money(pp.Adult); err != nil {
		return out, err
	}
	for _, x := range []struct {
		in  *providers.Money
		out **providers.Money
	}{{pp.Child, &out.Child}, {pp.Infant, &out.Infant}} {
		if x.in == nil {
			continue
		}
		m, err := c.money(*x.in)
		if err != nil {
			return out, err
		}
		*x.out = &m
	}
	return out, nil
}

// addsUp reports whether per-passenger prices times the passengers make total.
func addsUp(pp providers.PassengerPrice, px providers.Passengers, total providers.Money) bool {
	if pp.Adult.Currency != total.Currency {
		return false
	}
	t := times(pp, px)
	return t == total
}

// times is the price of the passengers px at pp; a missing price counts as
// a currency mismatch (never equal to a total).
func times(pp providers.PassengerPrice, px providers.Passengers) providers.Money {
	sum := providers.Money{Amount: pp.Adult.Amount * int64(px.Adults), Currency: pp.Adult.Currency}
	for _, x := range []struct {
		m *providers.Money
		n int
	}{{pp.Child, px.Children}, {pp.Infant, px.Infants}} {
		if x.n == 0 {
			continue
		}
		if x.m == nil || x.m.Currency != sum.Currency {
			return providers.Money{Currency: "-"}
		}
		sum.Amount += x.m.Amount * int64(x.n)
	}
	return sum
}

// sumPerPassenger adds up the parts' per-passenger prices in cur; ok is
// false when a part does not state them.
func sumPerPassenger(parts []providers.Part, cur string) (providers.PassengerPrice, bool) {
	out := providers.PassengerPrice{Adult: providers.Money{Currency: cur}}
	for i, p := range parts {
		pp := p.Charged().PerPassenger
		if pp.Adult.Currency != cur {
			return out, false
		}
		out.Adult.Amount += pp.Adult.Amount
		for _, x := range []struct {
			m   *providers.Money
			out **providers.Money
		}{{pp.Child, &out.Child}, {pp.Infant, &out.Infant}} {
			switch {
			case x.m == nil && *x.out == nil: // neither states one
			case x.m == nil || (*x.out == nil && i > 0):
				return out, false
			case *x.out == nil:
				m := *x.m
				*x.out = &m
			default:
				(*x.out).Amount += x.m.Amount
			}
		}
	}
	return out, true
}

// conversionMessage is the providerResults message of a provider whose
// offers were converted; it says when the rates are stale (more than
// fx.StaleDays older than the search, age days).
func conversionMessage(c providers.Conversion, age int) string {
	msg := fmt.Sprintf("prices converted from %s to %s at %s (%s reference rate of %s)", c.From, c.To, c.Rate, c.Source, c.Date)
	if age > fx.StaleDays {
		msg += fmt.Sprintf("; the rate is %d days old, so the converted prices may differ from today's rates", age)
	}
	return msg
}

// Charge is live, a price the provider of part p quotes now in its own
// currency, in the currency p is sold in: itself when p was not converted,
// p's converted total when live is p's price, and live converted at the
// rates in force otherwise.
func (s *Service) Charge(p providers.Part, live providers.Money) (providers.Money, error) {
	switch {
	case p.Converted == nil:
		return live, nil
	case live == p.Total:
		return p.Converted.Total, nil
	}
	return s.cfg.Rates().Convert(live, p.Converted.To)
}
