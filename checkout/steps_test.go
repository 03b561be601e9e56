package checkout_test

import (
	"sync/atomic"
	"testing"
	"time"

	"context"
	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/payments"
)

// TestResumeSteps stops a step at a boundary after its intent was
// recorded (a process killed there), then has ResumeSteps alone, once the
// lease lapsed, take it to where the step would have gone: no client
// call, no other sweeper work. Every step ends DONE or FAILED.
func TestResumeSteps(t *testing.T) {
	const lease = 10 * time.Second
	cases := []struct {
		point string
		// run drives s to the point; it is stopped there.
		run    func(e *env, s *checkout.Session)
		status checkout.Status
		paid   payments.Status
	}{
		{"pay:after_gateway", func(e *env, s *checkout.Session) { e.a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, "") }, checkout.PaymentPending, payments.RequiresPaymentMethod},
		{"confirm:after_gateway", func(e *env, s *checkout.Session) {
			e.a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, "")
			e.a.Checkout.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242")
		}, checkout.Authorized, payments.Authorized},
		{"book:after_provider", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Book(e.ctx, tenant, s.ID, "") }, checkout.Booked, payments.Captured},
		{"capture:before_gateway", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Book(e.ctx, tenant, s.ID, "") }, checkout.Booked, payments.Captured},
		{"capture:after_gateway", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Book(e.ctx, tenant, s.ID, "") }, checkout.Booked, payments.Captured},
		{"release:before_gateway", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Cancel(e.ctx, tenant, s.ID, "") }, checkout.Canceled, payments.Canceled},
	}
	for _, c := range cases {
		t.Run(c.point, func(t *testing.T) {
			dialects2(t, lease, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
				s := ok(t)(e.a.Checkout.Create(e.ctx, tenant, input(e.offer(t, oneWay("citizenplane"), from("citizenplane")))))
				s = ok(t)(e.a.Checkout.Hold(e.ctx, tenant, s.ID, ""))
				at.Store(c.point)
				go c.run(e, s)
				select {
				case <-reached:
				case <-time.After(20 * time.Second):
					t.Fatalf("not stopped at %s", c.point)
				}
				at.Store("")
				e.clock.Add(lease + time.Second)
				if _, err := e.a.Checkout.ResumeSteps(e.ctx); err != nil {
					t.Fatal(err)
				}
				got, err := e.a.Checkout.Get(e.ctx, tenant, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				want(t, got, c.status)
				if got.Payment == nil || got.Payment.IntentID == "" {
					t.Fatalf("no payment recorded: %+v", got.Payment)
				}
				in, err := e.a.Checkout.Gateway().GetIntent(e.ctx, got.Payment.IntentID)
				if err != nil || in.Status != c.paid {
					t.Errorf("intent %v, %v; want %s", in, err, c.paid)
				}
				var n int64
				if n, err = e.a.DB.NewSelect().Table("sandbox_payment_intents").Where("key = ?", s.ID).Count(e.ctx); err != nil || n != 1 {
					t.Errorf("%d intents for the session (%v)", n, err)
				}
				var left []string
				if err := e.a.DB.NewSelect().Table("saga_steps").Column("step").Where("session_id = ? AND state = 'INTENT'", s.ID).Scan(e.ctx, &left); err != nil || len(left) > 0 {
					t.Errorf("steps left in INTENT: %v (%v)", left, err)
				}
			})
		})
	}
}

// pay pays s by card and confirms the card.
func (e *env) pay(s *checkout.Session) {
	e.a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, "")
	e.a.Checkout.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242")
}

// dialects2 is dialects with a lease and a crash hook that stops the
// goroutine that reaches the point stored in at, for good, and says so on
// reached.
func dialects2(t *testing.T, lease time.Duration, fn func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{})) {
	run := func(t *testing.T, url string) {
		reached := make(chan struct{}, 1)
		at := new(atomic.Value)
		at.Store("")
		c := &clock{now: apptest.Now}
		a := apptest.New(t, func(cfg *app.Config) {
			cfg.DatabaseURL, cfg.Now, cfg.Sim.Now, cfg.Development = url, c.Now, c.Now, true
			cfg.CheckoutLease = lease
			cfg.CrashAt = func(point string) {
				if point == at.Load() {
					// The step stops here for good, with nothing after
					// the boundary written, as in a killed process.
					reached <- struct{}{}
					select {}
				}
			}
		})
		fn(t, &env{a: a, clock: c, ctx: context.Background()}, at, reached)
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	t.Run("postgres", func(t *testing.T) { run(t, dbtest.PostgresURL(t)) })
}
