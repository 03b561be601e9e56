package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
)

var t0 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func tenant(t *testing.T, d *db.DB, name string) *db.TenantRow {
	t.Helper()
	tr, err := db.Tenants{}.EnsureTenant(context.Background(), d.DB, "t_"+name, name, t0)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func session(t *testing.T, d *db.DB, tenantID, id string) *db.SessionRow {
	t.Helper()
	row := &db.SessionRow{ID: id, TenantID: tenantID, Status: "OPEN", OfferID: "o", Data: "{}", TotalAmount: 10000, Currency: "EUR",
		GroupIdentifier: "g-" + id, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
	if err := (db.Sessions{}).InsertSession(context.Background(), d.DB, row, "created"); err != nil {
		t.Fatal(err)
	}
	return row
}

func TestSessionTransitionsApplyOnce(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tr := tenant(t, d, "acme")
		s := db.Sessions{}
		session(t, d, tr.ID, "cs_1")
		if err := s.InsertSession(ctx, d.DB, &db.SessionRow{ID: "cs_1", TenantID: tr.ID, Data: "{}", CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0}, "created"); !errors.Is(err, db.ErrConflict) {
			t.Errorf("second insert: %v, want ErrConflict", err)
		}

		var applied atomic.Int64
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				row, err := s.GetSession(ctx, d.DB, tr.ID, "cs_1")
				if err != nil {
					t.Error(err)
					return
				}
				row.Status = "HELD"
				row.Data = fmt.Sprintf(`{"by":%d}`, i)
				row.UpdatedAt = t0.Add(time.Minute)
				ok, err := s.UpdateSession(ctx, d.DB, row, "OPEN", "held", "")
				if err != nil {
					t.Error(err)
				}
				if ok {
					applied.Add(1)
				}
			}()
		}
		wg.Wait()
		if applied.Load() != 1 {
			t.Fatalf("%d of 20 concurrent transitions applied, want 1", applied.Load())
		}
		row, _ := s.GetSession(ctx, d.DB, tr.ID, "cs_1")
		if row.Status != "HELD" || row.Version != 2 {
			t.Errorf("after: %s v%d", row.Status, row.Version)
		}
		evs, err := s.Events(ctx, d.DB, "cs_1")
		if err != nil || len(evs) != 2 || evs[0].Event != "created" || evs[1].FromStatus != "OPEN" || evs[1].ToStatus != "HELD" || !evs[1].At.Equal(t0.Add(time.Minute)) {
			t.Errorf("events = %+v, %v", evs, err)
		}

		other := tenant(t, d, "other")
		if _, err := s.GetSession(ctx, d.DB, other.ID, "cs_1"); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another tenant's session: %v, want ErrNotFound", err)
		}
	})
}

func TestOneBookingPerPart(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tr := tenant(t, d, "acme")
		session(t, d, tr.ID, "cs_1")
		s := db.Sessions{}
		b := func(id, ref string) *db.BookingRow {
			return &db.BookingRow{ID: id, TenantID: tr.ID, SessionID: "cs_1", PartIndex: 0, Reference: ref, Provider: "p", ProviderReference: "X", Status: "CONFIRMED", Amount: 100, Currency: "EUR", GroupIdentifier: "g", CreatedAt: t0, UpdatedAt: t0}
		}
		if err := s.InsertBooking(ctx, d.DB, b("bk_1", "ABC123")); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertBooking(ctx, d.DB, b("bk_2", "ABC124")); !errors.Is(err, db.ErrConflict) {
			t.Errorf("second booking of a part: %v, want ErrConflict", err)
		}
		rows, err := s.ListBookings(ctx, d.DB, tr.ID, db.BookingFilter{}, db.Window{Limit: 10})
		if err != nil || len(rows) != 1 {
			t.Errorf("ListBookings = %d, %v", len(rows), err)
		}
	})
}

