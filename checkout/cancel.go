package checkout

import "context"

// Cancel ends a session that is not booking or booked: the payment
// authorization is cancelled (or the credit reservation released) and the
// session becomes CANCELED. Provider holds cannot be released through the
// providers' APIs and lapse on their own. Cancelling a canceled session
// answers it as it is.
func (s *Service) Cancel(ctx context.Context, tenantID, id, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "cancelCheckoutSession", id, func() (*Result, error) {
		return s.cancel(ctx, tenantID, id)
	})
}

func (s *Service) cancel(ctx context.Context, tenantID, id string) (*Result, error) {
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	switch sess.Status {
	case Open, Held, PaymentPending, Authorized:
	case Canceled:
		return &Result{Session: sess}, nil
	default:
		return &Result{Session: sess, UserErrors: stateErr(sess, "cancel")}, nil
	}
	from := sess.Status
	if ok, err := s.claim(ctx, sess, "cancel"); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	if err := s.settle(ctx, sess, 0); err != nil {
		release(sess)
		_, _ = s.move(ctx, sess, from, "", "")
		return nil, err
	}
	release(sess)
	sess.Status = Canceled
	if ok, err := s.move(ctx, sess, from, "canceled", ""); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}
