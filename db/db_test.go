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
		if _, err := s.LoadSearch(ctx, "a", now.Add(16*time.Minute)); !errors.Is(err, db.ErrExpired) {
			t.Errorf("expired search: err = %v, want ErrExpired", err)
		}
		if _, err := s.LoadSearch(ctx, "nope", now); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("unknown search: err = %v, want ErrNotFound", err)
		}
		// An hour after its expiry the search's body is gone but its id
		// still answers expired; a day later it is unknown.
		n, err := s.DeleteExpiredSearches(ctx, now.Add(time.Hour))
		if err != nil || n != 0 {
			t.Errorf("DeleteExpiredSearches an hour later = %d, %v", n, err)
		}
		if _, err := s.LoadSearch(ctx, "a", now.Add(time.Hour)); !errors.Is(err, db.ErrExpired) {
			t.Errorf("emptied expired search: err = %v, want ErrExpired", err)
		}
		n, err = s.DeleteExpiredSearches(ctx, now.Add(15*time.Minute+db.ExpiredSearchKept+time.Second))
		if err != nil || n != 1 {
			t.Errorf("DeleteExpiredSearches a day later = %d, %v", n, err)
		}
		if _, err := s.LoadSearch(ctx, "a", now); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("deleted search: err = %v, want ErrNotFound", err)
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

func TestRevokeKey(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var ts db.Tenants
		now := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
		tn, err := ts.EnsureTenant(ctx, d, "tn_1", "acme", now)
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.InsertKey(ctx, d, &db.APIKeyRow{ID: "k1", TenantID: tn.ID, Hash: "h", Scopes: "offers:read", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ts.Key(ctx, d, "k1"); err != nil {
			t.Fatalf("Key before revoking: %v", err)
		}
		k, revoked, err := ts.RevokeKey(ctx, d, "k1", now.Add(time.Hour))
		if err != nil || !revoked || k.RevokedAt == nil || !k.RevokedAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("RevokeKey = %+v, %v, %v", k, revoked, err)
		}
		if _, _, err := ts.Key(ctx, d, "k1"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("Key after revoking: err = %v, want ErrNotFound", err)
		}
		k, revoked, err = ts.RevokeKey(ctx, d, "k1", now.Add(2*time.Hour))
		if err != nil || revoked || !k.RevokedAt.Equal(now.Add(time.Hour)) {
			t.Errorf("RevokeKey again = %+v, %v, %v; want the first revocation kept", k, revoked, err)
		}
		if _, _, err := ts.RevokeKey(ctx, d, "nope", now); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("RevokeKey of an unknown key: err = %v", err)
		}
		keys, err := ts.ListKeys(ctx, d)
		if err != nil || len(keys) != 1 || keys[0].TenantName != "acme" || keys[0].Key.RevokedAt == nil {
			t.Errorf("ListKeys = %+v, %v", keys, err)
		}
	})
}
