package checkout

import (
	"context"
	"time"

	"github.com/faregraph/faregraph/payments"
)

// maxPaymentBackoff is the longest wait between two reads of a payment
// that waits on the buyer or the gateway.
const maxPaymentBackoff = 5 * time.Minute

// paymentWaiting reports whether sess waits, in PAYMENT_PENDING, on its
// payment's 3-D Secure challenge or on the gateway (REQUIRES_ACTION,
// PROCESSING): the payment moves on by itself, and a webhook says so when
// one is configured.
func paymentWaiting(sess *Session) bool {
	p := sess.Payment
	return sess.Status == PaymentPending && p != nil && p.IntentID != "" &&
		(p.Status == payments.RequiresAction || p.Status == payments.Processing)
}

// followUps keeps, with every write of sess (from status from), the time
// of the sweeper's next read of a waiting payment: set ReconcileBackoff
// from now when the payment starts waiting, cleared when it stops or the
// session leaves PAYMENT_PENDING (so the reconciler's own count starts at
// zero in NEEDS_ATTENTION).
func (s *Service) followUps(sess *Session, from Status) {
	switch {
	case paymentWaiting(sess):
		if sess.ReconcileAt == nil {
			next := s.now().Add(s.cfg.ReconcileBackoff)
			sess.ReconcileAt, sess.ReconcileAttempts = &next, 0
		}
	case from == PaymentPending || sess.Status == PaymentPending:
		sess.ReconcileAt, sess.ReconcileAttempts = nil, 0
	}
}

// FollowUpPayments reads back from the gateway, at most 100 a sweep, the
// payments of PAYMENT_PENDING sessions that wait on the buyer's 3-D
// Secure challenge or on the gateway (REQUIRES_ACTION, PROCESSING) and
// whose next read is due, and moves each session on as a webhook would
// (intentChanged: AUTHORIZED once the challenge passed, the payment
// FAILED once it failed). So a server that gets no webhook (none
// configured, as against faregraph simulators, or one lost) still sees
// the challenge's outcome within a sweep or two. Reads of one payment are
// spaced by ReconcileBackoff, doubled after each read that finds it still
// waiting, at most maxPaymentBackoff; the session's own expiry ends them.
// It returns how many sessions moved on.
func (s *Service) FollowUpPayments(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.sessions.FollowUpsDue(ctx, s.cfg.DB, string(PaymentPending), s.cfg.Gateway.Name(), now, 100)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, r := range rows {
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err != nil {
			return moved, err
		}
		if sess.busyOp != "" && sess.busyUntil != nil && now.Before(*sess.busyUntil) {
			continue // a step (pay, a card given again) is under way: next sweep
		}
		if !paymentWaiting(sess) {
			// Stale (written before followUps); clear it.
			_, _ = s.move(ctx, sess, sess.Status, "", "")
			continue
		}
		gw, err := s.gateway(sess)
		if err != nil {
			continue // another gateway's payment: a replica with it reads it
		}
		in, err := gw.GetIntent(ctx, sess.Payment.IntentID)
		if err == nil {
			var res *Result
			if res, err = s.intentChanged(ctx, sess, in); err == nil {
				sess = res.Session
			}
		}
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "reading a waiting payment back", "session", sess.ID, "err", err)
		}
		if !paymentWaiting(sess) {
			moved++
			continue
		}
		sess.ReconcileAttempts++
		next := now.Add(min(s.backoff(sess.ReconcileAttempts), maxPaymentBackoff))
		sess.ReconcileAt = &next
		if _, err := s.move(ctx, sess, PaymentPending, "", ""); err != nil {
			s.cfg.Logger.WarnContext(ctx, "scheduling the next read of a payment", "session", sess.ID, "err", err)
		}
	}
	return moved, nil
}
