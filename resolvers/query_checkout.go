package resolvers

import (
	"context"
	"errors"
	"slices"
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

// statusSet is the statuses of a filter as the database compares them:
// sorted, each once, so that the same set gives the same cursor hash.
func statusSet[S ~string](in []S) []string {
	out := make([]string, 0, len(in))
	for _, st := range in {
		out = append(out, string(st))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// bookingFilter is the database filter of a BookingFilter and the hash its
// cursors carry; departureFrom after departureTo is BAD_USER_INPUT.
func bookingFilter(ctx context.Context, in *model.BookingFilter) (checkout.BookingFilter, string, error) {
	var f checkout.BookingFilter
	if in == nil {
		return f, "", nil
	}
	f.Statuses = statusSet(in.Status)
	var from, to string
	if in.DepartureFrom != nil {
		t, err := in.DepartureFrom.Time()
		if err != nil {
			return f, "", inputErrors(ctx, fault.Field(fault.Path("filter", "departureFrom"), fault.Invalid, "is not a date"))
		}
		f.DepartsFrom, from = &t, string(*in.DepartureFrom)
	}
	if in.DepartureTo != nil {
		t, err := in.DepartureTo.Time()
		if err != nil {
			return f, "", inputErrors(ctx, fault.Field(fault.Path("filter", "departureTo"), fault.Invalid, "is not a date"))
		}
		if f.DepartsFrom != nil && t.Before(*f.DepartsFrom) {
			return f, "", inputErrors(ctx, fault.Field(fault.Path("filter", "departureTo"), fault.Invalid, "is before departureFrom"))
		}
		end := t.AddDate(0, 0, 1)
		f.DepartsBefore, to = &end, string(*in.DepartureTo)
	}
	ref := ""
	if in.Reference != nil {
		f.Reference, ref = in.Reference, "r"+*in.Reference
	}
	return f, filterScope(strings.Join(f.Statuses, ","), from, to, ref), nil
}

// sessionFilter is the database filter of a CheckoutSessionFilter and the
// hash its cursors carry; createdFrom after createdTo is BAD_USER_INPUT.
func sessionFilter(ctx context.Context, in *model.CheckoutSessionFilter) (checkout.SessionFilter, string, error) {
	var f checkout.SessionFilter
	if in == nil {
		return f, "", nil
	}
	f.Statuses = statusSet(in.Status)
	var from, to string
	if in.CreatedFrom != nil {
		t := in.CreatedFrom.UTC()
		f.CreatedFrom, from = &t, strconv.FormatInt(t.UnixNano(), 10)
	}
	if in.CreatedTo != nil {
		t := in.CreatedTo.UTC()
		if f.CreatedFrom != nil && t.Before(*f.CreatedFrom) {
			return f, "", inputErrors(ctx, fault.Field(fault.Path("filter", "createdTo"), fault.Invalid, "is before createdFrom"))
		}
		f.CreatedTo, to = &t, strconv.FormatInt(t.UnixNano(), 10)
	}
	return f, filterScope(strings.Join(f.Statuses, ","), from, to), nil
}

func (r *queryResolver) Bookings(ctx context.Context, first *int, after *string, last *int, before *string, filter *model.BookingFilter) (*model.BookingConnection, error) {
	p, err := auth.Require(ctx, auth.ScopeBookingsRead)
	if err != nil {
		return nil, err
	}
	f, scope, err := bookingFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	list, cursors, info, total, err := keysetList(ctx, first, after, last, before, bookingCursorType, scope,
		func(w checkout.Window) ([]checkout.BookingRecord, int, error) {
			return r.Checkout.Bookings(ctx, p.TenantID, f, w)
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

func (r *queryResolver) CheckoutSessions(ctx context.Context, first *int, after *string, last *int, before *string, filter *model.CheckoutSessionFilter) (*model.CheckoutSessionConnection, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	f, scope, err := sessionFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	list, cursors, info, total, err := keysetList(ctx, first, after, last, before, sessionCursorType, scope,
		func(w checkout.Window) ([]*checkout.Session, int, error) {
			return r.Checkout.Sessions(ctx, p.TenantID, f, w)
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
