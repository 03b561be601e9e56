package server_test

import (
	"net/http"
	"testing"

	"github.com/faregraph/faregraph/payments/paymentstest"
)

const quoteMutation = `mutation($in: CancellationQuoteInput!) { cancellationQuote(input: $in) {
  cancellation { id status cancellable refundable refund { amount currencyCode } penalty { amount } latest }
  userErrors { field code message } warnings { code } } }`

const cancelMutation = `mutation($in: CancelBookingInput!) { cancelBooking(input: $in) {
  cancellation { id status refunded { amount currencyCode } refundStatus booking { id cancellations { id } } }
  userErrors { field code message } warnings { code } } }`

// TestCancelBookingThroughGraphQL: a LiteAPI booking paid by card at
// Stripe (the fake) is quoted, canceled and refunded on the card, and
// reads CANCELED. (checkout's tests cover the other rules, CitizenPlane's
// non-refundable quote among them.)
func TestCancelBookingThroughGraphQL(t *testing.T) {
	stripe, a := stripeApp(t)
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s, intentID := cardCheckout(t, a, offerID, "cancel-flow")
	if code := paymentstest.Confirm(t, stripe, intentID, paymentstest.CardVisa); code != "" {
		t.Fatalf("confirm: %s", code)
	}
	if code := deliver(t, h, "evt_c1", stripeIntent(t, stripe, intentID), whSecret); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	bk := dig(s, "bookings", 0).(map[string]any)

	r := post(t, h, quoteMutation, map[string]any{"in": map[string]any{"bookingId": bk["id"]}})
	q := dig(r.Data, "cancellationQuote", "cancellation").(map[string]any)
	if q["status"] != "QUOTED" || q["cancellable"] != true || q["refundable"] != true || dig(q, "refund", "amount") != dig(bk, "total", "amount") || q["latest"] != true {
		t.Fatalf("quote %v %v", r.Data, r.Errors)
	}
	r = post(t, h, cancelMutation, map[string]any{"in": map[string]any{"quoteId": q["id"], "idempotencyKey": "cancel-1"}})
	c := dig(r.Data, "cancelBooking", "cancellation").(map[string]any)
	if c["status"] != "COMPLETED" || c["refundStatus"] != "SUCCEEDED" || dig(c, "refunded", "amount") != dig(bk, "total", "amount") || dig(c, "booking", "cancellations", 0, "id") != q["id"] {
		t.Fatalf("cancellation %v %v", r.Data, r.Errors)
	}
	r = post(t, h, `query($id: ID!) { booking(id: $id) { status cancellations { status } } }`, map[string]any{"id": bk["id"]})
	if dig(r.Data, "booking", "status") != "CANCELED" || dig(r.Data, "booking", "cancellations", 0, "status") != "COMPLETED" {
		t.Errorf("booking after cancellation %v %v", r.Data, r.Errors)
	}
	r = post(t, h, cancelMutation, map[string]any{"in": map[string]any{"quoteId": q["id"], "idempotencyKey": "cancel-1"}})
	if dig(r.Data, "cancelBooking", "warnings", 0, "code") != "IDEMPOTENT_REPLAY" {
		t.Errorf("replay %v", r.Data)
	}

	// An id that names no booking of the caller is a user error.
	r = post(t, h, quoteMutation, map[string]any{"in": map[string]any{"bookingId": "Qm9va2luZzpub3BlCg"}})
	if dig(r.Data, "cancellationQuote", "userErrors", 0, "code") != "NOT_FOUND" {
		t.Errorf("unknown booking %v %v", r.Data, r.Errors)
	}
}
