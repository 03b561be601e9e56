package checkout

import (
	"context"
	"fmt"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// expire moves an unbooked session past its own expiry to EXPIRED,
// releasing its payment, with a failure that says so. (Its holds are
// renewed until then, so a hold's lapse does not end it.) It reports
// whether it did.
func (s *Service) expire(ctx context.Context, sess *Session) bool {
	now := s.now()
	if run, _, _ := gate(sess, "expire"); !run {
		return false
	}
	due := !now.Before(sess.ExpiresAt)
	if !due || sess.busyOp != "" && sess.busyUntil != nil && now.Before(*sess.busyUntil) {
		// A step holds the session (a pay or hold in flight): expire it
		// once the step is done.
		return false
	}
	sess.Failure = &Failure{Code: fault.SessionExpired, Message: fmt.Sprintf("the checkout session expired at %s before it was booked; any payment was released", sess.ExpiresAt.Format(time.RFC3339))}
	ok, err := s.end(ctx, sess, Expired, "expired")
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "expiring session", "session", sess.ID, "err", err)
	}
	return ok
}

// Sweep expires the sessions that are due, renews the holds of the ones
// still waiting for their traveller, releases the payments of ended
// sessions still to be released, resumes the steps a stopped process
// left in INTENT (ResumeSteps), voids authorizations a gateway's card
// form made by itself on ended sessions (ReleaseStrayAuthorizations),
// reconciles the ones that need
// attention, follows up booking cancellations (provider and refund), and
// re-reads the bookings of upcoming flights, and prunes old finished
// saga steps (PruneSteps). Every replica may run it; transitions apply once.
func (s *Service) Sweep(ctx context.Context) (expired, reconciled int, err error) {
	rows, err := s.sessions.ExpiredSessions(ctx, s.cfg.DB, []string{string(Open), string(Held), string(PaymentPending), string(Authorized), string(PriceChanged)}, s.now(), 100)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rows {
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err == nil && s.expire(ctx, sess) {
			expired++
		}
	}
	if _, err := s.RenewHolds(ctx); err != nil {
		return expired, 0, err
	}
	release, err := s.sessions.SessionsToRelease(ctx, s.cfg.DB, s.cfg.Gateway.Name(), s.now(), 100)
	if err != nil {
		return expired, 0, err
	}
	for _, r := range release {
		if sess, err := s.load(ctx, r.TenantID, r.ID); err == nil {
			s.releasePayment(ctx, sess)
		}
	}
	if _, err := s.ResumeSteps(ctx); err != nil {
		return expired, 0, err
	}
	if _, err := s.ReleaseStrayAuthorizations(ctx); err != nil {
		return expired, 0, err
	}
	reconciled, err = s.Reconcile(ctx)
	if err != nil {
		return expired, reconciled, err
	}
	if _, err := s.FollowUpCancellations(ctx); err != nil {
		return expired, reconciled, err
	}
	if _, err = s.RefreshBookings(ctx); err != nil {
		return expired, reconciled, err
	}
	_, err = s.PruneSteps(ctx)
	return expired, reconciled, err
}

// pruneBatch is how many saga steps one DELETE of PruneSteps removes.
const pruneBatch = 500

