package resolvers

import (
	"context"
	"errors"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
)

// reader is the principal of a read of sessions or bookings: either scope
// that deals with them will do.
func reader(ctx context.Context) (*auth.Principal, error) {
	p, err := auth.Require(ctx, auth.ScopeBookingsRead)
	if err == nil {
		return p, nil
	}
	return auth.Require(ctx, auth.ScopeCheckoutWrite)
}

func (r *queryResolver) CheckoutSession(ctx context.Context, id string) (*checkout.Session, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	s, err := r.Checkout.Get(ctx, p.TenantID, sessionID(id))
	if errors.Is(err, checkout.ErrNotFound) {
		return nil, nil
	}
	return s, err
}

func (r *queryResolver) Booking(ctx context.Context, id string) (*checkout.BookingRecord, error) {
	p, err := auth.Require(ctx, auth.ScopeBookingsRead)
	if err != nil {
		return nil, err
	}
	typ, key, perr := ids.Parse(id)
	if perr != nil || typ != bookingType {
		return nil, nil
	}
	b, err := r.Checkout.Booking(ctx, p.TenantID, key)
	if errors.Is(err, checkout.ErrNotFound) {
		return nil, nil
	}
	return b, err
}

const (
	bookingCursorType = "BookingCursor"
	sessionCursorType = "CheckoutSessionCursor"
)

func (r *queryResolver) Bookings(ctx context.Context, first *int, after *string, last *int, before *string) (*model.BookingConnection, error) {
	p, err := auth.Require(ctx, auth.ScopeBookingsRead)
	if err != nil {
		return nil, err
	}
	w, err := pageWindow(first, after, last, before)
	if err != nil {
		return nil, inputErrors(ctx, err)
	}
	kw, err := w.keyset(bookingCursorType)
	if err != nil {
		return nil, err
	}
	list, total, err := r.Checkout.Bookings(ctx, p.TenantID, kw)
	if err != nil {
		return nil, err
	}
	list, more := keysetPage(w, list)
	conn := &model.BookingConnection{Edges: make([]model.BookingEdge, len(list)), TotalCount: total}
	cursors := make([]string, len(list))
	for i := range list {
		cursors[i] = keysetCursor(bookingCursorType, list[i].CreatedAt, list[i].ID)
		conn.Edges[i] = model.BookingEdge{Cursor: cursors[i], Node: &list[i]}
	}
	conn.PageInfo = pageInfo(w, cursors, more)
	return conn, nil
}

func (r *queryResolver) CheckoutSessions(ctx context.Context, first *int, after *string, last *int, before *string) (*model.CheckoutSessionConnection, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	w, err := pageWindow(first, after, last, before)
	if err != nil {
		return nil, inputErrors(ctx, err)
	}
	kw, err := w.keyset(sessionCursorType)
	if err != nil {
		return nil, err
	}
	list, total, err := r.Checkout.Sessions(ctx, p.TenantID, kw)
	if err != nil {
		return nil, err
	}
	list, more := keysetPage(w, list)
	conn := &model.CheckoutSessionConnection{Edges: make([]model.CheckoutSessionEdge, len(list)), TotalCount: total}
	cursors := make([]string, len(list))
	for i, s := range list {
		cursors[i] = keysetCursor(sessionCursorType, s.CreatedAt, s.ID)
		conn.Edges[i] = model.CheckoutSessionEdge{Cursor: cursors[i], Node: s}
	}
	conn.PageInfo = pageInfo(w, cursors, more)
	return conn, nil
}

func (r *queryResolver) CreditLine(ctx context.Context) (*model.CreditLine, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := r.Checkout.CreditLine(ctx, p.TenantID)
	if err != nil || cl == nil {
		return nil, err
	}
	return &model.CreditLine{Enabled: cl.Enabled, Limit: &cl.Limit, Available: &cl.Available}, nil
}
