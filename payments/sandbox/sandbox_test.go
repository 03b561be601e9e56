package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/sandbox"
)

var clock = func() time.Time { return time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC) }

func newIntent(t *testing.T, g *sandbox.Gateway, key string, amount int64) *payments.Intent {
	t.Helper()
	in, err := g.CreateIntent(context.Background(), payments.CreateRequest{
		Key: key, Amount: amount, Currency: "eur", Email: "ada@example.com", Name: "Ada",
		Metadata: map[string]string{"session": key},
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func version(t *testing.T, d *db.DB, id string) int64 {
	t.Helper()
	var v int64
	if err := d.NewSelect().Table("sandbox_payment_intents").Column("version").Where("id = ?", id).Scan(context.Background(), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCreateIntent(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := sandbox.New(d.DB, clock)
		if g.Name() != "sandbox" {
			t.Errorf("Name = %q", g.Name())
		}
		in := newIntent(t, g, "cs_1", 12990)
		if !strings.HasPrefix(in.ID, "pi_sandbox_") || !strings.HasPrefix(in.ClientSecret, in.ID+"_secret_") ||
			!strings.HasPrefix(in.CustomerID, "cus_sandbox_") || !strings.HasPrefix(in.EphemeralKey, "ek_sandbox_") {
			t.Errorf("ids: %+v", in)
		}
		want := &payments.Intent{ID: in.ID, Status: payments.RequiresPaymentMethod, Amount: 12990, Currency: "EUR",
			ClientSecret: in.ClientSecret, CustomerID: in.CustomerID, EphemeralKey: in.EphemeralKey}
		if diff := cmp.Diff(want, in); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}
		again := newIntent(t, g, "cs_1", 12990)
		if diff := cmp.Diff(in, again); diff != "" {
			t.Errorf("same key again (-first +second):\n%s", diff)
		}
		got, err := g.GetIntent(ctx, in.ID)
		if err != nil || !cmp.Equal(got, in) {
			t.Errorf("GetIntent = %+v, %v", got, err)
		}
		if _, err := g.CreateIntent(ctx, payments.CreateRequest{Key: "cs_1", Amount: 100, Currency: "EUR"}); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("same key, other amount: %v, want ErrInvalidState", err)
		}
		if other := newIntent(t, g, "cs_2", 12990); other.ID == in.ID || other.CustomerID == in.CustomerID {
			t.Errorf("another key gave the same intent or customer: %+v", other)
		}
		for _, r := range []payments.CreateRequest{{Amount: 1, Currency: "EUR"}, {Key: "k", Currency: "EUR"}, {Key: "k", Amount: 1, Currency: "€"}} {
			if _, err := g.CreateIntent(ctx, r); err == nil {
				t.Errorf("CreateIntent(%+v) succeeded", r)
			}
		}
	})
}

func TestNotFound(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := sandbox.New(d.DB, clock)
		if _, err := g.GetIntent(ctx, "pi_sandbox_nope"); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("GetIntent: %v", err)
		}
		if _, err := g.Capture(ctx, "pi_sandbox_nope", 1); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("Capture: %v", err)
		}
		if _, err := g.Cancel(ctx, "pi_sandbox_nope"); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("Cancel: %v", err)
		}
		if _, err := g.Confirm(ctx, "pi_sandbox_nope", "4242424242424242"); !errors.Is(err, payments.ErrNotFound) {
			t.Errorf("Confirm: %v", err)
		}
	})
}

