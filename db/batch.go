package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// writes is a transaction's inserts that need nothing back and that no
// later one reads (a session's event, its outbox event, its saga steps),
// and the outbox notifications that go with them (OutboxChannel).
type writes struct {
	inserts []*bun.InsertQuery
	notify  []string // the payloads to notify OutboxChannel with, one per subject
}

// exec runs w in idb's transaction. On Postgres it is one statement, each
// insert a data-modifying WITH clause of a SELECT of the pg_notify calls:
// one round trip, one parse, where one statement each cost a round trip
// apiece (issue 14: 2–4 such writes follow each session update). Each
// clause runs once, whether referenced or not, and a failing one fails
// the statement (so the transaction), as it would on its own; they see
// the same snapshot, so none may read another's rows. On SQLite, which
// has no data-modifying WITH and no round trips, they run one by one.
func (w writes) exec(ctx context.Context, idb bun.IDB) error {
	if idb.Dialect().Name() != dialect.PG {
		for _, q := range w.inserts {
			if _, err := q.Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	if len(w.inserts) == 0 && len(w.notify) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, len(w.inserts)+2)
	for i, q := range w.inserts {
		if i == 0 {
			b.WriteString("WITH ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "w%d AS (?)", i)
		args = append(args, q)
	}
	b.WriteString(" SELECT 1")
	for _, payload := range w.notify {
		b.WriteString(", pg_notify(?, ?)")
		args = append(args, OutboxChannel, payload)
	}
	_, err := idb.NewRaw(b.String(), args...).Exec(ctx)
	return err
}
