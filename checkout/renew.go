package checkout

import (
	"context"
	"fmt"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// renewStatuses are the statuses in which a session waits for its
// traveller (to pay, or to book) with its seats held.
var renewStatuses = []string{string(Held), string(PaymentPending), string(Authorized)}

// RenewHolds keeps the holds of waiting sessions alive until the sessions'
// own expiry: each hold that lapses within renewMargin is made again, and
// the session's holdExpiresAt moves on. A provider that holds a part at
// another price stops the renewal: the session moves to PRICE_CHANGED,
// its payment is released, and failure gives the old and new totals until
// the caller accepts (AcceptPriceChange). Any other failure leaves the
// hold to lapse; booking holds it again or fails. It returns how many
// sessions it renewed.
func (s *Service) RenewHolds(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.sessions.HoldsDue(ctx, s.cfg.DB, renewStatuses, now.Add(s.renewMargin()), now, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err != nil {
			return n, err
		}
		ok, err := s.renew(ctx, sess)
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "renewing holds", "session", sess.ID, "err", err)
			continue
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (s *Service) renew(ctx context.Context, sess *Session) (_ bool, err error) {
	ctx, end := s.step(ctx, "renew", sess.ID)
	defer func() { end(err) }()
	now := s.now()
	if run, _, _ := gate(sess, "renew"); !run || !now.Before(sess.ExpiresAt) {
		return false, nil
	}
	due := func(i int) bool { return !now.Add(s.renewMargin()).Before(sess.Holds[i].Hold.ExpiresAt) }
	// Each renewal is a durable step: recorded with the claim, before the
	// provider is called, and concluded with the write that records it.
	for i := range sess.Holds {
		if due(i) {
			s.intend(sess, stepRenew, i, partKey(sess, i))
		}
	}
	if ok, err := s.claim(ctx, sess, "renew"); err != nil || !ok {
		return false, err
	}
	from := sess.Status
	holds := append([]PartHold(nil), sess.Holds...)
	changed := false
	for i := range holds {
		if !due(i) {
			continue
		}
		h, err := s.holdAt(ctx, sess, i, heldPrice(sess, i), stepRenew)
		switch {
		case err == nil:
			s.outcome(sess, stepRenew, i, partKey(sess, i), true, map[string]any{"ref": h.Ref, "expiresAt": h.ExpiresAt})
		case providers.CodeOf(err) == providers.PriceChanged && h != nil:
			s.outcome(sess, stepRenew, i, partKey(sess, i), true, map[string]any{"ref": h.Ref, "priceChanged": h.Total.Amount})
			changed = true
		default:
			s.cfg.Logger.WarnContext(ctx, "hold renewal failed; the hold lapses", "session", sess.ID, "part", i, "err", err)
			s.outcome(sess, stepRenew, i, partKey(sess, i), false, map[string]any{"code": providers.CodeOf(err)})
			continue
		}
		holds[i] = PartHold{PartIndex: i, Provider: sess.Offer.Parts[i].Provider, Hold: *h, HeldAt: now}
	}
	release(sess)
	sess.Holds, sess.HoldExpiresAt = holds, earliest(holds)
	if !changed {
		ok, err := s.move(ctx, sess, from, "holds_renewed", sess.HoldExpiresAt.Format(time.RFC3339))
		return ok, err
	}
	next := sess.Total
	for i, h := range holds {
		next.Amount += h.Hold.Total.Amount - sess.Parts[i].Amount
	}
	prev := sess.Total
	sess.Status = PriceChanged
	sess.Failure = &Failure{Code: fault.PriceChanged, PreviousTotal: &prev, NewTotal: &next,
		Message: fmt.Sprintf("the providers now hold this trip at %s %s instead of %s %s; accept the new price (acceptPriceChange) or cancel", next.Decimal(), next.Currency, prev.Decimal(), prev.Currency)}
	if sess.Payment != nil {
		sess.releaseDue = &now
	}
	if ok, err := s.move(ctx, sess, from, "price_changed", next.Decimal()); err != nil || !ok {
		return ok, err
	}
	if sess.releaseDue != nil {
		s.releasePayment(ctx, sess)
	}
	return true, nil
}

// AcceptPriceChange continues a PRICE_CHANGED session at the new price:
// the parts and the total take the prices the providers now hold them at
// (a cart line per changed part says by how much), holds that lapsed
// meanwhile are made again, and the session is HELD, to be paid anew (the
// payment of the old total was released). A price that moved again
// answers PRICE_CHANGED with the newer totals.
func (s *Service) AcceptPriceChange(ctx context.Context, tenantID, id, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "acceptPriceChange", id, func(ctx context.Context) (*Result, error) {
		return s.acceptPriceChange(ctx, tenantID, id)
	})
}

func (s *Service) acceptPriceChange(ctx context.Context, tenantID, id string) (_ *Result, err error) {
	ctx, end := s.step(ctx, "accept", id)
	defer func() { end(err) }()
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if run, ue, w := gate(sess, "accept"); !run {
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	if ok, err := s.claim(ctx, sess, "accept"); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	now := s.now()
	for i := range sess.Holds {
		if now.Add(s.renewMargin()).Before(sess.Holds[i].Hold.ExpiresAt) {
			continue
		}
		h, err := s.holdAt(ctx, sess, i, sess.Holds[i].Hold.Total, stepHold)
		if err != nil && !(providers.CodeOf(err) == providers.PriceChanged && h != nil) {
			release(sess)
			if _, merr := s.move(ctx, sess, PriceChanged, "", ""); merr != nil {
				return nil, merr
			}
			return &Result{Session: sess, UserErrors: []fault.Violation{providerUserError(sess.Offer.Parts[i].Provider, err)}}, nil
		}
		sess.Holds[i] = PartHold{PartIndex: i, Provider: sess.Offer.Parts[i].Provider, Hold: *h, HeldAt: now}
	}
	for i, h := range sess.Holds {
		delta := h.Hold.Total.Amount - sess.Parts[i].Amount
		if delta == 0 {
			continue
		}
		item := Item{Name: fmt.Sprintf("Price change of %s", sess.Offer.Parts[i].Provider), Quantity: 1, Total: delta,
			Currency: sess.Total.Currency, ProductType: "FLIGHT", PartIndex: i}
		if delta > 0 {
			item.UnitAmount = delta
		} else {
			item.Discount = -delta
		}
		sess.Items = append(sess.Items, item)
		sess.Parts[i].Amount += delta
		sess.Total.Amount += delta
	}
	release(sess)
	sess.HoldExpiresAt = earliest(sess.Holds)
	sess.Status, sess.Failure, sess.Payment = Held, nil, nil
	sess.PriceRevision++
	if ok, err := s.move(ctx, sess, PriceChanged, "price_change_accepted", sess.Total.Decimal()); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}
