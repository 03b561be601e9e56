package checkout_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/ids"
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
		o := e.roundTripOf(t, "liteapi", "citizenplane")
		in := input(o)
		in.PartialBooking = checkout.AllowPartial
		s := e.payByCard(t, o, in)
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

// sweepFor runs the sweeper every 15 seconds of the fake clock for d (the
// server sweeps every 10 s by default; a coarser step keeps the test
// short), and returns how many holds_renewed events s gained.
func (e *env) sweepFor(t *testing.T, s *checkout.Session, d time.Duration) int {
	t.Helper()
	before := e.count(t, s, "holds_renewed")
	for end := e.clock.Now().Add(d); e.clock.Now().Before(end); {
		e.clock.Add(15 * time.Second)
		if _, _, err := e.a.Checkout.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	return e.count(t, s, "holds_renewed") - before
}

func (e *env) count(t *testing.T, s *checkout.Session, event string) int {
	t.Helper()
	evs, err := e.a.Checkout.Events(e.ctx, tenant, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Name == event {
			n++
		}
	}
	return n
}

// awaitingCard creates, holds and pays by card a session of o, and
// leaves the card form open (PAYMENT_PENDING).
func (e *env) awaitingCard(t *testing.T, o *search.Offer) *checkout.Session {
	t.Helper()
	c := e.a.Checkout
	s := ok(t)(c.Create(e.ctx, tenant, input(o)))
	s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
	return ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
}

// TestIssue9Case4SlowPayer: a traveller takes 20 minutes over the card
// form of a session that lasts an hour. The 3-minute CitizenPlane hold is
// renewed before it lapses, at an unchanged price; holdExpiresAt moves on;
// the session then books and captures.
func TestIssue9Case4SlowPayer(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		s := e.awaitingCard(t, e.offer(t, oneWay("citizenplane"), from("citizenplane")))
		first := *s.HoldExpiresAt
		renewals := e.sweepFor(t, s, 20*time.Minute)
		got, _ := c.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.PaymentPending)
		if !got.HoldExpiresAt.After(e.clock.Now()) || !got.HoldExpiresAt.After(first) {
			t.Fatalf("holdExpiresAt %v at %v (first %v)", got.HoldExpiresAt, e.clock.Now(), first)
		}
		// One renewal per 3-minute hold, each about 30 s before it lapses.
		if renewals < 7 || renewals > 9 {
			t.Errorf("%d renewals in 20 minutes", renewals)
		}
		t.Logf("renewals for a 20-minute card form: %d", renewals)
		e.confirmAndBook(t, s, s.Total.Amount)
	})
}

// confirmAndBook confirms s's card and books it, which must capture want.
func (e *env) confirmAndBook(t *testing.T, s *checkout.Session, want int64) {
	t.Helper()
	c := e.a.Checkout
	ok(t)(c.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242"))
	s = ok(t)(c.Book(e.ctx, tenant, s.ID, ""))
	if s.Status != checkout.Booked || e.captured(t, s) != want {
		t.Errorf("booked: %s, captured %d, want %d", s.Status, e.captured(t, s), want)
	}
}

// TestIssue9Case4PriceChange: the fare moves while the traveller pays.
// The renewal stops: the session is PRICE_CHANGED with the old and new
// totals, its payment released, the card form refused; acceptPriceChange
// continues at the new price, which is what is paid and captured.
func TestIssue9Case4PriceChange(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		s := e.awaitingCard(t, e.offer(t, oneWay("citizenplane"), from("citizenplane")))
		old := s.Total
		flight, _ := strconv.ParseInt(s.Offer.Parts[0].Ref, 10, 64)
		e.cpSim().Reprice(flight, 700) // 7.00 EUR more per seat
		e.sweepFor(t, s, 3*time.Minute)
		got, _ := c.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.PriceChanged)
		f := got.Failure
		seats := int64(len(s.Passengers))
		if f == nil || f.Code != "PRICE_CHANGED" || *f.PreviousTotal != old || f.NewTotal.Amount != old.Amount+700*seats {
			t.Fatalf("failure = %+v", f)
		}
		if in, _ := c.Gateway().GetIntent(e.ctx, s.Payment.IntentID); in.Status != payments.Canceled {
			t.Errorf("the old payment is %s, want released", in.Status)
		}
		res, _ := c.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242")
		if len(res.UserErrors) != 1 || res.UserErrors[0].Code != "PRICE_CHANGED" {
			t.Errorf("confirm on a changed price: %+v", res.UserErrors)
		}
		s = ok(t)(c.AcceptPriceChange(e.ctx, tenant, s.ID, "accept-1"))
		want(t, s, checkout.Held)
		if s.Total != *f.NewTotal || s.Failure != nil {
			t.Fatalf("accepted: total %v, failure %+v", s.Total, s.Failure)
		}
		var lines int64
		for _, it := range s.Items {
			lines += it.Total
		}
		if lines != s.Total.Amount {
			t.Errorf("cart lines add up to %d, total %d", lines, s.Total.Amount)
		}
		again := ok(t)(c.AcceptPriceChange(e.ctx, tenant, s.ID, "accept-1"))
		if again.Version != s.Version {
			t.Errorf("a repeated accept changed the session")
		}
		s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
		if s.Payment.Amount != f.NewTotal.Amount {
			t.Errorf("new payment of %d, want %d", s.Payment.Amount, f.NewTotal.Amount)
		}
		e.confirmAndBook(t, s, f.NewTotal.Amount)
	})
}

