package checkout_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
)

// cluster is two replicas, a and b, of one deployment: one database (an
// SQLite file, or a Postgres schema), one set of simulators (providers and
// Gr4vy), one clock. a's crash hook pauses the first goroutine that
// reaches the point sent on pauseAt (it says so on paused) until resume is
// closed. start starts another replica.
type cluster struct {
	a, b    *env
	sims    *app.SimServer
	start   func(mod func(*app.Config, *app.SimServer)) *env
	pauseAt chan<- string
	paused  <-chan struct{}
	resume  chan struct{}
}

// replicas runs fn with a cluster on SQLite and on Postgres; modA and
// modB, when not nil, configure a and b further.
func replicas(t *testing.T, lease time.Duration, modA, modB func(*app.Config, *app.SimServer), fn func(t *testing.T, c *cluster)) {
	run := func(t *testing.T, url string) {
		clk := &clock{now: apptest.Now}
		ss, err := app.StartSimulators(app.SimConfig{Seed: 1, Now: clk.Now}, "127.0.0.1:0", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ss.Close() })
		path := filepath.Join(t.TempDir(), "replicas.db")
		at := make(chan string, 1)
		paused := make(chan struct{}, 1)
		resume := make(chan struct{})
		var armed string
		replica := func(hook func(string), mod func(*app.Config, *app.SimServer)) *env {
			a := apptest.New(t, func(cfg *app.Config) {
				cfg.DatabaseURL, cfg.DBPath, cfg.Now, cfg.Sim.Now = url, path, clk.Now, clk.Now
				cfg.Providers, cfg.CheckoutLease, cfg.CrashAt = ss.Settings, lease, hook
				if mod != nil {
					mod(cfg, ss)
				}
			})
			return &env{a: a, clock: clk, ctx: context.Background()}
		}
		c := &cluster{sims: ss, pauseAt: at, paused: paused, resume: resume}
		c.a = replica(func(point string) {
			select {
			case armed = <-at:
			default:
			}
			if armed != "" && point == armed {
				armed = ""
				paused <- struct{}{}
				<-resume
			}
		}, modA)
		c.b = replica(nil, modB)
		c.start = func(mod func(*app.Config, *app.SimServer)) *env { return replica(nil, mod) }
		defer func() {
			select {
			case <-resume:
			default:
				close(resume)
			}
		}()
		fn(t, c)
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	t.Run("postgres", func(t *testing.T) { run(t, dbtest.PostgresURL(t)) })
}

// withGr4vy configures a replica with the Gr4vy gateway of the shared
// simulators.
func withGr4vy(t *testing.T) func(*app.Config, *app.SimServer) {
	return func(cfg *app.Config, ss *app.SimServer) {
		key, err := os.ReadFile(ss.Gr4vyEnv["GR4VY_PRIVATE_KEY_FILE"])
		if err != nil {
			t.Fatal(err)
		}
		cfg.Gateway, cfg.AllowSandboxPayments = "gr4vy", true
		cfg.Gr4vy.URL, cfg.Gr4vy.PrivateKeyPEM = ss.Gr4vyEnv["GR4VY_API_URL"], string(key)
	}
}

// TestTakenOverBookingBooksOnce: replica a books a session whose hold is
// about to lapse, so it holds the part again first; its lease lapses
// while it does (a stalled process), and replica b's reconciler takes the
// session over and books the hold the session has. When a goes on, it
// must not book its new hold as well: CitizenPlane would book the part a
// second time, a provider booking with no booking row, never captured.
// Every provider booking has exactly one booking row.
func TestTakenOverBookingBooksOnce(t *testing.T) {
	const lease = 10 * time.Second
	replicas(t, lease, nil, nil, func(t *testing.T, c *cluster) {
		a, b := c.a, c.b
		cp := c.sims.Controllers["citizenplane"].(*cpsim.Simulator)
		o := a.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := ok(t)(a.a.Checkout.Create(a.ctx, tenant, input(o)))
		s = ok(t)(a.a.Checkout.Hold(a.ctx, tenant, s.ID, ""))
		a.pay(s)
		// CitizenPlane holds for 3 minutes: 20 s are left, within the
		// 30 s renewal margin, so booking holds the part again first.
		a.clock.Add(2*time.Minute + 40*time.Second)
		c.pauseAt <- "hold:after_provider"
		done := make(chan *checkout.Result, 1)
		go func() {
			res, err := a.a.Checkout.Book(a.ctx, tenant, s.ID, "")
			if err != nil {
				t.Errorf("book on a: %v", err)
			}
			done <- res
		}()
		select {
		case <-c.paused:
		case <-time.After(20 * time.Second):
			t.Fatal("a did not renew the hold before booking")
		}
		// a stalls past its lease: b takes the session over and books it.
		a.clock.Add(lease + time.Second)
		if _, err := b.a.Checkout.Reconcile(b.ctx); err != nil {
			t.Fatal(err)
		}
		got, err := b.a.Checkout.Get(b.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Booked)
		close(c.resume)
		res := <-done
		if res != nil && res.Session != nil && res.Session.Status != checkout.Booked {
			t.Errorf("a answered %s", res.Session.Status)
		}
		got, err = a.a.Checkout.Get(a.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Booked)
		if n := cp.BookingCount(); n != 1 || len(got.Bookings) != 1 {
			t.Errorf("CitizenPlane made %d bookings; the session has %d booking rows", n, len(got.Bookings))
		}
		if got.Payment.Captured != got.Payment.Amount {
			t.Errorf("captured %d of %d", got.Payment.Captured, got.Payment.Amount)
		}
	})
}

