package rules

import (
	"fmt"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// Extra is one extra chosen in a request: the ancillary (its provider,
// the index of its part in the offer, its ref and kind), the index of
// the traveller it is for, and how many.
type Extra struct {
	Provider  string
	Part      int
	Ref       string
	Kind      providers.AncillaryKind
	Passenger int
	Quantity  int
}

// Extras checks the quantities of the extras chosen, es[i] being given as
// "input", "ancillaries", i: each is at least 1, and one traveller takes
// at most one seat and at most MaxBagQuantity units of one bag option on
// one part (rules.For of the part's provider's limits), counting every
// choice of that option (so 20 choices of 9 bags are 180, not 9).
// A choice that brings the count over is OUT_OF_RANGE on its quantity.
func Extras(es []Extra, limitsOf func(provider string) providers.Limits) []fault.Violation {
	type key struct {
		part      int
		ref       string
		passenger int
	}
	taken := map[key]int{}
	var vs []fault.Violation
	for i, e := range es {
		field := fault.Path("input", "ancillaries", i, "quantity")
		if e.Quantity < 1 {
			vs = append(vs, fault.Violation{Field: field, Code: fault.OutOfRange, Message: fmt.Sprintf("must be at least 1, got %d", e.Quantity)})
			continue
		}
		most, what := 1, "one seat"
		if e.Kind != providers.Seat {
			most = For(limitsOf(e.Provider)).MaxBagQuantity
			what = fmt.Sprintf("%d of this bag", most)
		}
		k := key{e.Part, e.Ref, e.Passenger}
		taken[k] += e.Quantity
		if taken[k] > most {
			vs = append(vs, fault.Violation{Field: field, Code: fault.OutOfRange,
				Message: fmt.Sprintf("%s would take %d in all; %s sells at most %s per passenger", Passenger(e.Passenger), taken[k], e.Provider, what)})
		}
	}
	return vs
}
