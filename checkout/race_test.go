package checkout_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/search"
)

// TestCancelRacesBook runs a cancel and a book at once, many times, on card
// and credit-line sessions: whichever wins, a session with a booking has
// its payment captured, and a canceled one has none and nothing charged.
func TestCancelRacesBook(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		var offers []*search.Offer
		for day := 1; len(offers) < 12; day++ {
			res, err := e.a.Search.Search(e.ctx, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: providers.Date(fmt.Sprintf("2026-07-%02d", day)),
				Passengers: providers.Passengers{Adults: 1}, Providers: []string{"liteapi"}})
			if err != nil {
				t.Fatal(err)
			}
			offers = append(offers, res.Offers...)
		}
		if err := (db.Tenants{}).SetCreditLine(e.ctx, e.a.DB, tenant, true, 1_000_000, "EUR"); err != nil {
			t.Fatal(err)
		}
		e.a.Simulators["liteapi"].SetLatency(20 * time.Millisecond)
		var bookedOnCredit int64
		outcomes := map[checkout.Status]int{}
		defer func() { t.Logf("outcomes of 12 races: %v", outcomes) }()
		for i := range 12 {
			o := offers[i]
			method := checkout.Card
			var s *checkout.Session
			if i%2 == 0 {
				s = e.payByCard(t, o, input(o))
			} else {
				method = checkout.CreditLine
				s = ok(t)(c.Create(e.ctx, tenant, input(o)))
				ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
				s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.CreditLine, ""))
			}
			// Each call either wins or answers a user error saying the other
			// one did (or is still working); neither may fail outright.
			var wg sync.WaitGroup
			var booked, canceled *checkout.Result
			var bookErr, cancelErr error
			wg.Go(func() { booked, bookErr = c.Book(e.ctx, tenant, s.ID, "") })
			wg.Go(func() { canceled, cancelErr = c.Cancel(e.ctx, tenant, s.ID, "") })
			wg.Wait()
			if bookErr != nil || cancelErr != nil {
				t.Fatalf("run %d: book: %v; cancel: %v", i, bookErr, cancelErr)
			}
			for op, res := range map[string]*checkout.Result{"book": booked, "cancel": canceled} {
				for _, ue := range res.UserErrors {
					if ue.Code != fault.InvalidState && ue.Code != fault.InProgress {
						t.Fatalf("run %d: %s answered %s: %s", i, op, ue.Code, ue.Message)
					}
				}
			}
			got, err := c.Get(e.ctx, tenant, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			outcomes[got.Status]++
			switch got.Status {
			case checkout.Booked:
				if method == checkout.Card {
					if e.captured(t, got) != got.Total.Amount {
						t.Fatalf("run %d: booked, captured %d of %d", i, e.captured(t, got), got.Total.Amount)
					}
				} else if got.Payment.Captured != got.Total.Amount {
					t.Fatalf("run %d: booked on credit, settled %d of %d", i, got.Payment.Captured, got.Total.Amount)
				} else {
					bookedOnCredit += got.Total.Amount
				}
			case checkout.Canceled:
				if len(got.Bookings) != 0 {
					t.Fatalf("run %d: canceled with %d bookings", i, len(got.Bookings))
				}
				if method == checkout.Card {
					in, _ := c.Gateway().GetIntent(e.ctx, got.Payment.IntentID)
					if in.Status != payments.Canceled {
						t.Fatalf("run %d: canceled, intent %s", i, in.Status)
					}
				}
			default:
				t.Fatalf("run %d: %s after a book and a cancel", i, got.Status)
			}
		}
		// Credit used is exactly what the booked sessions settled.
		cl, _ := c.CreditLine(e.ctx, tenant)
		if used := cl.Limit.Amount - cl.Available.Amount; used != bookedOnCredit {
			t.Errorf("credit used %d, booked on credit %d", used, bookedOnCredit)
		}
	})
}

// TestLateAuthorizationIsReleased: a card authorized after its session
// expired (its webhook arriving late) is released, and nothing books.
func TestLateAuthorizationIsReleased(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("citizenplane"), nil)
		s := ok(t)(c.Create(e.ctx, tenant, input(o)))
		ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
		e.clock.Add(time.Hour) // the unpaid session expires
		if n, _, err := c.Sweep(e.ctx); err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v", n, err)
		}
		// The traveller's card was authorized at the gateway all the same,
		// and its webhook arrives now.
		if err := c.PaymentEvent(e.ctx, &payments.Intent{ID: s.Payment.IntentID, Status: payments.Authorized, Amount: s.Total.Amount, Currency: s.Total.Currency}); err != nil {
			t.Fatal(err)
		}
		got, _ := c.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.Expired)
		in, _ := c.Gateway().GetIntent(e.ctx, s.Payment.IntentID)
		if in.Status != payments.Canceled {
			t.Errorf("the late authorization is %s, want CANCELED", in.Status)
		}
		res, _ := c.Book(e.ctx, tenant, s.ID, "")
		if len(res.UserErrors) != 1 || res.Session.Status != checkout.Expired || len(res.Session.Bookings) != 0 {
			t.Errorf("booking an expired session: %+v", res)
		}
	})
}

