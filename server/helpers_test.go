package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
)

// testNow is the fixed clock of these tests.
var testNow = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

// newTestApp starts a whole server on the simulators with a fixed clock.
func newTestApp(t testing.TB, mod func(*app.Config)) *app.App {
	t.Helper()
	var n atomic.Int64
	cfg := app.Config{
		DBPath:          filepath.Join(t.TempDir(), "server.db"),
		Secret:          "server-test-secret-0123456789abcdef0123456789",
		ProviderTimeout: 2 * time.Second,
		Introspection:   true,
		Playground:      true,
		Now:             func() time.Time { return testNow },
		NewSearchID:     func() string { return fmt.Sprintf("s%04d", n.Add(1)) },
		Sim:             app.SimConfig{Seed: 1, Now: func() time.Time { return testNow }},
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Status int
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
}

func (r gqlResponse) codes() []string {
	var c []string
	for _, e := range r.Errors {
		s, _ := e.Extensions["code"].(string)
		c = append(c, s)
	}
	return c
}

func post(t testing.TB, h http.Handler, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return postRaw(t, h, body)
}

func postRaw(t testing.TB, h http.Handler, body []byte) gqlResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("response is not JSON (%d): %.300s", rec.Code, rec.Body)
	}
	out.Status = rec.Code
	return out
}

// dig walks a decoded JSON value by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}
