package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The states of a saga step (StepRow.State).
const (
	// StepIntent: the call is about to be made, or was made and its
	// answer not recorded (the process may have stopped in between).
	StepIntent = "INTENT"
	// StepDone: the call answered and its outcome is recorded.
	StepDone = "DONE"
	// StepFailed: the call was refused, or abandoned and compensated.
	StepFailed = "FAILED"
)

// StepRow is one saga step's call to the outside world: a provider hold
// or booking of one part, or a gateway call on the session's payment
// (part -1). It is written only with the session's conditional UPDATE
// (UpdateSession), so a step and the session's status never disagree.
type StepRow struct {
	bun.BaseModel `bun:"table:saga_steps"`

	SessionID      string    `bun:"session_id,pk"`
	Step           string    `bun:"step,pk"`
	Part           int       `bun:"part,pk"`
	IdempotencyKey string    `bun:"idempotency_key"`
	State          string    `bun:"state"`
	Outcome        string    `bun:"outcome"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// writeSteps adds steps to w, each an INSERT ... ON CONFLICT: a step's
// row is replaced by its latest attempt (a renewed hold, a retried
// capture), keeping when it began. One statement writes them all: a step
// appears at most once in steps (ON CONFLICT may not touch a row twice).
func (w *writes) writeSteps(idb bun.IDB, steps []StepRow) {
	if len(steps) == 0 {
		return
	}
	w.inserts = append(w.inserts, idb.NewInsert().Model(&steps).
		On("CONFLICT (session_id, step, part) DO UPDATE").
		Set("idempotency_key = EXCLUDED.idempotency_key, state = EXCLUDED.state, outcome = EXCLUDED.outcome, updated_at = EXCLUDED.updated_at"))
}

// StepsOf returns the steps of a session, oldest first.
func (Sessions) StepsOf(ctx context.Context, idb bun.IDB, sessionID string) ([]StepRow, error) {
	var rows []StepRow
	if err := idb.NewSelect().Model(&rows).Where("session_id = ?", sessionID).Order("created_at ASC", "step ASC", "part ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: steps of %s: %w", sessionID, err)
	}
	return rows, nil
}

// StaleIntents returns up to limit steps still in INTENT since before:
// calls whose process stopped before it recorded their outcome; only the
// steps of sessions gateway may settle (OfGateway), and none of a session
// in status waiting whose next reconciliation (reconcile_at) is after now:
// the reconciler's backoff decides when those are looked at again, and
// they must not crowd out the others.
func (Sessions) StaleIntents(ctx context.Context, idb bun.IDB, gateway, waiting string, before, now time.Time, limit int) ([]StepRow, error) {
	var rows []StepRow
	q := idb.NewSelect().Model(&rows).Where("state = ? AND updated_at <= ?", StepIntent, before.UTC())
	if waiting != "" {
		q = q.Where("session_id NOT IN (?)", idb.NewSelect().Table("checkout_sessions").Column("id").
			Where("status = ? AND reconcile_at > ?", waiting, now.UTC()))
	}
	if gateway != "" {
		q = q.Where("session_id IN (?)", OfGateway(idb.NewSelect().Table("checkout_sessions").Column("id"), gateway))
	}
	err := q.
		Order("updated_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: stale step intents: %w", err)
	}
	return rows, nil
}

// ExtendLease moves the lease of session id's step op on to until, if op
// still holds it at now (the step's heartbeat, while its outside call
// runs). It does not change the session's version, so the step's own next
// conditional UPDATE still applies. It reports false when the lease is
// gone: released, lapsed, or taken by another step.
func (Sessions) ExtendLease(ctx context.Context, idb bun.IDB, id, op string, now, until time.Time) (bool, error) {
	res, err := idb.NewUpdate().Table("checkout_sessions").Set("busy_until = ?", until.UTC()).
		Where("id = ? AND busy_op = ? AND busy_until > ?", id, op, now.UTC()).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: extend the lease of %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PruneSteps deletes up to limit finished steps (DONE or FAILED) last
// written before before, of sessions in one of the final statuses, and
// returns how many it deleted. Steps in INTENT, and the steps of sessions
// still under way, are kept whatever their age.
func (Sessions) PruneSteps(ctx context.Context, idb bun.IDB, final []string, before time.Time, limit int) (int, error) {
	finished := bun.In([]string{StepDone, StepFailed})
	batch := idb.NewSelect().Table("saga_steps").Column("session_id", "step", "part").
		Where("state IN (?)", finished).Where("updated_at < ?", before.UTC()).
		Where("session_id IN (?)", idb.NewSelect().Table("checkout_sessions").Column("id").Where("status IN (?)", bun.In(final))).
		Limit(int64(limit))
	res, err := idb.NewDelete().Model((*StepRow)(nil)).Where("(session_id, step, part) IN (?)", batch).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: prune steps: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
