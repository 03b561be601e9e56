package checkout_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/search"
)

// clock is a controllable clock shared by the server and the simulators.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	a     *app.App
	clock *clock
	ctx   context.Context
}

const tenant = "sandbox"

// dialects runs fn against a whole server on SQLite and on Postgres.
func dialects(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t, "")) })
	t.Run("postgres", func(t *testing.T) { fn(t, newEnv(t, dbtest.PostgresURL(t))) })
}

func newEnv(t *testing.T, url string) *env {
	c := &clock{now: apptest.Now}
	a := apptest.New(t, func(cfg *app.Config) {
		cfg.DatabaseURL = url
		cfg.Now = c.Now
		cfg.Sim.Now = c.Now
		cfg.Development = true
	})
	return &env{a: a, clock: c, ctx: context.Background()}
}

// offer searches and returns the first offer matching keep.
func (e *env) offer(t *testing.T, req search.Request, keep func(*search.Offer) bool) *search.Offer {
	t.Helper()
	if req.Passengers.Adults == 0 {
		req.Passengers.Adults = 1
	}
	res, err := e.a.Search.Search(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Offers {
		if keep == nil || keep(o) {
			return o
		}
	}
	t.Fatalf("no offer among %d matches", len(res.Offers))
	return nil
}

func oneWay(provider string) search.Request {
	return search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", Providers: []string{provider}}
}

func from(provider string) func(*search.Offer) bool {
	return func(o *search.Offer) bool { return o.Parts[0].Provider == provider }
}

func travellers(p providers.Passengers) []providers.Traveller {
	var out []providers.Traveller
	add := func(typ providers.PassengerType, n int, dob string) {
		for i := range n {
			out = append(out, providers.Traveller{Type: typ, GivenName: "Ana", FamilyName: familyNames[len(out)%len(familyNames)], Gender: "FEMALE",
				DateOfBirth: providers.Date(dob), DocumentNumber: "P" + strconv.Itoa(1000000+len(out)+i), DocumentExpiresOn: "2031-01-01",
				DocumentIssuingCountry: "FR", Nationality: "FR"})
		}
	}
	add(providers.Adult, p.Adults, "1985-03-02")
	add(providers.Child, p.Children, "2018-05-05")
	add(providers.Infant, p.Infants, "2025-11-01")
	return out
}

var familyNames = []string{"Martin", "Dupont", "García", "O'Neil", "Lefèvre", "Nakamura-Smith", "Rossi", "Müller", "Da Silva"}

var contact = providers.Contact{GivenName: "Ana", FamilyName: "Martin", Email: "ana.martin@example.com", PhoneNumber: "+33612345678"}

func input(o *search.Offer) checkout.CreateInput {
	return checkout.CreateInput{OfferID: o.ID, Passengers: travellers(o.Parts[0].Passengers), Contact: contact}
}

// ok checks a mutation's result: ok(t)(c.Hold(...)) is the session.
func ok(t *testing.T) func(*checkout.Result, error) *checkout.Session {
	return func(res *checkout.Result, err error) *checkout.Session {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if len(res.UserErrors) > 0 {
			t.Fatalf("user errors: %+v", res.UserErrors)
		}
		return res.Session
	}
}

func want(t *testing.T, s *checkout.Session, st checkout.Status) {
	t.Helper()
	if s == nil || s.Status != st {
		var got any = s
		if s != nil {
			got = s.Status
		}
		t.Fatalf("status = %v, want %s", got, st)
	}
}

// payByCard creates, holds, pays by card and confirms a session of o.
func (e *env) payByCard(t *testing.T, o *search.Offer, in checkout.CreateInput) *checkout.Session {
	t.Helper()
	c := e.a.Checkout
	s := ok(t)(c.Create(e.ctx, tenant, in))
	want(t, s, checkout.Open)
	s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
	want(t, s, checkout.Held)
	s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
	want(t, s, checkout.PaymentPending)
	if s.Payment.ClientSecret == "" || s.Payment.CustomerID == "" || s.Payment.EphemeralKey == "" {
		t.Errorf("payment lacks SDK fields: %+v", s.Payment)
	}
	s = ok(t)(c.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242"))
	want(t, s, checkout.Authorized)
	return s
}

func (e *env) captured(t *testing.T, s *checkout.Session) int64 {
	t.Helper()
	in, err := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID)
	if err != nil {
		t.Fatal(err)
	}
	return in.AmountCaptured
}

func TestHappyPaths(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		for _, p := range []string{"citizenplane", "liteapi"} {
			t.Run(p, func(t *testing.T) {
				o := e.offer(t, oneWay(p), from(p))
				s := e.payByCard(t, o, input(o))
				s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
				want(t, s, checkout.Booked)
				if len(s.Bookings) != 1 || len(s.Bookings[0].Reference) != 6 || s.Bookings[0].ProviderReference == "" || s.Bookings[0].GroupIdentifier != s.GroupIdentifier {
					t.Fatalf("bookings = %+v", s.Bookings)
				}
				if got := e.captured(t, s); got != s.Total.Amount {
					t.Errorf("captured %d, total %d", got, s.Total.Amount)
				}
				evs, err := e.a.Checkout.Events(e.ctx, tenant, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				var path []checkout.Status
				for _, ev := range evs {
					if len(path) == 0 || path[len(path)-1] != ev.To {
						path = append(path, ev.To)
					}
				}
				wantPath := []checkout.Status{checkout.Open, checkout.Held, checkout.PaymentPending, checkout.Authorized, checkout.Booking, checkout.Booked}
				if len(path) != len(wantPath) {
					t.Fatalf("history %v, want %v", path, wantPath)
				}
				for i := range path {
					if path[i] != wantPath[i] {
						t.Fatalf("history %v, want %v", path, wantPath)
					}
				}
			})
		}
	})
}

