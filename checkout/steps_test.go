package checkout_test

import (
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"context"
	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
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
		run func(e *env, s *checkout.Session)
		// then, when set, drives s on after the lease lapsed, before
		// ResumeSteps runs (a client who goes on while the step waits).
		then   func(e *env, s *checkout.Session)
		status checkout.Status
		paid   payments.Status
	}{
		{"pay:after_gateway", func(e *env, s *checkout.Session) { e.a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, "") }, nil, checkout.PaymentPending, payments.RequiresPaymentMethod},
		{"confirm:after_gateway", func(e *env, s *checkout.Session) {
			e.a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, "")
			e.a.Checkout.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242")
		}, nil, checkout.Authorized, payments.Authorized},
		{"book:after_provider", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Book(e.ctx, tenant, s.ID, "") }, nil, checkout.Booked, payments.Captured},
		{"capture:before_gateway", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Book(e.ctx, tenant, s.ID, "") }, nil, checkout.Booked, payments.Captured},
		{"capture:after_gateway", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Book(e.ctx, tenant, s.ID, "") }, nil, checkout.Booked, payments.Captured},
		{"release:before_gateway", func(e *env, s *checkout.Session) { e.pay(s); e.a.Checkout.Cancel(e.ctx, tenant, s.ID, "") }, nil, checkout.Canceled, payments.Canceled},
		// A renewal while the traveller pays: the renewal is abandoned
		// (a hold the provider made lapses by itself) and the session
		// still waits for the card.
		{"renew:before_provider", renewing, nil, checkout.PaymentPending, payments.RequiresPaymentMethod},
		{"renew:after_provider", renewing, nil, checkout.PaymentPending, payments.RequiresPaymentMethod},
		// The traveller confirms the card and books before the stopped
		// renewal is resumed: the renewal, overtaken, is concluded on the
		// BOOKED session (abandoned), which stays as it is.
		{"renew:after_provider", renewing, confirmAndBook, checkout.Booked, payments.Captured},
		// A card authorized after its session was canceled: its release
		// is resumed.
		{"late_release:before_gateway", lateAuthorization, nil, checkout.Canceled, payments.Canceled},
		{"late_release:after_gateway", lateAuthorization, nil, checkout.Canceled, payments.Canceled},
	}
	for _, c := range cases {
		name := c.point
		if c.then != nil {
			name += "_then_booked"
		}
		t.Run(name, func(t *testing.T) {
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
				if c.then != nil {
					c.then(e, s)
				}
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

// renewing pays s by card, then lets the hold come due and renews it.
func renewing(e *env, s *checkout.Session) {
	e.a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, "")
	e.clock.Add(2*time.Minute + 40*time.Second)
	e.a.Checkout.RenewHolds(e.ctx)
}

// confirmAndBook confirms the card of s and books it.
func confirmAndBook(e *env, s *checkout.Session) {
	e.a.Checkout.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242")
	e.a.Checkout.Book(e.ctx, tenant, s.ID, "")
}

// lateAuthorization cancels s while its card is being typed, then has the
// gateway authorize the card all the same (as Stripe.js may, with the
// session's intent still open there) and its webhook arrive.
func lateAuthorization(e *env, s *checkout.Session) {
	res, _ := e.a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, "")
	e.a.Checkout.Cancel(e.ctx, tenant, s.ID, "")
	if _, err := e.a.DB.NewUpdate().Table("sandbox_payment_intents").Set("status = 'AUTHORIZED'").Set("amount_capturable = amount").
		Where("key = ?", s.ID).Exec(e.ctx); err != nil {
		panic(err)
	}
	e.a.Checkout.PaymentEvent(e.ctx, &payments.Intent{ID: res.Session.Payment.IntentID, Status: payments.Authorized})
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

// TestLiveStepKeepsItsLease: a step whose provider call outlasts the lease
// many times over keeps its session (its heartbeat renews the lease), so a
// sweeper of another replica, sweeping all along, never takes it over;
// the step books once. Once the step stops for good (its process killed:
// no more heartbeats), the next sweep after the lease takes it over.
func TestLiveStepKeepsItsLease(t *testing.T) {
	// A lease long enough that a loaded machine (CI runs packages side by
	// side) does not delay a heartbeat, a third of it, past the lease.
	const lease = time.Second
	run := func(t *testing.T, url string) {
		path := filepath.Join(t.TempDir(), "lease.db")
		// A clock that runs, from the fixtures' day.
		start := time.Now()
		now := func() time.Time { return apptest.Now.Add(time.Since(start)) }
		replica := func() *app.App {
			return apptest.New(t, func(cfg *app.Config) {
				cfg.DBPath, cfg.DatabaseURL, cfg.Development, cfg.CheckoutLease = path, url, true, lease
				cfg.Now, cfg.Sim.Now = now, now
			})
		}
		a, b := replica(), replica()
		ctx := context.Background()
		e := &env{a: a, ctx: ctx}
		o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := ok(t)(a.Checkout.Create(ctx, tenant, input(o)))
		s = ok(t)(a.Checkout.Hold(ctx, tenant, s.ID, ""))
		e.pay(s)
		a.Simulators["citizenplane"].SetLatency(3 * lease) // three leases
		stop := make(chan struct{})
		swept := make(chan int)
		go func() {
			n := 0
			for {
				select {
				case <-stop:
					swept <- n
					return
				case <-time.After(50 * time.Millisecond):
				}
				b.Checkout.Sweep(ctx)
				n++
			}
		}()
		got := ok(t)(a.Checkout.Book(ctx, tenant, s.ID, ""))
		close(stop)
		if n := <-swept; n < 10 {
			t.Fatalf("the other replica swept %d times only", n)
		}
		want(t, got, checkout.Booked)
		evs, err := a.Checkout.Events(ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Name == "needs_attention" || ev.Name == "reconcile_retry" {
				t.Errorf("the live step was taken over: %+v", evs)
			}
		}
		if len(got.Bookings) != 1 {
			t.Errorf("%d bookings", len(got.Bookings))
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	t.Run("postgres", func(t *testing.T) { run(t, dbtest.PostgresURL(t)) })
}

// TestPruneSteps: the finished steps of ended sessions older than the
// retention are deleted by the sweeper; those of a session under way, and
// recent ones, are kept.
func TestPruneSteps(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
		ended := ok(t)(c.Create(e.ctx, tenant, input(o)))
		ok(t)(c.Hold(e.ctx, tenant, ended.ID, ""))
		e.pay(ended)
		ok(t)(c.Book(e.ctx, tenant, ended.ID, ""))
		waiting := ok(t)(c.Create(e.ctx, tenant, input(o)))
		ok(t)(c.Hold(e.ctx, tenant, waiting.ID, ""))
		count := func(id string) int {
			n, err := e.a.DB.NewSelect().Table("saga_steps").Where("session_id = ?", id).Count(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		if count(ended.ID) == 0 || count(waiting.ID) == 0 {
			t.Fatal("no steps recorded")
		}
		if n, err := c.PruneSteps(e.ctx); err != nil || n != 0 {
			t.Fatalf("recent steps pruned: %d, %v", n, err)
		}
		// Both sessions are 31 days old; the waiting one is still OPEN or
		// HELD in the database (the sweeper is not run to expire it).
		e.clock.Add(31 * 24 * time.Hour)
		n, err := c.PruneSteps(e.ctx)
		if err != nil || n == 0 || count(ended.ID) != 0 {
			t.Errorf("pruned %d (%v); %d steps of the booked session left", n, err, count(ended.ID))
		}
		if count(waiting.ID) == 0 {
			t.Error("the steps of a session under way were pruned")
		}
	})
}

// TestBookWaitsForALiveRenewal: a booking asked while a hold renewal holds
// the session's lease answers IN_PROGRESS and books nothing (it would book
// the holds the renewal is replacing); once the renewal's lease lapsed
// (its process stopped), the booking goes through.
func TestBookWaitsForALiveRenewal(t *testing.T) {
	const lease = 10 * time.Second
	dialects2(t, lease, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
		c := e.a.Checkout
		s := ok(t)(c.Create(e.ctx, tenant, input(e.offer(t, oneWay("citizenplane"), from("citizenplane")))))
		s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		e.pay(s)
		at.Store("renew:before_provider")
		go func() {
			e.clock.Add(2*time.Minute + 40*time.Second)
			c.RenewHolds(e.ctx)
		}()
		select {
		case <-reached:
		case <-time.After(20 * time.Second):
			t.Fatal("the renewal did not start")
		}
		at.Store("")
		res, err := c.Book(e.ctx, tenant, s.ID, "")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != "IN_PROGRESS" || res.Session.Status != checkout.Authorized {
			t.Fatalf("book during a renewal: %+v, %v", res, err)
		}
		e.clock.Add(lease + time.Second)
		want(t, ok(t)(c.Book(e.ctx, tenant, s.ID, "")), checkout.Booked)
	})
}

// TestReconcileConcludesARefusedReplay: a LiteAPI part paid by LiteAPI's
// own intent, booked after the app said it confirmed the intent but did
// not (confirmProviderIntent without Stripe's confirmation), its server
// stopped before the booking call. The reconciler's replay of the booking
// is refused by LiteAPI (the intent is not confirmed): that is a "not
// booked", so the session fails at once with the payment released and
// its steps concluded, instead of waiting for an answer that never comes.
func TestReconcileConcludesARefusedReplay(t *testing.T) {
	const lease = 10 * time.Second
	dialects2(t, lease, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
		c := e.a.Checkout
		in := input(e.offer(t, oneWay("liteapi"), from("liteapi")))
		in.Settlements = []checkout.ProviderSettlement{{Provider: "liteapi", Mode: providers.ProviderIntent}}
		s := ok(t)(c.Create(e.ctx, tenant, in))
		s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
		want(t, s, checkout.PaymentPending)
		// The app says it confirmed the intent, but did not.
		s = ok(t)(c.ConfirmProviderIntent(e.ctx, tenant, checkout.ProviderIntentInput{CheckoutSessionID: s.ID, TransactionID: s.Holds[0].Hold.Intent.TransactionID}, ""))
		want(t, s, checkout.Authorized)
		at.Store("book:before_provider")
		go c.Book(e.ctx, tenant, s.ID, "")
		select {
		case <-reached:
		case <-time.After(20 * time.Second):
			t.Fatal("not stopped before booking")
		}
		at.Store("")
		e.clock.Add(lease + time.Second)
		if _, err := c.ResumeSteps(e.ctx); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Failed)
		if got.Parts[0].Status != checkout.PartFailed || got.Parts[0].Code != "PAYMENT_ACTION_REQUIRED" || len(got.Bookings) != 0 {
			t.Errorf("part %+v, bookings %+v", got.Parts[0], got.Bookings)
		}
		var left []string
		if err := e.a.DB.NewSelect().Table("saga_steps").Column("step").Where("session_id = ? AND state = 'INTENT'", s.ID).Scan(e.ctx, &left); err != nil || len(left) > 0 {
			t.Errorf("steps left in INTENT: %v (%v)", left, err)
		}
	})
}
