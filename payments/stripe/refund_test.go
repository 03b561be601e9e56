package stripe_test

import (
	"context"
	"errors"
	"testing"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/paymentstest"
)

// TestRefund: a Stripe refund of part of a captured intent, with the
// idempotency key derived from our refund id: the same key reaches the
// same refund.
func TestRefund(t *testing.T) {
	srv := paymentstest.NewStripeServer(t)
	g, _ := newGateway(t, srv.URL)
	ctx := context.Background()
	in, err := g.CreateIntent(ctx, payments.CreateRequest{Key: "cs_refund", Amount: 30000, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	paymentstest.Confirm(t, srv, in.ID, paymentstest.CardVisa)
	if _, err := g.Refund(ctx, in.ID, "bc_1", 100); !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("refund before capture: %v", err)
	}
	if _, err := g.Capture(ctx, in.ID, 20000); err != nil {
		t.Fatal(err)
	}
	a, err := g.Refund(ctx, in.ID, "bc_2", 15000)
	if err != nil || a.Status != payments.RefundSucceeded || a.Amount != 15000 || a.Currency != "EUR" {
		t.Fatalf("refund %+v %v", a, err)
	}
	again, err := g.Refund(ctx, in.ID, "bc_2", 15000)
	if err != nil || again.ID != a.ID {
		t.Errorf("same key again: %+v %v", again, err)
	}
	if got, err := g.GetRefund(ctx, a.ID); err != nil || *got != *a {
		t.Errorf("get refund %+v %v", got, err)
	}
	if _, err := g.GetRefund(ctx, "re_nope"); !errors.Is(err, payments.ErrNotFound) {
		t.Errorf("get an unknown refund: %v", err)
	}
	if _, err := g.Refund(ctx, in.ID, "bc_3", 5001); !errors.Is(err, payments.ErrInvalidState) {
		t.Errorf("refund above what is left: %v", err)
	}
}
