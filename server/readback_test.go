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

// bookTrip books a trip of provider over GraphQL, paid by card, and
// returns its first booking (with flights).
func bookTrip(t *testing.T, a *app.App, provider string) map[string]any {
	t.Helper()
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{provider}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	if s["status"] != "BOOKED" {
		t.Fatalf("%s trip: %v", provider, s["status"])
	}
	b := dig(s, "bookings", 0).(map[string]any)
	b["checkoutSessionId"] = s["id"]
	return b
}

// TestScheduleChangeRecordedOnRead: the README's knob example. A schedule
// change made at the simulator (POST /sim/liteapi/flights/.../shift) is
// recorded on the next read of the booking, with no sweep: the query's
// booking.changes has it, one webhook and one subscription event tell
// it, and reading again records nothing more.
func TestScheduleChangeRecordedOnRead(t *testing.T) {
	onBothDatabases(t, scheduleChangeRecordedOnRead)
}

func scheduleChangeRecordedOnRead(t *testing.T, dbURL string) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now, c.DatabaseURL = clock.Now, dbURL })
	h := a.Handler
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc := &receiver{clock: clock}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"url": hook.URL, "events": []string{"booking.*"}}})
	if rc.secret, _ = dig(r.Data, "createWebhookEndpoint", "secret").(string); rc.secret == "" {
		t.Fatalf("create endpoint: %v %v", r.Data, r.Errors)
	}
	b := bookTrip(t, a, "liteapi")
	if _, err := a.Events.Deliver(t.Context()); err != nil { // booking.confirmed
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.types = nil
	rc.mu.Unlock()

	lines, _ := openStream(t, srv.URL, `subscription($id: ID!) { bookingEvents(bookingId: $id) { id type payload } }`, map[string]any{"id": b["id"]})
	for deadline := time.Now().Add(5 * time.Second); a.Events.Subscriptions() < 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscription never started")
		}
	}

	seg := dig(b, "flights", 0, "segments", 0).(map[string]any)
	flight := "/liteapi/flights/" + seg["carrierCode"].(string) + "/" + seg["flightNumber"].(string) + "/" + seg["departureAt"].(string)[:10]
	if code, out := simCall(t, srv.URL, "POST", flight+"/shift", `{"by": "90m"}`); code != 200 {
		t.Fatalf("shift: %d %v", code, out)
	}
	dep, _ := time.Parse(time.RFC3339, seg["departureAt"].(string))
	const q = `query($id: ID!) { booking(id: $id) { flights { segments { departureAt } } changes { kind before after
	  scheduleBefore { flight origin destination departureAt arrivalAt } scheduleAfter { flight origin departureAt } } } }`
	for read := 1; read <= 3; read++ {
		r = post(t, h, q, map[string]any{"id": b["id"]})
		changes, _ := dig(r.Data, "booking", "changes").([]any)
		if len(changes) != 1 || dig(changes, 0, "kind") != "SCHEDULE" ||
			!strings.Contains(dig(changes, 0, "after").(string), dep.Add(90*time.Minute).UTC().Format(time.RFC3339)) {
			t.Fatalf("read %d: booking.changes = %v %v", read, changes, r.Errors)
		}
	}
	// The same change, structured, in local times with their offset.
	flightNo := seg["carrierCode"].(string) + seg["flightNumber"].(string)
	wantAfter := dep.Add(90 * time.Minute).Format("2006-01-02T15:04:05-07:00")
	if before, after := dig(r.Data, "booking", "changes", 0, "scheduleBefore", 0), dig(r.Data, "booking", "changes", 0, "scheduleAfter", 0); dig(before, "flight") != flightNo ||
		dig(before, "departureAt") != seg["departureAt"] || dig(before, "origin") == nil || dig(before, "destination") == nil ||
		dig(after, "flight") != flightNo || dig(after, "departureAt") != wantAfter {
		t.Errorf("structured schedule change: before %v after %v, want %s then %s", before, after, seg["departureAt"], wantAfter)
	}
	if _, err := a.Events.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	types, bad := append([]string(nil), rc.types...), rc.bad
	rc.mu.Unlock()
	if bad != 0 || len(types) != 1 || types[0] != "booking.schedule_changed" {
		t.Errorf("webhook deliveries %v (%d bad), want one booking.schedule_changed", types, bad)
	}
	var ev streamEvent
	for ev.typ == "" {
		select {
		case l := <-lines:
			if l.data == "" {
				continue
			}
			ev = parseNext(t, l.data)
			// payload is an object, not a string of JSON.
			if !strings.Contains(l.data, `"payload":{`) || !strings.Contains(l.data, `"change":"SCHEDULE"`) || !strings.Contains(l.data, `"scheduleAfter":[{`) || !strings.Contains(l.data, `"flight":"`+flightNo+`"`) {
				t.Errorf("event payload: %s", l.data)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no event on the subscription within 10 s")
		}
	}
	if ev.typ != "booking.schedule_changed" {
		t.Fatalf("subscription: %+v", ev)
	}
	// Nothing more: a second event would come within a few polls.
	settle := time.After(time.Second)
	for {
		select {
		case l := <-lines:
			if l.data != "" {
				t.Fatalf("a second event on the subscription: %s", l.data)
			}
		case <-settle:
			return
		}
	}
}
