package checkout

import (
	"context"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
)

// Cancel ends a session that is not booking or booked: it becomes
// CANCELED in one conditional UPDATE (so a concurrent book either started
// first, and the cancel is refused, or finds the session canceled), and
// only then is the payment authorization canceled (or the credit
// reservation released). Provider holds cannot be released through the
// providers' APIs and lapse on their own. Canceling a canceled session
// answers it as it is, with the warning ALREADY_CANCELED; any other final
// session answers a user error.
func (s *Service) Cancel(ctx context.Context, tenantID, id, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "cancelCheckoutSession", id, func(ctx context.Context) (*Result, error) {
		return s.cancel(ctx, tenantID, id)
	})
}

func (s *Service) cancel(ctx context.Context, tenantID, id string) (_ *Result, err error) {
	ctx, end := s.step(ctx, "cancel", id)
	defer func() { end(err) }()
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if sess.Status == Canceled {
		return &Result{Session: sess, Warnings: []fault.Warning{{Field: []string{"input", "checkoutSessionId"}, Code: fault.AlreadyCanceled,
			Message: "the checkout session was canceled already; nothing changed"}}}, nil
	}
	if run, ue, w := gate(sess, "cancel"); !run {
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	if sess.busyOp != "" && sess.busyUntil != nil && s.now().Before(*sess.busyUntil) {
		return s.busy(ctx, sess, nil)
	}
	if ok, err := s.end(ctx, sess, Canceled, "canceled"); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}

// end moves an unbooked session to a final status (CANCELED, EXPIRED) as
// one conditional UPDATE, marking its payment for release in the same
// write; then releases the payment. A release that fails now is retried
// by the sweeper, so no authorization or reservation is ever left behind.
func (s *Service) end(ctx context.Context, sess *Session, to Status, event string) (bool, error) {
	from := sess.Status
	sess.Status = to
	release(sess)
	if sess.Payment != nil {
		now := s.now()
		sess.releaseDue = &now
		if paymentCall(sess) {
			s.intend(sess, stepRelease, paymentPart, payments.CancelKey(sess.Payment.IntentID))
		}
	}
	ok, err := s.move(ctx, sess, from, event, "")
	if err != nil || !ok {
		return ok, err
	}
	if sess.releaseDue != nil {
		s.releasePayment(ctx, sess)
	}
	return true, nil
}

// releasePayment releases a final session's payment and clears its
// marker. On failure the marker stays for the sweeper.
func (s *Service) releasePayment(ctx context.Context, sess *Session) {
	if err := s.settle(ctx, sess, 0); err != nil {
		s.cfg.Logger.WarnContext(ctx, "releasing a payment; the sweeper will retry", "session", sess.ID, "err", err)
		return
	}
	sess.releaseDue = nil
	if paymentCall(sess) {
		s.outcome(sess, stepRelease, paymentPart, payments.CancelKey(sess.Payment.IntentID), true, map[string]any{"status": sess.Payment.Status})
	}
	if _, err := s.move(ctx, sess, sess.Status, "payment_released", ""); err != nil {
		s.cfg.Logger.WarnContext(ctx, "recording a released payment", "session", sess.ID, "err", err)
	}
}
