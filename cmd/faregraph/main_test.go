package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/auth"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	c, err := loadConfig(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{":8080", "127.0.0.1:0", "[::1]:9090", "localhost:9090"} {
		if _, err := loadConfig(env(map[string]string{"FAREGRAPH_ADDR": addr, "FAREGRAPH_METRICS_ADDR": "127.0.0.1:9999"})); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if c.Addr != ":8080" || c.Env != "development" || c.App.ProviderTimeout != 5*time.Second || c.App.DBPath != "faregraph.db" || !c.App.Playground {
		t.Errorf("defaults = %+v", c)
	}
	c, err = loadConfig(env(map[string]string{
		"FAREGRAPH_SIM_LATENCY":      "citizenplane=150ms, liteapi=80ms",
		"FAREGRAPH_SIM_FAILURE_RATE": "liteapi=0.5",
		"FAREGRAPH_PROVIDER_TIMEOUT": "2s",
		"FAREGRAPH_LITEAPI_URL":      "https://api.liteapi.travel/v3.0/",
		"FAREGRAPH_SIM_FAIL":         "citizenplane.book=after, liteapi.prebook=timeout",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.App.Sim.Latency["citizenplane"] != 150*time.Millisecond || c.App.Sim.Latency["liteapi"] != 80*time.Millisecond ||
		c.App.Sim.FailureRate["liteapi"] != 0.5 || c.App.ProviderTimeout != 2*time.Second ||
		c.App.Sim.Failures["citizenplane"]["book"] != "after" || c.App.Sim.Failures["liteapi"]["prebook"] != "timeout" || c.App.Providers["liteapi"]["URL"] != "https://api.liteapi.travel/v3.0" {
		t.Errorf("parsed = %+v", c.App)
	}
	for name, e := range map[string]map[string]string{
		"bad latency":     {"FAREGRAPH_SIM_LATENCY": "liteapi=fast"},
		"bad pair":        {"FAREGRAPH_SIM_LATENCY": "liteapi"},
		"rate above 1":    {"FAREGRAPH_SIM_FAILURE_RATE": "liteapi=2"},
		"bad timeout":     {"FAREGRAPH_PROVIDER_TIMEOUT": "-1s"},
		"bad env":         {"FAREGRAPH_ENV": "staging"},
		"bad playground":  {"FAREGRAPH_PLAYGROUND": "maybe"},
		"bad seed":        {"FAREGRAPH_SIM_SEED": "x"},
		"short token":     {"FAREGRAPH_METRICS_TOKEN": "abc"},
		"same addrs":      {"FAREGRAPH_ADDR": ":9000", "FAREGRAPH_METRICS_ADDR": ":9000"},
		"addr no port":    {"FAREGRAPH_ADDR": "8080"},
		"addr big port":   {"FAREGRAPH_ADDR": ":70000"},
		"addr named port": {"FAREGRAPH_ADDR": ":http"},
		"metrics addr":    {"FAREGRAPH_METRICS_ADDR": "localhost"},
		"metrics ipv6":    {"FAREGRAPH_METRICS_ADDR": "::1:9090"},
		"otlp not a URL":  {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
		"otlp over grpc":  {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := loadConfig(env(e)); err == nil {
				t.Errorf("%v accepted", e)
			}
		})
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the real main loop with vars until the test ends, waits until
// addr answers /healthz, and returns the function that stops it as a
// SIGTERM would and returns what run returned.
func start(t *testing.T, addr string, vars map[string]string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, env(vars), io.Discard, io.Discard) }()
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(25 * time.Second):
			return errors.New("no graceful shutdown")
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return stop
			}
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("server did not come up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeAndShutDown runs the real main loop with no configuration but
// an address and a database path, waits until it answers, and stops it as
// a SIGTERM would.
func TestServeAndShutDown(t *testing.T) {
	addr := freeAddr(t)
	stop := start(t, addr, map[string]string{
		"FAREGRAPH_ADDR":    addr,
		"FAREGRAPH_DB_PATH": filepath.Join(t.TempDir(), "main.db"),
	})
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST /graphql: %v %v", resp, err)
	}
	resp.Body.Close()
	if code := status(t, "http://"+addr+"/metrics"); code != 200 {
		t.Errorf("development /metrics on the main listener = %d, want 200", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("run returned %v after shutdown", err)
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestMetricsListener serves /metrics on FAREGRAPH_METRICS_ADDR and
// expects it there and not on the main listener.
func TestMetricsListener(t *testing.T) {
	addr, maddr := freeAddr(t), freeAddr(t)
	stop := start(t, addr, map[string]string{
		"FAREGRAPH_ADDR":         addr,
		"FAREGRAPH_METRICS_ADDR": maddr,
		"FAREGRAPH_DB_PATH":      filepath.Join(t.TempDir(), "metrics.db"),
	})
	defer stop()
	if code := status(t, "http://"+addr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the main listener = %d, want 404", code)
	}
	if code := status(t, "http://"+maddr+"/metrics"); code != 200 {
		t.Errorf("/metrics on the metrics listener = %d, want 200", code)
	}
}

func TestMigrateCommand(t *testing.T) {
	if err := run(context.Background(), []string{"migrate"}, env(map[string]string{"FAREGRAPH_DB_PATH": filepath.Join(t.TempDir(), "m.db")}), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), io.Discard, io.Discard); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestAdminCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "admin.db")
	e := env(map[string]string{"FAREGRAPH_DB_PATH": path})
	cfg, _ := loadConfig(e)
	var out, notice strings.Builder
	if err := apikey(context.Background(), cfg, []string{"create", "--tenant", "acme", "--scopes", "offers:read,bookings:read"}, &out, &notice); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	if !strings.Contains(notice.String(), "SQLite file "+abs) {
		t.Errorf("apikey create did not say which database it wrote to: %q", notice.String())
	}
	key := strings.SplitN(out.String(), "\n", 2)[0]
	if !strings.HasPrefix(key, "fg_") || len(key) < 40 {
		t.Fatalf("printed key %q", key)
	}
	for _, bad := range [][]string{
		{"create", "--tenant", "acme", "--scopes", "everything"},
		{"create", "--tenant", "", "--scopes", "offers:read"},
		{"delete"},
	} {
		if err := apikey(context.Background(), cfg, bad, &out, io.Discard); err == nil {
			t.Errorf("apikey %v accepted", bad)
		}
	}
	out.Reset()
	if err := creditline(context.Background(), cfg, []string{"set", "--tenant", "acme", "--limit", "5000.00", "--currency", "EUR"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "5000.00 EUR, enabled") {
		t.Errorf("creditline printed %q", out.String())
	}
	for _, bad := range [][]string{
		{"set", "--tenant", "nobody", "--limit", "10"},
		{"set", "--tenant", "acme", "--limit", "10.123"},
		{"set", "--tenant", "acme", "--limit", "10", "--currency", "EURO"},
	} {
		if err := creditline(context.Background(), cfg, bad, &out, io.Discard); err == nil {
			t.Errorf("creditline %v accepted", bad)
		}
	}
	// The key works against a server on the same database, with its scopes.
	d, err := openDB(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := (&auth.Authenticator{DB: d}).Authenticate(context.Background(), key)
	if err != nil || p.TenantName != "acme" || !p.Has(auth.ScopeBookingsRead) || p.Has(auth.ScopeCheckoutWrite) {
		t.Errorf("Authenticate = %+v, %v", p, err)
	}
}

// TestProductionReportsEverySetting starts production with nothing set and
// with several bad values, and expects one error naming every problem.
func TestProductionReportsEverySetting(t *testing.T) {
	var stderr strings.Builder
	err := run(context.Background(), []string{"serve"}, env(map[string]string{
		"FAREGRAPH_ENV":              "production",
		"FAREGRAPH_PROVIDER_TIMEOUT": "soon",
		"FAREGRAPH_SIM_SEED":         "x",
		"FAREGRAPH_PLAYGROUND":       "maybe",
		"FAREGRAPH_ADDR":             "0.0.0.0:99999",
		"FAREGRAPH_METRICS_ADDR":     "metrics",
	}), io.Discard, &stderr)
	if err == nil {
		t.Fatal("production started with nothing configured")
	}
	for _, want := range []string{
		"FAREGRAPH_PROVIDER_TIMEOUT", "FAREGRAPH_SIM_SEED", "FAREGRAPH_PLAYGROUND",
		"FAREGRAPH_SECRET", "FAREGRAPH_CITIZENPLANE_URL", "STRIPE_SECRET_KEY",
		"FAREGRAPH_ADDR", "FAREGRAPH_METRICS_ADDR",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %s:\n%v", want, err)
		}
	}
	// Admin commands need no server settings: production without a
	// secret or a gateway may still migrate.
	if err := run(context.Background(), []string{"migrate"}, env(map[string]string{
		"FAREGRAPH_ENV": "production", "FAREGRAPH_DB_PATH": filepath.Join(t.TempDir(), "p.db"),
	}), io.Discard, io.Discard); err != nil {
		t.Errorf("migrate in production: %v", err)
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"help", "-h", "--help"} {
		var out strings.Builder
		// Help works whatever the environment holds.
		if err := run(context.Background(), []string{arg}, env(map[string]string{"FAREGRAPH_ENV": "staging"}), &out, io.Discard); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		for _, want := range []string{"apikey create", "migrate", "FAREGRAPH_ADDR", ":8080", "DATABASE_URL", "STRIPE_SECRET_KEY"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s does not mention %s:\n%s", arg, want, out.String())
			}
		}
	}
}

func TestDBLocationHidesThePassword(t *testing.T) {
	got := dbLocation(config{App: app.Config{DatabaseURL: "postgres://fg:hunter2@db.internal:5432/faregraph?sslmode=require"}})
	if strings.Contains(got, "hunter2") || !strings.Contains(got, "db.internal:5432") || !strings.Contains(got, `"faregraph"`) {
		t.Errorf("dbLocation = %q", got)
	}
}

// TestRevokedKeyIsRefusedAtOnce creates a key with the command, uses it
// against a production server on the same database, revokes it with the
// command while the server runs, and expects the very next request to be
// refused; revoking again is a no-op.
func TestRevokedKeyIsRefusedAtOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.db")
	e := env(map[string]string{"FAREGRAPH_DB_PATH": path})
	cmd := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := run(ctx, args, e, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	key := strings.SplitN(cmd("apikey", "create", "--tenant", "acme", "--scopes", "offers:read"), "\n", 2)[0]
	id, err := auth.KeyID(key)
	if err != nil {
		t.Fatal(err)
	}

	a := apptest.New(t, func(c *app.Config) {
		c.DBPath, c.Development = path, false
		c.AllowSimulators, c.AllowSandboxPayments = true, true
	})
	status := func() int {
		t.Helper()
		return apptest.Post(a.Handler, "{ __typename }", nil, key).Code
	}
	if code := status(); code != http.StatusOK {
		t.Fatalf("a fresh key answered %d", code)
	}

	list := cmd("apikey", "list")
	if !strings.Contains(list, "acme") || !strings.Contains(list, "fg_"+id) || !strings.Contains(list, "offers:read") || strings.Contains(list, key) {
		t.Errorf("apikey list:\n%s", list)
	}
	// --tenant lists one tenant's keys; unknown flags and stray arguments
	// are errors, not ignored.
	other := strings.SplitN(cmd("apikey", "create", "--tenant", "globex", "--scopes", "offers:read"), "\n", 2)[0]
	otherID, _ := auth.KeyID(other)
	if l := cmd("apikey", "list", "--tenant", "acme"); !strings.Contains(l, "fg_"+id) || strings.Contains(l, "fg_"+otherID) {
		t.Errorf("apikey list --tenant acme:\n%s", l)
	}
	for _, args := range [][]string{
		{"apikey", "list", "--tenat", "acme"}, {"apikey", "list", "acme"}, {"apikey", "create", "--tenant", "x", "extra"},
		{"apikey", "revoke", "fg_" + id, "extra"}, {"creditline", "set", "--tenant", "acme", "--limit", "10", "oops"},
	} {
		var stderr strings.Builder
		if err := run(ctx, args, e, io.Discard, &stderr); err == nil || !strings.Contains(err.Error()+stderr.String(), "usage") {
			t.Errorf("%v: %v, want an error with the usage", args, err)
		}
	}
	// A whole key revokes only when it is the key: the right id with
	// another secret is refused, and the key keeps working.
	forged := "fg_" + id + "_wrongsecret"
	err = run(ctx, []string{"apikey", "revoke", forged}, e, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not a key of this database") || strings.Contains(err.Error(), "wrongsecret") {
		t.Errorf("revoke %s: %v", forged, err)
	}
	if code := status(); code != http.StatusOK {
		t.Fatalf("after a forged revoke the key answered %d", code)
	}
	if got := cmd("apikey", "revoke", "fg_"+id); !strings.Contains(got, "revoked fg_"+id) {
		t.Errorf("apikey revoke printed %q", got)
	}
	if code := status(); code != http.StatusUnauthorized {
		t.Errorf("a revoked key answered %d, want 401", code)
	}
	if got := cmd("apikey", "revoke", key); !strings.Contains(got, "already revoked") {
		t.Errorf("revoking twice printed %q", got)
	}
	if list := cmd("apikey", "list", "--tenant", "acme"); strings.Contains(list, "  -\n") {
		t.Errorf("the revoked key is listed as not revoked:\n%s", list)
	}
	if err := run(ctx, []string{"apikey", "revoke", "fg_00000000000000ff"}, e, io.Discard, io.Discard); err == nil {
		t.Error("revoking an unknown key succeeded")
	}
	if err := run(ctx, []string{"apikey", "revoke", "not-a-key"}, e, io.Discard, io.Discard); err == nil {
		t.Error("revoking a malformed id succeeded")
	}
}

// TestTracesExported serves with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// fake collector and expects the spans of a query there, over OTLP/HTTP,
// by the time the server has shut down.
func TestTracesExported(t *testing.T) {
	got := make(chan string, 100)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Method + " " + r.URL.Path + " " + r.Header.Get("Content-Type")
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	addr := freeAddr(t)
	stop := start(t, addr, map[string]string{
		"FAREGRAPH_ADDR":              addr,
		"FAREGRAPH_DB_PATH":           filepath.Join(t.TempDir(), "traces.db"),
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL,
	})
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"query Ping { __typename }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case req := <-got:
		if req != "POST /v1/traces application/x-protobuf" {
			t.Errorf("the collector got %q", req)
		}
	default:
		t.Error("no spans reached the collector")
	}
}

// TestGr4vySettings: Gr4vy's settings under the names issue 10 gives:
// the private key read from GR4VY_PRIVATE_KEY_FILE, the ID alone meaning
// the instance's sandbox API, GR4VY_API_URL overriding it; a key file
// that cannot be read is refused naming the setting.
func TestGr4vySettings(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "private_key.pem")
	if err := os.WriteFile(keyFile, []byte("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(env(map[string]string{"FAREGRAPH_GATEWAY": "gr4vy", "GR4VY_ID": "acme", "GR4VY_PRIVATE_KEY_FILE": keyFile,
		"GR4VY_WEBHOOK_SECRET": "whsec", "GR4VY_REDIRECT_URL": "https://app.example/back"}))
	if err != nil {
		t.Fatal(err)
	}
	g := c.App.Gr4vy
	if g.ID != "acme" || g.URL != "https://api.sandbox.acme.gr4vy.app" || !strings.Contains(g.PrivateKeyPEM, "BEGIN PRIVATE KEY") ||
		g.WebhookSecret != "whsec" || g.RedirectURL != "https://app.example/back" || c.App.Gateway != "gr4vy" {
		t.Errorf("gr4vy = %+v", g)
	}
	c, err = loadConfig(env(map[string]string{"GR4VY_ID": "acme", "GR4VY_API_URL": "https://api.acme.gr4vy.app/"}))
	if err != nil || c.App.Gr4vy.URL != "https://api.acme.gr4vy.app" {
		t.Errorf("production URL: %+v %v", c.App.Gr4vy, err)
	}
	if _, err := loadConfig(env(map[string]string{"GR4VY_PRIVATE_KEY_FILE": filepath.Join(t.TempDir(), "missing.pem")})); err == nil || !strings.Contains(err.Error(), "GR4VY_PRIVATE_KEY_FILE") {
		t.Errorf("missing key file: %v", err)
	}
}
