package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
)

// Booking refresh: airlines cancel flights, change schedules and
// locators after booking. The sweeper re-reads every booking of a flight
// still to leave, more often as its departure nears (refreshInterval),
// and records what changed (BookingChange); a read on request
// (Booking.flights, status and changes, through the loaders) is recorded
// the same way (BookingSeen), once however many readers see it.

// refreshInterval is how long until a booking whose flight leaves in d is
// read again: every 15 minutes in the last day, hourly in the last week,
// every 6 hours in the last month, daily before. A read on request
// (Booking.flights, status, changes) records what it sees at once, so the
// schedule is a floor, not a delay: a change shows on the next read.
func refreshInterval(d time.Duration) time.Duration {
	switch {
	case d <= 24*time.Hour:
		return 15 * time.Minute
	case d <= 7*24*time.Hour:
		return time.Hour
	case d <= 30*24*time.Hour:
		return 6 * time.Hour
	}
	return 24 * time.Hour
}

// ChangeKind is what changed in a booking.
type ChangeKind string

// The kinds of booking changes.
const (
	// ChangeStatus: the provider's status changed (CANCELED: the airline
	// canceled it).
	ChangeStatus ChangeKind = "STATUS"
	// ChangeSchedule: a flight's times changed.
	ChangeSchedule ChangeKind = "SCHEDULE"
	// ChangeLocators: the airline record locators changed.
	ChangeLocators ChangeKind = "LOCATORS"
)

// BookingChange is one change of a booking seen at its provider: Before
// and After are the status, the schedule (one "<carrier><number>
// <departure> <arrival>" per segment, RFC 3339 UTC, joined by "; ") or the
// locators (joined by ", ").
type BookingChange struct {
	Kind          ChangeKind
	DetectedAt    time.Time
	Before, After string
}

// scheduleOf is the schedule line of slices ("" when none).
func scheduleOf(sl []providers.Slice) string {
	var out []string
	for _, s := range sl {
		for _, g := range s.Segments {
			out = append(out, g.CarrierCode+g.FlightNumber+" "+g.DepartureAt.UTC().Format(time.RFC3339)+" "+g.ArrivalAt.UTC().Format(time.RFC3339))
		}
	}
	return strings.Join(out, "; ")
}

