package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// selectOne reads the row of type T that where (with args) matches. No row
// is ErrNotFound; any other failure is wrapped as "db: <what>: <err>".
func selectOne[T any](ctx context.Context, idb bun.IDB, what, where string, args ...any) (*T, error) {
	row := new(T)
	err := idb.NewSelect().Model(row).Where(where, args...).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", what, err)
	}
	return row, nil
}

// insertOrSelect inserts row unless a row with the same value in the
// unique column exists (INSERT ... ON CONFLICT (column) DO NOTHING), then
// returns the row stored under value: row itself, or the one an earlier or
// concurrent call made. An insert that applies answers the row as stored
// (RETURNING *) in one statement; only a conflict reads the row again.
// Its errors are wrapped as "db: create <what>" and "db: read <what>".
func insertOrSelect[T any](ctx context.Context, idb bun.IDB, row *T, column string, value any, what string) (*T, error) {
	res, err := idb.NewInsert().Model(row).On("CONFLICT (?) DO NOTHING", bun.Ident(column)).Returning("*").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: create %s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return row, nil
	}
	return selectOne[T](ctx, idb, "read "+what, "? = ?", bun.Ident(column), value)
}
