package checkout_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/payments"
)

// TestResolveRefusesALiveStep: an operator's `sessions resolve --as
// failed` on a BOOKING session whose book step is alive (its lease held:
// here it has just booked at the provider and not yet recorded it) is
// refused, saying until when the step holds the session; the part, the
// payment and the session are left to the step. (Seen from outside on
// Postgres: kill -9 mid-book, restart, the sweeper resumes the book step,
// `sessions resolve ID --as failed` during it answered FAILED / payment
// CANCELED while the simulator counted the booking.)
func TestResolveRefusesALiveStep(t *testing.T) {
	dialects2(t, 10*time.Second, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
		c := e.a.Checkout
		s := ok(t)(c.Create(e.ctx, tenant, input(e.offer(t, oneWay("citizenplane"), from("citizenplane")))))
		s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		e.pay(s)
		at.Store("book:after_provider")
		go c.Book(e.ctx, tenant, s.ID, "")
		select {
		case <-reached:
		case <-time.After(20 * time.Second):
			t.Fatal("the book step did not reach the provider")
		}
		at.Store("")
		got, err := c.Resolve(e.ctx, s.ID, -1, false, "")
		if err == nil {
			t.Fatalf("resolve --as failed during a live book step that booked at the provider: accepted, session %s (want a refusal while the step holds its lease)", got.Status)
		}
		if !errors.Is(err, checkout.ErrStepRunning) || !strings.Contains(err.Error(), "retry after") {
			t.Errorf("refusal %q, want ErrStepRunning saying when to retry", err)
		}
		cur, _ := c.Get(e.ctx, tenant, s.ID)
		if cur.Status != checkout.Booking || cur.Parts[0].Status != checkout.PartPending || cur.Payment.Status != payments.Authorized {
			t.Errorf("after the refusal: session %s, part %s, payment %s; want BOOKING, PENDING, AUTHORIZED", cur.Status, cur.Parts[0].Status, cur.Payment.Status)
		}
	})
}

// TestResolveNamesABadPart: a part the session does not have is refused
// saying how many it has, before anything is written.
func TestResolveNamesABadPart(t *testing.T) {
	dialects2(t, 10*time.Second, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
		c := e.a.Checkout
		s := ok(t)(c.Create(e.ctx, tenant, input(e.offer(t, oneWay("citizenplane"), from("citizenplane")))))
		s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		e.pay(s)
		at.Store("book:before_provider")
		go c.Book(e.ctx, tenant, s.ID, "")
		<-reached
		e.clock.Add(11 * time.Second) // the step's lease lapsed (its heartbeat ticks every 3.3 s of real time)
		_, err := c.Resolve(e.ctx, s.ID, 7, false, "")
		if err == nil || !strings.Contains(err.Error(), "no part 7") || !strings.Contains(err.Error(), "1 part") {
			t.Errorf("resolve --part 7 of a one-part session: %v", err)
		}
		if cur, _ := c.Get(e.ctx, tenant, s.ID); cur.Status != checkout.Booking {
			t.Errorf("session %s after a refused resolve", cur.Status)
		}
	})
}

// TestLateBookingIsRecordedAndAlerted: a book step whose lease lapsed
// (its process paused) is overtaken by an operator's resolve --as failed
// (the payment released); then its provider call books after all. The
// provider's booking is not dropped: it has its booking row, the session
// (still FAILED) records a booked_late event and says so in its failure,
// the operator alert counter rises and `sessions list --booked-late`
// (SessionsBookedLate) lists the session.
func TestLateBookingIsRecordedAndAlerted(t *testing.T) {
	run := func(t *testing.T, url string) {
		const lease = time.Minute // its heartbeat ticks every 20 s: not during the test
		c := &clock{now: apptest.Now}
		at, release := new(atomic.Value), make(chan struct{})
		reached := make(chan struct{}, 1)
		at.Store("")
		a := apptest.New(t, func(cfg *app.Config) {
			cfg.DatabaseURL, cfg.Now, cfg.Sim.Now, cfg.Development, cfg.CheckoutLease = url, c.Now, c.Now, true, lease
			cfg.CrashAt = func(point string) {
				if point == at.Load() {
					reached <- struct{}{}
					<-release // a paused process, which then goes on
				}
			}
		})
		e := &env{a: a, clock: c, ctx: context.Background()}
		co := a.Checkout
		s := ok(t)(co.Create(e.ctx, tenant, input(e.offer(t, oneWay("citizenplane"), from("citizenplane")))))
		s = ok(t)(co.Hold(e.ctx, tenant, s.ID, ""))
		e.pay(s)
		at.Store("book:before_provider")
		booked := make(chan *checkout.Result, 1)
		go func() {
			res, err := co.Book(e.ctx, tenant, s.ID, "")
			if err != nil {
				t.Error(err)
			}
			booked <- res
		}()
		<-reached
		at.Store("")
		c.Add(lease + time.Second)
		got, err := co.Resolve(e.ctx, s.ID, -1, false, "")
		if err != nil || got.Status != checkout.Failed {
			t.Fatalf("resolve after the lease lapsed: %v, %+v", err, got)
		}
		close(release)
		<-booked
		cur, err := co.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Status != checkout.Failed || len(cur.Bookings) != 1 || cur.Bookings[0].ProviderReference == "" {
			t.Fatalf("after the late booking: session %s with bookings %+v; want FAILED with the provider's booking recorded", cur.Status, cur.Bookings)
		}
		if late := checkout.BookedLate(cur); len(late) != 1 || late[0] != 0 {
			t.Errorf("BookedLate = %v, want [0]", late)
		}
		if e.count(t, cur, "booked_late") != 1 || cur.Failure == nil || !strings.Contains(cur.Failure.Message, cur.Bookings[0].ProviderReference) {
			t.Errorf("the session does not say it was booked late: events %d, failure %+v", e.count(t, cur, "booked_late"), cur.Failure)
		}
		list, err := co.SessionsBookedLate(e.ctx, 10)
		if err != nil || len(list) != 1 || list[0].ID != s.ID {
			t.Errorf("SessionsBookedLate = %v, %v", list, err)
		}
		rec := httptest.NewRecorder()
		a.MetricsHandler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if !strings.Contains(rec.Body.String(), `faregraph_checkout_booked_late_total{provider="citizenplane"} 1`) {
			t.Errorf("no alert metric in:\n%s", rec.Body.String())
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	t.Run("postgres", func(t *testing.T) { run(t, dbtest.PostgresURL(t)) })
}
