package checkout_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/search"
)

// restartable runs fn with a way to start a server on one database (an
// SQLite file, or a Postgres schema) again and again, as a restart after a
// crash does: each start has fresh in-process simulators, which know
// nothing of the requests the last one made.
func restartable(t *testing.T, fn func(t *testing.T, start func() *env)) {
	run := func(t *testing.T, url string) {
		c := &clock{now: apptest.Now}
		path := filepath.Join(t.TempDir(), "restart.db")
		fn(t, func() *env {
			a := apptest.New(t, func(cfg *app.Config) {
				cfg.DatabaseURL, cfg.DBPath = url, path
				cfg.Now, cfg.Sim.Now = c.Now, c.Now
			})
			return &env{a: a, clock: c, ctx: context.Background()}
		})
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "") })
	t.Run("postgres", func(t *testing.T) { run(t, dbtest.PostgresURL(t)) })
}

// stopMidBook leaves s as a process killed while booking leaves it: in
// BOOKING, last changed long ago, with its parts pending.
func (e *env) stopMidBook(t *testing.T, s *checkout.Session) {
	t.Helper()
	_, err := e.a.DB.NewUpdate().Table("checkout_sessions").
		Set("status = ?", string(checkout.Booking)).Set("updated_at = ?", e.clock.Now().Add(-10*time.Minute)).
		Where("id = ?", s.ID).Exec(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
}

// TestIssue9Case1CrashMidBookConcludes: the process dies while
// CitizenPlane books; after a restart the provider knows nothing of the
// request (404). The reconciler concludes "not booked" at once: the
// session fails, the authorization is released, nothing stays stuck.
func TestIssue9Case1CrashMidBookConcludes(t *testing.T) {
	restartable(t, func(t *testing.T, start func() *env) {
		e := start()
		o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := e.payByCard(t, o, input(o))
		e.simKnobs("citizenplane").SetFailure("book", sim.FailBefore)
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.NeedsAttention)
		e.stopMidBook(t, s)
		e.a.Close()

		e = start() // same database, fresh simulators
		n, err := e.a.Checkout.Reconcile(e.ctx)
		if err != nil || n != 1 {
			t.Fatalf("Reconcile = %d, %v", n, err)
		}
		got, err := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Failed)
		if got.Failure == nil || got.Failure.Code != "NOT_BOOKED" || len(got.Bookings) != 0 {
			t.Errorf("failure %+v, %d bookings", got.Failure, len(got.Bookings))
		}
		in, err := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID)
		if err != nil || in.Status != payments.Canceled {
			t.Errorf("payment = %+v, %v; want released", in, err)
		}
		if res, _ := e.a.Checkout.Cancel(e.ctx, tenant, s.ID, ""); len(res.UserErrors) != 1 {
			t.Errorf("cancel on a failed session: %+v", res.UserErrors)
		}
	})
}

// TestIssue9Case2PartAndBookingAgree: of a LiteAPI + CitizenPlane trip the
// process dies after LiteAPI booked (its booking row is stored) and before
// the session recorded it. After a restart the reconciler takes the row as
// the truth: the LiteAPI part is booked, CitizenPlane's unknown request is
// not, and exactly LiteAPI's share is captured.
func TestIssue9Case2PartAndBookingAgree(t *testing.T) {
	restartable(t, func(t *testing.T, start func() *env) {
		e := start()
		o := e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08"},
			func(o *search.Offer) bool {
				return o.FareType == providers.CombinedOneWays && o.Parts[0].Provider != o.Parts[1].Provider
			})
		s := e.payByCard(t, o, input(o))
		e.simKnobs("citizenplane").SetFailure("book", sim.FailBefore)
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.NeedsAttention)
		if len(s.Bookings) != 1 {
			t.Fatalf("%d bookings before the crash", len(s.Bookings))
		}
		// What a crash between the provider's answer and the session's
		// write leaves: the booking row, and a session whose parts all
		// still say PENDING.
		raw, err := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range raw.Parts {
			raw.Parts[i].Status = checkout.PartPending
		}
		if err := checkout.StoreForTest(e.ctx, e.a.Checkout, raw); err != nil {
			t.Fatal(err)
		}
		e.stopMidBook(t, s)
		e.a.Close()

		e = start()
		if _, err := e.a.Checkout.Reconcile(e.ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.PartiallyBooked)
		var share int64
		for i, p := range got.Offer.Parts {
			wantSt := checkout.PartFailed
			if p.Provider == "liteapi" {
				share, wantSt = got.Parts[i].Amount, checkout.PartBooked
			}
			if got.Parts[i].Status != wantSt {
				t.Errorf("part %d (%s) is %s, want %s", i, p.Provider, got.Parts[i].Status, wantSt)
			}
		}
		if len(got.Bookings) != 1 || got.Bookings[0].Provider != "liteapi" || got.Bookings[0].Status != providers.BookingConfirmed {
			t.Fatalf("bookings = %+v", got.Bookings)
		}
		if c := e.captured(t, got); c != share {
			t.Errorf("captured %d; LiteAPI's share is %d", c, share)
		}
	})
}

// TestReconcileGivesUpByRule: a provider that never says whether it
// booked is asked with backoff up to the limit; then the session is
// settled by rule (the part not booked, the payment released) and the
// operator alert counter rises.
func TestReconcileGivesUpByRule(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.offer(t, oneWay("liteapi"), from("liteapi"))
		s := e.payByCard(t, o, input(o))
		knobs := e.simKnobs("liteapi")
		knobs.SetFailure("book", sim.FailAfter)
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.NeedsAttention)
		// The provider now fails every call: no answer either way.
		knobs.SetFailureRate(1)
		defer knobs.SetFailureRate(0)
		defer knobs.SetFailure("book", sim.FailNone)
		var attempts int
		for range 20 {
			if _, err := e.a.Checkout.Reconcile(e.ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := e.a.Checkout.Get(e.ctx, tenant, s.ID)
			if got.Status.Final() {
				s = got
				break
			}
			attempts = got.ReconcileAttempts
			e.clock.Add(time.Hour)
		}
		want(t, s, checkout.Failed)
		if attempts != 7 || s.Failure == nil || s.Failure.Code != "BOOKING_OUTCOME_UNKNOWN" {
			t.Errorf("after %d retries: failure %+v", attempts, s.Failure)
		}
		if in, _ := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID); in.Status != payments.Canceled {
			t.Errorf("payment %s, want released", in.Status)
		}
		rec := httptest.NewRecorder()
		e.a.MetricsHandler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if !strings.Contains(rec.Body.String(), `faregraph_checkout_settled_by_rule_total{provider="liteapi"} 1`) {
			t.Errorf("no alert metric in:\n%s", rec.Body.String())
		}
	})
}