// TestAuthorizationLostBeforeBooking: an authorization canceled at the
// gateway (lapsed, or canceled in its dashboard) fails the session at
// book time; nothing is booked.
func TestAuthorizationLostBeforeBooking(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), nil)
		s := e.payByCard(t, o, input(o))
		if _, err := c.Gateway().Cancel(e.ctx, s.Payment.IntentID); err != nil {
			t.Fatal(err)
		}
		res, err := c.Book(e.ctx, tenant, s.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := c.Get(e.ctx, tenant, s.ID)
		if got.Status != checkout.Failed || len(got.Bookings) != 0 || got.Failure == nil || got.Failure.Code != "PAYMENT_CANCELED" {
			t.Errorf("book on a canceled authorization: answered %+v; stored %s %+v, %d bookings", res.UserErrors, got.Status, got.Failure, len(got.Bookings))
		}
	})
}

// TestProviderThatNeverAnswers: a booking whose answer never comes is
// recorded as unknown within the step's own time (the session is not left
// in BOOKING), and the reconciler resolves it while the provider still
// hangs on new bookings.
func TestProviderThatNeverAnswers(t *testing.T) {
	for _, p := range []string{"citizenplane", "liteapi"} {
		t.Run(p, func(t *testing.T) {
			c := &clock{now: apptest.Now}
			a := apptest.New(t, func(cfg *app.Config) {
				cfg.Now, cfg.Sim.Now = c.Now, c.Now
				cfg.ProviderTimeout = 150 * time.Millisecond // checkout calls get twice that
			})
			e := &env{a: a, clock: c, ctx: context.Background()}
			o := e.offer(t, oneWay(p), from(p))
			s := e.payByCard(t, o, input(o))
			e.simKnobs(p).SetFailure("book", sim.FailTimeout)
			defer e.simKnobs(p).SetFailure("book", sim.FailNone)
			s = ok(t)(a.Checkout.Book(e.ctx, tenant, s.ID, ""))
			want(t, s, checkout.NeedsAttention)
			if s.Failure == nil || s.Failure.Code != "BOOKING_OUTCOME_UNKNOWN" {
				t.Errorf("failure = %+v", s.Failure)
			}
			if n, err := a.Checkout.Reconcile(e.ctx); err != nil || n != 1 {
				t.Fatalf("Reconcile = %d, %v", n, err)
			}
			got, _ := a.Checkout.Get(e.ctx, tenant, s.ID)
			want(t, got, checkout.Booked)
			if len(got.Bookings) != 1 || e.captured(t, got) != got.Total.Amount {
				t.Errorf("%d bookings, captured %d of %d", len(got.Bookings), e.captured(t, got), got.Total.Amount)
			}
		})
	}
}

// TestPartialBookingCapturesWhatWasBooked: of a cross-provider round trip,
// CitizenPlane fails before booking (outcome unknown) while LiteAPI books;
// the CitizenPlane hold then lapses, the reconciler learns it never booked,
// and only LiteAPI's share is captured.
func TestPartialBookingCapturesWhatWasBooked(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08"},
			func(o *search.Offer) bool {
				return o.FareType == providers.CombinedOneWays && o.Parts[0].Provider != o.Parts[1].Provider
			})
		in := input(o)
		in.PartialBooking = checkout.AllowPartial
		s := e.payByCard(t, o, in)
		e.a.Simulators["citizenplane"].SetFailure("book", sim.FailBefore)
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.NeedsAttention)
		e.a.Simulators["citizenplane"].SetFailure("book", sim.FailNone)
		e.clock.Add(4 * time.Minute) // the CitizenPlane hold lapses unbooked
		if _, err := e.a.Checkout.Reconcile(e.ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.PartiallyBooked)
		if len(got.Bookings) != 1 || got.Bookings[0].Provider != "liteapi" {
			t.Fatalf("bookings = %+v", got.Bookings)
		}
		var share int64
		for i, p := range got.Offer.Parts {
			if p.Provider == "liteapi" {
				share = got.Parts[i].Amount
			}
		}
		if c := e.captured(t, got); c != share || c >= got.Total.Amount {
			t.Errorf("captured %d; LiteAPI's share is %d of %d", c, share, got.Total.Amount)
		}
		if got.Failure == nil || got.Failure.Code != "NOT_BOOKED" {
			t.Errorf("failure = %+v", got.Failure)
		}
	})
}
