package checkout_test

import (
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
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
