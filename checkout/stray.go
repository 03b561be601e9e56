package checkout

import (
	"context"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/payments"
)

// strayCheckInterval is how often ReleaseStrayAuthorizations runs at
// most per process, and the wait before a session's second look-up: the
// wait doubles after each look-up that found nothing.
const strayCheckInterval = time.Minute

// strayBatch is how many sessions one run looks up at most.
const strayBatch = 100

// stepLateRelease voids an authorization the gateway's card form made by
// itself after its session ended (key: void:<the gateway's id of it>).
const stepLateRelease = "late_release"

// ReleaseStrayAuthorizations closes a money gap of gateways whose card
// form authorizes by itself (payments.StrayAuthorizations: Gr4vy Embed
// makes its transaction on the checkout session, which stays open at
// Gr4vy for its own life, also after our session ended before the card
// was typed). It looks up only the sessions that can have one: ended,
// paid through this gateway, whose payment never reached AUTHORIZED (an
// authorization of ours is captured or voided by the saga), and whose
// intent is still open at the gateway (created within its IntentLife);
// each at most once per backoff: a minute after it ended, then 2, 4, 8...
// minutes after the last look-up (db.StrayCandidates), at most
// strayBatch a run. For each, it lists the authorizations standing on the
// intent and voids them, as a durable late_release step (INTENT before
// the void, DONE after, resumed by ResumeSteps). It runs at most every
// strayCheckInterval per process and returns how many authorizations it
// voided.
func (s *Service) ReleaseStrayAuthorizations(ctx context.Context) (int, error) {
	sg, ok := s.cfg.Gateway.(payments.StrayAuthorizations)
	if !ok {
		return 0, nil
	}
	now := s.now()
	if next := s.strayAt.Load(); next != 0 && now.UnixNano() < next {
		return 0, nil
	}
	s.strayAt.Store(now.Add(strayCheckInterval).UnixNano())
	var final []string
	for _, st := range allSessionStatuses {
		if st.Final() {
			final = append(final, string(st))
		}
	}
	rows, err := s.sessions.StrayCandidates(ctx, s.cfg.DB, final, s.cfg.Gateway.Name(), string(Authorized), stepPay, now.Add(-sg.IntentLife()), now, strayBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		if r.StrayCheckAt == nil && now.Sub(r.UpdatedAt) < strayCheckInterval {
			continue // ended less than a minute ago: looked up from then on
		}
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err != nil {
			return n, err
		}
		v, err := s.releaseStrays(ctx, sess, sg)
		n += v
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "releasing stray authorizations; the sweeper will retry", "session", sess.ID, "err", err)
		}
		checks := r.StrayChecks + 1
		next := now.Add(strayCheckInterval << min(checks-1, 16))
		if err := s.sessions.ScheduleStrayCheck(ctx, s.cfg.DB, r.ID, checks, next); err != nil {
			return n, err
		}
	}
	return n, nil
}

// releaseStrays voids the authorizations standing on sess's intent, if
// sess's own payment is settled (so none of them is ours to capture). It
// returns how many it voided.
func (s *Service) releaseStrays(ctx context.Context, sess *Session, sg payments.StrayAuthorizations) (int, error) {
	p := sess.Payment
	if p == nil || p.IntentID == "" || p.Method == CreditLine || sess.releaseDue != nil ||
		p.Status != payments.Captured && p.Status != payments.Canceled {
		return 0, nil
	}
	ids, err := sg.Authorizations(ctx, p.IntentID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		key := "void:" + id
		s.intend(sess, stepLateRelease, paymentPart, key)
		if ok, err := s.move(ctx, sess, sess.Status, "late_authorization", id); err != nil || !ok {
			return n, err // another writer moved it: the next pass sees it
		}
		s.crash("late_release:before_gateway")
		err := sg.VoidAuthorization(ctx, p.IntentID, id)
		s.crash("late_release:after_gateway")
		if err != nil {
			return n, err // left in INTENT: ResumeSteps voids it again
		}
		s.outcome(sess, stepLateRelease, paymentPart, key, true, map[string]any{"authorization": id, "voided": true})
		if ok, err := s.move(ctx, sess, sess.Status, "payment_released", id); err != nil || !ok {
			return n, err
		}
		n++
	}
	return n, nil
}

// resumeLateRelease takes over a late_release step left in INTENT: the
// authorizations still standing are voided (the void is idempotent), and
// the step is concluded.
func (s *Service) resumeLateRelease(ctx context.Context, sess *Session, st db.StepRow) error {
	if sg, ok := s.cfg.Gateway.(payments.StrayAuthorizations); ok {
		if _, err := s.releaseStrays(ctx, sess, sg); err != nil {
			return err
		}
	}
	cur, err := s.load(ctx, sess.TenantID, sess.ID)
	if err != nil {
		return err
	}
	s.outcome(cur, st.Step, st.Part, st.IdempotencyKey, true, map[string]any{"resumed": true})
	_, err = s.move(ctx, cur, cur.Status, "", "")
	return err
}
