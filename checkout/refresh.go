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
	"github.com/faregraph/faregraph/refdata"
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
// locators (joined by ", "). A SCHEDULE change also has its flights,
// structured, in ScheduleBefore and ScheduleAfter (nil for other kinds).
type BookingChange struct {
	Kind                          ChangeKind
	DetectedAt                    time.Time
	Before, After                 string
	ScheduleBefore, ScheduleAfter []ScheduledSegment
}

// ScheduledSegment is one flight of a booking's schedule: Flight is its
// carrier code and number ("VY7821"), the times local to its airports
// with their UTC offset. Origin and Destination are "" and the times UTC
// when not known (a change recorded before they were kept, or a flight
// the booking no longer has).
type ScheduledSegment struct {
	Flight      string    `json:"flight"`
	Origin      string    `json:"origin,omitempty"`
	Destination string    `json:"destination,omitempty"`
	DepartureAt time.Time `json:"departureAt"`
	ArrivalAt   time.Time `json:"arrivalAt"`
}

// segmentsOf is the schedule of slices, structured.
func segmentsOf(sl []providers.Slice) []ScheduledSegment {
	var out []ScheduledSegment
	for _, s := range sl {
		for _, g := range s.Segments {
			out = append(out, ScheduledSegment{Flight: g.CarrierCode + g.FlightNumber, Origin: g.Origin, Destination: g.Destination,
				DepartureAt: g.DepartureAt, ArrivalAt: g.ArrivalAt})
		}
	}
	return out
}

// parseSchedule reads a schedule line (scheduleOf's form) back into
// segments; each takes its airports, and its times their zones, from the
// segment of like with the same flight (the first not taken), else UTC.
func parseSchedule(line string, like []ScheduledSegment) []ScheduledSegment {
	var out []ScheduledSegment
	taken := make([]bool, len(like))
	for _, part := range strings.Split(line, "; ") {
		f := strings.Fields(part)
		if len(f) != 3 {
			continue
		}
		dep, err1 := time.Parse(time.RFC3339, f[1])
		arr, err2 := time.Parse(time.RFC3339, f[2])
		if err1 != nil || err2 != nil {
			continue
		}
		seg := ScheduledSegment{Flight: f[0], DepartureAt: dep.UTC(), ArrivalAt: arr.UTC()}
		for i, l := range like {
			if !taken[i] && l.Flight == f[0] {
				taken[i] = true
				seg.Origin, seg.Destination = l.Origin, l.Destination
				seg.DepartureAt, seg.ArrivalAt = dep.In(refdata.Location(l.Origin)), arr.In(refdata.Location(l.Destination))
				break
			}
		}
		out = append(out, seg)
	}
	return out
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
			after := segmentsOf(bk.Slices)
			b, _ := json.Marshal(parseSchedule(row.Schedule, after))
			a, _ := json.Marshal(after)
			changes[len(changes)-1].BeforeSegments, changes[len(changes)-1].AfterSegments = string(b), string(a)
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
		// The refund at once, finished even if the reader (a query) goes
		// away; should it fail or this process stop, the sweeper
		// (FollowUpCancellations) makes it once the lease is past.
		b := bookingFromRow(row)
		rctx, cancel := s.detach(ctx)
		defer cancel()
		if err := s.refund(rctx, involuntary, &b); err != nil {
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
		c := BookingChange{Kind: ChangeKind(r.Kind), DetectedAt: r.DetectedAt.UTC(), Before: r.Before, After: r.After}
		if c.Kind == ChangeSchedule {
			if json.Unmarshal([]byte(r.BeforeSegments), &c.ScheduleBefore) != nil || json.Unmarshal([]byte(r.AfterSegments), &c.ScheduleAfter) != nil {
				// Recorded before the segments were kept: from the lines, UTC.
				c.ScheduleBefore, c.ScheduleAfter = parseSchedule(r.Before, nil), parseSchedule(r.After, nil)
			}
		}
		return c
	}), nil
}
