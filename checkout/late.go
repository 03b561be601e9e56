package checkout

import (
	"context"
	"fmt"
	"strings"

	"github.com/faregraph/faregraph/providers"
)

// Late bookings. A provider may confirm a booking after the session was
// decided without it: a book or reconcile step whose process was paused
// past its lease (so the reconciler settled the part by rule, or an
// operator resolved it as failed) gets the provider's answer afterwards.
// Its booking row is written the moment the provider confirms
// (recordBooking), whatever the session's state; the step's conditional
// UPDATE then loses to the decision. Such a booking is never dropped
// silently: lateBookings records it on the session (a "booked_late"
// event, and the failure message says so), logs it as an error and
// raises Alerts.BookedLate, and `faregraph sessions list --booked-late`
// lists the session, for an operator to cancel the booking at the
// provider or charge it.

// eventBookedLate is the session event that records late bookings.
const eventBookedLate = "booked_late"

// BookedLate lists the parts of sess (indexes) that have a booking row,
// not canceled, while the session counts them as not booked: bookings a
// provider made after the session was decided. sess's bookings must be
// loaded (load reads them for every status that may have them).
func BookedLate(sess *Session) []int {
	var out []int
	for _, b := range sess.Bookings {
		if b.PartIndex < 0 || b.PartIndex >= len(sess.Parts) || b.Status == providers.BookingCanceled {
			continue
		}
		if st := sess.Parts[b.PartIndex].Status; st != PartBooked && st != PartCanceled {
			out = append(out, b.PartIndex)
		}
	}
	return out
}

// busyAfterBooking is busy for the writes of a booking run (finalize):
// when another writer decided the session meanwhile, what this run booked
// is raised as a late booking.
func (s *Service) busyAfterBooking(ctx context.Context, sess *Session, err error) (*Result, error) {
	res, err := s.busy(ctx, sess, err)
	if err == nil && res.Session.Status.Final() {
		s.lateBookings(ctx, res.Session)
	}
	return res, err
}

// lateBookings records, logs and alerts the late bookings of cur, a
// final session, once each: a booking already named by a booked_late
// event of the session is not raised again. The record is a write of
// the session in its status (no move: a final session stays final) with
// the event and the failure message extended; it is tried again on a
// fresh read when another writer changed the session first.
func (s *Service) lateBookings(ctx context.Context, cur *Session) {
	ctx = context.WithValue(context.WithoutCancel(ctx), idemScopeKey{}, (*idemScope)(nil))
	for range 3 {
		late := BookedLate(cur)
		if len(late) == 0 {
			return
		}
		evs, err := s.sessions.Events(ctx, s.cfg.DB, cur.ID)
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "reading a session's events for late bookings", "session", cur.ID, "err", err)
			return
		}
		var news []BookingRecord
		for _, b := range cur.Bookings {
			raised := false
			for _, ev := range evs {
				raised = raised || ev.Event == eventBookedLate && strings.Contains(ev.Detail, b.ID)
			}
			for _, i := range late {
				if b.PartIndex == i && !raised && b.Status != providers.BookingCanceled {
					news = append(news, b)
				}
			}
		}
		if len(news) == 0 {
			return
		}
		var what []string
		for _, b := range news {
			what = append(what, fmt.Sprintf("part %d (%s) booking %s, provider reference %s", b.PartIndex+1, b.Provider, b.ID, b.ProviderReference))
		}
		detail := strings.Join(what, "; ")
		if cur.Failure != nil {
			f := *cur.Failure
			f.Message += "; afterwards the provider confirmed " + detail + ": not charged, an operator is alerted to cancel or charge it"
			cur.Failure = &f
		}
		ok, err := s.move(ctx, cur, cur.Status, eventBookedLate, detail)
		if ok || err != nil {
			for _, b := range news {
				s.cfg.Logger.ErrorContext(ctx, "a provider booked a part after its session was decided; cancel the booking at the provider or charge it (faregraph sessions list --booked-late)",
					"session", cur.ID, "status", cur.Status, "part", b.PartIndex, "provider", b.Provider, "booking", b.ID, "provider_reference", b.ProviderReference, "err", err)
				if s.cfg.Alerts != nil {
					s.cfg.Alerts.BookedLate(b.Provider)
				}
			}
			return
		}
		next, err := s.load(ctx, cur.TenantID, cur.ID)
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "reading a session for late bookings", "session", cur.ID, "err", err)
			return
		}
		cur = next
	}
}

// SessionsBookedLate lists up to limit sessions, across tenants, with a
// booking a provider made after the session was decided (see
// lateBookings), oldest change first, for operators.
func (s *Service) SessionsBookedLate(ctx context.Context, limit int) ([]*Session, error) {
	rows, err := s.sessions.SessionsWithEvent(ctx, s.cfg.DB, eventBookedLate, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*Session, 0, len(rows))
	for _, r := range rows {
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, nil
}
