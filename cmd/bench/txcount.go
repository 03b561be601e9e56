package main

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// txCounter counts the database transactions the server commits, as a
// bun query hook: each COMMIT, each ROLLBACK, and each statement run
// outside a transaction (its own transaction). The background loops
// (sweeper, reconciler, outbox delivery) are counted too: they are part
// of what a checkout costs.
type txCounter struct {
	commits, rollbacks, single, statements atomic.Int64
}

type inTxKey struct{}

// txCount is a snapshot of a txCounter.
type txCount struct{ commits, rollbacks, single, statements int64 }

// transactions is every transaction of the snapshot.
func (c txCount) transactions() int64 { return c.commits + c.rollbacks + c.single }

func (c txCount) sub(o txCount) txCount {
	return txCount{c.commits - o.commits, c.rollbacks - o.rollbacks, c.single - o.single, c.statements - o.statements}
}

func (t *txCounter) snapshot() txCount {
	if t == nil {
		return txCount{}
	}
	return txCount{t.commits.Load(), t.rollbacks.Load(), t.single.Load(), t.statements.Load()}
}

// BeforeQuery marks the context of a transaction at its BEGIN: bun hands
// that context to the transaction's function, so its statements carry it.
func (t *txCounter) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	switch q := strings.TrimSpace(e.Query); {
	case strings.EqualFold(q, "BEGIN"):
		return context.WithValue(ctx, inTxKey{}, true)
	case strings.EqualFold(q, "COMMIT"):
		t.commits.Add(1)
	case strings.EqualFold(q, "ROLLBACK"):
		t.rollbacks.Add(1)
	default:
		t.statements.Add(1)
		if ctx.Value(inTxKey{}) == nil {
			t.single.Add(1)
		}
	}
	return ctx
}

func (t *txCounter) AfterQuery(context.Context, *bun.QueryEvent) {}