// TestIssue9Case4ExpiredSession: a session that reaches its own expiry
// carries failure SESSION_EXPIRED, and every mutation on it answers a user
// error.
func TestIssue9Case4ExpiredSession(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		s := e.awaitingCard(t, e.offer(t, oneWay("citizenplane"), from("citizenplane")))
		e.sweepFor(t, s, time.Hour)
		got, _ := c.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.Expired)
		if got.Failure == nil || got.Failure.Code != "SESSION_EXPIRED" || got.Failure.Message == "" {
			t.Errorf("failure = %+v", got.Failure)
		}
		if in, _ := c.Gateway().GetIntent(e.ctx, s.Payment.IntentID); in.Status != payments.Canceled {
			t.Errorf("payment %s, want released", in.Status)
		}
		for name, call := range map[string]func() (*checkout.Result, error){
			"hold": func() (*checkout.Result, error) { return c.Hold(e.ctx, tenant, s.ID, "") },
			"pay":  func() (*checkout.Result, error) { return c.Pay(e.ctx, tenant, s.ID, checkout.Card, "") },
			"confirm": func() (*checkout.Result, error) {
				return c.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242")
			},
			"book":   func() (*checkout.Result, error) { return c.Book(e.ctx, tenant, s.ID, "") },
			"cancel": func() (*checkout.Result, error) { return c.Cancel(e.ctx, tenant, s.ID, "") },
			"accept": func() (*checkout.Result, error) { return c.AcceptPriceChange(e.ctx, tenant, s.ID, "") },
		} {
			res, err := call()
			if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != "SESSION_EXPIRED" {
				t.Errorf("%s on an expired session: %+v, %v", name, res, err)
			}
		}
	})
}

// roundTripOf finds a round trip made of two one-way parts, of providers
// first and second.
func (e *env) roundTripOf(t *testing.T, first, second string) *search.Offer {
	t.Helper()
	return e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08"},
		func(o *search.Offer) bool {
			return o.FareType == providers.CombinedOneWays && o.Parts[0].Provider == first && o.Parts[1].Provider == second
		})
}

// TestIssue9Case5AllOrNothingBooksTheUndoablePartFirst: a LiteAPI
// outbound with a CitizenPlane return, partial booking forbidden by
// default. The LiteAPI part (which can be canceled) is booked first, the
// CitizenPlane part (no cancellation) last; CitizenPlane fails, so the
// LiteAPI booking is canceled, the payment released with nothing captured,
// and the failure says what happened to each part.
func TestIssue9Case5AllOrNothingBooksTheUndoablePartFirst(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.roundTripOf(t, "liteapi", "citizenplane")
		s := e.payByCard(t, o, input(o))
		if s.PartialBooking != checkout.ForbidPartial {
			t.Fatalf("default partial booking %q", s.PartialBooking)
		}
		req, _ := strconv.ParseInt(s.Holds[1].Hold.Ref, 10, 64)
		if !e.cpSim().AbortRequest(req) {
			t.Fatalf("no pending CitizenPlane request %d", req)
		}
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.Failed)
		if len(s.Bookings) != 1 || s.Bookings[0].Provider != "liteapi" || s.Bookings[0].Status != providers.BookingCanceled ||
			s.Parts[0].Status != checkout.PartCanceled || s.Parts[1].Status != checkout.PartFailed {
			t.Errorf("bookings %+v, parts %+v", s.Bookings, s.Parts)
		}
		r, _ := e.a.Checkout.Retriever("liteapi")
		if bk, err := r.Retrieve(e.ctx, s.Bookings[0].ProviderReference); err != nil || bk.Status != providers.BookingCanceled {
			t.Errorf("at LiteAPI: %+v, %v", bk, err)
		}
		if in, _ := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID); in.Status != payments.Canceled || in.AmountCaptured != 0 {
			t.Errorf("payment %s, captured %d", in.Status, in.AmountCaptured)
		}
		if s.Failure == nil || !strings.Contains(s.Failure.Message, "part 1 (liteapi) booked, then canceled") || !strings.Contains(s.Failure.Message, "part 2 (citizenplane) not booked") {
			t.Errorf("failure = %+v", s.Failure)
		}
	})
}

