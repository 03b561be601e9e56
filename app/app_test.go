package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/browser"
	"github.com/faregraph/faregraph/fx"
)

// TestPlaygroundRunsASearch loads the playground from a whole server in
// headless Chromium, runs a real search against the simulators, and sees
// offers in the result pane, with no request leaving the server.
func TestPlaygroundRunsASearch(t *testing.T) {
	browser.Require(t)
	a, err := app.New(context.Background(), app.Config{
		DBPath:        filepath.Join(t.TempDir(), "e2e.db"),
		Playground:    true,
		Introspection: true,
		Development:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()

	date := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	query := `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "` + date + `", passengers: {adults: 1}}) {
  providerResults { provider status }
  offers(first: 2) { totalCount edges { node { totalPrice { amount currencyCode } } } }
} }`
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := browser.Run(ctx, srv.URL+"/?query="+url.QueryEscape(query), `"currencyCode": "EUR"`)
	if err != nil {
		t.Fatalf("%v\nresult pane: %s\nerrors: %v", err, res.Text, res.Errors)
	}
	for _, want := range []string{`"provider": "citizenplane"`, `"provider": "liteapi"`, `"status": "OK"`, `"totalCount"`} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("result pane lacks %s:\n%s", want, res.Text)
		}
	}
	for _, u := range res.RequestedURLs {
		if !strings.HasPrefix(u, srv.URL) && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s, outside the server", u)
		}
	}
	if len(res.Errors) > 0 {
		t.Errorf("browser errors: %v", res.Errors)
	}
}

