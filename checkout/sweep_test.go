package checkout_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/providers/sim"
)

func TestReconcilerAfterProviderError(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		for _, p := range []string{"citizenplane", "liteapi"} {
			t.Run(p, func(t *testing.T) {
				o := e.offer(t, oneWay(p), from(p))
				s := e.payByCard(t, o, input(o))
				cpBefore := e.cpSim().BookingCount()
				knobs := e.simKnobs(p)
				knobs.SetFailure("book", sim.FailAfter)
				s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
				want(t, s, checkout.NeedsAttention)
				if len(s.Bookings) != 0 || e.captured(t, s) != 0 {
					t.Fatalf("booked or captured before reconciling: %+v", s.Bookings)
				}
				// The knob stays on: every new booking's answer is lost, but the
				// provider answers a replay of a booked hold.
				defer knobs.SetFailure("book", sim.FailNone)
				n, err := e.a.Checkout.Reconcile(e.ctx)
				if err != nil || n != 1 {
					t.Fatalf("Reconcile = %d, %v", n, err)
				}
				s, err = e.a.Checkout.Get(e.ctx, tenant, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				want(t, s, checkout.Booked)
				if len(s.Bookings) != 1 {
					t.Fatalf("%d bookings", len(s.Bookings))
				}
				if got := e.captured(t, s); got != s.Total.Amount {
					t.Errorf("captured %d of %d", got, s.Total.Amount)
				}
				// The provider has that one booking, under that reference.
				r, _ := e.a.Checkout.Retriever(p)
				bk, err := r.Retrieve(e.ctx, s.Bookings[0].ProviderReference)
				if err != nil || bk.Reference != s.Bookings[0].ProviderReference {
					t.Errorf("provider booking: %+v %v", bk, err)
				}
				if p == "citizenplane" {
					if n := e.cpSim().BookingCount() - cpBefore; n != 1 {
						t.Errorf("the provider holds %d bookings for the session, want exactly 1", n)
					}
				}
				// Reconciling again changes nothing.
				if n, _ := e.a.Checkout.Reconcile(e.ctx); n != 0 {
					t.Errorf("second Reconcile settled %d", n)
				}
			})
		}
	})
}

func TestSweepExpiresAndReleases(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), nil)
		open := ok(t)(c.Create(e.ctx, tenant, input(o)))
		pending := ok(t)(c.Create(e.ctx, tenant, input(o)))
		ok(t)(c.Hold(e.ctx, tenant, pending.ID, ""))
		pending = ok(t)(c.Pay(e.ctx, tenant, pending.ID, checkout.Card, ""))
		e.clock.Add(time.Hour + time.Minute) // past both sessions' expiry
		n, _, err := c.Sweep(e.ctx)
		if err != nil || n != 2 {
			t.Fatalf("Sweep expired %d, %v; want 2", n, err)
		}
		for _, id := range []string{open.ID, pending.ID} {
			s, _ := c.Get(e.ctx, tenant, id)
			want(t, s, checkout.Expired)
		}
		in, err := c.Gateway().GetIntent(e.ctx, pending.Payment.IntentID)
		if err != nil || in.Status != "CANCELED" {
			t.Errorf("the expired session's intent is %v, %v; want CANCELED", in, err)
		}
		if n, _, _ := c.Sweep(e.ctx); n != 0 {
			t.Errorf("a second sweep expired %d", n)
		}
	})
}

// lockedBuffer is a log destination safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// TestSweepResumesWaitingSessionOncePerAttempt: a session in
// NEEDS_ATTENTION keeps its booking step in INTENT while the provider
// does not answer. A sweeper running every second does not take the step
// up (nor log "resuming a step") at every sweep: once per reconciler
// attempt, as the backoff schedules them.
func TestSweepResumesWaitingSessionOncePerAttempt(t *testing.T) {
	run := func(t *testing.T, url string) {
		logs := new(lockedBuffer)
		c := &clock{now: apptest.Now}
		a := apptest.New(t, func(cfg *app.Config) {
			cfg.DatabaseURL, cfg.Now, cfg.Sim.Now = url, c.Now, c.Now
			cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
		})
		e := &env{a: a, clock: c, ctx: context.Background()}
		o := e.offer(t, oneWay("liteapi"), from("liteapi"))
		s := e.payByCard(t, o, input(o))
		knobs := e.simKnobs("liteapi")
		knobs.SetFailure("book", sim.FailAfter)
		s = ok(t)(a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.NeedsAttention)
		knobs.SetFailureRate(1) // no answer either way, for now
		const sweeps = 120
		for range sweeps {
			e.clock.Add(time.Second)
			if _, _, err := a.Checkout.Sweep(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		got, err := a.Checkout.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.NeedsAttention)
		attempts := e.count(t, s, "reconcile_retry")
		resumed := logs.count("resuming a step")
		if attempts == 0 || attempts > 5 || resumed > attempts {
			t.Errorf("%d sweeps: %d reconciler attempts, %d resumption logs, want at most one per attempt", sweeps, attempts, resumed)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	t.Run("postgres", func(t *testing.T) { run(t, dbtest.PostgresURL(t)) })
}
