package resolvers

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

func (r *queryResolver) SearchOffers(ctx context.Context, in model.SearchOffersInput) (*search.Result, error) {
	if _, err := auth.Require(ctx, auth.ScopeOffersRead); err != nil {
		return nil, err
	}
	req, err := searchRequest(in)
	if err != nil {
		return nil, err
	}
	// Answered as soon as the providers are in: the result is stored
	// meanwhile, and a lookup of its id waits for that (Service.Get).
	res, err := r.Search.Start(ctx, req)
	if err != nil {
		return nil, inputErrors(ctx, err)
	}
	for _, p := range res.Providers {
		if p.Status != search.StatusOK && p.Status != search.StatusNoRoute {
			graphql.AddError(ctx, &providers.Error{Provider: p.Provider, Op: "search", Code: p.Code, Message: p.Message})
		}
	}
	return res, nil
}

// searchRequest is the search an input asks for.
func searchRequest(in model.SearchOffersInput) (search.Request, error) {
	req := search.Request{
		Origin:        in.Origin,
		Destination:   in.Destination,
		DepartureDate: in.DepartureDate,
		Providers:     in.Providers,
	}
	if in.ReturnDate != nil {
		req.ReturnDate = *in.ReturnDate
	}
	if in.CurrencyCode != nil {
		req.Currency = *in.CurrencyCode
		if req.Currency == "" {
			return search.Request{}, fault.Field(fault.Path("input", "currencyCode"), fault.Invalid, "must be an ISO 4217 currency code, got \"\"")
		}
	}
	if in.Passengers != nil {
		req.Passengers = providers.Passengers{Adults: in.Passengers.Adults, Children: deref(in.Passengers.Children), Infants: deref(in.Passengers.Infants)}
	}
	return req, nil
}

func (r *queryResolver) OfferSearch(ctx context.Context, id string) (*search.Result, error) {
	if _, err := auth.Require(ctx, auth.ScopeOffersRead); err != nil {
		return nil, err
	}
	typ, key, err := ids.Parse(id)
	if err != nil || typ != searchType {
		return nil, nil
	}
	res, err := r.Search.Get(ctx, key)
	if errors.Is(err, search.ErrNotFound) {
		return nil, nil
	}
	if err == nil {
		// A stored search never changes until it expires: an answer that
		// selects none of its live fields may be reused until then.
		immutableUntil(ctx, res.ExpiresAt)
	}
	return res, err
}

func (r *queryResolver) Offer(ctx context.Context, id string) (*search.Offer, error) {
	if _, err := auth.Require(ctx, auth.ScopeOffersRead); err != nil {
		return nil, err
	}
	return r.Search.DecodeOffer(id)
}

// Node answers null for an id that is not one of ours or no longer exists;
// an offer id past its expiry is an OFFER_EXPIRED error, to tell the client
// to search again.
func (r *queryResolver) Node(ctx context.Context, id string) (model.Node, error) {
	typ, _, err := ids.Parse(id)
	if err != nil {
		return nil, nil
	}
	switch typ {
	case "Offer":
		if _, err := auth.Require(ctx, auth.ScopeOffersRead); err != nil {
			return nil, err
		}
		o, err := r.Search.DecodeOffer(id)
		if errors.Is(err, search.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return o, nil
	case searchType:
		res, err := r.OfferSearch(ctx, id)
		if res == nil || err != nil {
			return nil, err
		}
		return res, nil
	case checkoutSessionType:
		s, err := r.CheckoutSession(ctx, id)
		if s == nil || err != nil {
			return nil, err
		}
		return s, nil
	case bookingType:
		b, err := r.Booking(ctx, id)
		if b == nil || err != nil {
			return nil, err
		}
		return b, nil
	}
	return nil, nil
}

const searchType = "OfferSearch"

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
