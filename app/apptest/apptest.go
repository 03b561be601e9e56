// Package apptest starts whole faregraph servers for tests: on the
// built-in simulators, an SQLite file in the test's temp dir, a fixed
// clock, a fixed secret and numbered search ids, so that responses are the
// same on every run.
package apptest

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
	"github.com/faregraph/faregraph/server"
)

// Now is the fixed clock of the servers New starts, for the server and the
// simulators alike.
var Now = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

// Secret is the signing secret of the servers New starts.
const Secret = "apptest-secret-0123456789abcdef0123456789"

// New starts a server; mod may change its Config first. The server is
// closed at the end of the test.
func New(t testing.TB, mod func(*app.Config)) *app.App {
	t.Helper()
	var n atomic.Int64
	cfg := app.Config{
		DBPath:          filepath.Join(t.TempDir(), "app.db"),
		Secret:          Secret,
		ProviderTimeout: 2 * time.Second,
		Introspection:   true,
		Playground:      true,
		Development:     true,
		Now:             func() time.Time { return Now },
		NewSearchID:     func() string { return fmt.Sprintf("search%04d", n.Add(1)) },
		Sim:             app.SimConfig{Seed: 1, Now: func() time.Time { return Now }},
		// Tests send many bad requests from one address on purpose;
		// server/refusals_test.go turns the budget on.
		Refusals: server.RefusalBudget{Rate: -1},
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

// Post sends query with vars to h's /graphql as a JSON POST, with
// "Authorization: Bearer <bearer>" when bearer is not empty, and returns
// the recorded response.
func Post(h http.Handler, query string, vars map[string]any, bearer string) *httptest.ResponseRecorder {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return PostBody(h, body, bearer)
}

// PostBody sends body, as it is, to h's /graphql as a JSON POST, with
// "Authorization: Bearer <bearer>" when bearer is not empty, and returns
// the recorded response.
func PostBody(h http.Handler, body []byte, bearer string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
