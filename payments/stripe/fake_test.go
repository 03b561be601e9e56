package stripe_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/paymentstest"
)

func TestFakeContract(t *testing.T) {
	srv := paymentstest.NewStripeServer(t)
	g, rec := newGateway(t, srv.URL)
	contract(t, g, rec, func(t *testing.T, id string) {
		if code := paymentstest.Confirm(t, srv, id, paymentstest.CardVisa); code != "" {
			t.Fatalf("confirm declined: %s", code)
		}
	})
}

func TestFakeStateTransitions(t *testing.T) {
	srv := paymentstest.NewStripeServer(t)
	g, rec := newGateway(t, srv.URL)
	ctx := context.Background()
	create := func(t *testing.T, key string, amount int64) *payments.Intent {
		t.Helper()
		in, err := g.CreateIntent(ctx, payments.CreateRequest{Key: key, Amount: amount, Currency: "EUR", Email: "a@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	get := func(t *testing.T, id string) *payments.Intent {
		t.Helper()
		in, err := g.GetIntent(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}

	t.Run("create is idempotent", func(t *testing.T) {
		a := create(t, "cs_same", 1000)
		b := create(t, "cs_same", 1000)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("second CreateIntent differs (-first +second):\n%s", diff)
		}
		if a.Status != payments.RequiresPaymentMethod || a.EphemeralKey == "" || a.CustomerID == "" {
			t.Errorf("new intent = %+v", a)
		}
		if _, err := g.CreateIntent(ctx, payments.CreateRequest{Key: "cs_same", Amount: 2000, Currency: "EUR", Email: "a@example.com"}); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("same key, other amount: err = %v, want ErrInvalidState", err)
		}
	})

	t.Run("confirm, partial capture, capture twice", func(t *testing.T) {
		in := create(t, "cs_capture", 30000)
		paymentstest.Confirm(t, srv, in.ID, paymentstest.CardVisa)
		auth := get(t, in.ID)
		wantCard := &payments.Card{Scheme: "visa", Last4: "4242", BIN: "", CardType: "credit", Country: "US"}
		if auth.Status != payments.Authorized || auth.AmountCapturable != 30000 || !cmp.Equal(auth.Card, wantCard) {
			t.Fatalf("after confirm: %+v card %+v", auth, auth.Card)
		}
		if _, err := g.Capture(ctx, in.ID, 30001); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("capture above capturable: err = %v, want ErrInvalidState", err)
		}
		if _, err := g.Capture(ctx, in.ID, 0); err == nil {
			t.Error("capture of 0 succeeded")
		}
		got, err := g.Capture(ctx, in.ID, 21000)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != payments.Captured || got.AmountCaptured != 21000 || got.AmountCapturable != 0 || got.Card == nil {
			t.Errorf("after capture: %+v", got)
		}
		rec.take()
		again, err := g.Capture(ctx, in.ID, 21000)
		if err != nil || !cmp.Equal(again, got) {
			t.Errorf("capture again = %+v, %v; want %+v", again, err, got)
		}
		if reqs := rec.take(); len(reqs) != 1 || reqs[0].IdempotencyKey != "capture:"+in.ID+":21000" {
			t.Errorf("capture again sent %+v", reqs)
		}
		other, err := g.Capture(ctx, in.ID, 500)
		if err != nil || other.Status != payments.Captured || other.AmountCaptured != 21000 {
			t.Errorf("capture of another amount after capture = %+v, %v; want the captured intent", other, err)
		}
		if _, err := g.Cancel(ctx, in.ID); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("cancel after capture: err = %v, want ErrInvalidState", err)
		}
	})

	t.Run("cancel an authorization, twice", func(t *testing.T) {
		in := create(t, "cs_cancel", 4000)
		paymentstest.Confirm(t, srv, in.ID, paymentstest.CardMastercard)
		got, err := g.Cancel(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != payments.Canceled || got.AmountCapturable != 0 || got.Card == nil || got.Card.Scheme != "mastercard" {
			t.Errorf("after cancel: %+v", got)
		}
		again, err := g.Cancel(ctx, in.ID)
		if err != nil || again.Status != payments.Canceled {
			t.Errorf("cancel again = %+v, %v", again, err)
		}
		if _, err := g.Capture(ctx, in.ID, 4000); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("capture after cancel: err = %v, want ErrInvalidState", err)
		}
	})

	t.Run("decline, then another card", func(t *testing.T) {
		in := create(t, "cs_decline", 9000)
		if code := paymentstest.Confirm(t, srv, in.ID, paymentstest.CardDeclinedInsufficient); code != "card_declined" {
			t.Errorf("decline code %q", code)
		}
		failed := get(t, in.ID)
		if failed.Status != payments.Failed || failed.FailureCode != "insufficient_funds" || failed.FailureMessage == "" {
			t.Errorf("after decline: %+v", failed)
		}
		paymentstest.Confirm(t, srv, in.ID, paymentstest.CardVisaDebit)
		auth := get(t, in.ID)
		if auth.Status != payments.Authorized || auth.FailureCode != "" || auth.Card.CardType != "debit" {
			t.Errorf("after second card: %+v", auth)
		}
	})

	t.Run("not found", func(t *testing.T) {
		if _, err := g.GetIntent(ctx, "pi_nope"); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("GetIntent: err = %v, want ErrNotFound", err)
		}
		if _, err := g.Capture(ctx, "pi_nope", 100); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("Capture: err = %v, want ErrNotFound", err)
		}
		if _, err := g.Cancel(ctx, "pi_nope"); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("Cancel: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("a refused capture is replayed under its key, as Stripe does", func(t *testing.T) {
		in := create(t, "cs_early", 800)
		if _, err := g.Capture(ctx, in.ID, 800); !errors.Is(err, payments.ErrInvalidState) {
			t.Fatalf("capture before confirm: %v", err)
		}
		paymentstest.Confirm(t, srv, in.ID, paymentstest.CardVisa)
		if _, err := g.Capture(ctx, in.ID, 800); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("same capture after confirm: %v, want the replayed refusal", err)
		}
		if got, err := g.Capture(ctx, in.ID, 799); err != nil || got.AmountCaptured != 799 {
			t.Errorf("capture of another amount: %+v, %v", got, err)
		}
	})

	t.Run("a canceled caller does not cancel the capture", func(t *testing.T) {
		in := create(t, "cs_detached", 700)
		paymentstest.Confirm(t, srv, in.ID, paymentstest.CardVisa)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		got, err := g.Capture(cctx, in.ID, 700)
		if err != nil || got.Status != payments.Captured {
			t.Errorf("Capture on a canceled context = %+v, %v", got, err)
		}
	})
}
