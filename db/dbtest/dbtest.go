// Package dbtest opens fresh, migrated databases for tests: an SQLite file
// in the test's temp dir, and a Postgres schema of its own when
// FAREGRAPH_TEST_DATABASE_URL is set. With FAREGRAPH_REQUIRE_POSTGRES=1
// (CI sets it) a missing Postgres fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/faregraph/faregraph/db"
)

// Dialects runs fn once per available database, as subtests named
// "sqlite" and "postgres", each with a fresh migrated database.
func Dialects(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a new file, closed at the end of the test.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	migrate(t, d)
	return d
}

// Postgres returns a migrated database in a schema of its own, dropped at
// the end of the test.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	migrate(t, d)
	return d
}

// PostgresURL creates an empty schema of the test's own and returns a URL
// whose connections use it; the schema is dropped at the end of the test.
// It skips (or fails, with FAREGRAPH_REQUIRE_POSTGRES=1) without Postgres.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("FAREGRAPH_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("FAREGRAPH_REQUIRE_POSTGRES") == "1" {
			t.Fatal("FAREGRAPH_TEST_DATABASE_URL is not set and FAREGRAPH_REQUIRE_POSTGRES=1")
		}
		t.Skip("FAREGRAPH_TEST_DATABASE_URL not set; Postgres tests skipped")
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	t.Cleanup(func() {
		if a, err := db.Open(context.Background(), base); err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	return u.String()
}

func migrate(t testing.TB, d *db.DB) {
	t.Helper()
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}
