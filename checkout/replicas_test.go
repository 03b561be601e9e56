package checkout_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
)

// replicas runs fn with two servers, a and b, on one database (an SQLite
// file, or a Postgres schema) and one set of provider simulators, sharing
// a clock, as two replicas of a deployment do. a's crash hook pauses the
// first goroutine that reaches the point stored in pauseAt (it says so on
// paused) until resume is closed.
func replicas(t *testing.T, lease time.Duration, fn func(t *testing.T, a, b *env, sims *app.SimServer, pauseAt chan<- string, paused <-chan struct{}, resume chan struct{})) {
	run := func(t *testing.T, url string) {
		c := &clock{now: apptest.Now}
		ss, err := app.StartSimulators(app.SimConfig{Seed: 1, Now: c.Now}, "127.0.0.1:0", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ss.Close() })
		path := filepath.Join(t.TempDir(), "replicas.db")
		at := make(chan string, 1)
		paused := make(chan struct{}, 1)
		resume := make(chan struct{})
		var armed string
		replica := func(hook func(string)) *env {
			a := apptest.New(t, func(cfg *app.Config) {
				cfg.DatabaseURL, cfg.DBPath, cfg.Now, cfg.Sim.Now = url, path, c.Now, c.Now
				cfg.Providers, cfg.CheckoutLease, cfg.CrashAt = ss.Settings, lease, hook
			})
			return &env{a: a, clock: c, ctx: context.Background()}
		}
		a := replica(func(point string) {
			select {
			case armed = <-at:
			default:
			}
			if armed != "" && point == armed {
				armed = ""
				paused <- struct{}{}
				<-resume
			}
		})
		b := replica(nil)
		fn(t, a, b, ss, at, paused, resume)
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	t.Run("postgres", func(t *testing.T) { run(t, dbtest.PostgresURL(t)) })
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
	replicas(t, lease, func(t *testing.T, a, b *env, sims *app.SimServer, pauseAt chan<- string, paused <-chan struct{}, resume chan struct{}) {
		cp := sims.Controllers["citizenplane"].(*cpsim.Simulator)
		o := a.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := ok(t)(a.a.Checkout.Create(a.ctx, tenant, input(o)))
		s = ok(t)(a.a.Checkout.Hold(a.ctx, tenant, s.ID, ""))
		a.pay(s)
		// CitizenPlane holds for 3 minutes: 20 s are left, within the
		// 30 s renewal margin, so booking holds the part again first.
		a.clock.Add(2*time.Minute + 40*time.Second)
		pauseAt <- "hold:after_provider"
		done := make(chan *checkout.Result, 1)
		go func() {
			res, err := a.a.Checkout.Book(a.ctx, tenant, s.ID, "")
			if err != nil {
				t.Errorf("book on a: %v", err)
			}
			done <- res
		}()
		select {
		case <-paused:
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
		close(resume)
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
