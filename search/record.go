package search

import (
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
)

// toRecord returns the stored form of r at records.Version. Offer ids are
// left out: they are sealed again when the search is read.
func toRecord(r *Result) records.Search {
	q := r.Request
	return records.Search{
		Header: records.Current(),
		ID:     r.ID,
		Request: records.SearchRequest{
			Origin: q.Origin, Destination: q.Destination, DepartureDate: string(q.DepartureDate), ReturnDate: string(q.ReturnDate),
			Passengers: records.Passengers(q.Passengers), Currency: q.Currency, Providers: q.Providers,
		},
		CreatedAt: r.CreatedAt,
		ExpiresAt: r.ExpiresAt,
		Providers: records.Map(r.Providers, func(p ProviderResult) records.ProviderResult {
			rec := records.ProviderResult{Provider: p.Provider, Status: string(p.Status), OfferCount: p.OfferCount, LatencyMs: p.LatencyMs, Code: string(p.Code), Message: p.Message}
			if p.Conversion != nil {
				c := records.FromConversion(*p.Conversion)
				rec.Conversion = &c
			}
			return rec
		}),
		Offers: records.Map(r.Offers, func(o *Offer) records.Offer { return records.FromOffer(o.Offer) }),
	}
}

// fromRecord returns the search rec stores, its offers without ids.
func fromRecord(rec records.Search) *Result {
	q := rec.Request
	return &Result{
		ID: rec.ID,
		Request: Request{
			Origin: q.Origin, Destination: q.Destination, DepartureDate: providers.Date(q.DepartureDate), ReturnDate: providers.Date(q.ReturnDate),
			Passengers: providers.Passengers(q.Passengers), Currency: q.Currency, Providers: q.Providers,
		},
		CreatedAt: rec.CreatedAt,
		ExpiresAt: rec.ExpiresAt,
		Providers: records.Map(rec.Providers, func(p records.ProviderResult) ProviderResult {
			pr := ProviderResult{Provider: p.Provider, Status: Status(p.Status), OfferCount: p.OfferCount, LatencyMs: p.LatencyMs, Code: providers.ErrorCode(p.Code), Message: p.Message}
			if p.Conversion != nil {
				c := p.Conversion.Domain()
				pr.Conversion = &c
			}
			return pr
		}),
		Offers: records.Map(rec.Offers, func(o records.Offer) *Offer { return &Offer{Offer: o.Domain()} }),
	}
}
