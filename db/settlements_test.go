package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
)

// TestTenantSettlements: a tenant's default per provider is one row,
// replaced by a later set; an unknown tenant is ErrNotFound; tenants do
// not see each other's.
func TestTenantSettlements(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var ts db.Tenants
		now := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
		for _, n := range []string{"acme", "other"} {
			if _, err := ts.EnsureTenant(ctx, d, "tn_"+n, n, now); err != nil {
				t.Fatal(err)
			}
		}
		if err := ts.SetSettlement(ctx, d, "tn_acme", "liteapi", "PROVIDER_INTENT", now); err != nil {
			t.Fatal(err)
		}
		if err := ts.SetSettlement(ctx, d, "tn_acme", "citizenplane", "CARD_FORWARD", now); err != nil {
			t.Fatal(err)
		}
		if err := ts.SetSettlement(ctx, d, "tn_acme", "liteapi", "MERCHANT", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := ts.Settlements(ctx, d, "tn_acme")
		if err != nil || fmt.Sprint(got) != "map[citizenplane:CARD_FORWARD liteapi:MERCHANT]" {
			t.Errorf("Settlements = %v, %v", got, err)
		}
		if got, err := ts.Settlements(ctx, d, "tn_other"); err != nil || len(got) != 0 {
			t.Errorf("another tenant's = %v, %v", got, err)
		}
		if err := ts.SetSettlement(ctx, d, "tn_nobody", "liteapi", "MERCHANT", now); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("unknown tenant: %v", err)
		}
	})
}

// TestReserveReference: a reference is handed out once; a part keeps the
// one it got, also under concurrent reservations.
func TestReserveReference(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var ss db.Sessions
		now := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
		ref, ok, err := ss.ReserveReference(ctx, d, "cs_1", 0, "ABC234", now)
		if err != nil || !ok || ref != "ABC234" {
			t.Fatalf("first = %q, %v, %v", ref, ok, err)
		}
		if ref, ok, err := ss.ReserveReference(ctx, d, "cs_2", 0, "ABC234", now); err != nil || ok || ref != "" {
			t.Errorf("taken reference = %q, %v, %v; want refused", ref, ok, err)
		}
		if ref, ok, err := ss.ReserveReference(ctx, d, "cs_1", 0, "XYZ789", now); err != nil || !ok || ref != "ABC234" {
			t.Errorf("again for the part = %q, %v, %v; want its own", ref, ok, err)
		}
		var wg sync.WaitGroup
		refs := make([]string, 8)
		for i := range refs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, ok, err := ss.ReserveReference(ctx, d, "cs_3", 1, fmt.Sprintf("QQQQQ%d", i+2), now)
				if err != nil || !ok {
					t.Errorf("concurrent %d: %q, %v, %v", i, r, ok, err)
				}
				refs[i] = r
			}()
		}
		wg.Wait()
		for _, r := range refs {
			if r != refs[0] {
				t.Errorf("one part got several references: %v", refs)
				break
			}
		}
	})
}
