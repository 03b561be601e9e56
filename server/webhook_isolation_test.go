package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestSlowWebhookEndpointDoesNotHoldBackOthers: webhooks go out from their
// own loop (events.Run, as the server runs it), concurrently with at most
// two deliveries per endpoint, so endpoints that never answer hold back
// neither another endpoint's deliveries nor the sweep (hold renewals,
// expiries, reconciliation, pending refunds).
func TestSlowWebhookEndpointDoesNotHoldBackOthers(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	var mu sync.Mutex
	var fastAt time.Time
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if fastAt.IsZero() {
			fastAt = time.Now()
		}
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer fast.Close()

	create := func(url string) {
		r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret userErrors { field code } } }`,
			map[string]any{"in": map[string]any{"url": url, "events": []string{"*"}}})
		if s, _ := dig(r.Data, "createWebhookEndpoint", "secret").(string); s == "" {
			t.Fatalf("create endpoint: %v %v", r.Data, r.Errors)
		}
	}
	for i := 0; i < 3; i++ {
		create(fmt.Sprintf("%s/slow/%d", slow.URL, i))
	}
	create(fast.URL + "/fast")

	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	running := make(chan struct{})
	go func() { a.Events.Run(ctx); close(running) }()
	defer func() { cancel(); <-running }()
	start := time.Now()
	done := make(chan struct{})
	go func() { _ = a.Sweep(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	var got time.Time
	for deadline := start.Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		got = fastAt
		mu.Unlock()
		if !got.IsZero() || time.Now().After(deadline) {
			break
		}
	}
	if got.IsZero() || got.Sub(start) > 3*time.Second {
		t.Errorf("the fast endpoint got its checkout_session.open %v after the sweep started (zero: not within 5 s): slow endpoints hold back the others", got.Sub(start))
	}
	select {
	case <-done:
	default:
		t.Errorf("the sweep (hold renewals, expiries, reconciliation, webhooks) still runs 5 s later, blocked on a slow webhook endpoint")
	}
}