func TestCrossProviderRoundTrip(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08"},
			func(o *search.Offer) bool {
				return o.FareType == providers.CombinedOneWays && o.Parts[0].Provider != o.Parts[1].Provider
			})
		s := e.payByCard(t, o, input(o))
		if s.HoldExpiresAt == nil || len(s.Holds) != 2 {
			t.Fatalf("holds = %+v", s.Holds)
		}
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.Booked)
		if len(s.Bookings) != 2 || s.Bookings[0].Provider == s.Bookings[1].Provider {
			t.Fatalf("bookings = %+v", s.Bookings)
		}
		if got := e.captured(t, s); got != s.Total.Amount {
			t.Errorf("captured %d of %d", got, s.Total.Amount)
		}
	})
}

func TestDeclineThenAnotherCard(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), nil)
		s := ok(t)(c.Create(e.ctx, tenant, input(o)))
		ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
		for _, card := range []string{"4000000000000002", "4000000000009995"} {
			res, err := c.ConfirmSandboxPayment(e.ctx, tenant, s.ID, card)
			if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.CardDeclined {
				t.Fatalf("%s: %+v %v", card, res, err)
			}
			want(t, res.Session, checkout.PaymentPending)
			if res.Session.Payment.Status != payments.Failed || res.Session.Payment.FailureCode == "" {
				t.Errorf("payment after decline = %+v", res.Session.Payment)
			}
		}
		res, err := c.Book(e.ctx, tenant, s.ID, "")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.InvalidState {
			t.Fatalf("book before authorization: %+v %v", res, err)
		}
		s = ok(t)(c.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242"))
		want(t, s, checkout.Authorized)
		if s.Payment.Card == nil || s.Payment.Card.Last4 != "4242" || s.Payment.Card.Scheme == "" {
			t.Errorf("card summary = %+v", s.Payment.Card)
		}
	})
}