func TestDrainFailsReadiness(t *testing.T) {
	a, err := app.New(context.Background(), app.Config{DBPath: filepath.Join(t.TempDir(), "d.db"), Development: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	get := func() int {
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec.Code
	}
	if code := get(); code != 200 {
		t.Fatalf("/readyz = %d", code)
	}
	a.Drain()
	if code := get(); code != 503 {
		t.Errorf("/readyz while draining = %d, want 503", code)
	}
}

// TestMetricsAccess checks who may read GET /metrics on the main handler:
// anyone by default (development), only the token's bearer when a token is
// set, and nobody when the metrics are private (served elsewhere, or not at
// all in production without a token).
func TestMetricsAccess(t *testing.T) {
	const token = "metrics-token-0123456789"
	get := func(h http.Handler, bearer string) int {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	open := apptest.New(t, nil)
	if code := get(open.Handler, ""); code != 200 {
		t.Errorf("development /metrics = %d, want 200", code)
	}
	guarded := apptest.New(t, func(c *app.Config) { c.MetricsToken = token })
	for bearer, want := range map[string]int{"": 401, "wrong-token-0123456789": 401, token: 200} {
		if code := get(guarded.Handler, bearer); code != want {
			t.Errorf("/metrics with token %q = %d, want %d", bearer, code, want)
		}
	}
	private := apptest.New(t, func(c *app.Config) {
		c.Development, c.AllowSimulators, c.AllowSandboxPayments = false, true, true
		c.MetricsPrivate, c.MetricsToken = true, token
	})
	if code := get(private.Handler, token); code != 404 {
		t.Errorf("private /metrics on the main handler = %d, want 404", code)
	}
	if code := get(private.MetricsHandler, token); code != 200 {
		t.Errorf("App.MetricsHandler = %d, want 200", code)
	}
	// The scheme is case-insensitive (RFC 9110 §11.1); only GET and HEAD
	// are served, wherever /metrics is.
	for _, tt := range []struct {
		h             http.Handler
		method, authz string
		want          int
	}{
		{guarded.Handler, http.MethodGet, "bearer " + token, 200},
		{guarded.Handler, http.MethodGet, "BEARER  " + token, 200},
		{guarded.Handler, http.MethodGet, "Basic " + token, 401},
		{guarded.Handler, http.MethodHead, "Bearer " + token, 200},
		{guarded.Handler, http.MethodPost, "Bearer " + token, 405},
		{private.MetricsHandler, http.MethodPost, "Bearer " + token, 405},
		{private.MetricsHandler, http.MethodDelete, "bearer " + token, 405},
		{private.MetricsHandler, http.MethodHead, "bearer " + token, 200},
		{private.MetricsHandler, http.MethodPost, "", 401},
		{open.MetricsHandler, http.MethodPut, "", 405},
	} {
		req := httptest.NewRequest(tt.method, "/metrics", nil)
		if tt.authz != "" {
			req.Header.Set("Authorization", tt.authz)
		}
		rec := httptest.NewRecorder()
		tt.h.ServeHTTP(rec, req)
		if rec.Code != tt.want || tt.want == 405 && rec.Header().Get("Allow") == "" {
			t.Errorf("%s /metrics with %q = %d (Allow %q), want %d", tt.method, tt.authz, rec.Code, rec.Header().Get("Allow"), tt.want)
		}
	}
}

// TestBearerSchemeAnyCase: API keys are taken with the Bearer scheme in
// any case, as RFC 9110 §11.1 says of authentication schemes.
func TestBearerSchemeAnyCase(t *testing.T) {
	a := apptest.New(t, func(c *app.Config) {
		c.Development, c.AllowSimulators, c.AllowSandboxPayments = false, true, true
	})
	key, err := a.Auth.CreateKey(context.Background(), "acme", auth.AllScopes, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for authz, want := range map[string]int{
		"Bearer " + key: 200, "bearer " + key: 200, "BEARER " + key: 200, "bEaReR   " + key + " ": 200,
		"Basic " + key: 401, "Bearer": 401, "Bearerx " + key: 401, key: 401,
	} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", authz)
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q = %d, want %d: %s", authz, rec.Code, want, rec.Body)
		}
	}
}

// TestPlaygroundWithoutIntrospection opens the playground of servers that
// do not describe their schema: the page says why, in a notice, instead of
// a schema error and a stack trace, and queries still run.
func TestPlaygroundWithoutIntrospection(t *testing.T) {
	browser.Require(t)
	for _, tt := range []struct {
		name       string
		production bool
		notice     string // in the page
		result     string // in the result pane after running { __typename }
	}{
		{"development", false, "does not answer introspection", `"__typename": "Query"`},
		{"production", true, "This server needs an API key", `"code": "UNAUTHENTICATED"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := apptest.New(t, func(c *app.Config) {
				c.Introspection = false
				c.Development = !tt.production
				c.AllowSimulators, c.AllowSandboxPayments = true, true
			})
			srv := httptest.NewServer(a.Handler)
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			res, err := browser.Run(ctx, srv.URL+"/?query="+url.QueryEscape("{ __typename }"), tt.result)
			if err != nil {
				t.Fatalf("%v\nresult pane: %s\nerrors: %v", err, res.Text, res.Errors)
			}
			if !strings.Contains(res.PageText, tt.notice) {
				t.Errorf("the page does not say %q:\n%s", tt.notice, res.PageText)
			}
			for _, bad := range []string{"Error:", "    at ", "introspection is disabled on this server"} {
				if strings.Contains(res.PageText, bad) {
					t.Errorf("the page shows %q:\n%s", bad, res.PageText)
				}
			}
			for _, e := range res.Errors {
				// The probe's own refusal is an answer, not a page error;
				// Chromium logs a 401 as a failed load.
				if !strings.Contains(e, "401") {
					t.Errorf("browser error: %s", e)
				}
			}
		})
	}
}

// TestStaleRatesWarnAtStart: without FAREGRAPH_FX_URL, rates more than a
// week old at start are logged at WARN, naming the variable; current
// ones are not.
func TestStaleRatesWarnAtStart(t *testing.T) {
	snapshot, err := time.Parse(time.DateOnly, string(fx.Snapshot().Date))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		now  time.Time
		warn bool
	}{
		{"a week old", snapshot.Add(7*24*time.Hour + 12*time.Hour), false},
		{"eight days old", snapshot.Add(8*24*time.Hour + time.Hour), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			a, err := app.New(context.Background(), app.Config{
				DBPath: filepath.Join(t.TempDir(), "fx.db"), Development: true,
				Now: func() time.Time { return tt.now }, Logger: slog.New(slog.NewTextHandler(&buf, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			warned := strings.Contains(buf.String(), "level=WARN") && strings.Contains(buf.String(), "FAREGRAPH_FX_URL")
			if warned != tt.warn {
				t.Errorf("warned %v, want %v; log:\n%s", warned, tt.warn, buf.String())
			}
		})
	}
}