// TestPaymentSettledThroughItsGateway: two replicas on one database with
// different gateways, a with Gr4vy and b with the sandbox. A session paid
// through Gr4vy on a, whose process stops after booking, before the
// capture, is not touched by b: b's sweeper leaves it (it never captures
// on the sandbox an intent Gr4vy holds), a booking or card confirmation
// asked of b answers PAYMENT_UNAVAILABLE, and the session shows the
// gateway it waits for. A Gr4vy replica's sweeper then resumes it and
// captures at Gr4vy. A session paid on b is b's alone likewise.
func TestPaymentSettledThroughItsGateway(t *testing.T) {
	const lease = 10 * time.Second
	replicas(t, lease, withGr4vy(t), nil, func(t *testing.T, cl *cluster) {
		a, b, sims := cl.a, cl.b, cl.sims
		o := a.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := ok(t)(a.a.Checkout.Create(a.ctx, tenant, input(o)))
		s = ok(t)(a.a.Checkout.Hold(a.ctx, tenant, s.ID, ""))
		s = ok(t)(a.a.Checkout.Pay(a.ctx, tenant, s.ID, checkout.Card, ""))
		if s.PaymentGateway() != "gr4vy" {
			t.Fatalf("paid through %q", s.PaymentGateway())
		}
		// b plays no card form of Gr4vy's.
		res, err := b.a.Checkout.ConfirmSandboxPayment(b.ctx, tenant, s.ID, "4242424242424242")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != "PAYMENT_UNAVAILABLE" {
			t.Fatalf("confirm on b: %+v %v", res, err)
		}
		s = ok(t)(a.a.Checkout.ConfirmSandboxPayment(a.ctx, tenant, s.ID, "4242424242424242"))
		want(t, s, checkout.Authorized)
		res, err = b.a.Checkout.Book(b.ctx, tenant, s.ID, "")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != "PAYMENT_UNAVAILABLE" || res.Session.Status != checkout.Authorized {
			t.Fatalf("book on b: %+v %v", res, err)
		}
		// a books, and stops for good before the capture.
		cl.pauseAt <- "capture:before_gateway"
		go a.a.Checkout.Book(a.ctx, tenant, s.ID, "")
		select {
		case <-cl.paused:
		case <-time.After(20 * time.Second):
			t.Fatal("a did not reach the capture")
		}
		a.clock.Add(lease + time.Second)
		for range 3 {
			if _, _, err := b.a.Checkout.Sweep(b.ctx); err != nil {
				t.Fatal(err)
			}
		}
		got, err := b.a.Checkout.Get(b.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Booking)
		if got.PaymentGateway() != "gr4vy" || got.Payment.Status != payments.Authorized {
			t.Fatalf("after b's sweeps: payment %+v through %q", got.Payment, got.PaymentGateway())
		}
		var sandbox int64
		if sandbox, err = b.a.DB.NewSelect().Table("sandbox_payment_intents").Count(b.ctx); err != nil || sandbox != 0 {
			t.Errorf("%d sandbox intents (%v)", sandbox, err)
		}
		// A Gr4vy replica (a restarted a) settles it at Gr4vy.
		c := cl.start(withGr4vy(t))
		if _, _, err := c.a.Checkout.Sweep(c.ctx); err != nil {
			t.Fatal(err)
		}
		got, err = c.a.Checkout.Get(c.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Booked)
		if got.Payment.Status != payments.Captured || got.Payment.Captured != got.Payment.Amount {
			t.Errorf("payment %+v", got.Payment)
		}
		if tx, _ := sims.Gr4vy.TransactionOf(got.Payment.IntentID); tx.Status != "capture_succeeded" {
			t.Errorf("Gr4vy transaction %s: %s", tx.ID, tx.Status)
		}
		// And the other way round: a session paid through the sandbox on
		// b is b's to book and capture; c answers PAYMENT_UNAVAILABLE.
		s2 := ok(t)(b.a.Checkout.Create(b.ctx, tenant, input(o)))
		s2 = ok(t)(b.a.Checkout.Hold(b.ctx, tenant, s2.ID, ""))
		b.pay(s2)
		res, err = c.a.Checkout.Book(c.ctx, tenant, s2.ID, "")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != "PAYMENT_UNAVAILABLE" {
			t.Fatalf("book of a sandbox payment on a Gr4vy replica: %+v %v", res, err)
		}
		s2 = ok(t)(b.a.Checkout.Book(b.ctx, tenant, s2.ID, ""))
		want(t, s2, checkout.Booked)
		if s2.PaymentGateway() != "sandbox" || s2.Payment.Status != payments.Captured {
			t.Errorf("booked on b: payment %+v through %q", s2.Payment, s2.PaymentGateway())
		}
	})
}
