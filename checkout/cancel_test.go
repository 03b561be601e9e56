package checkout_test

import (
	"testing"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/fault"
)

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
