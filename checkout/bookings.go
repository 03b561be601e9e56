package checkout

import (
	"context"
	"errors"
	"time"

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

// Bookings lists the tenant's bookings, newest first: up to limit after
// the booking (afterCreated, afterID), and how many there are in all.
func (s *Service) Bookings(ctx context.Context, tenantID string, afterCreated time.Time, afterID string, limit int) ([]BookingRecord, int, error) {
	rows, err := s.sessions.ListBookings(ctx, s.cfg.DB, tenantID, afterCreated, afterID, limit)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.sessions.CountBookings(ctx, s.cfg.DB, tenantID)
	if err != nil {
		return nil, 0, err
	}
	out := make([]BookingRecord, len(rows))
	for i, r := range rows {
		out[i] = bookingFromRow(r)
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