func TestCreditNeverOverdrawn(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tr := tenant(t, d, "acme")
		ts := db.Tenants{}
		if err := ts.ReserveCredit(ctx, d.DB, tr.ID, "cs_0", 100, "EUR", t0); !errors.Is(err, db.ErrNoCreditLine) {
			t.Errorf("without a credit line: %v", err)
		}
		if err := ts.SetCreditLine(ctx, d.DB, tr.ID, true, 100000, "eur"); err != nil {
			t.Fatal(err)
		}
		if err := ts.ReserveCredit(ctx, d.DB, tr.ID, "cs_usd", 100, "USD", t0); !errors.Is(err, db.ErrNoCreditLine) {
			t.Errorf("another currency: %v", err)
		}
		// 30 concurrent reservations of 40.00 on a limit of 1,000.00: 25 fit.
		var ok atomic.Int64
		var mu sync.Mutex
		var won []string
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("cs_%d", i)
				err := ts.ReserveCredit(ctx, d.DB, tr.ID, id, 4000, "EUR", t0)
				switch {
				case err == nil:
					ok.Add(1)
					mu.Lock()
					won = append(won, id)
					mu.Unlock()
				case !errors.Is(err, db.ErrInsufficientCredit):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ := ts.GetTenant(ctx, d.DB, tr.ID)
		if ok.Load() != 25 || got.CreditUsed != 100000 {
			t.Fatalf("%d reservations, %d used; want 25 and 100000", ok.Load(), got.CreditUsed)
		}
		// Reserving again for the same session changes nothing.
		if err := ts.ReserveCredit(ctx, d.DB, tr.ID, won[0], 4000, "EUR", t0); err != nil {
			t.Errorf("reserving again for %s: %v", won[0], err)
		}
		// Settle one keeping 1,000 minor units, release another; twice each.
		for range 2 {
			if err := ts.SettleCredit(ctx, d.DB, won[0], 1000, t0); err != nil {
				t.Fatal(err)
			}
			if err := ts.SettleCredit(ctx, d.DB, won[1], 0, t0); err != nil {
				t.Fatal(err)
			}
		}
		got, _ = ts.GetTenant(ctx, d.DB, tr.ID)
		if got.CreditUsed != 100000-3000-4000 {
			t.Errorf("used %d after settling, want %d", got.CreditUsed, 100000-3000-4000)
		}
	})
}

func TestIdempotencyClaim(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ip := db.Idempotency{}
		got, err := ip.Claim(ctx, d.DB, "t", "k1", "hold", "h1", t0, time.Minute)
		if err != nil || got != nil {
			t.Fatalf("first claim = %v, %v", got, err)
		}
		got, err = ip.Claim(ctx, d.DB, "t", "k1", "hold", "h1", t0.Add(time.Second), time.Minute)
		if err != nil || got == nil || got.State != "RUNNING" {
			t.Fatalf("concurrent claim = %+v, %v", got, err)
		}
		if err := ip.Finish(ctx, d.DB, "t", "k1", `{"ok":true}`, t0); err != nil {
			t.Fatal(err)
		}
		got, _ = ip.Claim(ctx, d.DB, "t", "k1", "hold", "h1", t0, time.Minute)
		if got == nil || got.State != "DONE" || got.Response != `{"ok":true}` {
			t.Errorf("replay = %+v", got)
		}
		// A crashed caller's claim is taken over after stale.
		if c, _ := ip.Claim(ctx, d.DB, "t", "k2", "pay", "h", t0, time.Minute); c != nil {
			t.Fatal("k2 not new")
		}
		if c, _ := ip.Claim(ctx, d.DB, "t", "k2", "pay", "h", t0.Add(2*time.Minute), time.Minute); c != nil {
			t.Errorf("stale claim not taken over: %+v", c)
		}
		var wh db.Webhooks
		if n, err := wh.Record(ctx, d.DB, "evt_1", "stripe", "x", t0); !n || err != nil {
			t.Errorf("first event: %v %v", n, err)
		}
		if n, _ := wh.Record(ctx, d.DB, "evt_1", "stripe", "x", t0); n {
			t.Error("duplicate event recorded as new")
		}
	})
}
