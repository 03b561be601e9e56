package checkout_test

import (
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
)

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
		// A key of another mutation is refused before anything is written
		// (pay claims its key with its first write, which is rolled back).
		res, err = c.Pay(e.ctx, tenant, a.ID, checkout.Card, "hold-1")
		if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.IdempotencyKeyReused {
			t.Fatalf("pay with the hold's key: %+v %v", res, err)
		}
		if s, err := c.Get(e.ctx, tenant, a.ID); err != nil || s.Status != checkout.Held || s.Payment != nil {
			t.Fatalf("pay with the hold's key wrote: %+v %v", s, err)
		}
		// A hold replayed once the session moved on answers as the first.
		ok(t)(c.Pay(e.ctx, tenant, a.ID, checkout.Card, "pay-1"))
		again, err := c.Hold(e.ctx, tenant, a.ID, "hold-1")
		if err != nil || len(again.Warnings) != 1 || again.Warnings[0].Code != fault.IdempotentReplay || again.Session.Status != checkout.Held || again.Session.Version != results[0].Session.Version {
			t.Fatalf("hold replayed: %+v %v", again, err)
		}
		// Another tenant's key of the same name is its own.
		res, err = c.Create(e.ctx, "other-tenant", in)
		if err == nil && len(res.UserErrors) == 0 && res.Session.ID == a.ID {
			t.Error("another tenant's replay returned this tenant's session")
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

// TestReferenceDrawnTwice: a new session whose drawn booking reference was
// handed out before is written again with another (its references are
// reserved in its own transaction, which the taken one rolls back).
func TestReferenceDrawnTwice(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), nil)
		restore := checkout.DrawReferences("TAKEN2", "TAKEN2", "FRESH3")
		defer restore()
		a := ok(t)(c.Create(e.ctx, tenant, input(o)))
		b := ok(t)(c.Create(e.ctx, tenant, input(o)))
		if a.Parts[0].Reference != "TAKEN2" || b.Parts[0].Reference != "FRESH3" {
			t.Fatalf("references %q and %q, want TAKEN2 and FRESH3", a.Parts[0].Reference, b.Parts[0].Reference)
		}
		if got, err := c.Get(e.ctx, tenant, b.ID); err != nil || got.Parts[0].Reference != "FRESH3" || got.Version != 1 {
			t.Fatalf("stored: %+v %v", got, err)
		}
	})
}