func TestHoldExpiry(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("citizenplane"), nil)
		s := ok(t)(c.Create(e.ctx, tenant, input(o)))
		s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		if s.HoldExpiresAt == nil || !s.HoldExpiresAt.Equal(e.clock.Now().Add(3*time.Minute)) {
			t.Fatalf("holdExpiresAt = %v, want now + 3 minutes", s.HoldExpiresAt)
		}
		// A lapsed hold does not end the session (the sweeper renews holds;
		// booking holds again): only the session's own expiry does.
		e.clock.Add(4 * time.Minute)
		s, err := c.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, s, checkout.Held)
		e.clock.Add(time.Hour)
		if s, err = c.Get(e.ctx, tenant, s.ID); err != nil {
			t.Fatal(err)
		}
		want(t, s, checkout.Expired)
		res, err := c.Pay(e.ctx, tenant, s.ID, checkout.Card, "")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.SessionExpired {
			t.Errorf("paying an expired session: %+v %v", res, err)
		}
	})
}

func TestLapsedHoldRenewedAtBooking(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.offer(t, oneWay("citizenplane"), nil)
		s := e.payByCard(t, o, input(o))
		first := s.Holds[0].Hold.Ref
		e.clock.Add(4 * time.Minute) // the 3-minute CitizenPlane hold lapses
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.Booked)
		if s.Holds[0].Hold.Ref == first {
			t.Errorf("hold not renewed: %s", first)
		}
		if got := e.captured(t, s); got != s.Total.Amount {
			t.Errorf("captured %d of %d", got, s.Total.Amount)
		}
	})
}

func TestConcurrentBookingsBookOnce(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08"},
			func(o *search.Offer) bool { return len(o.Parts) == 2 })
		s := e.payByCard(t, o, input(o))
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, err := e.a.Checkout.Book(e.ctx, tenant, s.ID, ""); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, err := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Booked)
		if len(got.Bookings) != 2 {
			t.Fatalf("%d bookings for 2 parts", len(got.Bookings))
		}
		if c := e.captured(t, got); c != got.Total.Amount {
			t.Errorf("captured %d of %d", c, got.Total.Amount)
		}
		evs, err := e.a.Checkout.Events(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, ev := range evs {
			n[ev.Name]++
		}
		if n["booking_started"] != 1 || n["booked"] != 1 {
			t.Errorf("%d booking_started and %d booked events, want 1 of each: %+v", n["booking_started"], n["booked"], evs)
		}
	})
}

func TestConcurrentHoldsNeverOversell(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.offer(t, oneWay("citizenplane"), nil)
		if o.SeatsAvailable < 10 {
			t.Skipf("flight has %d seats", o.SeatsAvailable)
		}
		seg := o.Slices[0].Segments[0]
		if err := e.simKnobs("citizenplane").SetSeats(sim.FlightOf(seg.CarrierCode, seg.FlightNumber, seg.DepartureAt), 10); err != nil {
			t.Fatal(err)
		}
		c := e.a.Checkout
		var ids []string
		for range 50 {
			// Created before the seats go, so every session passes the re-check.
			ids = append(ids, ok(t)(c.Create(e.ctx, tenant, input(o))).ID)
		}
		var mu sync.Mutex
		held, soldOut := 0, 0
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() {
				res, err := c.Hold(e.ctx, tenant, id, "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case len(res.UserErrors) == 0 && res.Session.Status == checkout.Held:
					held++
				case len(res.UserErrors) > 0 && res.UserErrors[0].Code == fault.SoldOut:
					soldOut++
				default:
					t.Errorf("hold: %+v", res.UserErrors)
				}
			})
		}
		wg.Wait()
		if held != 10 || soldOut != 40 {
			t.Errorf("%d held and %d sold out of 50 on 10 seats", held, soldOut)
		}
	})
}

// simKnobs is the failure switch of a provider's simulator.
func (e *env) simKnobs(provider string) sim.Controller {
	return e.a.Simulators[provider]
}

// cpSim is the CitizenPlane simulator, with its own controls.
func (e *env) cpSim() *cpsim.Simulator {
	return e.a.Simulators["citizenplane"].(*cpsim.Simulator)
}
