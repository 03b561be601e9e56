package search

import (
	"cmp"
	"slices"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// Limits on round-trip combinations: the cheapest oneWaysPerDirection outbound and
// return one-way offers are paired, and the best maxCombinations kept.
const (
	oneWaysPerDirection = 20
	maxCombinations     = 100
)

// combine pairs outbound and return one-way offers, from the same or
// different providers, into COMBINED_ONE_WAYS offers, cheapest first,
// keeping only the pairs sellable accepts (package rules: a self-transfer
// turnaround of at least its ground time). Offers in another currency
// than currency are not combined.
func combine(out, ret []providers.Offer, currency string, sellable func(providers.Offer) bool) []providers.Offer {
	out = cheapest(out, currency, oneWaysPerDirection)
	ret = cheapest(ret, currency, oneWaysPerDirection)
	// Every pairing is checked on one scratch offer, and only the
	// maxCombinations kept are made: most of the 400 pairings are not.
	type candidate struct {
		o, r      int
		total     int64
		departure time.Time
	}
	var kept []candidate
	var scratch providers.Offer
	for i, o := range out {
		for j, r := range ret {
			pairInto(&scratch, o, r)
			if sellable(scratch) {
				kept = append(kept, candidate{i, j, scratch.Total.Amount, o.Slices[0].DepartureAt()})
			}
		}
	}
	slices.SortStableFunc(kept, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.total, b.total), a.departure.Compare(b.departure))
	})
	kept = kept[:min(len(kept), maxCombinations)]
	if len(kept) == 0 {
		return nil
	}
	combos := make([]providers.Offer, len(kept))
	for k, c := range kept {
		combos[k] = pair(out[c.o], ret[c.r])
	}
	return combos
}

func cheapest(offers []providers.Offer, currency string, n int) []providers.Offer {
	var kept []providers.Offer
	for _, o := range offers {
		if o.Total.Currency == currency && len(o.Slices) == 1 {
			kept = append(kept, o)
		}
	}
	slices.SortStableFunc(kept, func(a, b providers.Offer) int { return cmp.Compare(a.Total.Amount, b.Total.Amount) })
	if len(kept) > n {
		kept = kept[:n]
	}
	return kept
}

// pair makes one offer of an outbound and a return one-way offer.
func pair(o, r providers.Offer) providers.Offer {
	var c providers.Offer
	pairInto(&c, o, r)
	return c
}

// pairInto makes *c the offer of an outbound and a return one-way offer,
// reusing the arrays of c's slices and parts.
func pairInto(c *providers.Offer, o, r providers.Offer) {
	total, _ := o.Total.Add(r.Total)
	*c = providers.Offer{
		FareType:       providers.CombinedOneWays,
		Slices:         append(c.Slices[:0], o.Slices[0], r.Slices[0]),
		Parts:          append(append(c.Parts[:0], o.Parts...), r.Parts...),
		Total:          total,
		SeatsAvailable: min(o.SeatsAvailable, r.SeatsAvailable),
		Conditions: providers.Conditions{
			Refundable: o.Conditions.Refundable && r.Conditions.Refundable,
			Changeable: o.Conditions.Changeable && r.Conditions.Changeable,
		},
		ExpiresAt: minTime(o.ExpiresAt, r.ExpiresAt),
	}
	c.PerPassenger.Adult, _ = o.PerPassenger.Adult.Add(r.PerPassenger.Adult)
	c.PerPassenger.Child = addOpt(o.PerPassenger.Child, r.PerPassenger.Child)
	c.PerPassenger.Infant = addOpt(o.PerPassenger.Infant, r.PerPassenger.Infant)
}

func addOpt(a, b *providers.Money) *providers.Money {
	if a == nil || b == nil {
		return nil
	}
	s, _ := a.Add(*b)
	return &s
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
