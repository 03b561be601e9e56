package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/faregraph/faregraph/app"
)

// TestWebSocketRefused: a WebSocket upgrade to /graphql, which no
// transport answers, gets a coded error without data in the negotiated
// media type (it got gqlgen's "transport not supported" with "data":
// null and no code); from another origin that may not call the API, the
// refusal a preflight gets.
func TestWebSocketRefused(t *testing.T) {
	h := newTestApp(t, func(c *app.Config) { c.CORSOrigins = []string{"https://app.example"} }).Handler
	for _, tt := range []struct {
		name, method, origin, accept string
		status                       int
		code, mediaType              string
	}{
		{"GET", http.MethodGet, "", "", 400, "BAD_REQUEST", "application/json"},
		{"GET graphql-response", http.MethodGet, "", "application/graphql-response+json", 400, "BAD_REQUEST", "application/graphql-response+json"},
		{"POST", http.MethodPost, "", "", 400, "BAD_REQUEST", "application/json"},
		{"allowed origin", http.MethodGet, "https://app.example", "", 400, "BAD_REQUEST", "application/json"},
		{"same origin", http.MethodGet, "http://example.com", "", 400, "BAD_REQUEST", "application/json"},
		{"other origin", http.MethodGet, "https://evil.example", "", 403, "CORS_ORIGIN_NOT_ALLOWED", "application/json"},
		{"other origin graphql-response", http.MethodGet, "https://evil.example", "application/graphql-response+json", 403, "CORS_ORIGIN_NOT_ALLOWED", "application/graphql-response+json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://example.com/graphql", nil)
			r.Header.Set("Upgrade", "websocket")
			r.Header.Set("Connection", "Upgrade")
			r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			r.Header.Set("Sec-WebSocket-Version", "13")
			r.Header.Set("Sec-WebSocket-Protocol", "graphql-transport-ws")
			if tt.method == http.MethodPost {
				r.Header.Set("Content-Type", "application/json")
			}
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var body map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if _, ok := body["data"]; ok {
				t.Errorf("the answer has a data key: %s", rec.Body)
			}
			var errs []gqlError
			json.Unmarshal(body["errors"], &errs)
			if rec.Code != tt.status || len(errs) != 1 || errs[0].Extensions["code"] != tt.code {
				t.Fatalf("%d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.code)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.mediaType {
				t.Errorf("Content-Type %q, want %q", got, tt.mediaType)
			}
			if want := "WebSocket is not supported: use POST, GET, or server-sent events (Accept: text/event-stream) for subscriptions"; tt.status == 400 && errs[0].Message != want {
				t.Errorf("message %q, want %q", errs[0].Message, want)
			}
		})
	}
	// An upgrade a server may ignore (curl --http2 on http://) is answered.
	r := httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D", nil)
	r.Header.Set("Upgrade", "h2c")
	r.Header.Set("Connection", "Upgrade, HTTP2-Settings")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != 200 || rec.Body.String() != `{"data":{"__typename":"Query"}}`+"\n" {
		t.Errorf("h2c upgrade: %d %s", rec.Code, rec.Body)
	}
}
