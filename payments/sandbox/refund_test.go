package sandbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/sandbox"
)

// TestRefund: refunds of a captured intent, once per key, never above
// what was captured; none before capture.
func TestRefund(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := sandbox.New(d.DB, clock)
		in := newIntent(t, g, "cs_refund", 30000)
		if _, err := g.Confirm(ctx, in.ID, "4242424242424242"); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Refund(ctx, in.ID, "bc_1", 100); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("refund before capture: %v", err)
		}
		if _, err := g.Capture(ctx, in.ID, 20000); err != nil {
			t.Fatal(err)
		}
		a, err := g.Refund(ctx, in.ID, "bc_1", 15000)
		if err != nil || a.Status != payments.RefundSucceeded || a.Amount != 15000 || a.Currency != "EUR" {
			t.Fatalf("refund %+v %v", a, err)
		}
		again, err := g.Refund(ctx, in.ID, "bc_1", 15000)
		if err != nil || again.ID != a.ID {
			t.Errorf("same key again: %+v %v", again, err)
		}
		if got, err := g.GetRefund(ctx, a.ID); err != nil || *got != *a {
			t.Errorf("get refund %+v %v", got, err)
		}
		if _, err := g.Refund(ctx, in.ID, "bc_2", 5001); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("refund above what is left: %v", err)
		}
		if b, err := g.Refund(ctx, in.ID, "bc_2", 5000); err != nil || b.ID == a.ID {
			t.Errorf("second refund %+v %v", b, err)
		}
	})
}
