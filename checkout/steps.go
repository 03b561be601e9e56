package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/payments"
)

// Durable steps. Each saga step that calls the outside world is recorded
// in saga_steps (db.StepRow) before the call, as INTENT, and after it, as
// DONE or FAILED with its outcome, each time in the same transaction as
// the session's conditional UPDATE (move): the intent with the write that
// takes the step's lease (or moves to BOOKING), the outcome with the write
// that records the answer. A process killed between the two leaves an
// INTENT older than the lease, which ResumeSteps, on any replica, resumes
// or compensates from the database alone, asking the provider or gateway
// by the step's idempotency key rather than calling blindly again.

// The steps recorded, and the part number of the payment's steps.
const (
	stepHold    = "hold"    // a provider hold of a part (key: the part's external id)
	stepBook    = "book"    // a provider booking of a part (key: the part's external id)
	stepPay     = "pay"     // the gateway's payment intent is created (key: payments.IntentKey)
	stepConfirm = "confirm" // the sandbox card form confirms the intent
	stepCapture = "capture" // the gateway captures what was booked (key: payments.CaptureKey)
	stepRelease = "release" // the gateway cancels the authorization (key: payments.CancelKey)
	stepCancel  = "cancel"  // a provider cancels a booked part of a failed all-or-nothing trip (key: its reference)
	stepRenew   = "renew"   // a provider holds a waiting session's part again before its hold lapses (key: the part's external id)

	paymentPart = -1
)

// CrashPoints are the step boundaries at which Config.CrashAt is called:
// before and after every provider and gateway call of the saga.
var CrashPoints = []string{
	"hold:before_provider", "hold:after_provider",
	"pay:before_gateway", "pay:after_gateway",
	"confirm:before_gateway", "confirm:after_gateway",
	"book:before_provider", "book:after_provider",
	"capture:before_gateway", "capture:after_gateway",
	"release:before_gateway", "release:after_gateway",
	"cancel:before_provider", "cancel:after_provider",
	"renew:before_provider", "renew:after_provider",
	"late_release:before_gateway", "late_release:after_gateway",
}

// crash calls the test-only crash hook at a step boundary.
func (s *Service) crash(point string) {
	if s.cfg.CrashAt != nil {
		s.cfg.CrashAt(point)
	}
}

// partKey is the idempotency key of part i's provider steps: the external
// id the providers know the booking by.
func partKey(sess *Session, i int) string { return fmt.Sprintf("%s-%d", sess.ID, i) }

// intend records, with sess's next write, that step is about to call out.
func (s *Service) intend(sess *Session, step string, part int, key string) {
	s.record(sess, step, part, key, db.StepIntent, nil)
}

// outcome records, with sess's next write, how step's call ended.
func (s *Service) outcome(sess *Session, step string, part int, key string, ok bool, detail any) {
	state := db.StepDone
	if !ok {
		state = db.StepFailed
	}
	s.record(sess, step, part, key, state, detail)
}

func (s *Service) record(sess *Session, step string, part int, key, state string, detail any) {
	out := ""
	if detail != nil {
		b, _ := json.Marshal(detail)
		out = string(b)
	}
	now := s.now()
	for i := range sess.steps {
		if r := &sess.steps[i]; r.Step == step && r.Part == part {
			r.IdempotencyKey, r.State, r.Outcome, r.UpdatedAt = key, state, out, now
			return
		}
	}
	sess.steps = append(sess.steps, db.StepRow{SessionID: sess.ID, Step: step, Part: part, IdempotencyKey: key, State: state, Outcome: out, CreatedAt: now, UpdatedAt: now})
}

// paymentCall reports whether settling sess's payment calls the gateway.
func paymentCall(sess *Session) bool {
	p := sess.Payment
	return p != nil && p.Amount > 0 && p.Method != CreditLine && p.IntentID != ""
}

