package checkout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
)

// Hold asks every part's provider to hold the seats (CitizenPlane booking
// requests, LiteAPI prebooks), all parts or none. The session records each
// hold and the earliest hold expiry. Holding a held session answers it as
// it is.
func (s *Service) Hold(ctx context.Context, tenantID, id, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "holdCheckoutSession", id, func(ctx context.Context) (*Result, error) {
		return s.hold(ctx, tenantID, id)
	})
}

func (s *Service) hold(ctx context.Context, tenantID, id string) (_ *Result, err error) {
	ctx, end := s.step(ctx, "hold", id)
	defer func() { end(err) }()
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if run, ue, w := gate(sess, "hold"); !run {
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	// Time has passed since the session was created: its flights may now
	// be within the booking cut-off (package rules).
	if b := rules.Itinerary(sess.Offer, s.limits(sess.Offer), s.now()); b != nil {
		return &Result{Session: sess, UserErrors: userErr(b.Code, b.Message, "checkoutSessionId")}, nil
	}
	for i := range sess.Offer.Parts {
		s.intend(sess, stepHold, i, partKey(sess, i))
	}
	if ok, err := s.claim(ctx, sess, "hold"); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	holds, ue := s.holdParts(ctx, sess)
	release(sess)
	for i, h := range holds {
		if ue != nil {
			s.outcome(sess, stepHold, i, partKey(sess, i), false, map[string]any{"code": ue[0].Code, "ref": h.Hold.Ref})
		} else {
			s.outcome(sess, stepHold, i, partKey(sess, i), true, map[string]any{"ref": h.Hold.Ref, "expiresAt": h.Hold.ExpiresAt})
		}
	}
	if ue != nil {
		if _, err := s.move(ctx, sess, Open, "hold_failed", string(ue[0].Code)); err != nil {
			return nil, err
		}
		return &Result{Session: sess, UserErrors: ue}, nil
	}
	sess.Holds = holds
	sess.HoldExpiresAt = earliest(holds)
	sess.Status = Held
	if ok, err := s.move(answering(ctx, "hold"), sess, Open, "held", ""); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}

// open loads a session for a mutation: an unknown id is a user error on
// checkoutSessionId, exactly like another tenant's.
func (s *Service) open(ctx context.Context, tenantID, id string) (*Session, []fault.Violation, error) {
	sess, err := s.Get(ctx, tenantID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, userErr(fault.NotFound, "no such checkout session", "checkoutSessionId"), nil
	}
	return sess, nil, err
}

// busy answers a call that lost a race: the session as another call left it.
func (s *Service) busy(ctx context.Context, sess *Session, err error) (*Result, error) {
	if err != nil {
		return nil, err
	}
	cur, err := s.load(ctx, sess.TenantID, sess.ID)
	if err != nil {
		return nil, err
	}
	return &Result{Session: cur, UserErrors: userErr(fault.InProgress, "another request is working on this checkout session; read it again shortly", "checkoutSessionId")}, nil
}

// earliest is the first expiry among holds.
func earliest(holds []PartHold) *time.Time {
	var t *time.Time
	for _, h := range holds {
		if e := h.Hold.ExpiresAt.UTC(); t == nil || e.Before(*t) {
			t = &e
		}
	}
	return t
}

// holdParts holds every part in parallel. Any failure fails the whole
// hold; the holds that were made lapse at their providers.
func (s *Service) holdParts(ctx context.Context, sess *Session) ([]PartHold, []fault.Violation) {
	holds := make([]PartHold, len(sess.Offer.Parts))
	errs := make([]error, len(sess.Offer.Parts))
	var wg sync.WaitGroup
	for i := range sess.Offer.Parts {
		wg.Go(func() {
			h, err := s.holdPart(ctx, sess, i)
			if h != nil {
				holds[i] = PartHold{PartIndex: i, Provider: sess.Offer.Parts[i].Provider, Hold: *h, HeldAt: s.now()}
			}
			errs[i] = err
		})
	}
	wg.Wait()
	var ue []fault.Violation
	for i, err := range errs {
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "hold failed", "session", sess.ID, "provider", sess.Offer.Parts[i].Provider, "err", err)
			ue = append(ue, providerUserError(sess.Offer.Parts[i].Provider, err))
		}
	}
	return holds, ue
}

// holdPart holds part i at the price the session has for it.
func (s *Service) holdPart(ctx context.Context, sess *Session, i int) (*providers.Hold, error) {
	return s.holdAt(ctx, sess, i, heldPrice(sess, i), stepHold)
}

// heldPrice is what the provider should hold part i at, in the provider's
// own currency: the session's amount for the part, or, for a part the
// provider priced in another currency than the session's (converted at
// search; package fx), the provider's own total and the extras it priced.
// The traveller is charged the converted amount; the provider is paid its
// own.
func heldPrice(sess *Session, i int) providers.Money {
	part := sess.Offer.Parts[i]
	if part.Converted == nil {
		return providers.Money{Amount: sess.Parts[i].Amount, Currency: sess.Total.Currency}
	}
	want := part.Total
	for _, sel := range sess.Selections {
		if sel.PartIndex == i && sel.Ancillary.Price.Currency == want.Currency {
			want.Amount += sel.Ancillary.Price.Amount * int64(sel.Quantity)
		}
	}
	return want
}

// holdAt holds part i, expecting the provider to hold it at want. At
// another price it returns the hold with a PriceChanged error.
// step names the crash points around the call (hold, renew).
func (s *Service) holdAt(ctx context.Context, sess *Session, i int, want providers.Money, step string) (*providers.Hold, error) {
	part := sess.Offer.Parts[i]
	holder, err := s.cfg.Providers.Holder(part.Provider)
	if err != nil {
		return nil, err
	}
	req := providers.HoldRequest{Part: part, Travellers: ticketedTravellers(sess), Contact: sess.Contact.Ticketed(), Settlement: settlementOf(sess, i)}
	for _, sel := range sess.Selections {
		if sel.PartIndex == i {
			req.Selections = append(req.Selections, providers.Selection{Ref: sel.Ancillary.Ref, PassengerIndex: sel.PassengerIndex, Quantity: sel.Quantity})
		}
	}
	pctx, cancel := s.provider(ctx)
	defer cancel()
	s.crash(step + ":before_provider")
	h, err := holder.Hold(pctx, req)
	s.crash(step + ":after_provider")
	if err != nil {
		return h, err // a hold at another price comes with its PriceChanged
	}
	if h.Total != want {
		return h, &providers.Error{Provider: part.Provider, Op: "hold", Code: providers.PriceChanged,
			Message: fmt.Sprintf("the provider holds this part at %s instead of %s", h.Total, want)}
	}
	return h, nil
}

// providerUserError turns a provider failure into what the caller is told,
// on checkoutSessionId, with the code fault.ProviderCode gives it.
func providerUserError(provider string, err error) fault.Violation {
	var pe *providers.Error
	msg := provider + " could not answer; retry"
	if errors.As(err, &pe) && pe.Message != "" {
		msg = provider + ": " + pe.Message
	}
	return violation(fault.ProviderCode(err), msg, "checkoutSessionId")
}

// ticketedTravellers are the session's travellers as providers get them:
// with their ticketed names only (providers.Traveller.Ticketed).
func ticketedTravellers(sess *Session) []providers.Traveller {
	out := make([]providers.Traveller, len(sess.Passengers))
	for i, t := range sess.Passengers {
		out[i] = t.Ticketed()
	}
	return out
}
