package server_test

import (
	"testing"

	"github.com/faregraph/faregraph/events"
)

// TestWildcardEndpointDuplicate: the tester's input over GraphQL: an
// endpoint for ["*"], then one at the same URL listing every event type,
// is DUPLICATE on input.url (the expanded sets are compared, not the
// words).
func TestWildcardEndpointDuplicate(t *testing.T) {
	a := newTestApp(t, nil)
	const m = `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } userErrors { field code message } } }`
	r := post(t, a.Handler, m, map[string]any{"in": map[string]any{"url": "https://hooks.example.com/faregraph", "events": []string{"*"}}})
	id, _ := dig(r.Data, "createWebhookEndpoint", "endpoint", "id").(string)
	if id == "" {
		t.Fatalf("[*]: %v %v", r.Data, r.Errors)
	}
	r = post(t, a.Handler, m, map[string]any{"in": map[string]any{"url": "https://hooks.example.com/faregraph", "events": events.Types}})
	ue := dig(r.Data, "createWebhookEndpoint", "userErrors", 0)
	if dig(ue, "code") != "DUPLICATE" || dig(ue, "field", 1) != "url" || dig(r.Data, "createWebhookEndpoint", "endpoint") != nil {
		t.Errorf("every type listed next to [*]: %v %v", r.Data, r.Errors)
	}
}
