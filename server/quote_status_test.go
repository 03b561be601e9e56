package server_test

import (
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/providers/sim"
)

// TestStaleQuotesShowWhy: a quote never shows QUOTED once it cannot be
// confirmed: an older quote is SUPERSEDED, one past its expiry EXPIRED,
// and the quotes of a booking the airline canceled are SUPERSEDED and
// confirming one answers QUOTE_SUPERSEDED.
func TestStaleQuotesShowWhy(t *testing.T) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now = clock.Now })
	h := a.Handler
	book := func() map[string]any {
		offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
		s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
			"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
		mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
		s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
		return dig(s, "bookings", 0).(map[string]any)
	}
	quote := func(b map[string]any) string {
		r := post(t, h, `mutation($b: ID!) { cancellationQuote(input: {bookingId: $b}) { cancellation { id status } userErrors { code } } }`, map[string]any{"b": b["id"]})
		if st := dig(r.Data, "cancellationQuote", "cancellation", "status"); st != "QUOTED" {
			t.Fatalf("quote: %v %v", r.Data, r.Errors)
		}
		return dig(r.Data, "cancellationQuote", "cancellation", "id").(string)
	}
	statuses := func(b map[string]any) []any {
		r := post(t, h, `query($id: ID!) { booking(id: $id) { status cancellations { status latest } } }`, map[string]any{"id": b["id"]})
		var out []any
		for _, c := range dig(r.Data, "booking", "cancellations").([]any) {
			out = append(out, c.(map[string]any)["status"])
		}
		return out
	}

	b1, b2 := book(), book()
	quote(b1)
	q := quote(b1)
	if got := statuses(b1); len(got) != 2 || got[0] != "QUOTED" || got[1] != "SUPERSEDED" {
		t.Errorf("a newer quote and an older one: %v", got)
	}
	quote(b2)

	// The airline cancels b1; the sweeper reads it back.
	if !a.Simulators["liteapi"].(sim.BookingCanceler).CancelBooking(b1["providerReference"].(string)) {
		t.Fatal("the simulator did not cancel the booking")
	}
	clock.Advance(25 * time.Hour)
	if err := a.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The airline's cancellation (INVOLUNTARY, refunded in full) comes
	// first; the traveller's quotes can no longer be confirmed.
	if got := statuses(b1); len(got) != 3 || got[0] != "COMPLETED" || got[1] != "SUPERSEDED" || got[2] != "SUPERSEDED" {
		t.Errorf("quotes of a booking the airline canceled: %v", got)
	}
	r := post(t, h, `mutation($q: ID!) { cancelBooking(input: {quoteId: $q, idempotencyKey: "stale"}) { cancellation { status } userErrors { field code } } }`, map[string]any{"q": q})
	if dig(r.Data, "cancelBooking", "userErrors", 0, "code") != "QUOTE_SUPERSEDED" || dig(r.Data, "cancelBooking", "userErrors", 0, "field", 1) != "quoteId" {
		t.Errorf("confirming a quote of a canceled booking: %v %v", r.Data, r.Errors)
	}
	if got := statuses(b2); len(got) != 1 || got[0] != "EXPIRED" {
		t.Errorf("a quote past its expiry: %v", got)
	}
}
