package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/auth"
)

// subscribeOnce opens an SSE subscription with key (none: the sandbox
// tenant) and returns what the stream says first.
func subscribeOnce(t *testing.T, url, key, query string, vars map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 4096)
	var got strings.Builder
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(got.String(), "event: complete") {
		n, err := resp.Body.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF || err != nil {
			break
		}
	}
	return got.String()
}

// TestSubscriptionToAnUnknownIDIsNotFound: a subscription to an unknown
// id, a malformed one or another tenant's answers one error, NOT_FOUND
// naming its argument (extensions.field), as mutations answer such an id;
// another tenant's id answers exactly like an unknown one.
func TestSubscriptionToAnUnknownIDIsNotFound(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	srv := httptest.NewServer(h)
	defer srv.Close()
	globex, err := a.Auth.CreateKey(t.Context(), "globex", auth.AllScopes, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})
	for _, c := range []struct{ key, sub, arg, id string }{
		{"", "checkoutSessionEvents(checkoutSessionId: $id)", "checkoutSessionId", "Q2hlY2tvdXRTZXNzaW9uOm5vcGU="},
		{"", "checkoutSessionEvents(checkoutSessionId: $id)", "checkoutSessionId", "nope"},
		{globex, "checkoutSessionEvents(checkoutSessionId: $id)", "checkoutSessionId", s["id"].(string)},
		{"", "bookingEvents(bookingId: $id)", "bookingId", "Qm9va2luZzpub3Bl"},
		{"", "bookingEvents(bookingId: $id)", "bookingId", "nope"},
	} {
		got := subscribeOnce(t, srv.URL, c.key, `subscription($id: ID!) { `+c.sub+` { id type } }`, map[string]any{"id": c.id})
		if !strings.Contains(got, `"code":"NOT_FOUND"`) || !strings.Contains(got, `"field":"`+c.arg+`"`) {
			t.Errorf("%s with %q (key %v): %s", c.sub, c.id, c.key != "", got)
		}
	}
	// The query of another tenant's session answers as for an unknown id
	// (null), and so does the mutation (NOT_FOUND on its id).
	r := postAs(t, h, globex, `query($id: ID!) { checkoutSession(id: $id) { id } }`, map[string]any{"id": s["id"]})
	if len(r.Errors) != 0 || r.Data["checkoutSession"] != nil {
		t.Errorf("query of another tenant's session: %v %v", r.Data, r.Errors)
	}
}