func TestConfirmCards(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := sandbox.New(d.DB, clock)
		for i, c := range []struct {
			number      string
			status      payments.Status
			card        *payments.Card
			code, dcode string // of the *DeclineError, "" when authorized
		}{
			{"4242 4242 4242 4242", payments.Authorized, &payments.Card{Scheme: "visa", Last4: "4242", BIN: "424242", CardType: "credit", Country: "US"}, "", ""},
			{"5555-5555-5555-4444", payments.Authorized, &payments.Card{Scheme: "mastercard", Last4: "4444", BIN: "555555", CardType: "credit", Country: "US"}, "", ""},
			{"4000056655665556", payments.Authorized, &payments.Card{Scheme: "visa", Last4: "5556", BIN: "400005", CardType: "debit", Country: "US"}, "", ""},
			{"4000000000000002", payments.Failed, &payments.Card{Scheme: "visa", Last4: "0002", BIN: "400000", CardType: "credit", Country: "US"}, "card_declined", "generic_decline"},
			{"4000000000009995", payments.Failed, &payments.Card{Scheme: "visa", Last4: "9995", BIN: "400000", CardType: "credit", Country: "US"}, "card_declined", "insufficient_funds"},
			{"4000000000000069", payments.Failed, &payments.Card{Scheme: "visa", Last4: "0069", BIN: "400000", CardType: "credit", Country: "US"}, "expired_card", "expired_card"},
			{"5105105105105100", payments.Authorized, &payments.Card{Scheme: "mastercard", Last4: "5100", BIN: "510510", CardType: "unknown"}, "", ""},
			{"6011111111111117", payments.Authorized, &payments.Card{Scheme: "discover", Last4: "1117", BIN: "601111", CardType: "unknown"}, "", ""},
			{"4242424242424241", payments.RequiresPaymentMethod, nil, "invalid_number", "incorrect_number"},
			{"not a card", payments.RequiresPaymentMethod, nil, "invalid_number", "incorrect_number"},
			{"4242", payments.RequiresPaymentMethod, nil, "invalid_number", "incorrect_number"},
		} {
			t.Run(c.number, func(t *testing.T) {
				in := newIntent(t, g, fmt.Sprintf("cs_card_%d", i), 5000)
				got, err := g.Confirm(ctx, in.ID, c.number)
				var de *payments.DeclineError
				switch {
				case c.code == "" && err != nil:
					t.Fatalf("Confirm: %v", err)
				case c.code != "" && (!errors.As(err, &de) || !errors.Is(err, payments.ErrDeclined) || de.Code != c.code || de.DeclineCode != c.dcode || de.Message == ""):
					t.Fatalf("Confirm: err = %v, want a decline %s/%s", err, c.code, c.dcode)
				}
				if got == nil {
					t.Fatal("Confirm returned no intent")
				}
				stored, err := g.GetIntent(ctx, in.ID)
				if err != nil || !cmp.Equal(got, stored) {
					t.Errorf("stored %+v, %v; Confirm returned %+v", stored, err, got)
				}
				if got.Status != c.status || !cmp.Equal(got.Card, c.card) {
					t.Errorf("status %s card %+v, want %s %+v", got.Status, got.Card, c.status, c.card)
				}
				switch c.status {
				case payments.Authorized:
					if got.AmountCapturable != 5000 || got.FailureCode != "" {
						t.Errorf("authorized: %+v", got)
					}
				case payments.Failed:
					if got.AmountCapturable != 0 || got.FailureCode != c.dcode || got.FailureMessage != de.Message {
						t.Errorf("failed: %+v", got)
					}
				}
			})
		}
	})
}

func TestDeclineThenAnotherCard(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := sandbox.New(d.DB, clock)
		in := newIntent(t, g, "cs_retry", 7000)
		if _, err := g.Confirm(ctx, in.ID, "4000000000000002"); !errors.Is(err, payments.ErrDeclined) {
			t.Fatalf("first card: %v", err)
		}
		if _, err := g.Confirm(ctx, in.ID, "4000000000009995"); !errors.Is(err, payments.ErrDeclined) {
			t.Fatalf("second card: %v", err)
		}
		got, err := g.Confirm(ctx, in.ID, "4242424242424242")
		if err != nil || got.Status != payments.Authorized || got.FailureCode != "" || got.FailureMessage != "" || got.Card.Last4 != "4242" {
			t.Fatalf("third card: %+v, %v", got, err)
		}
		if _, err := g.Confirm(ctx, in.ID, "5555555555554444"); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("confirm an authorized intent: %v, want ErrInvalidState", err)
		}
		if v := version(t, d, in.ID); v != 4 {
			t.Errorf("version %d after three confirmations, want 4", v)
		}
	})
}

func TestCaptureAndCancel(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := sandbox.New(d.DB, clock)

		in := newIntent(t, g, "cs_cap", 30000)
		if _, err := g.Capture(ctx, in.ID, 100); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("capture before confirm: %v", err)
		}
		if _, err := g.Confirm(ctx, in.ID, "4242424242424242"); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Capture(ctx, in.ID, 30001); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("capture above capturable: %v", err)
		}
		if _, err := g.Capture(ctx, in.ID, 0); err == nil {
			t.Error("capture of 0 succeeded")
		}
		got, err := g.Capture(ctx, in.ID, 21000)
		if err != nil || got.Status != payments.Captured || got.AmountCaptured != 21000 || got.AmountCapturable != 0 {
			t.Fatalf("partial capture: %+v, %v", got, err)
		}
		for _, amount := range []int64{21000, 30000} {
			again, err := g.Capture(ctx, in.ID, amount)
			if err != nil || !cmp.Equal(again, got) {
				t.Errorf("capture %d again: %+v, %v", amount, again, err)
			}
		}
		if _, err := g.Cancel(ctx, in.ID); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("cancel after capture: %v", err)
		}
		if _, err := g.Confirm(ctx, in.ID, "4242424242424242"); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("confirm after capture: %v", err)
		}

		auth := newIntent(t, g, "cs_cancel", 5000)
		if _, err := g.Confirm(ctx, auth.ID, "4242424242424242"); err != nil {
			t.Fatal(err)
		}
		c1, err := g.Cancel(ctx, auth.ID)
		if err != nil || c1.Status != payments.Canceled || c1.AmountCapturable != 0 {
			t.Fatalf("cancel: %+v, %v", c1, err)
		}
		c2, err := g.Cancel(ctx, auth.ID)
		if err != nil || !cmp.Equal(c1, c2) {
			t.Errorf("cancel again: %+v, %v", c2, err)
		}
		if _, err := g.Capture(ctx, auth.ID, 5000); !errors.Is(err, payments.ErrInvalidState) {
			t.Errorf("capture after cancel: %v", err)
		}

		fresh := newIntent(t, g, "cs_abandon", 5000)
		if got, err := g.Cancel(ctx, fresh.ID); err != nil || got.Status != payments.Canceled {
			t.Errorf("cancel an unconfirmed intent: %+v, %v", got, err)
		}
	})
}