// PruneSteps deletes the finished saga steps (DONE, FAILED) of sessions
// in a final state whose last write is older than StepRetention, in
// batches of pruneBatch, at most 20 batches a sweep; it returns how many
// it deleted. Steps in INTENT and those of sessions under way are kept.
func (s *Service) PruneSteps(ctx context.Context) (int, error) {
	var final []string
	for _, st := range allSessionStatuses {
		if st.Final() {
			final = append(final, string(st))
		}
	}
	before := s.now().Add(-s.cfg.StepRetention)
	total := 0
	for range 20 {
		n, err := s.sessions.PruneSteps(ctx, s.cfg.DB, final, before, pruneBatch)
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
	return total, nil
}

// Reconcile resolves sessions in NEEDS_ATTENTION whose next lookup is
// due, and sessions left in BOOKING by a process that stopped (their
// step's lease lapsed), by asking
// each provider whether the booking was made (never by booking blindly
// again), then captures what was booked. It returns how many sessions it
// settled.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	now := s.now()
	attention, err := s.sessions.DueForReconcile(ctx, s.cfg.DB, string(NeedsAttention), s.cfg.Gateway.Name(), now, 100)
	if err != nil {
		return 0, err
	}
	stuck, err := s.sessions.LeaseLapsed(ctx, s.cfg.DB, string(Booking), s.cfg.Gateway.Name(), now, 100)
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

// backoff is the wait before the reconciler's next lookup after attempts
// unknown answers: ReconcileBackoff doubled each time, at most an hour.
func (s *Service) backoff(attempts int) time.Duration {
	d := s.cfg.ReconcileBackoff << min(attempts-1, 16)
	return min(d, time.Hour)
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
	if err := s.partsFromBookings(ctx, sess); err != nil {
		return false, err
	}
	unknown := false
	order := make([]int, len(sess.Parts))
	for i := range order {
		order[i] = i
	}
	forbid := sess.PartialBooking == ForbidPartial && len(sess.Parts) > 1
	if forbid {
		// All or nothing: the parts are settled in booking order, and none
		// is booked (FindBooking books a hold never booked) once an earlier
		// one failed or is still unknown.
		order = s.bookingOrder(sess)
	}
	for _, i := range order {
		p := sess.Parts[i]
		if forbid && anyPart(sess, PartFailed) && p.Status == PartPending {
			setPart(sess, i, PartFailed, fault.NotBooked)
			continue
		}
		if p.Status != PartUnknown && p.Status != PartPending || forbid && unknown {
			continue
		}
		if i >= len(sess.Holds) {
			setPart(sess, i, PartFailed, fault.NotHeld)
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
		case providers.CodeOf(err) == providers.NotFound || err == nil && bk == nil:
			// We created the request (or prebook) and never saw it
			// confirmed; the provider knows no booking of it: not booked.
			setPart(sess, i, PartFailed, fault.NotBooked)
		case err != nil && !outcomeUnknown(err):
			// FindBooking replays the booking request, which the provider
			// answers with the booking it made for the hold, if any: a
			// refusal (a payment intent never confirmed, a price or seats
			// gone) says it has none and makes none: not booked.
			s.cfg.Logger.WarnContext(ctx, "provider refused the booking when asked again; not booked", "session", sess.ID, "part", i, "err", err)
			setPart(sess, i, PartFailed, providerUserError(sess.Offer.Parts[i].Provider, err).Code)
		case err != nil:
			s.cfg.Logger.WarnContext(ctx, "provider could not say whether it booked", "session", sess.ID, "part", i, "err", err)
			setPart(sess, i, PartUnknown, sess.Parts[i].Code)
			unknown = true
		default:
			st, err := s.recordBooking(ctx, sess, i, bk)
			if err != nil {
				return false, err
			}
			sess.Parts[i] = st
		}
	}
	if unknown {
		sess.ReconcileAttempts++
		if sess.ReconcileAttempts < s.cfg.ReconcileAttempts {
			next := s.now().Add(s.backoff(sess.ReconcileAttempts))
			sess.ReconcileAt = &next
		} else {
			s.settleByRule(ctx, sess)
		}
	}
	res, err := s.finalize(ctx, sess, from)
	if err != nil {
		return false, err
	}
	return res.Session != nil && res.Session.Status.Final(), nil
}

// settleByRule ends the wait for providers that never said whether they
// booked: each part still unknown counts as not booked (its money is
// released by the capture of only what was booked), and an operator is
// alerted, since the provider may yet have booked it.
func (s *Service) settleByRule(ctx context.Context, sess *Session) {
	for i, p := range sess.Parts {
		if p.Status != PartUnknown && p.Status != PartPending {
			continue
		}
		setPart(sess, i, PartFailed, fault.BookingOutcomeUnknown)
		provider := sess.Offer.Parts[i].Provider
		s.cfg.Logger.ErrorContext(ctx, "reconciler gave up; part settled as not booked", "session", sess.ID, "part", i, "provider", provider, "attempts", sess.ReconcileAttempts)
		if s.cfg.Alerts != nil {
			s.cfg.Alerts.SettledByRule(provider)
		}
	}
	sess.ReconcileAt = nil
}

// partsFromBookings makes sess's parts agree with its booking rows: a
// part with a booking row is booked, whatever the session document says,
// because the row is written the moment the provider confirms.
func (s *Service) partsFromBookings(ctx context.Context, sess *Session) error {
	brs, err := s.sessions.BookingsOf(ctx, s.cfg.DB, sess.ID)
	if err != nil {
		return err
	}
	for _, b := range brs {
		if b.PartIndex < len(sess.Parts) && bookingFromRow(b).Status != providers.BookingCanceled {
			setPart(sess, b.PartIndex, PartBooked, "")
		}
	}
	return nil
}
