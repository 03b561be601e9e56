package resolvers

import (
	"context"
	"fmt"

	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/loaders"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

func (r *offerResolver) PricePerPassenger(_ context.Context, obj *search.Offer) ([]model.PassengerPrice, error) {
	px := obj.Parts[0].Passengers
	cur := obj.Total.Currency
	out := []model.PassengerPrice{{Type: model.PassengerTypeAdult, Count: px.Adults, UnitPrice: &obj.PerPassenger.Adult,
		UnitTaxes: passengerTaxes(obj.Parts, providers.Adult, cur)}}
	if px.Children > 0 && obj.PerPassenger.Child != nil {
		out = append(out, model.PassengerPrice{Type: model.PassengerTypeChild, Count: px.Children, UnitPrice: obj.PerPassenger.Child,
			UnitTaxes: passengerTaxes(obj.Parts, providers.Child, cur)})
	}
	if px.Infants > 0 && obj.PerPassenger.Infant != nil {
		out = append(out, model.PassengerPrice{Type: model.PassengerTypeInfant, Count: px.Infants, UnitPrice: obj.PerPassenger.Infant,
			UnitTaxes: passengerTaxes(obj.Parts, providers.Infant, cur)})
	}
	return out, nil
}

func (r *offerResolver) Parts(_ context.Context, obj *search.Offer) ([]model.OfferPart, error) {
	out := make([]model.OfferPart, len(obj.Parts))
	first := 0
	for i := range obj.Parts {
		p := &obj.Parts[i]
		idx := make([]int, len(p.OriginDestinations))
		for j := range idx {
			idx[j] = first + j
		}
		first += len(p.OriginDestinations)
		charge := p.Charged().Total
		out[i] = model.OfferPart{Provider: p.Provider, FareType: p.FareType, TotalPrice: &charge, SliceIndexes: idx,
			ProviderTotalPrice: &p.Total, Conversion: conversionOf(p),
			Taxes: partTaxes(*p), Cabin: cabinOrNil(p.Fare.Cabin), FareBrand: nonEmpty(p.Fare.Brand),
			IncludedBaggage: p.Fare.Baggage, Conditions: &p.Fare.Conditions}
	}
	return out, nil
}

// Ancillaries lists the extras of every part, each with the index of the
// slice it applies to. One failing provider nulls only this field.
func (r *offerResolver) Ancillaries(ctx context.Context, obj *search.Offer) ([]model.Ancillary, error) {
	lists, err := loaders.Ancillaries(ctx, obj.Parts)
	if err != nil {
		return nil, err
	}
	out := []model.Ancillary{}
	first := 0
	for i, part := range obj.Parts {
		for _, a := range lists[i] {
			id, err := r.Search.AncillaryID(part, a)
			if err != nil {
				return nil, err
			}
			m := model.Ancillary{
				ID:          id,
				Kind:        model.AncillaryKind(a.Kind),
				Description: a.Description,
				Price:       &a.Price,
				Provider:    part.Provider,
				SliceIndex:  sliceOf(obj.Slices, first, len(part.OriginDestinations), a.Segment),
			}
			if a.WeightKg > 0 {
				m.WeightKg = &a.WeightKg
			}
			if a.Dimensions != "" {
				m.Dimensions = &a.Dimensions
			}
			out = append(out, m)
		}
		first += len(part.OriginDestinations)
	}
	return out, nil
}

// sliceOf finds which of the n slices from first holds the flight segment
// ("5O7892"). An extra of a one-slice part is on that slice; one that names
// no flight of a longer part covers all of it (nil).
func sliceOf(slices []providers.Slice, first, n int, segment string) *int {
	for i := first; i < first+n && i < len(slices); i++ {
		for _, s := range slices[i].Segments {
			if segment != "" && s.CarrierCode+s.FlightNumber == segment {
				return &i
			}
		}
	}
	if n == 1 {
		return &first
	}
	return nil
}

// PriceCheck asks every part's provider for the live price. The offer is
// available when every part is; the live total is the sum of the parts'.
func (r *offerResolver) PriceCheck(ctx context.Context, obj *search.Offer) (*model.PriceCheck, error) {
	checks, err := loaders.PriceChecks(ctx, obj.Parts)
	if err != nil {
		return nil, err
	}
	pc := &model.PriceCheck{Available: true, CheckedAt: r.now().UTC()}
	total := providers.Money{Currency: obj.Total.Currency}
	seats := -1
	for i, c := range checks {
		if c == nil || !c.Available {
			pc.Available = false
			continue
		}
		if c.Total.Currency != obj.Parts[i].Total.Currency {
			return nil, fmt.Errorf("price check of %s part: currency %s, offered in %s", obj.Parts[i].Provider, c.Total.Currency, obj.Parts[i].Total.Currency)
		}
		live, err := r.Search.Charge(obj.Parts[i], c.Total)
		if err != nil {
			return nil, err
		}
		total.Amount += live.Amount
		if c.SeatsAvailable > 0 && (seats < 0 || c.SeatsAvailable < seats) {
			seats = c.SeatsAvailable
		}
	}
	if !pc.Available {
		total = obj.Total
	}
	pc.TotalPrice = &total
	pc.PriceChanged = pc.Available && total.Amount != obj.Total.Amount
	if seats >= 0 {
		pc.SeatsAvailable = &seats
	}
	return pc, nil
}
