package checkout_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/search"
)

// simKnobs is the control of a provider's simulator.
func (e *env) simKnobs(provider string) sim.Controller {
	return e.a.Simulators[provider]
}

// cpSim is the CitizenPlane simulator, with its own controls.
func (e *env) cpSim() *cpsim.Simulator {
	return e.a.Simulators["citizenplane"].(*cpsim.Simulator)
}

func TestIdempotentReplays(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), nil)
		in := input(o)
		in.IdempotencyKey = "create-1"
		a := ok(t)(c.Create(e.ctx, tenant, in))
		b := ok(t)(c.Create(e.ctx, tenant, in))
		if a.ID != b.ID || a.Version != b.Version {
			t.Fatalf("replay made another session: %s v%d, %s v%d", a.ID, a.Version, b.ID, b.Version)
		}
		other := in
		other.Contact.Email = "someone.else@example.com"
		res, err := c.Create(e.ctx, tenant, other)
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.IdempotencyKeyReused || fault.Dotted(res.UserErrors[0].Field) != "input.idempotencyKey" {
			t.Fatalf("same key, other input: %+v %v", res, err)
		}
		// Concurrent holds with one key hold once.
		var wg sync.WaitGroup
		results := make([]*checkout.Result, 10)
		for i := range results {
			wg.Go(func() {
				r, err := c.Hold(e.ctx, tenant, a.ID, "hold-1")
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			})
		}
		wg.Wait()
		for _, r := range results {
			if r == nil || len(r.UserErrors) > 0 || r.Session.Status != checkout.Held || r.Session.Holds[0].Hold.Ref != results[0].Session.Holds[0].Hold.Ref {
				t.Fatalf("concurrent holds with one key: %+v", r)
			}
		}
		// Another tenant's key of the same name is its own.
		res, err = c.Create(e.ctx, "other-tenant", in)
		if err == nil && len(res.UserErrors) == 0 && res.Session.ID == a.ID {
			t.Error("another tenant's replay returned this tenant's session")
		}
	})
}

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

func TestTenantIsolation(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		var ts db.Tenants
		if _, err := ts.EnsureTenant(ctx, e.a.DB, "acme", "acme", time.Now()); err != nil {
			t.Fatal(err)
		}
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), nil)
		s := ok(t)(c.Create(ctx, tenant, input(o)))
		if _, err := c.Get(ctx, "acme", s.ID); err != checkout.ErrNotFound {
			t.Errorf("another tenant reads the session: %v", err)
		}
		for name, call := range map[string]func() (*checkout.Result, error){
			"hold":   func() (*checkout.Result, error) { return c.Hold(ctx, "acme", s.ID, "") },
			"pay":    func() (*checkout.Result, error) { return c.Pay(ctx, "acme", s.ID, checkout.Card, "") },
			"book":   func() (*checkout.Result, error) { return c.Book(ctx, "acme", s.ID, "") },
			"cancel": func() (*checkout.Result, error) { return c.Cancel(ctx, "acme", s.ID, "") },
		} {
			res, err := call()
			if err != nil || res.Session != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.NotFound {
				t.Errorf("%s by another tenant: %+v %v", name, res, err)
			}
			unknown, _ := c.Hold(ctx, tenant, "cs_nope", "")
			if len(unknown.UserErrors) != 1 || unknown.UserErrors[0].Message != res.UserErrors[0].Message {
				t.Errorf("%s: another tenant's session answers differently from an unknown one", name)
			}
		}
	})
}