// ResumeSteps takes over the steps a stopped process left in INTENT for
// longer than the lease, and returns how many it settled:
//
//   - hold: the provider's hold lapses on its own; the step is marked
//     abandoned and the traveller holds again.
//   - pay: the intent is created again with the same idempotency key, so
//     the gateway answers the intent it made, which the session records.
//   - confirm: the intent is read from the gateway and applied forward.
//   - book, capture: the session is reconciled (each provider asked by the
//     part's external id, then what was booked captured by its key).
//   - release: the payment is released (cancel by its key), whether the
//     session ended with it or it was authorized late, after the end.
//   - renew: abandoned, like a hold: a renewal the provider made lapses
//     on its own, and the sweeper renews the recorded hold again.
//   - late_release: the authorizations the gateway's card form made on
//     an ended session's intent are listed and voided again (idempotent).
//   - cancel: the session is reconciled, which cancels the booked parts
//     of a failed all-or-nothing trip again (by their references).
//
// A session in NEEDS_ATTENTION is left to the reconciler's backoff: its
// steps are not listed until its next lookup is due, and then it is
// reconciled (once per attempt, which moves the next lookup on).
func (s *Service) ResumeSteps(ctx context.Context) (int, error) {
	now := s.now()
	stale, err := s.sessions.StaleIntents(ctx, s.cfg.DB, s.cfg.Gateway.Name(), string(NeedsAttention), now.Add(-s.cfg.Lease), now, 100)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	n := 0
	for _, st := range stale {
		if seen[st.SessionID] {
			continue
		}
		seen[st.SessionID] = true
		row, err := s.sessions.SessionByID(ctx, s.cfg.DB, st.SessionID)
		if err != nil {
			continue
		}
		sess, err := s.load(ctx, row.TenantID, row.ID)
		if err != nil {
			return n, err
		}
		if err := s.resume(ctx, sess, st); err != nil {
			s.cfg.Logger.WarnContext(ctx, "resuming a step", "session", sess.ID, "step", st.Step, "part", st.Part, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

func (s *Service) resume(ctx context.Context, sess *Session, st db.StepRow) error {
	now := s.now()
	if sess.busyOp != "" && sess.busyUntil != nil && now.Before(*sess.busyUntil) {
		return nil // a live step holds the session
	}
	if sess.Status == NeedsAttention && sess.ReconcileAt != nil && now.Before(*sess.ReconcileAt) {
		return nil // the reconciler's backoff decides (StaleIntents leaves these out)
	}
	s.cfg.Logger.InfoContext(ctx, "resuming a step left by a stopped process", "session", sess.ID, "step", st.Step, "part", st.Part, "status", sess.Status)
	switch {
	case st.Step == stepLateRelease:
		return s.resumeLateRelease(ctx, sess, st)
	case sess.Status == Booking || sess.Status == NeedsAttention:
		// A lookup due now: one reconciler attempt, which moves the
		// next lookup on (or concludes).
		_, err := s.reconcile(ctx, sess)
		return err
	case sess.releaseDue != nil:
		s.releasePayment(ctx, sess)
		return nil
	case st.Step == stepPay && sess.Status == Held && sess.Payment == nil:
		_, err := s.pay(ctx, sess.TenantID, sess.ID, Card)
		return err
	case st.Step == stepConfirm && sess.Payment != nil && sess.Payment.IntentID != "":
		gw, err := s.gateway(sess)
		if err != nil {
			return err
		}
		in, err := gw.GetIntent(ctx, sess.Payment.IntentID)
		if err != nil {
			return err
		}
		s.outcome(sess, st.Step, st.Part, st.IdempotencyKey, in.Status == payments.Authorized, map[string]any{"intent": in.ID, "status": in.Status, "resumed": true})
		_, err = s.intentChanged(ctx, sess, in)
		if err == nil && len(sess.steps) > 0 {
			_, err = s.move(ctx, sess, sess.Status, "", "")
		}
		return err
	}
	// Nothing to resume: the step was overtaken (the session moved on, or
	// ended) or its effect lapses at the provider by itself (a hold).
	s.outcome(sess, st.Step, st.Part, st.IdempotencyKey, false, map[string]any{"abandoned": true, "status": sess.Status})
	_, err := s.move(ctx, sess, sess.Status, "", "")
	return err
}

// errBusy is a step that lost its session to another writer between two
// of its writes.
var errBusy = errors.New("checkout: another step moved the session")
