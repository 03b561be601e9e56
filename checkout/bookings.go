package checkout

import (
	"context"
	"errors"
	"slices"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers"
)

// Booking returns the tenant's booking, or ErrNotFound (also for another
// tenant's).
func (s *Service) Booking(ctx context.Context, tenantID, id string) (*BookingRecord, error) {
	row, err := s.sessions.GetBooking(ctx, s.cfg.DB, tenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	b := bookingFromRow(*row)
	return &b, nil
}

// Window is a page of bookings or sessions: see db.Window.
type Window = db.Window

// BookingFilter narrows a list of bookings: see db.BookingFilter.
type BookingFilter = db.BookingFilter

// SessionFilter narrows a list of sessions: see db.SessionFilter.
type SessionFilter = db.SessionFilter

// Bookings lists the tenant's bookings that match f in the window w,
// newest first, and how many match in all. Filtering on CANCELED also
// finds the rows stored with the older spelling.
func (s *Service) Bookings(ctx context.Context, tenantID string, f BookingFilter, w Window) ([]BookingRecord, int, error) {
	if slices.Contains(f.Statuses, string(providers.BookingCanceled)) {
		f.Statuses = append(slices.Clone(f.Statuses), bookingCanceledBritish)
	}
	rows, err := s.sessions.ListBookings(ctx, s.cfg.DB, tenantID, f, w)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.sessions.CountBookings(ctx, s.cfg.DB, tenantID, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]BookingRecord, len(rows))
	for i, r := range rows {
		out[i] = bookingFromRow(r)
	}
	return out, n, nil
}

// Sessions lists the tenant's checkout sessions that match f in the window
// w, newest first, with their bookings, and how many match in all. A
// session due to expire is expired first, as Get does, and left out when
// its new status no longer matches f.
func (s *Service) Sessions(ctx context.Context, tenantID string, f SessionFilter, w Window) ([]*Session, int, error) {
	rows, err := s.sessions.ListSessions(ctx, s.cfg.DB, tenantID, f, w)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.sessions.CountSessions(ctx, s.cfg.DB, tenantID, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*Session, 0, len(rows))
	ids := make([]string, 0, len(rows))
	byID := map[string]*Session{}
	for i := range rows {
		sess, err := fromRow(&rows[i])
		if err != nil {
			return nil, 0, err
		}
		if s.expire(ctx, sess) {
			if sess, err = s.load(ctx, tenantID, sess.ID); err != nil {
				return nil, 0, err
			}
			sess.Bookings = nil
			if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, string(sess.Status)) {
				n--
				continue
			}
		}
		out, ids, byID[sess.ID] = append(out, sess), append(ids, sess.ID), sess
	}
	brs, err := s.sessions.BookingsOfSessions(ctx, s.cfg.DB, ids)
	if err != nil {
		return nil, 0, err
	}
	for _, b := range brs {
		sess := byID[b.SessionID]
		sess.Bookings = append(sess.Bookings, bookingFromRow(b))
	}
	return out, n, nil
}

// Retriever returns the provider that can read back bookings of name.
func (s *Service) Retriever(name string) (providers.BookingRetriever, bool) {
	r, err := s.cfg.Providers.BookingRetriever(name)
	return r, err == nil
}

// CreditLineBalance is a tenant's credit line: its limit and what is available.
type CreditLineBalance struct {
	Enabled   bool
	Limit     providers.Money
	Available providers.Money
}

// CreditLine returns the tenant's credit line, nil when it has none.
func (s *Service) CreditLine(ctx context.Context, tenantID string) (*CreditLineBalance, error) {
	t, err := s.tenants.GetTenant(ctx, s.cfg.DB, tenantID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.CreditCurrency == "" {
		return nil, nil
	}
	return &CreditLineBalance{Enabled: t.CreditEnabled, Limit: providers.Money{Amount: t.CreditLimit, Currency: t.CreditCurrency},
		Available: providers.Money{Amount: max(0, t.CreditLimit-t.CreditUsed), Currency: t.CreditCurrency}}, nil
}
