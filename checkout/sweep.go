package checkout

import (
	"context"

	"github.com/faregraph/faregraph/fault"
)

// expire moves an unbooked session past its expiry, or unpaid past its
// hold's, to EXPIRED, releasing its payment. It reports whether it did.
func (s *Service) expire(ctx context.Context, sess *Session) bool {
	now := s.now()
	if run, _ := gate(sess, "expire"); !run {
		return false
	}
	due := !now.Before(sess.ExpiresAt)
	if sess.Status != Authorized {
		due = due || sess.HoldExpiresAt != nil && !now.Before(*sess.HoldExpiresAt)
	}
	if !due || sess.busyOp != "" && sess.busyUntil != nil && now.Before(*sess.busyUntil) {
		// A step holds the session (a pay or hold in flight): expire it
		// once the step is done.
		return false
	}
	ok, err := s.end(ctx, sess, Expired, "expired")
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "expiring session", "session", sess.ID, "err", err)
	}
	return ok
}

// Sweep expires the sessions that are due and reconciles the ones that
// need attention. Every replica may run it; transitions apply once.
func (s *Service) Sweep(ctx context.Context) (expired, reconciled int, err error) {
	rows, err := s.sessions.ExpiredSessions(ctx, s.cfg.DB, []string{string(Open), string(Held), string(PaymentPending), string(Authorized)}, s.now(), 100)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rows {
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err == nil && s.expire(ctx, sess) {
			expired++
		}
	}
	release, err := s.sessions.SessionsToRelease(ctx, s.cfg.DB, s.now(), 100)
	if err != nil {
		return expired, 0, err
	}
	for _, r := range release {
		if sess, err := s.load(ctx, r.TenantID, r.ID); err == nil {
			s.releasePayment(ctx, sess)
		}
	}
	reconciled, err = s.Reconcile(ctx)
	return expired, reconciled, err
}

// Reconcile resolves sessions in NEEDS_ATTENTION, and sessions left in
// BOOKING by a process that stopped, by asking each provider whether the
// booking was made (never by booking blindly again), then captures what
// was booked. It returns how many sessions it settled.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	now := s.now()
	attention, err := s.sessions.StaleSessions(ctx, s.cfg.DB, []string{string(NeedsAttention)}, now, 100)
	if err != nil {
		return 0, err
	}
	stuck, err := s.sessions.StaleSessions(ctx, s.cfg.DB, []string{string(Booking)}, now.Add(-2*s.cfg.OperationTimeout), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range append(attention, stuck...) {
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err != nil {
			return n, err
		}
		done, err := s.reconcile(ctx, sess)
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "reconciling session", "session", sess.ID, "err", err)
			continue
		}
		if done {
			n++
		}
	}
	return n, nil
}

func (s *Service) reconcile(ctx context.Context, sess *Session) (_ bool, err error) {
	ctx, end := s.step(ctx, "reconcile", sess.ID)
	defer func() { end(err) }()
	from := sess.Status
	if from != NeedsAttention && from != Booking {
		return false, nil
	}
	if ok, err := s.claim(ctx, sess, "reconcile"); err != nil || !ok {
		return false, err
	}
	for i, p := range sess.Parts {
		if p.Status != PartUnknown && p.Status != PartPending {
			continue
		}
		if i >= len(sess.Holds) {
			sess.Parts[i].Status, sess.Parts[i].Code = PartFailed, fault.NotHeld
			continue
		}
		b, err := s.cfg.Providers.Booker(sess.Offer.Parts[i].Provider)
		if err != nil {
			return false, err
		}
		pctx, cancel := s.provider(ctx)
		bk, err := b.FindBooking(pctx, s.request(sess, i))
		cancel()
		switch {
		case err != nil:
			s.cfg.Logger.WarnContext(ctx, "provider could not say whether it booked", "session", sess.ID, "part", i, "err", err)
		case bk == nil:
			sess.Parts[i].Status, sess.Parts[i].Code = PartFailed, fault.NotBooked
		default:
			st, err := s.recordBooking(ctx, sess, i, bk)
			if err != nil {
				return false, err
			}
			sess.Parts[i] = st
		}
	}
	res, err := s.finalize(ctx, sess, from)
	if err != nil {
		return false, err
	}
	return res.Session != nil && res.Session.Status != NeedsAttention && res.Session.Status != Booking, nil
}