// RefreshBookings reads back from their providers the bookings whose next
// read is due, records what changed and when to read each again. It
// returns how many it read; a provider that cannot answer is asked again
// at the next sweep.
func (s *Service) RefreshBookings(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.sessions.BookingsToRefresh(ctx, s.cfg.DB, now, 100)
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
		if _, err := s.bookingSeen(ctx, b, bk); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// bookingSeen records booking row as its provider answered it (bk): its
// status (a canceled booking stays canceled), schedule and locators, each
// change as a BookingChange, and its next read. The first schedule and
// locators read are the baseline, not a change. It reports whether
// anything changed.
func (s *Service) bookingSeen(ctx context.Context, row db.BookingRow, bk *providers.Booking) (bool, error) {
	now := s.now()
	from, fromSchedule, fromData := row.Status, row.Schedule, row.Data
	var changes []db.BookingChangeRow
	add := func(kind ChangeKind, before, after string) {
		changes = append(changes, db.BookingChangeRow{BookingID: row.ID, Kind: string(kind), Before: before, After: after, DetectedAt: now})
	}
	stored := bookingFromRow(row).Status
	if bk.Status == providers.BookingCanceled && stored != providers.BookingCanceled {
		// Our own cancellation, confirmed and not failed, explains it:
		// it is settled (and told) by the cancellation, not recorded as
		// the airline's change.
		own, err := s.ownCancellation(ctx, row.ID)
		if err != nil {
			return false, err
		}
		if own {
			bk = &providers.Booking{Slices: bk.Slices, Locators: bk.Locators}
		}
	}
	if bk.Status != "" && bk.Status != stored && stored != providers.BookingCanceled {
		add(ChangeStatus, string(stored), string(bk.Status))
		row.Status = string(bk.Status)
	}
	if sched := scheduleOf(bk.Slices); sched != "" && sched != row.Schedule {
		if row.Schedule != "" {
			add(ChangeSchedule, row.Schedule, sched)
		}
		row.Schedule = sched
	}
	var d records.BookingData
	_ = records.Decode([]byte(row.Data), &d)
	if len(bk.Locators) > 0 && !slices.Equal(d.Locators, bk.Locators) {
		if len(d.Locators) > 0 {
			add(ChangeLocators, strings.Join(d.Locators, ", "), strings.Join(bk.Locators, ", "))
		}
		data, _ := json.Marshal(records.BookingData{Header: records.Current(), Locators: bk.Locators})
		row.Data = string(data)
	}
	if row.DepartsAt != nil {
		next := now.Add(refreshInterval(row.DepartsAt.Sub(now)))
		row.RefreshAt = &next
	}
	// The airline canceled it: the traveller is refunded in full
	// (CancelInvoluntary), through the cancellation's machinery.
	var involuntary *db.CancellationRow
	if slices.ContainsFunc(changes, func(c db.BookingChangeRow) bool {
		return c.Kind == string(ChangeStatus) && c.After == string(providers.BookingCanceled)
	}) {
		lease := now.Add(s.cfg.Lease)
		involuntary = &db.CancellationRow{ID: newID("bc_"), TenantID: row.TenantID, BookingID: row.ID, Kind: string(CancelInvoluntary),
			Status: string(CancelRefunding), Version: 1, Refundable: true, Currency: row.Currency, QuotedRefund: row.Amount,
			RefundAmount: row.Amount, ExpiresAt: now, NextAt: &lease, CreatedAt: now, UpdatedAt: now}
	}
	ok, err := s.sessions.BookingRead(ctx, s.cfg.DB, &row, from, fromSchedule, fromData, changes, involuntary, now)
	if err != nil || !ok {
		return false, err
	}
	if involuntary != nil {
		// The refund at once; should it fail or this process stop, the
		// sweeper (FollowUpCancellations) makes it once the lease is past.
		b := bookingFromRow(row)
		if err := s.refund(ctx, involuntary, &b); err != nil {
			s.cfg.Logger.WarnContext(ctx, "refunding an airline cancellation; the sweeper retries", "booking", row.ID, "cancellation", involuntary.ID, "err", err)
		}
	}
	return len(changes) > 0, nil
}

// ownCancellation reports whether booking id has a cancellation of ours
// confirmed and not failed (db.OwnCancellationStatuses).
func (s *Service) ownCancellation(ctx context.Context, id string) (bool, error) {
	rows, err := s.cancels.OfBooking(ctx, s.cfg.DB, id)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(rows, func(r db.CancellationRow) bool { return slices.Contains(db.OwnCancellationStatuses, r.Status) }), nil
}

// BookingStatusSeen records status, as the provider answered it on
// request (a status kept from an earlier read), for booking b when it
// differs from the stored one; a canceled booking stays canceled.
func (s *Service) BookingStatusSeen(ctx context.Context, b *BookingRecord, status providers.BookingStatus) error {
	if status == "" || status == b.Status || b.Status == providers.BookingCanceled {
		return nil // canceled is final
	}
	return s.BookingSeen(ctx, b, &providers.Booking{Status: status})
}

// BookingSeen records booking b as its provider just answered it (bk, a
// read of Booking.flights, status or changes): what changed since the
// stored booking (status, schedule, locators) is recorded once, with its
// events, as the sweeper records it. Of concurrent readers of the same
// change one records it (the write is conditional on the stored status,
// schedule and locators); the others find nothing new.
func (s *Service) BookingSeen(ctx context.Context, b *BookingRecord, bk *providers.Booking) error {
	if bk == nil {
		return nil
	}
	row, err := s.sessions.GetBooking(ctx, s.cfg.DB, b.TenantID, b.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.bookingSeen(ctx, *row, bk)
	return err
}

// BookingChanges returns what changed in booking b since it was made,
// oldest first.
func (s *Service) BookingChanges(ctx context.Context, b *BookingRecord) ([]BookingChange, error) {
	rows, err := s.sessions.BookingChanges(ctx, s.cfg.DB, b.ID)
	if err != nil {
		return nil, err
	}
	return records.Map(rows, func(r db.BookingChangeRow) BookingChange {
		return BookingChange{Kind: ChangeKind(r.Kind), DetectedAt: r.DetectedAt.UTC(), Before: r.Before, After: r.After}
	}), nil
}
