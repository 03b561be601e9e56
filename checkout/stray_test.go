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
	"github.com/faregraph/faregraph/payments/gr4vy"
)

// TestStrayGr4vyAuthorizationReleased: a Gr4vy session canceled before
// the card was typed leaves its checkout session open at Gr4vy; the card
// typed afterwards is authorized there by Embed. The sweeper's check of
// ended sessions finds the authorization and voids it, as a late_release
// step that ends DONE; killed before or after the void, ResumeSteps voids
// it (idempotently) once the lease lapsed. A session whose payment is not
// settled, or that has no stray authorization, is left alone.
func TestStrayGr4vyAuthorizationReleased(t *testing.T) {
	const lease = 10 * time.Second
	for _, point := range []string{"", "late_release:before_gateway", "late_release:after_gateway"} {
		t.Run("killed at "+point, func(t *testing.T) {
			gr4vyDialects(t, lease, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
				c := e.a.Checkout
				s := ok(t)(c.Create(e.ctx, tenant, input(e.offer(t, oneWay("citizenplane"), from("citizenplane")))))
				s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
				s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
				want(t, s, checkout.PaymentPending)
				// A session still waiting for its card is not looked at.
				if n, err := c.ReleaseStrayAuthorizations(e.ctx); err != nil || n != 0 {
					t.Fatalf("waiting session: %d voided, %v", n, err)
				}
				s = ok(t)(c.Cancel(e.ctx, tenant, s.ID, ""))
				want(t, s, checkout.Canceled)
				tx, err := e.a.Gr4vySim.EmbedPay(s.Payment.IntentID, "4242424242424242")
				if err != nil || tx.Status != gr4vy.TxAuthorized {
					t.Fatalf("Embed's authorization: %+v %v", tx, err)
				}
				e.clock.Add(2 * time.Minute) // the check runs at most once a minute
				if point == "" {
					if n, err := c.ReleaseStrayAuthorizations(e.ctx); err != nil || n != 1 {
						t.Fatalf("voided %d, %v", n, err)
					}
				} else {
					at.Store(point)
					go c.ReleaseStrayAuthorizations(e.ctx)
					select {
					case <-reached:
					case <-time.After(20 * time.Second):
						t.Fatalf("not stopped at %s", point)
					}
					at.Store("")
					e.clock.Add(lease + time.Second)
					if _, err := c.ResumeSteps(e.ctx); err != nil {
						t.Fatal(err)
					}
				}
				if got, _ := e.a.Gr4vySim.TransactionOf(s.Payment.IntentID); got.ID != tx.ID || got.Status != gr4vy.TxVoided {
					t.Errorf("transaction %s: %s, want voided", got.ID, got.Status)
				}
				var states []string
				if err := e.a.DB.NewSelect().Table("saga_steps").Column("state").Where("session_id = ? AND step = 'late_release'", s.ID).Scan(e.ctx, &states); err != nil || len(states) != 1 || states[0] != "DONE" {
					t.Errorf("late_release steps %v (%v)", states, err)
				}
				got, err := c.Get(e.ctx, tenant, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				want(t, got, checkout.Canceled)
				evs, err := c.Events(e.ctx, tenant, s.ID)
				late := false
				for _, ev := range evs {
					late = late || ev.Name == "late_authorization"
				}
				if err != nil || !late {
					t.Errorf("no late_authorization event: %+v %v", evs, err)
				}
				// Nothing stands any more: the next check voids nothing.
				e.clock.Add(2 * time.Minute)
				if n, err := c.ReleaseStrayAuthorizations(e.ctx); err != nil || n != 0 {
					t.Errorf("second check: %d voided, %v", n, err)
				}
			})
		})
	}
}

// gr4vyDialects is dialects2 with the Gr4vy gateway (its simulator in
// process, e.a.Gr4vySim).
func gr4vyDialects(t *testing.T, lease time.Duration, fn func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{})) {
	run := func(t *testing.T, url string) {
		reached := make(chan struct{}, 1)
		at := new(atomic.Value)
		at.Store("")
		c := &clock{now: apptest.Now}
		a := apptest.New(t, func(cfg *app.Config) {
			cfg.DatabaseURL, cfg.Now, cfg.Sim.Now, cfg.Development = url, c.Now, c.Now, true
			cfg.Gateway, cfg.CheckoutLease = "gr4vy", lease
			cfg.CrashAt = func(point string) {
				if point == at.Load() {
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

// TestStrayCheckBounded: the stray-authorization check looks up only the
// sessions that can have one, each on a doubling backoff: a session paid
// and booked through Gr4vy (its authorization was ours, and captured) is
// never looked up; one canceled before its card was typed is looked up a
// handful of times in 30 minutes of checks every minute (1, 2, 4, 8, 16
// minutes apart), not 30, and never again once its Gr4vy checkout
// session lapsed (an hour after it was created).
func TestStrayCheckBounded(t *testing.T) {
	gr4vyDialects(t, 10*time.Second, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
		booked := ok(t)(c.Create(e.ctx, tenant, input(o)))
		booked = ok(t)(c.Hold(e.ctx, tenant, booked.ID, ""))
		e.pay(booked)
		booked = ok(t)(c.Book(e.ctx, tenant, booked.ID, ""))
		want(t, booked, checkout.Booked)
		canceled := ok(t)(c.Create(e.ctx, tenant, input(o)))
		canceled = ok(t)(c.Hold(e.ctx, tenant, canceled.ID, ""))
		canceled = ok(t)(c.Pay(e.ctx, tenant, canceled.ID, checkout.Card, ""))
		canceled = ok(t)(c.Cancel(e.ctx, tenant, canceled.ID, ""))
		want(t, canceled, checkout.Canceled)
		checks := func(id string) int {
			var n int
			if err := e.a.DB.NewSelect().Table("checkout_sessions").Column("stray_checks").Where("id = ?", id).Scan(e.ctx, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		run := func(minutes int) {
			for range minutes {
				e.clock.Add(time.Minute)
				if _, err := c.ReleaseStrayAuthorizations(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		run(30)
		if n := checks(booked.ID); n != 0 {
			t.Errorf("the booked session was looked up %d times", n)
		}
		n := checks(canceled.ID)
		if n < 3 || n > 6 {
			t.Errorf("the canceled session was looked up %d times in 30 checks, want 4 or 5", n)
		}
		t.Logf("30 checks, one a minute: the canceled session looked up %d times", n)
		run(35) // its Gr4vy checkout session lapses an hour after payment
		lapsed := checks(canceled.ID)
		run(120)
		if m := checks(canceled.ID); m != lapsed {
			t.Errorf("looked up %d more times after its checkout session lapsed", m-lapsed)
		}
	})
}
