package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/payments/paymentstest"
	"github.com/faregraph/faregraph/providers/sim"
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

// TestBookingShowsPassengersExtrasAndSession: a booking shows its
// travellers, the extras booked with its part and its checkout session.
func TestBookingShowsPassengersExtrasAndSession(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	offer := dig(post(t, h, flowSearch, map[string]any{"p": []string{"citizenplane"}}).Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	bag := dig(offer, "ancillaries", 0).(map[string]any)
	s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "method": "CARD",
		"ancillaries": []any{map[string]any{"ancillaryId": bag["id"], "passengerIndex": 0, "quantity": 1}}}})
	id := s["id"]
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"}})
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	r := post(t, h, `query($id: ID!) { booking(id: $id) { passengers { givenName ticketedFamilyName type } ancillaries { kind description passengerIndex quantity unitPrice { amount } }
	  checkoutSession { id status } } }`, map[string]any{"id": dig(s, "bookings", 0, "id")})
	b := dig(r.Data, "booking").(map[string]any)
	if dig(b, "passengers", 0, "givenName") != "Ana" || dig(b, "passengers", 0, "ticketedFamilyName") != "MARTIN" || dig(b, "checkoutSession", "id") != id {
		t.Errorf("booking %v %v", r.Data, r.Errors)
	}
	if dig(b, "ancillaries", 0, "kind") != bag["kind"] || dig(b, "ancillaries", 0, "quantity") != float64(1) || dig(b, "ancillaries", 0, "unitPrice", "amount") != dig(bag, "price", "amount") {
		t.Errorf("ancillaries %v, chose %v", b["ancillaries"], bag)
	}

	// A schedule change made in the simulator shows in booking.changes
	// once the sweeper has read the booking again.
	seg := dig(s, "bookings", 0, "flights", 0, "segments", 0).(map[string]any)
	dep, err := time.Parse(time.RFC3339, seg["departureAt"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Simulators["citizenplane"].ShiftSchedule(sim.FlightOf(seg["carrierCode"].(string), seg["flightNumber"].(string), dep), 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Checkout.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	r = post(t, h, `query($id: ID!) { booking(id: $id) { changes { kind detectedAt before after } } }`, map[string]any{"id": dig(s, "bookings", 0, "id")})
	if dig(r.Data, "booking", "changes", 0, "kind") != "SCHEDULE" || !strings.Contains(dig(r.Data, "booking", "changes", 0, "after").(string), dep.Add(30*time.Minute).UTC().Format(time.RFC3339)) {
		t.Errorf("changes %v %v", r.Data, r.Errors)
	}
}

// TestCancelBookingRefundsAtGr4vy: a booking paid through Gr4vy is
// refunded there, for what the provider refunded.
func TestCancelBookingRefundsAtGr4vy(t *testing.T) {
	a := newGr4vyApp(t)
	h := a.Handler
	id := openSettled(t, h, "liteapi", "MERCHANT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})
	s := mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { bookings { id total { amount } } } }`, map[string]any{"id": id})
	bk := dig(r.Data, "checkoutSession", "bookings", 0).(map[string]any)
	r = post(t, h, quoteMutation, map[string]any{"in": map[string]any{"bookingId": bk["id"]}})
	q := dig(r.Data, "cancellationQuote", "cancellation").(map[string]any)
	r = post(t, h, cancelMutation, map[string]any{"in": map[string]any{"quoteId": q["id"]}})
	c := dig(r.Data, "cancelBooking", "cancellation").(map[string]any)
	if c["status"] != "COMPLETED" || c["refundStatus"] != "SUCCEEDED" || dig(c, "refunded", "amount") != dig(bk, "total", "amount") {
		t.Fatalf("cancellation %v %v (session %v)", r.Data, r.Errors, s["status"])
	}
	tx, ok := a.Gr4vySim.TransactionOf(paymentIntentID(t, a, id))
	if !ok || tx.RefundedAmount != cents(t, dig(bk, "total", "amount").(string)) {
		t.Errorf("at the simulator: %+v", tx)
	}
}
