package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/events"
	"github.com/faregraph/faregraph/providers/sim"
)

// receiver is a webhook endpoint that fails the first failures deliveries
// and keeps the ones it accepted, each with its signature checked.
type receiver struct {
	mu       sync.Mutex
	failures int
	secret   string
	clock    *sim.Clock
	seen     []string // event ids accepted
	types    []string
	bad      int // deliveries whose signature did not verify
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.failures > 0 {
		rc.failures--
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if err := events.Verify(rc.secret, r.Header.Get(events.SignatureHeader), body, rc.clock.Now(), 5*time.Minute); err != nil {
		rc.bad++
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var ev struct{ ID, Type string }
	_ = json.Unmarshal(body, &ev)
	if ev.ID != r.Header.Get(events.EventIDHeader) {
		rc.bad++
	}
	rc.seen = append(rc.seen, ev.ID)
	rc.types = append(rc.types, ev.Type)
}

// TestWebhooksSignedAtLeastOnceAndReplayed: an endpoint that fails three
// times then succeeds gets each event once, signed; a replay sends it
// again with the same id; a deleted endpoint gets nothing more.
func TestWebhooksSignedAtLeastOnceAndReplayed(t *testing.T) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now = clock.Now })
	h := a.Handler
	rc := &receiver{failures: 3, clock: clock}
	srv := httptest.NewServer(rc)
	defer srv.Close()

	r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id url events } secret userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"url": srv.URL, "events": []string{"checkout_session.*", "booking.confirmed"}}})
	secret, _ := dig(r.Data, "createWebhookEndpoint", "secret").(string)
	if secret == "" {
		t.Fatalf("create endpoint: %v %v", r.Data, r.Errors)
	}
	rc.secret = secret
	r = post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"url": "ftp://example.com", "events": []string{"nope"}}})
	if ue := dig(r.Data, "createWebhookEndpoint", "userErrors").([]any); len(ue) != 2 {
		t.Errorf("bad endpoint: %v", ue)
	}

	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
	mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})

	for range 12 {
		if _, err := a.Events.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute)
	}
	rc.mu.Lock()
	seen, types, bad := append([]string(nil), rc.seen...), append([]string(nil), rc.types...), rc.bad
	rc.mu.Unlock()
	if bad != 0 {
		t.Errorf("%d deliveries failed the signature check", bad)
	}
	count := map[string]int{}
	for _, id := range seen {
		count[id]++
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
	for _, want := range []string{"checkout_session.held", "checkout_session.authorized", "checkout_session.booked", "booking.confirmed"} {
		if !contains(types, want) {
			t.Errorf("no %s among %v", want, types)
		}
	}

	// A replay sends the event again with its id.
	first := seen[0]
	r = post(t, h, `mutation($in: ReplayWebhookEventInput!) { replayWebhookEvent(input: $in) { id userErrors { code } } }`, map[string]any{"in": map[string]any{"eventId": first}})
	if dig(r.Data, "replayWebhookEvent", "id") != first {
		t.Fatalf("replay %v %v", r.Data, r.Errors)
	}
	if _, err := a.Events.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	if last := rc.seen[len(rc.seen)-1]; last != first || len(rc.seen) != len(seen)+1 {
		t.Errorf("after the replay the receiver saw %v", rc.seen[len(seen):])
	}
	rc.mu.Unlock()

	r = post(t, h, `{ webhookEndpoints { id } }`, nil)
	id := dig(r.Data, "webhookEndpoints", 0, "id")
	r = post(t, h, `mutation($in: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": id}})
	if dig(r.Data, "deleteWebhookEndpoint", "id") != id {
		t.Errorf("delete %v", r.Data)
	}
	if r = post(t, h, `{ webhookEndpoints { id } }`, nil); len(dig(r.Data, "webhookEndpoints").([]any)) != 0 {
		t.Errorf("endpoints after delete %v", r.Data)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSubscriptionOverSSE: a client subscribed over SSE to a checkout
// session receives the events of a change made by another request.
func TestSubscriptionOverSSE(t *testing.T) {
	a := newTestApp(t, nil)
	sseSeesChange(t, a, a)
}

// TestSubscriptionAcrossReplicas: two servers on one Postgres database; a
// subscription opened on one sees a change made through the other.
func TestSubscriptionAcrossReplicas(t *testing.T) {
	url := dbtest.PostgresURL(t)
	one := newTestApp(t, func(c *app.Config) { c.DatabaseURL = url })
	other := newTestApp(t, func(c *app.Config) { c.DatabaseURL = url })
	sseSeesChange(t, one, other)
}

// subscribe opens a subscription over SSE at the server of url and returns
// the data of its events as they arrive; the channel closes with the
// stream.
func subscribe(t *testing.T, url, query string, vars map[string]any) <-chan string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("subscribe: HTTP %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	got := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				got <- data
			}
		}
		close(got)
	}()
	return got
}

// sseSeesChange subscribes on a to a session's events and holds the
// session through b.
func sseSeesChange(t *testing.T, a, b *app.App) {
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close) // after the subscription's own cleanup closes its stream
	h := b.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})

	got := subscribe(t, srv.URL, `subscription($id: ID!) { checkoutSessionEvents(checkoutSessionId: $id) { id type data } }`, map[string]any{"id": s["id"]})
	// The transport answers its headers before the resolver starts the
	// subscription (from the events written after that): give it a moment.
	time.Sleep(500 * time.Millisecond)
	// Another request changes the session.
	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	deadline := time.After(10 * time.Second)
	for {
		select {
		case data, ok := <-got:
			if !ok {
				t.Fatal("the stream ended without the event")
			}
			if strings.Contains(data, "checkout_session.held") && strings.Contains(data, s["id"].(string)) {
				return
			}
		case <-deadline:
			t.Fatal("no checkout_session.held event within 10 s")
		}
	}
}

// TestSubscriptionWokenByNotify: on Postgres a subscription is woken by
// the NOTIFY sent in the transaction of each event, from another replica:
// the subscriber's polls are an hour apart (both the fallback and the one
// used while not listening), so every event it streams after the first
// can only have come through a notification. It asserts which events
// arrive and in what order, not how fast.
func TestSubscriptionWokenByNotify(t *testing.T) {
	url := dbtest.PostgresURL(t)
	one := newTestApp(t, func(c *app.Config) {
		c.DatabaseURL, c.EventPollInterval, c.EventFallbackPollInterval = url, time.Hour, time.Hour
	})
	other := newTestApp(t, func(c *app.Config) { c.DatabaseURL = url })
	srv := httptest.NewServer(one.Handler)
	t.Cleanup(srv.Close)
	h := other.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})
	got := subscribe(t, srv.URL, `subscription($id: ID!) { checkoutSessionEvents(checkoutSessionId: $id) { id type } }`, map[string]any{"id": s["id"]})
	for deadline := time.Now().Add(10 * time.Second); !one.Events.Listening(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscriber's replica is not listening for notifications")
		}
	}
	next := func(want string) {
		t.Helper()
		select {
		case data, ok := <-got:
			if !ok {
				t.Fatalf("the stream ended before %s", want)
			}
			if !strings.Contains(data, `"type":"`+want+`"`) {
				t.Fatalf("got %s, want the next event to be %s", data, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s event (the subscriber polls hourly: it was not woken)", want)
		}
	}
	// Each change is made only once the previous event arrived, so no
	// catch-up read (when LISTEN is established) can account for it.
	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	next("checkout_session.held")
	mutate(t, h, "", "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "method": "CARD"}})
	next("checkout_session.payment_pending")
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
	next("checkout_session.authorized")
}

// TestWebhooksDeliveredOnNotify: on Postgres, Events.Run on one replica
// delivers an event written through another as soon as its notification
// arrives; its fallback poll is an hour apart and nothing sweeps.
func TestWebhooksDeliveredOnNotify(t *testing.T) {
	url := dbtest.PostgresURL(t)
	one := newTestApp(t, func(c *app.Config) { c.DatabaseURL, c.EventFallbackPollInterval = url, time.Hour })
	other := newTestApp(t, func(c *app.Config) { c.DatabaseURL = url })
	h := other.Handler
	rc := &receiver{clock: sim.NewClock(apptest.Now)}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"url": srv.URL, "events": []string{"checkout_session.*"}}})
	rc.secret, _ = dig(r.Data, "createWebhookEndpoint", "secret").(string)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { one.Events.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(10 * time.Second); !one.Events.Listening(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the delivering replica is not listening for notifications")
		}
	}
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})
	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rc.mu.Lock()
		types, bad := append([]string(nil), rc.types...), rc.bad
		rc.mu.Unlock()
		if bad != 0 {
			t.Fatalf("%d deliveries failed the signature check", bad)
		}
		if contains(types, "checkout_session.held") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkout_session.held delivered (fallback poll hourly, no sweep): got %v", types)
		}
	}
}
