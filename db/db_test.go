package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
)

func TestSearches(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := db.NewSearches(d.DB)
		now := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
		if err := s.SaveSearch(ctx, "a", now, now.Add(15*time.Minute), []byte(`{"x":1}`)); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSearch(ctx, "a", now, now.Add(15*time.Minute), []byte(`{"x":2}`)); err != nil {
			t.Fatal(err)
		}
		got, err := s.LoadSearch(ctx, "a", now.Add(time.Minute))
		if err != nil || string(got) != `{"x":1}` {
			t.Fatalf("LoadSearch = %s, %v", got, err)
		}
		if _, err := s.LoadSearch(ctx, "a", now.Add(16*time.Minute)); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("expired search: err = %v, want ErrNotFound", err)
		}
		if _, err := s.LoadSearch(ctx, "nope", now); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("unknown search: err = %v, want ErrNotFound", err)
		}
		n, err := s.DeleteExpiredSearches(ctx, now.Add(time.Hour))
		if err != nil || n != 1 {
			t.Errorf("DeleteExpiredSearches = %d, %v", n, err)
		}
	})
}

func TestDevelopmentSecretIsKept(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, err := db.DevelopmentSecret(ctx, d.DB)
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.DevelopmentSecret(ctx, d.DB)
		if err != nil || a != b || len(a) != 64 {
			t.Fatalf("secrets %q %q %v", a, b, err)
		}
	})
}

func TestMigrateTwice(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		applied, err := d.Migrate(context.Background())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, %v", applied, err)
		}
	})
}
