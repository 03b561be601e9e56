package checkout_test

import (
	"sync"
	"testing"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
)

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
		// Booking one and canceling another leaves one session's worth.
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
