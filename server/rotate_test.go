package server_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/providers/sim"
)

const rotateSecret = `mutation($in: RotateWebhookEndpointSecretInput!) { rotateWebhookEndpointSecret(input: $in) {
  endpoint { id } secret userErrors { field code } warnings { field code } } }`

// TestRotateWebhookEndpointSecret: the new secret is answered once (again
// only on a replay with the same idempotency key); deliveries after the
// rotation are signed with it, not with the old one.
func TestRotateWebhookEndpointSecret(t *testing.T) {
	onBothDatabases(t, rotateWebhookEndpointSecret)
}

func rotateWebhookEndpointSecret(t *testing.T, dbURL string) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now, c.DatabaseURL = clock.Now, dbURL })
	h := a.Handler
	rc := &receiver{clock: clock}
	srv := httptest.NewServer(rc)
	defer srv.Close()

	r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } secret } }`,
		map[string]any{"in": map[string]any{"url": srv.URL, "events": []string{"*"}}})
	old, _ := dig(r.Data, "createWebhookEndpoint", "secret").(string)
	id := dig(r.Data, "createWebhookEndpoint", "endpoint", "id")
	if old == "" {
		t.Fatalf("create endpoint: %v %v", r.Data, r.Errors)
	}

	r = post(t, h, rotateSecret, map[string]any{"in": map[string]any{"id": id, "idempotencyKey": "rot-1"}})
	secret, _ := dig(r.Data, "rotateWebhookEndpointSecret", "secret").(string)
	if len(r.Errors) > 0 || secret == "" || secret == old || dig(r.Data, "rotateWebhookEndpointSecret", "endpoint", "id") != id ||
		len(dig(r.Data, "rotateWebhookEndpointSecret", "warnings").([]any)) != 0 {
		t.Fatalf("rotate: %v %v", r.Data, r.Errors)
	}
	r = post(t, h, rotateSecret, map[string]any{"in": map[string]any{"id": id, "idempotencyKey": "rot-1"}})
	if dig(r.Data, "rotateWebhookEndpointSecret", "secret") != secret || dig(r.Data, "rotateWebhookEndpointSecret", "warnings", 0, "code") != "IDEMPOTENT_REPLAY" {
		t.Errorf("replayed rotate: %v %v", r.Data, r.Errors)
	}
	for name, in := range map[string]map[string]any{
		"key of another request": {"id": "we_other", "idempotencyKey": "rot-1"},
		"unknown endpoint":       {"id": "we_unknown"},
	} {
		r := post(t, h, rotateSecret, map[string]any{"in": in})
		ue := dig(r.Data, "rotateWebhookEndpointSecret", "userErrors").([]any)
		want := map[string]string{"key of another request": "IDEMPOTENCY_KEY_REUSED", "unknown endpoint": "NOT_FOUND"}[name]
		if len(ue) != 1 || dig(ue, 0, "code") != want || dig(r.Data, "rotateWebhookEndpointSecret", "secret") != nil {
			t.Errorf("%s: %v %v", name, r.Data, r.Errors)
		}
	}

	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})

	// Checked against the old secret, every delivery fails verification.
	rc.secret = old
	if _, err := a.Events.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	bad, seen := rc.bad, len(rc.seen)
	rc.bad, rc.secret = 0, secret
	rc.mu.Unlock()
	if bad == 0 || seen != 0 {
		t.Errorf("under the old secret: %d bad, %d accepted", bad, seen)
	}
	// The retries, checked against the new one, are all accepted.
	for range 6 {
		clock.Advance(10 * time.Minute)
		if _, err := a.Events.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.bad != 0 || len(rc.seen) != bad {
		t.Errorf("under the new secret: %d bad, %d accepted, want %d", rc.bad, len(rc.seen), bad)
	}
}

const deliveriesQuery = `query($id: ID!, $first: Int, $after: String) { webhookDeliveries(endpointId: $id, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { eventId type status attemptCount lastError lastStatusCode nextAttemptAt deliveredAt createdAt } } } }`

// TestWebhookDeliveries: an endpoint's deliveries with their attempts,
// last error, next attempt and delivery time, paged with first/after; an
// unknown endpoint is null, another endpoint's cursor BAD_USER_INPUT.
func TestWebhookDeliveries(t *testing.T) {
	onBothDatabases(t, webhookDeliveries)
}

func webhookDeliveries(t *testing.T, dbURL string) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now, c.DatabaseURL = clock.Now, dbURL })
	h := a.Handler
	rc := &receiver{failures: 1000, clock: clock}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } secret } }`,
		map[string]any{"in": map[string]any{"url": srv.URL, "events": []string{"*"}}})
	rc.secret, _ = dig(r.Data, "createWebhookEndpoint", "secret").(string)
	id := dig(r.Data, "createWebhookEndpoint", "endpoint", "id")

	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
	if _, err := a.Events.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	r = post(t, h, deliveriesQuery, map[string]any{"id": id, "first": 100})
	all := dig(r.Data, "webhookDeliveries", "edges").([]any)
	if len(r.Errors) > 0 || len(all) < 3 || dig(r.Data, "webhookDeliveries", "totalCount") != float64(len(all)) {
		t.Fatalf("deliveries: %+v %v", r.Errors, r.Data)
	}
	for _, e := range all {
		n := dig(e, "node").(map[string]any)
		if n["status"] != "PENDING" || n["attemptCount"] != float64(1) || n["lastError"] != "endpoint answered HTTP 503" || n["lastStatusCode"] != float64(503) || n["nextAttemptAt"] == nil || n["deliveredAt"] != nil ||
			!strings.HasPrefix(n["eventId"].(string), "evt_") || !strings.HasPrefix(n["type"].(string), "checkout_session.") {
			t.Errorf("after a failed attempt: %v", n)
		}
	}

	// Paged one at a time, the same list.
	var after any
	for i := range all {
		r := post(t, h, deliveriesQuery, map[string]any{"id": id, "first": 1, "after": after})
		edges := dig(r.Data, "webhookDeliveries", "edges").([]any)
		if len(edges) != 1 || dig(edges, 0, "node", "eventId") != dig(all[i], "node", "eventId") ||
			dig(r.Data, "webhookDeliveries", "pageInfo", "hasNextPage") != (i < len(all)-1) {
			t.Fatalf("page %d: %+v %v", i, r.Errors, r.Data)
		}
		after = dig(r.Data, "webhookDeliveries", "pageInfo", "endCursor")
	}

	rc.mu.Lock()
	rc.failures = 0
	rc.mu.Unlock()
	clock.Advance(10 * time.Minute)
	if _, err := a.Events.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	r = post(t, h, deliveriesQuery, map[string]any{"id": id})
	for _, e := range dig(r.Data, "webhookDeliveries", "edges").([]any) {
		n := dig(e, "node").(map[string]any)
		if n["status"] != "DELIVERED" || n["attemptCount"] != float64(2) || n["lastError"] != nil || n["lastStatusCode"] != float64(200) || n["nextAttemptAt"] != nil || n["deliveredAt"] == nil {
			t.Errorf("after delivery: %v", n)
		}
	}

	// A replay that fails: a new round, with nothing of the delivered one
	// (deliveredAt, lastStatusCode 200) left over.
	rc.mu.Lock()
	rc.failures = 1000
	rc.mu.Unlock()
	replayed := dig(all[0], "node", "eventId")
	r = post(t, h, `mutation($in: ReplayWebhookEventInput!) { replayWebhookEvent(input: $in) { id } }`, map[string]any{"in": map[string]any{"eventId": replayed}})
	if dig(r.Data, "replayWebhookEvent", "id") != replayed {
		t.Fatalf("replay: %v %v", r.Data, r.Errors)
	}
	replayNode := func() map[string]any {
		for _, e := range dig(post(t, h, deliveriesQuery, map[string]any{"id": id}).Data, "webhookDeliveries", "edges").([]any) {
			if n := dig(e, "node").(map[string]any); n["eventId"] == replayed {
				return n
			}
		}
		t.Fatalf("no delivery of %v", replayed)
		return nil
	}
	if n := replayNode(); n["status"] != "PENDING" || n["attemptCount"] != float64(0) || n["lastError"] != nil || n["lastStatusCode"] != nil || n["nextAttemptAt"] == nil || n["deliveredAt"] != nil {
		t.Errorf("replayed, before its attempt: %v", n)
	}
	if _, err := a.Events.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := replayNode(); n["status"] != "PENDING" || n["attemptCount"] != float64(1) || n["lastError"] != "endpoint answered HTTP 503" || n["lastStatusCode"] != float64(503) || n["nextAttemptAt"] == nil || n["deliveredAt"] != nil {
		t.Errorf("replayed, after a failed attempt: %v", n)
	}

	r = post(t, h, deliveriesQuery, map[string]any{"id": "we_unknown"})
	if len(r.Errors) > 0 || dig(r.Data, "webhookDeliveries") != nil {
		t.Errorf("unknown endpoint: %+v %v", r.Errors, r.Data)
	}
	r = post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } } }`,
		map[string]any{"in": map[string]any{"url": srv.URL + "/other", "events": []string{"*"}}})
	other := dig(r.Data, "createWebhookEndpoint", "endpoint", "id")
	r = post(t, h, deliveriesQuery, map[string]any{"id": other, "first": 1, "after": dig(all[0], "cursor")})
	if len(r.Errors) == 0 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "after" {
		t.Errorf("another endpoint's cursor: %+v", r.Errors)
	}
}

// onBothDatabases runs test on SQLite, and on Postgres when
// FAREGRAPH_TEST_DATABASE_URL is set.
func onBothDatabases(t *testing.T, test func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, "") })
	t.Run("postgres", func(t *testing.T) { test(t, dbtest.PostgresURL(t)) })
}
