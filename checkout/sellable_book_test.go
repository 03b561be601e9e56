package checkout_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/paymentstest"
	"github.com/faregraph/faregraph/search"
)

// TestCutoffAgainBeforeBook: a session held and paid 2 hours and 10
// minutes before its flight is not booked 15 minutes later, when the
// flight is within the booking cut-off: book answers BOOKING_CLOSED, the
// session fails, the card's authorization is released and the provider
// books nothing.
func TestCutoffAgainBeforeBook(t *testing.T) {
	for _, provider := range []string{"citizenplane", "liteapi"} {
		t.Run(provider, func(t *testing.T) {
			e := newEnv(t, "")
			req := oneWay(provider)
			e.clock.now = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
			first := e.offer(t, req, from(provider))
			dep := first.Slices[0].DepartureAt()
			e.clock.now = dep.Add(-2*time.Hour - 10*time.Minute)
			o := e.offer(t, req, func(o *search.Offer) bool { return from(provider)(o) && o.Slices[0].DepartureAt().Equal(dep) })
			s := e.payByCard(t, o, input(o))
			e.clock.Add(15 * time.Minute)

			res, err := e.a.Checkout.Book(e.ctx, tenant, s.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.BookingClosed || fault.Dotted(res.UserErrors[0].Field) != "input.checkoutSessionId" {
				t.Fatalf("user errors = %+v, want BOOKING_CLOSED", res.UserErrors)
			}
			s, err = e.a.Checkout.Get(e.ctx, tenant, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			want(t, s, checkout.Failed)
			if len(s.Bookings) != 0 || s.Failure == nil || s.Failure.Code != fault.BookingClosed {
				t.Errorf("bookings %+v, failure %+v; want none and BOOKING_CLOSED", s.Bookings, s.Failure)
			}
			in, err := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID)
			if err != nil {
				t.Fatal(err)
			}
			if in.Status != payments.Canceled || in.AmountCaptured != 0 {
				t.Errorf("intent %s, captured %d; want CANCELED, nothing captured", in.Status, in.AmountCaptured)
			}
			if provider == "citizenplane" {
				if n := e.cpSim().BookingCount(); n != 0 {
					t.Errorf("CitizenPlane made %d bookings", n)
				}
			}
		})
	}
}

// TestGatewayGetsTicketedName: the customer name a payment gateway gets
// is the contact's ticketed name, never the name as typed: the sandbox
// stores it with the intent, and Stripe (a stateful fake of its API) is
// sent it when the customer is created.
func TestGatewayGetsTicketedName(t *testing.T) {
	const wantName = "ANIA DANGELO"
	in := func(o *search.Offer) checkout.CreateInput {
		in := input(o)
		in.Contact.GivenName, in.Contact.FamilyName = "  Аня ", "D’Angelo"
		return in
	}

	t.Run("sandbox", func(t *testing.T) {
		e := newEnv(t, "")
		o := e.offer(t, oneWay("liteapi"), from("liteapi"))
		s := e.payByCard(t, o, in(o))
		row, err := db.SandboxIntents{}.Get(e.ctx, e.a.DB, s.Payment.IntentID)
		if err != nil {
			t.Fatal(err)
		}
		if row.Name != wantName {
			t.Errorf("sandbox intent name %q, want %q", row.Name, wantName)
		}
	})

	t.Run("stripe", func(t *testing.T) {
		fake := paymentstest.NewStripeServer(t)
		target, _ := url.Parse(fake.URL)
		var mu sync.Mutex
		var names []string
		proxy := httputil.NewSingleHostReverseProxy(target)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/v1/customers" {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				form, _ := url.ParseQuery(string(body))
				mu.Lock()
				names = append(names, form.Get("name"))
				mu.Unlock()
			}
			proxy.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		c := &clock{now: apptest.Now}
		a := apptest.New(t, func(cfg *app.Config) {
			cfg.Now, cfg.Sim.Now = c.Now, c.Now
			cfg.Stripe = app.StripeConfig{SecretKey: "sk_test_faregraph", APIURL: srv.URL}
		})
		e := &env{a: a, clock: c, ctx: t.Context()}
		o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := ok(t)(a.Checkout.Create(e.ctx, tenant, in(o)))
		s = ok(t)(a.Checkout.Hold(e.ctx, tenant, s.ID, ""))
		s = ok(t)(a.Checkout.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
		want(t, s, checkout.PaymentPending)
		mu.Lock()
		defer mu.Unlock()
		if len(names) == 0 {
			t.Fatal("no customer was created at Stripe")
		}
		for _, n := range names {
			if n != wantName {
				t.Errorf("Stripe customer name %q, want %q", n, wantName)
			}
		}
	})
}
