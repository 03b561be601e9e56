package checkout

import (
	"context"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// Booking status refresh: airlines cancel flights and change schedules
// after booking. The sweeper re-reads the bookings of flights leaving
// within refreshHorizon, each at most every refreshEvery; a booking read
// on request (Booking.status through the loaders) is recorded too.
const (
	refreshHorizon = 7 * 24 * time.Hour
	refreshEvery   = time.Hour
)

// RefreshBookings reads back from their providers the bookings of flights
// leaving within a week that were not read for an hour, and records their
// status. It returns how many it read; a provider that cannot answer is
// asked again at the next sweep.
func (s *Service) RefreshBookings(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.sessions.BookingsToRefresh(ctx, s.cfg.DB, now, now.Add(refreshHorizon), now.Add(-refreshEvery), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range rows {
		r, ok := s.Retriever(b.Provider)
		if !ok {
			continue
		}
		pctx, cancel := s.provider(ctx)
		bk, err := r.Retrieve(pctx, b.ProviderReference)
		cancel()
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "refreshing a booking", "booking", b.ID, "provider", b.Provider, "err", err)
			continue
		}
		if err := s.sessions.BookingChecked(ctx, s.cfg.DB, b.ID, string(bk.Status), now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// BookingStatusSeen records status, as the provider answered it on
// request, for booking b when it differs from the stored one; a canceled
// booking stays canceled.
func (s *Service) BookingStatusSeen(ctx context.Context, b *BookingRecord, status providers.BookingStatus) error {
	if status == "" || status == b.Status || b.Status == providers.BookingCanceled {
		return nil // canceled is final
	}
	return s.sessions.BookingChecked(ctx, s.cfg.DB, b.ID, string(status), s.now())
}
