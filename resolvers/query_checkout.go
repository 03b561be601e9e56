package resolvers

import (
	"context"
	"errors"
	"time"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
)

// reader is the principal of a read of sessions or bookings: either scope
// that deals with them will do.
func reader(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireAny(ctx, auth.ScopeCheckoutWrite, auth.ScopeBookingsRead)
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
	list, cursors, info, total, err := keysetList(ctx, first, after, last, before, bookingCursorType,
		func(w checkout.Window) ([]checkout.BookingRecord, int, error) {
			return r.Checkout.Bookings(ctx, p.TenantID, w)
		},
		func(b checkout.BookingRecord) (time.Time, string) { return b.CreatedAt, b.ID })
	if err != nil {
		return nil, err
	}
	conn := &model.BookingConnection{Edges: make([]model.BookingEdge, len(list)), PageInfo: info, TotalCount: total}
	for i := range list {
		conn.Edges[i] = model.BookingEdge{Cursor: cursors[i], Node: &list[i]}
	}
	return conn, nil
}

func (r *queryResolver) CheckoutSessions(ctx context.Context, first *int, after *string, last *int, before *string) (*model.CheckoutSessionConnection, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	list, cursors, info, total, err := keysetList(ctx, first, after, last, before, sessionCursorType,
		func(w checkout.Window) ([]*checkout.Session, int, error) {
			return r.Checkout.Sessions(ctx, p.TenantID, w)
		},
		func(s *checkout.Session) (time.Time, string) { return s.CreatedAt, s.ID })
	if err != nil {
		return nil, err
	}
	conn := &model.CheckoutSessionConnection{Edges: make([]model.CheckoutSessionEdge, len(list)), PageInfo: info, TotalCount: total}
	for i, s := range list {
		conn.Edges[i] = model.CheckoutSessionEdge{Cursor: cursors[i], Node: s}
	}
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