func TestCanceledCallerDoesNotCancel(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		g := sandbox.New(d.DB, clock)
		in := newIntent(t, g, "cs_gone", 900)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := g.Confirm(ctx, in.ID, "4242424242424242"); err != nil {
			t.Fatalf("Confirm on a canceled context: %v", err)
		}
		if got, err := g.Capture(ctx, in.ID, 900); err != nil || got.Status != payments.Captured {
			t.Fatalf("Capture on a canceled context: %+v, %v", got, err)
		}
	})
}

// warm opens n pooled connections up front, so that the goroutines of a
// race test start their queries together instead of queueing behind
// connection setup (which would serialize them and hide a race).
func warm(t *testing.T, d *db.DB, n int) {
	t.Helper()
	if !d.Postgres {
		return // one connection by design
	}
	for _, err := range parallel(n, func(int) error {
		_, err := d.ExecContext(context.Background(), "SELECT pg_sleep(0.05)")
		return err
	}) {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// parallel runs fn(i) for i in [0, n) at once and returns the errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func TestConcurrentCreateIsOneIntent(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		g := sandbox.New(d.DB, clock)
		warm(t, d, 20)
		ids := make([]string, 20)
		errs := parallel(20, func(i int) error {
			in, err := g.CreateIntent(context.Background(), payments.CreateRequest{Key: "cs_race", Amount: 1000, Currency: "EUR"})
			if err == nil {
				ids[i] = in.ID
			}
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
			if ids[i] != ids[0] {
				t.Errorf("create %d got %s, create 0 got %s", i, ids[i], ids[0])
			}
		}
		n, err := d.NewSelect().Table("sandbox_payment_intents").Where("key = ?", "cs_race").Count(context.Background())
		if err != nil || n != 1 {
			t.Errorf("%d rows for the key, %v", n, err)
		}
	})
}

func TestConcurrentConfirmAppliesOnce(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		g := sandbox.New(d.DB, clock)
		in := newIntent(t, g, "cs_confirm_race", 1000)
		warm(t, d, 20)
		applied := 0
		for i, err := range parallel(20, func(int) error {
			_, err := g.Confirm(context.Background(), in.ID, "4242424242424242")
			return err
		}) {
			switch {
			case err == nil:
				applied++
			case !errors.Is(err, payments.ErrInvalidState):
				t.Errorf("confirm %d: %v", i, err)
			}
		}
		if applied != 1 {
			t.Errorf("%d confirmations applied, want 1", applied)
		}
		if v := version(t, d, in.ID); v != 2 {
			t.Errorf("version %d, want 2", v)
		}
	})
}

func TestConcurrentCaptureAppliesOnce(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		g := sandbox.New(d.DB, clock)
		in := newIntent(t, g, "cs_capture_race", 1000)
		if _, err := g.Confirm(context.Background(), in.ID, "4242424242424242"); err != nil {
			t.Fatal(err)
		}
		warm(t, d, 20)
		// Each goroutine asks for another amount: had two applied, they
		// would not all see the same captured amount.
		got := make([]int64, 20)
		for i, err := range parallel(20, func(i int) error {
			in, err := g.Capture(context.Background(), in.ID, int64(500+i))
			if err == nil {
				got[i] = in.AmountCaptured
			}
			return err
		}) {
			if err != nil {
				t.Fatalf("capture %d: %v", i, err)
			}
			if got[i] != got[0] {
				t.Errorf("capture %d saw %d captured, capture 0 saw %d", i, got[i], got[0])
			}
		}
		final, err := g.GetIntent(context.Background(), in.ID)
		if err != nil || final.Status != payments.Captured || final.AmountCaptured != got[0] {
			t.Errorf("final %+v, %v", final, err)
		}
		if v := version(t, d, in.ID); v != 3 {
			t.Errorf("version %d, want 3 (created, confirmed, captured)", v)
		}
	})
}
