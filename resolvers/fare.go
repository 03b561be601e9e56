package resolvers

import (
	"context"

	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

func (r *Resolver) Penalty() graph.PenaltyResolver { return &penaltyResolver{r} }
func (r *Resolver) BaggageAllowance() graph.BaggageAllowanceResolver {
	return &baggageAllowanceResolver{r}
}

type (
	penaltyResolver          struct{ *Resolver }
	baggageAllowanceResolver struct{ *Resolver }
)

func (r *penaltyResolver) Percent(_ context.Context, obj *providers.Penalty) (*string, error) {
	return nonEmpty(obj.Percent), nil
}

func (r *penaltyResolver) Label(_ context.Context, obj *providers.Penalty) (*string, error) {
	return nonEmpty(obj.Label), nil
}

func (r *baggageAllowanceResolver) PassengerTypes(_ context.Context, obj *providers.BaggageAllowance) ([]model.PassengerType, error) {
	out := make([]model.PassengerType, len(obj.PassengerTypes))
	for i, t := range obj.PassengerTypes {
		out[i] = model.PassengerType(t)
	}
	return out, nil
}

func (r *baggageAllowanceResolver) WeightKg(_ context.Context, obj *providers.BaggageAllowance) (*int, error) {
	if obj.WeightKg <= 0 {
		return nil, nil
	}
	return &obj.WeightKg, nil
}

func (r *baggageAllowanceResolver) Dimensions(_ context.Context, obj *providers.BaggageAllowance) (*string, error) {
	return nonEmpty(obj.Dimensions), nil
}

func (r *baggageAllowanceResolver) Description(_ context.Context, obj *providers.BaggageAllowance) (*string, error) {
	return nonEmpty(obj.Description), nil
}

// Cabin is the cabin of every part, null when they differ or one is unknown.
func (r *offerResolver) Cabin(_ context.Context, obj *search.Offer) (*providers.Cabin, error) {
	return cabinOrNil(obj.Offer.Cabin()), nil
}

// FareBrand is the brand of every part, null when they differ or one is unknown.
func (r *offerResolver) FareBrand(_ context.Context, obj *search.Offer) (*string, error) {
	if len(obj.Parts) == 0 {
		return nil, nil
	}
	b := obj.Parts[0].Fare.Brand
	for _, p := range obj.Parts[1:] {
		if p.Fare.Brand != b {
			return nil, nil
		}
	}
	return nonEmpty(b), nil
}

// Taxes is the sum of the parts' taxes in the offer's currency, null when
// a part's provider does not say.
func (r *offerResolver) Taxes(_ context.Context, obj *search.Offer) (*providers.Money, error) {
	sum := providers.Money{Currency: obj.Total.Currency}
	for _, p := range obj.Parts {
		t := partTaxes(p)
		if t == nil || t.Currency != sum.Currency {
			return nil, nil
		}
		sum.Amount += t.Amount
	}
	return &sum, nil
}

// partTaxes is a part's stated taxes in the offer's currency, nil when its
// provider does not say.
func partTaxes(p providers.Part) *providers.Money {
	t := p.Charged().Taxes
	if t.Amount <= 0 || t.Currency == "" {
		return nil
	}
	return &t
}

func conversionOf(p *providers.Part) *providers.Conversion {
	if p.Converted == nil {
		return nil
	}
	return &p.Converted.Conversion
}

// ProviderTotalPrice is the sum of the parts' own prices when they were
// converted and share one currency; null otherwise.
func (r *offerResolver) ProviderTotalPrice(_ context.Context, obj *search.Offer) (*providers.Money, error) {
	if len(obj.Parts) == 0 {
		return nil, nil
	}
	sum := providers.Money{Currency: obj.Parts[0].Total.Currency}
	converted := false
	for _, p := range obj.Parts {
		if p.Total.Currency != sum.Currency {
			return nil, nil
		}
		converted = converted || p.Converted != nil
		sum.Amount += p.Total.Amount
	}
	if !converted {
		return nil, nil
	}
	return &sum, nil
}

// passengerTaxes is the taxes of one passenger of type t over every part,
// nil when a part's provider does not say.
func passengerTaxes(parts []providers.Part, t providers.PassengerType, currency string) *providers.Money {
	sum := providers.Money{Currency: currency}
	for _, p := range parts {
		pt := p.Charged().PassengerTaxes
		if pt.Adult.Currency == "" {
			return nil
		}
		var m *providers.Money
		switch t {
		case providers.Adult:
			m = &pt.Adult
		case providers.Child:
			m = pt.Child
		case providers.Infant:
			m = pt.Infant
		}
		if m == nil || m.Currency != currency {
			return nil
		}
		sum.Amount += m.Amount
	}
	return &sum
}

func cabinOrNil(c providers.Cabin) *providers.Cabin {
	if c == "" {
		return nil
	}
	return &c
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
