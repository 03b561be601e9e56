package server_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/providers/sim"
)

// TestScheduleChangeReachesTheApp is issue 11's end to end: over GraphQL on
// the simulators, a LiteAPI trip is booked; the airline moves its flight in
// the simulator; the sweeper re-reads the booking and the change shows in
// booking.changes, in a signed webhook delivery to a test endpoint, and in
// a bookingEvents subscription opened over SSE before the change.
func TestScheduleChangeReachesTheApp(t *testing.T) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now = clock.Now })
	h := a.Handler
	rc := &receiver{clock: clock}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"url": hook.URL, "events": []string{"booking.schedule_changed"}}})
	if rc.secret, _ = dig(r.Data, "createWebhookEndpoint", "secret").(string); rc.secret == "" {
		t.Fatalf("create endpoint: %v %v", r.Data, r.Errors)
	}

	// Book a LiteAPI trip.
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	if s["status"] != "BOOKED" {
		t.Fatalf("booked: %v", s["status"])
	}
	bookingID := dig(s, "bookings", 0, "id").(string)
	seg := dig(s, "bookings", 0, "flights", 0, "segments", 0).(map[string]any)
	dep, err := time.Parse(time.RFC3339, seg["departureAt"].(string))
	if err != nil {
		t.Fatal(err)
	}

	// A client subscribes to the booking's events.
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close) // after the subscription's own cleanup closes its stream
	got := subscribe(t, srv.URL, `subscription($id: ID!) { bookingEvents(bookingId: $id) { id type data } }`, map[string]any{"id": bookingID})
	// The subscription sees events written after it starts (see
	// sseSeesChange).
	time.Sleep(500 * time.Millisecond)

	// The airline moves the flight 45 minutes; a day later the sweeper
	// re-reads the booking and delivers the event.
	if err := a.Simulators["liteapi"].ShiftSchedule(sim.FlightOf(seg["carrierCode"].(string), seg["flightNumber"].(string), dep), 45*time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.Advance(25 * time.Hour)
	if err := a.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Events.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}

	r = post(t, h, `query($id: ID!) { booking(id: $id) { changes { kind before after } } }`, map[string]any{"id": bookingID})
	changes, _ := dig(r.Data, "booking", "changes").([]any)
	if len(changes) != 1 || dig(changes, 0, "kind") != "SCHEDULE" || !strings.Contains(dig(changes, 0, "after").(string), dep.Add(45*time.Minute).UTC().Format(time.RFC3339)) {
		t.Fatalf("booking.changes = %v %v", changes, r.Errors)
	}

	rc.mu.Lock()
	types, bad := append([]string(nil), rc.types...), rc.bad
	rc.mu.Unlock()
	if bad != 0 || len(types) != 1 || types[0] != "booking.schedule_changed" {
		t.Errorf("webhook deliveries %v (%d failed the signature check), want one booking.schedule_changed", types, bad)
	}

	deadline := time.After(10 * time.Second)
	for {
		select {
		case data, ok := <-got:
			if !ok {
				t.Fatal("the stream ended without the event")
			}
			if strings.Contains(data, "booking.schedule_changed") {
				return
			}
		case <-deadline:
			t.Fatal("no booking.schedule_changed event on the subscription within 10 s")
		}
	}
}
