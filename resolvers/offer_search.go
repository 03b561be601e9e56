package resolvers

import (
	"context"
	"errors"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

// ID is handed out at once, while the result may still be being stored
// (Service.Start): a lookup of it, on any replica, waits for the store
// (Service.Get).
func (r *offerSearchResolver) ID(_ context.Context, obj *search.Result) (string, error) {
	return ids.Global(searchType, obj.ID), nil
}

func (r *offerSearchResolver) Origin(_ context.Context, obj *search.Result) (string, error) {
	return obj.Request.Origin, nil
}

func (r *offerSearchResolver) Destination(_ context.Context, obj *search.Result) (string, error) {
	return obj.Request.Destination, nil
}

func (r *offerSearchResolver) DepartureDate(_ context.Context, obj *search.Result) (providers.Date, error) {
	return obj.Request.DepartureDate, nil
}

func (r *offerSearchResolver) ReturnDate(_ context.Context, obj *search.Result) (*providers.Date, error) {
	if obj.Request.ReturnDate == "" {
		return nil, nil
	}
	return &obj.Request.ReturnDate, nil
}

func (r *offerSearchResolver) CurrencyCode(_ context.Context, obj *search.Result) (string, error) {
	return obj.Request.Currency, nil
}

func (r *offerSearchResolver) Offers(ctx context.Context, obj *search.Result, first *int, after *string, last *int, before *string, sortBy *model.OfferSortKey) (*model.OfferConnection, error) {
	w, err := pageWindow(first, after, last, before)
	if err != nil {
		return nil, inputErrors(ctx, err)
	}
	by := search.ByPrice
	if sortBy != nil {
		by = search.SortKey(*sortBy)
	}
	page, err := obj.Page(by, w.size, w.cursor, w.backward)
	if errors.Is(err, search.ErrBadCursor) {
		return nil, fault.Field(fault.Path(w.cursorArg()), fault.Invalid, "is not a cursor of this search in %s order", by)
	}
	if err != nil {
		return nil, err
	}
	conn := &model.OfferConnection{Edges: make([]model.OfferEdge, len(page.Offers)), TotalCount: page.TotalCount}
	for i, o := range page.Offers {
		conn.Edges[i] = model.OfferEdge{Cursor: page.Cursors[i], Node: o}
	}
	conn.PageInfo = &model.PageInfo{HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage}
	if len(page.Cursors) > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &page.Cursors[0], &page.Cursors[len(page.Cursors)-1]
	}
	return conn, nil
}

func (r *providerResultResolver) Message(_ context.Context, obj *search.ProviderResult) (*string, error) {
	if obj.Message == "" {
		return nil, nil
	}
	return &obj.Message, nil
}
