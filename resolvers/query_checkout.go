package resolvers

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/fault"
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

func (r *queryResolver) Bookings(ctx context.Context, first *int, after *string) (*model.BookingConnection, error) {
	p, err := auth.Require(ctx, auth.ScopeBookingsRead)
	if err != nil {
		return nil, err
	}
	n := 20
	if first != nil {
		n = *first
	}
	if n < 0 || n > 100 {
		return nil, fault.Field(fault.Path("first"), fault.OutOfRange, "must be between 0 and 100, got %d", n)
	}
	var at time.Time
	var afterID string
	if after != nil && *after != "" {
		typ, key, perr := ids.Parse(*after)
		ts, id, ok := strings.Cut(key, "/")
		nanos, aerr := strconv.ParseInt(ts, 10, 64)
		if perr != nil || typ != "BookingCursor" || !ok || aerr != nil {
			return nil, fault.Field(fault.Path("after"), fault.Invalid, "is not a cursor of bookings")
		}
		at, afterID = time.Unix(0, nanos).UTC(), id
	}
	list, total, err := r.Checkout.Bookings(ctx, p.TenantID, at, afterID, n+1)
	if err != nil {
		return nil, err
	}
	conn := &model.BookingConnection{Edges: []model.BookingEdge{}, PageInfo: &model.PageInfo{HasNextPage: len(list) > n}, TotalCount: total}
	for i := range list[:min(n, len(list))] {
		b := &list[i]
		c := ids.Global("BookingCursor", strconv.FormatInt(b.CreatedAt.UnixNano(), 10)+"/"+b.ID)
		conn.Edges = append(conn.Edges, model.BookingEdge{Cursor: c, Node: b})
		conn.PageInfo.EndCursor = &c
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