func TestCreditLine(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), nil)
		held := func() *checkout.Session {
			s := ok(t)(c.Create(e.ctx, tenant, input(o)))
			return ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		}
		s := held()
		res, err := c.Pay(e.ctx, tenant, s.ID, checkout.CreditLine, "")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.CreditLineUnavailable {
			t.Fatalf("without a credit line: %+v %v", res, err)
		}
		// Room for exactly two sessions.
		var ts db.Tenants
		if err := ts.SetCreditLine(e.ctx, e.a.DB, tenant, true, 2*o.Total.Amount, o.Total.Currency); err != nil {
			t.Fatal(err)
		}
		sessions := []*checkout.Session{s, held(), held(), held()}
		var wg sync.WaitGroup
		var mu sync.Mutex
		paid, refused := 0, 0
		for _, s := range sessions {
			wg.Go(func() {
				res, err := c.Pay(e.ctx, tenant, s.ID, checkout.CreditLine, "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case len(res.UserErrors) == 0 && res.Session.Status == checkout.Authorized:
					paid++
				case res.UserErrors[0].Code == fault.InsufficientCredit:
					refused++
				}
			})
		}
		wg.Wait()
		if paid != 2 || refused != 2 {
			t.Fatalf("%d paid, %d refused; want 2 and 2", paid, refused)
		}
		cl, _ := c.CreditLine(e.ctx, tenant)
		if cl.Available.Amount != 0 {
			t.Errorf("available %d, want 0", cl.Available.Amount)
		}
		// Booking one and cancelling another leaves one session's worth.
		var authorized []*checkout.Session
		for _, s := range sessions {
			if got, _ := c.Get(e.ctx, tenant, s.ID); got.Status == checkout.Authorized {
				authorized = append(authorized, got)
			}
		}
		want(t, ok(t)(c.Book(e.ctx, tenant, authorized[0].ID, "")), checkout.Booked)
		want(t, ok(t)(c.Cancel(e.ctx, tenant, authorized[1].ID, "")), checkout.Canceled)
		cl, _ = c.CreditLine(e.ctx, tenant)
		if cl.Available.Amount != o.Total.Amount {
			t.Errorf("available %d after a booking and a cancel, want %d", cl.Available.Amount, o.Total.Amount)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t, "")
	o := e.offer(t, oneWay("liteapi"), nil)
	for _, tt := range []struct {
		name  string
		mod   func(*checkout.CreateInput)
		field string
		code  fault.Code
	}{
		{"forged offer", func(in *checkout.CreateInput) { in.OfferID = "Offer.abc.def" }, "offerId", fault.OfferNotFound},
		{"no passengers", func(in *checkout.CreateInput) { in.Passengers = nil }, "passengers", fault.Required},
		{"too many adults", func(in *checkout.CreateInput) { in.Passengers = append(in.Passengers, in.Passengers[0]) }, "passengers", fault.PassengerMix},
		{"empty given name", func(in *checkout.CreateInput) { in.Passengers[0].GivenName = " " }, "passengers.0.givenName", fault.Required},
		{"long family name", func(in *checkout.CreateInput) { in.Passengers[0].FamilyName = strings.Repeat("a", 256) }, "passengers.0.familyName", fault.TooLong},
		{"digits in a name", func(in *checkout.CreateInput) { in.Passengers[0].GivenName = "R2D2" }, "passengers.0.givenName", fault.Invalid},
		{"gender", func(in *checkout.CreateInput) { in.Passengers[0].Gender = "X" }, "passengers.0.gender", fault.Invalid},
		{"adult too young", func(in *checkout.CreateInput) { in.Passengers[0].DateOfBirth = "2020-01-01" }, "passengers.0.dateOfBirth", fault.PassengerMix},
		{"born tomorrow", func(in *checkout.CreateInput) { in.Passengers[0].DateOfBirth = "2026-06-02" }, "passengers.0.dateOfBirth", fault.Invalid},
		{"bad date", func(in *checkout.CreateInput) { in.Passengers[0].DateOfBirth = "1985-02-30" }, "passengers.0.dateOfBirth", fault.Invalid},
		{"document expires before travel", func(in *checkout.CreateInput) { in.Passengers[0].DocumentExpiresOn = "2026-06-30" }, "passengers.0.document.expiresOn", fault.Invalid},
		{"document number", func(in *checkout.CreateInput) { in.Passengers[0].DocumentNumber = "AB-12" }, "passengers.0.document.number", fault.Invalid},
		{"issuing country", func(in *checkout.CreateInput) { in.Passengers[0].DocumentIssuingCountry = "XX" }, "passengers.0.document.issuingCountry", fault.Invalid},
		{"nationality lower case", func(in *checkout.CreateInput) { in.Passengers[0].Nationality = "fr" }, "passengers.0.document.nationality", fault.Invalid},
		{"passenger email", func(in *checkout.CreateInput) { in.Passengers[0].Email = "not-an-email" }, "passengers.0.email", fault.Invalid},
		{"passenger phone", func(in *checkout.CreateInput) { in.Passengers[0].PhoneNumber = "0612345678" }, "passengers.0.phoneNumber", fault.Invalid},
		{"contact email missing", func(in *checkout.CreateInput) { in.Contact.Email = "" }, "contact.email", fault.Required},
		{"contact email too long", func(in *checkout.CreateInput) { in.Contact.Email = strings.Repeat("a", 320) + "@example.com" }, "contact.email", fault.TooLong},
		{"contact phone", func(in *checkout.CreateInput) { in.Contact.PhoneNumber = "+33 6 12" }, "contact.phoneNumber", fault.Invalid},
		{"expiresIn low", func(in *checkout.CreateInput) { v := 60; in.ExpiresIn = &v }, "expiresIn", fault.OutOfRange},
		{"expiresIn zero", func(in *checkout.CreateInput) { v := 0; in.ExpiresIn = &v }, "expiresIn", fault.OutOfRange},
		{"expiresIn high", func(in *checkout.CreateInput) { v := 86401; in.ExpiresIn = &v }, "expiresIn", fault.OutOfRange},
		{"ancillary forged", func(in *checkout.CreateInput) {
			in.Ancillaries = []checkout.AncillaryChoice{{ID: "Ancillary.x.y", Quantity: 1}}
		}, "ancillaries.0.ancillaryId", fault.AncillaryNotFound},
		{"metadata key", func(in *checkout.CreateInput) { in.Metadata = map[string]string{"bad key!": "v"} }, "metadata.bad key!", fault.Invalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := input(o)
			in.Passengers = append([]providers.Traveller(nil), in.Passengers...)
			tt.mod(&in)
			res, err := e.a.Checkout.Create(e.ctx, tenant, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Session != nil {
				t.Fatalf("a session was created")
			}
			for _, ue := range res.UserErrors {
				if fault.Dotted(ue.Field) == "input."+tt.field && ue.Code == tt.code {
					return
				}
			}
			t.Errorf("user errors %+v, want %s on %s", res.UserErrors, tt.code, tt.field)
		})
	}
	t.Run("infants above adults", func(t *testing.T) {
		o := e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", Passengers: providers.Passengers{Adults: 2, Infants: 1}, Providers: []string{"liteapi"}}, nil)
		in := input(o)
		in.Passengers[1].Type, in.Passengers[1].DateOfBirth = providers.Infant, "2025-11-01"
		res, _ := e.a.Checkout.Create(e.ctx, tenant, in)
		if len(res.UserErrors) == 0 || res.UserErrors[len(res.UserErrors)-2].Code != fault.PassengerMix {
			t.Errorf("user errors %+v", res.UserErrors)
		}
	})
	t.Run("expired offer", func(t *testing.T) {
		e.clock.Add(2 * time.Hour)
		defer e.clock.Add(-2 * time.Hour)
		res, _ := e.a.Checkout.Create(e.ctx, tenant, input(o))
		if len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.OfferExpired {
			t.Errorf("user errors %+v", res.UserErrors)
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

func TestCancel(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("citizenplane"), nil)
		s := e.payByCard(t, o, input(o))
		s = ok(t)(c.Cancel(e.ctx, tenant, s.ID, "cancel-1"))
		want(t, s, checkout.Canceled)
		if s.Payment.Status != "CANCELED" {
			t.Errorf("payment after cancel: %+v", s.Payment)
		}
		again := ok(t)(c.Cancel(e.ctx, tenant, s.ID, "cancel-1"))
		want(t, again, checkout.Canceled)
		res, err := c.Book(e.ctx, tenant, s.ID, "")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.InvalidState {
			t.Errorf("booking a canceled session: %+v %v", res, err)
		}
		// A booked session cannot be canceled.
		b := e.payByCard(t, o, input(o))
		want(t, ok(t)(c.Book(e.ctx, tenant, b.ID, "")), checkout.Booked)
		res, _ = c.Cancel(e.ctx, tenant, b.ID, "")
		if len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.InvalidState || res.Session.Status != checkout.Booked {
			t.Errorf("canceling a booked session: %+v", res)
		}
	})
}
