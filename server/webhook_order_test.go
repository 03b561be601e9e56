package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/faregraph/faregraph/payments/paymentstest"
)

// snapshot is the intent JSON raw with its status set to status, as an
// event written at an earlier moment carries it.
func snapshot(t *testing.T, raw json.RawMessage, status string) json.RawMessage {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["status"] = status
	b, _ := json.Marshal(m)
	return b
}

// permutations calls fn with every order of n items.
func permutations(n int, fn func([]int)) {
	var rec func(k int, p []int)
	rec = func(k int, p []int) {
		if k == len(p) {
			fn(append([]int(nil), p...))
			return
		}
		for i := k; i < len(p); i++ {
			p[k], p[i] = p[i], p[k]
			rec(k+1, p)
			p[k], p[i] = p[i], p[k]
		}
	}
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	rec(0, p)
}

type stripeEvent struct {
	typ  string
	body json.RawMessage
}

// TestPaymentEventsInAnyOrder (issue 9, case 3) replays every order of a
// payment's events. Each event carries the intent as it was when the
// event was written; the handler reads the intent's current state from
// the gateway and moves the session only forward, so every order ends the
// same way.
func TestPaymentEventsInAnyOrder(t *testing.T) {
	stripe, a := stripeApp(t)
	h := a.Handler
	r := post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}})
	offerID := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	n := 0
	start := func() (string, string) {
		n++
		s, intentID := cardCheckout(t, a, offerID, fmt.Sprint("order-", n))
		return s["id"].(string), intentID
	}
	read := func(id string) (status, payment string) {
		r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { status payment { status } } }`, map[string]any{"id": id})
		status, _ = dig(r.Data, "checkoutSession", "status").(string)
		payment, _ = dig(r.Data, "checkoutSession", "payment", "status").(string)
		return status, payment
	}
	ev := 0
	replay := func(events []stripeEvent, order []int) {
		for _, i := range order {
			ev++
			if code := deliverEvent(t, h, fmt.Sprint("evt_", ev), events[i].typ, events[i].body, whSecret); code != http.StatusOK {
				t.Fatalf("%s answered %d", events[i].typ, code)
			}
		}
	}

	// A card declined, then another authorized: created, payment_failed
	// and amount_capturable_updated, in every order, authorize the session.
	permutations(3, func(order []int) {
		id, pi := start()
		created := snapshot(t, stripeIntent(t, stripe, pi), "requires_payment_method")
		if code := paymentstest.Confirm(t, stripe, pi, paymentstest.CardDeclined); code == "" {
			t.Fatal("the declined card authorized")
		}
		failed := stripeIntent(t, stripe, pi)
		if code := paymentstest.Confirm(t, stripe, pi, paymentstest.CardVisa); code != "" {
			t.Fatal(code)
		}
		events := []stripeEvent{
			{"payment_intent.created", created},
			{"payment_intent.payment_failed", failed},
			{"payment_intent.amount_capturable_updated", stripeIntent(t, stripe, pi)},
		}
		replay(events, order)
		if st, pay := read(id); st != "AUTHORIZED" || pay != "AUTHORIZED" {
			t.Errorf("order %v: session %s, payment %s; want AUTHORIZED, AUTHORIZED", order, st, pay)
		}
		// Booking still works, and captures (the case the issue saw
		// refused after a late payment_failed).
		s := mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
		if s["status"] != "BOOKED" || dig(s, "payment", "status") != "CAPTURED" {
			t.Errorf("order %v: booked %v, payment %v", order, s["status"], dig(s, "payment", "status"))
		}
	})

	// After booking and capture, every order of the whole history (four
	// events) leaves the session booked and captured.
	id, pi := start()
	created := snapshot(t, stripeIntent(t, stripe, pi), "requires_payment_method")
	if code := paymentstest.Confirm(t, stripe, pi, paymentstest.CardVisa); code != "" {
		t.Fatal(code)
	}
	capturable := stripeIntent(t, stripe, pi)
	s := mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	if s["status"] != "BOOKED" {
		t.Fatalf("booked: %v", s["status"])
	}
	history := []stripeEvent{
		{"payment_intent.created", created},
		{"payment_intent.payment_failed", snapshot(t, created, "requires_payment_method")},
		{"payment_intent.amount_capturable_updated", capturable},
		{"payment_intent.succeeded", stripeIntent(t, stripe, pi)},
	}
	permutations(4, func(order []int) {
		replay(history, order)
		if st, pay := read(id); st != "BOOKED" || pay != "CAPTURED" {
			t.Errorf("order %v: session %s, payment %s; want BOOKED, CAPTURED", order, st, pay)
		}
	})

	// An event whose body says authorized, about an intent the gateway
	// has not authorized, authorizes nothing.
	id, pi = start()
	replay([]stripeEvent{{"payment_intent.amount_capturable_updated", snapshot(t, stripeIntent(t, stripe, pi), "requires_capture")}}, []int{0})
	if st, pay := read(id); st != "PAYMENT_PENDING" || pay != "REQUIRES_PAYMENT_METHOD" {
		t.Errorf("a body's word alone: session %s, payment %s", st, pay)
	}
}
