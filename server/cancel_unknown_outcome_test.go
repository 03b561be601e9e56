package server_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/providers/sim"
)

// TestCancelWithUnknownOutcome: LiteAPI cancels the
// booking but answers 5xx; until the cancellation is settled the sweeper's
// booking refresh also sees the booking canceled. The booking must end
// CANCELED with one cancellation COMPLETED, one refund, and exactly one
// booking.canceled and one refund.succeeded event; our own cancellation is
// not an airline status change.
func TestCancelWithUnknownOutcome(t *testing.T) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now = clock.Now })
	h := a.Handler
	rc := &receiver{clock: clock}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"url": hook.URL, "events": []string{"*"}}})
	rc.secret, _ = dig(r.Data, "createWebhookEndpoint", "secret").(string)

	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	bookingID := dig(s, "bookings", 0, "id").(string)

	r = post(t, h, `mutation($b: ID!) { cancellationQuote(input: {bookingId: $b}) { cancellation { id } userErrors { code } } }`, map[string]any{"b": bookingID})
	quoteID := dig(r.Data, "cancellationQuote", "cancellation", "id").(string)
	a.Simulators["liteapi"].SetFailure("cancel", sim.FailAfter)
	r = post(t, h, `mutation($q: ID!) { cancelBooking(input: {quoteId: $q, idempotencyKey: "k"}) { cancellation { status failure } userErrors { code } } }`, map[string]any{"q": quoteID})
	t.Logf("cancelBooking with the provider failing after: %v", r.Data)
	if st := dig(r.Data, "cancelBooking", "cancellation", "status"); st != "CANCELING" || dig(r.Data, "cancelBooking", "cancellation", "failure") != nil {
		t.Errorf("a cancellation to retry: %v; want CANCELING with no failure", r.Data)
	}
	for i := 0; i < 3; i++ {
		clock.Advance(25 * time.Hour)
		if err := a.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Events.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	a.Simulators["liteapi"].SetFailure("cancel", sim.FailNone)
	for i := 0; i < 4; i++ {
		clock.Advance(2 * time.Hour)
		if err := a.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Events.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	r = post(t, h, `query($id: ID!) { booking(id: $id) { status changes { kind before after } cancellations { status failure refunded { amount } refundStatus } } }`, map[string]any{"id": bookingID})
	t.Logf("booking: %v", r.Data)
	rc.mu.Lock()
	counts := map[string]int{}
	for _, ty := range rc.types {
		counts[ty]++
	}
	rc.mu.Unlock()
	t.Logf("webhook events: %v", counts)
	if st := dig(r.Data, "booking", "cancellations", 0, "status"); st != "COMPLETED" || dig(r.Data, "booking", "cancellations", 0, "failure") != nil {
		t.Errorf("cancellation %v, want COMPLETED once the provider answers", st)
	}
	if counts["booking.canceled"] != 1 || counts["refund.succeeded"] != 1 {
		t.Errorf("booking.canceled ×%d, refund.succeeded ×%d; want 1 and 1", counts["booking.canceled"], counts["refund.succeeded"])
	}
	if ch, _ := dig(r.Data, "booking", "changes").([]any); len(ch) != 0 || counts["booking.status_changed"] != 0 {
		t.Errorf("our own cancellation recorded as an airline change: changes %v, booking.status_changed ×%d", ch, counts["booking.status_changed"])
	}
}

// TestCancelAfterTheAirlineCanceled: a booking the airline canceled
// between quote and confirmation (LiteAPI answers 409 "already
// canceled") ends COMPLETED, with no failure.
func TestCancelAfterTheAirlineCanceled(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	b := dig(s, "bookings", 0).(map[string]any)
	r := post(t, h, `mutation($b: ID!) { cancellationQuote(input: {bookingId: $b}) { cancellation { id } userErrors { code } } }`, map[string]any{"b": b["id"]})
	quoteID := dig(r.Data, "cancellationQuote", "cancellation", "id")
	if !a.Simulators["liteapi"].(sim.BookingCanceler).CancelBooking(b["providerReference"].(string)) {
		t.Fatal("the simulator did not cancel the booking")
	}
	r = post(t, h, `mutation($q: ID!) { cancelBooking(input: {quoteId: $q, idempotencyKey: "after-airline"}) { cancellation { status failure } userErrors { code } } }`, map[string]any{"q": quoteID})
	if c, _ := dig(r.Data, "cancelBooking", "cancellation").(map[string]any); c["status"] != "COMPLETED" || c["failure"] != nil {
		t.Errorf("cancel after the airline did: %v %v", r.Data, r.Errors)
	}
}