// TestIssue9Case5AllOrNothingCancelsWhatWasBooked: the LiteAPI part,
// booked first, fails: CitizenPlane (which could not be undone) is never
// asked to book, nothing is booked or captured. With two LiteAPI parts,
// the first is booked, the second fails, and the first is canceled at
// LiteAPI: nothing is charged.
func TestIssue9Case5AllOrNothingCancelsWhatWasBooked(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		la := e.a.Simulators["liteapi"].(interface{ DropPrebook(string) bool })
		o := e.roundTripOf(t, "liteapi", "citizenplane")
		s := e.payByCard(t, o, input(o))
		if !la.DropPrebook(s.Holds[0].Hold.Ref) {
			t.Fatal("no live LiteAPI prebook")
		}
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.Failed)
		if len(s.Bookings) != 0 || s.Parts[1].Status != checkout.PartFailed || s.Parts[1].Code != "NOT_BOOKED" || e.captured(t, s) != 0 {
			t.Errorf("bookings %+v, parts %+v, captured %d", s.Bookings, s.Parts, e.captured(t, s))
		}
		if s.Failure == nil || !strings.Contains(s.Failure.Message, "part 2 (citizenplane) not booked") {
			t.Errorf("failure = %+v", s.Failure)
		}

		o = e.roundTripOf(t, "liteapi", "liteapi")
		s = e.payByCard(t, o, input(o))
		if !la.DropPrebook(s.Holds[1].Hold.Ref) {
			t.Fatal("no live LiteAPI prebook")
		}
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.Failed)
		if s.Parts[0].Status != checkout.PartCanceled || len(s.Bookings) != 1 || s.Bookings[0].Status != providers.BookingCanceled {
			t.Fatalf("parts %+v, bookings %+v", s.Parts, s.Bookings)
		}
		r, _ := e.a.Checkout.Retriever("liteapi")
		if bk, err := r.Retrieve(e.ctx, s.Bookings[0].ProviderReference); err != nil || bk.Status != providers.BookingCanceled {
			t.Errorf("at LiteAPI: %+v, %v", bk, err)
		}
		if in, _ := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID); in.Status != payments.Canceled {
			t.Errorf("payment %s, want released", in.Status)
		}
		if !strings.Contains(s.Failure.Message, "part 1 (liteapi) booked, then canceled") {
			t.Errorf("failure = %+v", s.Failure)
		}
		// Every call is a durable step, concluded: the provider's
		// cancellation and the release among them.
		var steps []struct {
			Step  string `bun:"step"`
			Part  int    `bun:"part"`
			State string `bun:"state"`
		}
		if err := e.a.DB.NewSelect().Table("saga_steps").Column("step", "part", "state").Where("session_id = ?", s.ID).Order("step", "part").Scan(e.ctx, &steps); err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(steps)
		if wantSteps := "[{book 0 DONE} {book 1 FAILED} {cancel 0 DONE} {confirm -1 DONE} {hold 0 DONE} {hold 1 DONE} {pay -1 DONE} {release -1 DONE}]"; got != wantSteps {
			t.Errorf("steps %s, want %s", got, wantSteps)
		}
	})
}

// TestIssue9Case6BookingStatusRefreshed: the airline cancels a booking
// after it was made. Booking.status shows it on the next read (through
// the loader, and recorded), and the sweeper finds it by itself at its
// next read of the booking.
func TestIssue9Case6BookingStatusRefreshed(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		book := func() *checkout.BookingRecord {
			o := e.offer(t, oneWay("liteapi"), from("liteapi"))
			s := ok(t)(c.Book(e.ctx, tenant, e.payByCard(t, o, input(o)).ID, ""))
			want(t, s, checkout.Booked)
			return &s.Bookings[0]
		}
		cancelAtProvider := func(b *checkout.BookingRecord) {
			if !e.a.Simulators["liteapi"].(interface{ CancelBooking(string) bool }).CancelBooking(b.ProviderReference) {
				t.Fatalf("no booking %s at LiteAPI", b.ProviderReference)
			}
		}
		stored := func(b *checkout.BookingRecord) providers.BookingStatus {
			got, err := c.Booking(e.ctx, tenant, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Status
		}

		// On request.
		b := book()
		cancelAtProvider(b)
		rec := apptest.Post(e.a.Handler, `query($id: ID!) { booking(id: $id) { status } }`, map[string]any{"id": ids.Global("Booking", b.ID)}, "")
		if !strings.Contains(rec.Body.String(), `"status":"CANCELED"`) {
			t.Fatalf("booking status: %s", rec.Body.String())
		}
		if st := stored(b); st != providers.BookingCanceled {
			t.Errorf("stored status %s after the read", st)
		}

		// By the sweeper, at its next read: a month ahead, bookings are
		// read daily (issue 11 reads every upcoming booking, more often as
		// departure nears).
		b = book()
		if _, _, err := c.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
		cancelAtProvider(b)
		if _, _, err := c.Sweep(e.ctx); err != nil || stored(b) != providers.BookingConfirmed {
			t.Fatalf("a month ahead the sweeper read it again within the day: %s, %v", stored(b), err)
		}
		e.clock.Add(25 * time.Hour)
		if _, _, err := c.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
		if st := stored(b); st != providers.BookingCanceled {
			t.Errorf("after the sweep: %s", st)
		}
	})
}
