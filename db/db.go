// Package db opens faregraph's database through bun, applies the embedded
// migrations, and holds the stores that read and write rows. The same code
// runs on Postgres (when a URL is given) and on an SQLite file (the embedded
// default): store helpers take bun.IDB so they run inside RunInTx unchanged.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
)

//go:embed migrations
var migrationFS embed.FS

// ErrNotFound is returned by stores for a row that does not exist.
var ErrNotFound = errors.New("db: not found")

// ErrExpired is returned for a row that exists but is past its expiry.
var ErrExpired = errors.New("db: expired")

// DB is an open database and the dialect it speaks.
type DB struct {
	*bun.DB
	// Postgres is true for Postgres, false for SQLite.
	Postgres bool
}

// IsPostgresURL reports whether Open takes url for a Postgres database (a
// postgres:// or postgresql:// URL) rather than an SQLite file's path.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open connects to url: a postgres:// or postgresql:// URL opens Postgres;
// anything else is the path of an SQLite file (":memory:" is not allowed:
// each connection would see its own database). SQLite runs in WAL mode with a
// busy timeout and one connection, so concurrent writers wait their turn
// instead of failing with "database is locked".
func Open(ctx context.Context, url string) (*DB, error) {
	if IsPostgresURL(url) {
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("db: open postgres: %w", err)
		}
		if !strings.Contains(url, "default_query_exec_mode=") {
			// bun writes every value into the statement's text, so no two
			// statements are alike: pgx's default (a prepared statement
			// cached per text) would add a Parse/Describe round trip, and
			// a server-side statement, to nearly every query. The simple
			// protocol sends each in one round trip.
			cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		}
		sqldb := stdlib.OpenDB(*cfg)
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(20)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		d := &DB{DB: bun.NewDB(sqldb, pgdialect.New()), Postgres: true}
		if err := d.PingContext(ctx); err != nil {
			d.Close()
			return nil, fmt.Errorf("db: ping postgres: %w", err)
		}
		return d, nil
	}
	if url == "" || url == ":memory:" {
		return nil, errors.New("db: an SQLite database needs a file path")
	}
	path := strings.TrimPrefix(url, "sqlite://")
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqldb, err := sql.Open(sqliteshim.ShimName, dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	// One connection: SQLite has one writer; serializing here turns lock
	// contention into queueing.
	sqldb.SetMaxOpenConns(1)
	d := &DB{DB: bun.NewDB(sqldb, sqlitedialect.New())}
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	return d, nil
}

// Migrate applies every embedded migration not applied yet. Replicas that
// start at once take turns through bun's migration lock.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	dir := "migrations/sqlite"
	if d.Postgres {
		dir = "migrations/postgres"
	}
	sub, err := fs.Sub(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, fmt.Errorf("db: discover migrations: %w", err)
	}
	m := migrate.NewMigrator(d.DB, ms)
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: init migrations: %w", err)
	}
	if err := lock(ctx, m); err != nil {
		return nil, err
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // best effort; a stale lock is reported by the next Lock
	g, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	var applied []string
	for _, mig := range g.Migrations {
		applied = append(applied, mig.Name+"_"+mig.Comment)
	}
	return applied, nil
}

func lock(ctx context.Context, m *migrate.Migrator) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("db: take migration lock: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
