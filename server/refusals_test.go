package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/server"
	"github.com/faregraph/faregraph/server/hostile"
)

// sendFrom posts body to /graphql as if from remote (and through the proxies
// of xff, when set) and returns the recorded answer.
func sendFrom(h http.Handler, remote, xff string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = remote
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// TestRefusalBudget: a client that keeps sending refused requests (issue
// 7's costly inputs among them) is answered 429 once its burst is spent,
// without its requests being read, while other clients, and its own good
// requests before that, are answered as usual.
func TestRefusalBudget(t *testing.T) {
	const burst = 5
	a := newTestApp(t, func(c *app.Config) {
		c.Refusals = server.RefusalBudget{Rate: 0.001, Burst: burst, Delay: time.Millisecond,
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	})
	h := a.Handler
	good := []byte(`{"query":"{ __typename }"}`)
	bad := hostile.Bodies(0)

	// Good requests are never counted.
	for range 3 * burst {
		if rec := sendFrom(h, "198.51.100.7:4000", "", good); rec.Code != http.StatusOK {
			t.Fatalf("good request answered %d: %s", rec.Code, rec.Body)
		}
	}
	// Refused requests spend the budget: burst of them are answered as
	// themselves, then 429 with Retry-After.
	for i := range burst {
		rec := sendFrom(h, "198.51.100.7:4000", "", bad[i%len(bad)])
		if rec.Code == http.StatusTooManyRequests {
			t.Fatalf("refusal %d of a burst of %d answered 429", i+1, burst)
		}
	}
	rec := sendFrom(h, "198.51.100.7:4001", "", good)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "TOO_MANY_REQUESTS") {
		t.Fatalf("over budget: %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	// Another client is not affected.
	if rec := sendFrom(h, "203.0.113.9:4000", "", good); rec.Code != http.StatusOK {
		t.Fatalf("another client answered %d", rec.Code)
	}

	// Behind a trusted proxy, the client is the address the proxy saw;
	// an untrusted peer's X-Forwarded-For is ignored.
	for range burst {
		sendFrom(h, "10.1.2.3:80", "192.0.2.50, 10.9.9.9", []byte(`{"query":"{"}`))
	}
	if rec := sendFrom(h, "10.1.2.3:80", "192.0.2.50", good); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("the client behind the proxy answered %d after its burst", rec.Code)
	}
	if rec := sendFrom(h, "10.1.2.3:80", "192.0.2.51", good); rec.Code != http.StatusOK {
		t.Fatalf("another client behind the same proxy answered %d", rec.Code)
	}
	if rec := sendFrom(h, "198.51.100.99:80", "192.0.2.50", good); rec.Code != http.StatusOK {
		t.Fatalf("an untrusted peer was counted as the address it forwarded: %d", rec.Code)
	}
}
