package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/server"
)

// config is the process configuration, read from the environment once.
type config struct {
	Addr string
	Env  string
	// MetricsAddr, when set, is the listen address of GET /metrics, which
	// is then not served on Addr.
	MetricsAddr string
	// OTLPEndpoint, when set, turns tracing on: spans go there over OTLP.
	OTLPEndpoint string
	// SimAddr is where "faregraph simulators" listens.
	SimAddr string
	// SimAdminAddr, test only, is where "faregraph simulators" serves
	// the simulators' booking counts; unset serves none.
	SimAdminAddr string
	// SweepInterval is how often the server sweeps (expiry, hold renewal,
	// payment release, reconciliation, booking refresh).
	SweepInterval time.Duration
	App           app.Config
}

// loadConfig reads the environment through getenv. It reports every
// setting it cannot read at once, joined with errors.Join; what a server
// needs on top (see app.Config.Validate) is checked by serve.
func loadConfig(getenv func(string) string) (config, error) {
	var errs []error
	bad := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	c := config{
		Addr: or(getenv("FAREGRAPH_ADDR"), ":8080"),
		Env:  or(getenv("FAREGRAPH_ENV"), "development"),
	}
	bad(listenAddr("FAREGRAPH_ADDR", c.Addr))
	if c.Env != "development" && c.Env != "production" {
		bad(fmt.Errorf("FAREGRAPH_ENV must be development or production, got %q", c.Env))
	}
	a := &c.App
	a.DatabaseURL = getenv("DATABASE_URL")
	a.DBPath = or(getenv("FAREGRAPH_DB_PATH"), "faregraph.db")
	a.Secret = getenv("FAREGRAPH_SECRET")
	var err error
	a.ProviderTimeout, err = duration(getenv, "FAREGRAPH_PROVIDER_TIMEOUT", 5*time.Second)
	bad(err)
	a.RequestTimeout, err = duration(getenv, "FAREGRAPH_REQUEST_TIMEOUT", server.DefaultRequestTimeout)
	bad(err)
	a.FXURL = getenv("FAREGRAPH_FX_URL")
	a.FXRefresh, err = duration(getenv, "FAREGRAPH_FX_REFRESH", 6*time.Hour)
	bad(err)
	c.SimAddr = or(getenv("FAREGRAPH_SIM_ADDR"), "127.0.0.1:8090")
	c.SimAdminAddr = getenv("FAREGRAPH_SIM_ADMIN_ADDR")
	c.SweepInterval, err = duration(getenv, "FAREGRAPH_SWEEP_INTERVAL", 10*time.Second)
	bad(err)
	a.CheckoutLease, err = duration(getenv, "FAREGRAPH_CHECKOUT_LEASE", 10*time.Second)
	bad(err)
	a.CheckoutRenewMargin, err = duration(getenv, "FAREGRAPH_CHECKOUT_RENEW_MARGIN", 30*time.Second)
	bad(err)
	a.SagaStepRetention, err = duration(getenv, "FAREGRAPH_SAGA_STEP_RETENTION", 30*24*time.Hour)
	bad(err)
	if v := getenv("FAREGRAPH_REFUSAL_RATE"); v != "" {
		if a.Refusals.Rate, err = strconv.ParseFloat(v, 64); err != nil || a.Refusals.Rate == 0 {
			bad(fmt.Errorf("FAREGRAPH_REFUSAL_RATE must be refusals per second (a negative number turns the budget off), got %q", v))
		}
	}
	if v := getenv("FAREGRAPH_REFUSAL_BURST"); v != "" {
		if a.Refusals.Burst, err = strconv.Atoi(v); err != nil || a.Refusals.Burst < 1 {
			bad(fmt.Errorf("FAREGRAPH_REFUSAL_BURST must be a positive integer, got %q", v))
		}
	}
	for _, cidr := range strings.Split(getenv("FAREGRAPH_TRUSTED_PROXIES"), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			bad(fmt.Errorf("FAREGRAPH_TRUSTED_PROXIES: %q is not a network like 10.0.0.0/8", cidr))
			continue
		}
		a.Refusals.TrustedProxies = append(a.Refusals.TrustedProxies, p)
	}
	// Each provider's settings: FAREGRAPH_<NAME>_<KEY> for the keys its
	// registration names (FAREGRAPH_CITIZENPLANE_URL, ...).
	a.Providers = map[string]map[string]string{}
	for _, r := range app.Registry() {
		s := map[string]string{}
		for _, k := range r.AllKeys() {
			s[k] = getenv(r.EnvVar(k))
		}
		s[providers.KeyURL] = strings.TrimRight(s[providers.KeyURL], "/")
		a.Providers[r.Name] = s
	}
	if a.Sim.Latency, err = perProvider(getenv("FAREGRAPH_SIM_LATENCY"), "FAREGRAPH_SIM_LATENCY", func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err == nil && d < 0 {
			err = fmt.Errorf("negative")
		}
		return d, err
	}); err != nil {
		bad(err)
	}
	if a.Sim.FailureRate, err = perProvider(getenv("FAREGRAPH_SIM_FAILURE_RATE"), "FAREGRAPH_SIM_FAILURE_RATE", func(s string) (float64, error) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && (f < 0 || f > 1) {
			err = fmt.Errorf("not between 0 and 1")
		}
		return f, err
	}); err != nil {
		bad(err)
	}
	// FAREGRAPH_SIM_FAIL="citizenplane.book=after,liteapi.prebook=before"
	fails, err := perProvider(getenv("FAREGRAPH_SIM_FAIL"), "FAREGRAPH_SIM_FAIL", sim.ParseFailMode)
	bad(err)
	for k, m := range fails {
		provider, op, ok := strings.Cut(k, ".")
		if !ok || op == "" {
			bad(fmt.Errorf("FAREGRAPH_SIM_FAIL: %q is not provider.operation=mode", k))
			continue
		}
		if a.Sim.Failures == nil {
			a.Sim.Failures = map[string]map[string]sim.FailMode{}
		}
		if a.Sim.Failures[provider] == nil {
			a.Sim.Failures[provider] = map[string]sim.FailMode{}
		}
		a.Sim.Failures[provider][op] = m
	}
	if s := getenv("FAREGRAPH_SIM_SEED"); s != "" {
		if a.Sim.Seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			bad(fmt.Errorf("FAREGRAPH_SIM_SEED must be an integer, got %q", s))
		}
	}
	// An unknown FAREGRAPH_ENV is reported above and checked as production,
	// so that the report also lists what production would need.
	a.Development = c.Env == "development"
	if at := getenv("FAREGRAPH_TEST_CRASH_AT"); at != "" {
		crash, err := crashAt(at, a.Development)
		bad(err)
		a.CrashAt = crash
	}
	a.AllowSandboxPayments, err = boolean(getenv, "FAREGRAPH_ALLOW_SANDBOX_PAYMENTS", a.Development)
	bad(err)
	a.AllowSimulators, err = boolean(getenv, "FAREGRAPH_ALLOW_SIMULATORS", a.Development)
	bad(err)
	a.Stripe = app.StripeConfig{
		SecretKey:     getenv("STRIPE_SECRET_KEY"),
		APIURL:        strings.TrimRight(getenv("STRIPE_API_URL"), "/"),
		WebhookSecret: getenv("STRIPE_WEBHOOK_SECRET"),
	}
	a.Gateway = strings.ToLower(strings.TrimSpace(getenv("FAREGRAPH_GATEWAY")))
	// Gr4vy's settings carry the names issue 10 and Gr4vy's own guides
	// give them (GR4VY_ID, GR4VY_PRIVATE_KEY_FILE), like STRIPE_SECRET_KEY.
	a.Gr4vy = app.Gr4vyConfig{
		ID:            getenv("GR4VY_ID"),
		URL:           strings.TrimRight(getenv("GR4VY_API_URL"), "/"),
		WebhookSecret: getenv("GR4VY_WEBHOOK_SECRET"),
		RedirectURL:   getenv("GR4VY_REDIRECT_URL"),
	}
	if f := getenv("GR4VY_PRIVATE_KEY_FILE"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			bad(fmt.Errorf("GR4VY_PRIVATE_KEY_FILE: %w", err))
		}
		a.Gr4vy.PrivateKeyPEM = string(pem)
	}
	if a.Gr4vy.URL == "" && a.Gr4vy.ID != "" {
		// The instance's sandbox environment; production is
		// https://api.<id>.gr4vy.app, given as GR4VY_API_URL.
		a.Gr4vy.URL = "https://api.sandbox." + a.Gr4vy.ID + ".gr4vy.app"
	}
	cors := getenv("FAREGRAPH_CORS_ORIGINS")
	if cors == "" && a.Development {
		cors = "*"
	}
	for _, o := range strings.Split(cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			a.CORSOrigins = append(a.CORSOrigins, o)
		}
	}
	// /metrics: on its own listener when FAREGRAPH_METRICS_ADDR is set;
	// otherwise on the main listener, behind FAREGRAPH_METRICS_TOKEN when
	// set, and in production only then: it would be public otherwise.
	c.MetricsAddr = getenv("FAREGRAPH_METRICS_ADDR")
	if c.MetricsAddr != "" {
		bad(listenAddr("FAREGRAPH_METRICS_ADDR", c.MetricsAddr))
	}
	a.MetricsToken = getenv("FAREGRAPH_METRICS_TOKEN")
	if a.MetricsToken != "" && len(a.MetricsToken) < minMetricsToken {
		bad(fmt.Errorf("FAREGRAPH_METRICS_TOKEN must be at least %d characters", minMetricsToken))
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr {
		bad(fmt.Errorf("FAREGRAPH_METRICS_ADDR must differ from FAREGRAPH_ADDR (%s)", c.Addr))
	}
	a.MetricsPrivate = c.MetricsAddr != "" || (!a.Development && a.MetricsToken == "")
	c.OTLPEndpoint = getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	if u, err := url.Parse(c.OTLPEndpoint); c.OTLPEndpoint != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		bad(fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, got %q", c.OTLPEndpoint))
	}
	if p := getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); c.OTLPEndpoint != "" && p != "" && p != "http/protobuf" {
		bad(fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf (the only protocol faregraph exports with), got %q", p))
	}
	a.Playground, err = boolean(getenv, "FAREGRAPH_PLAYGROUND", a.Development)
	bad(err)
	a.Introspection, err = boolean(getenv, "FAREGRAPH_INTROSPECTION", a.Development)
	bad(err)
	return c, errors.Join(errs...)
}

// listenAddr checks a listen address as net.Listen("tcp", addr) reads
// it: host:port, the host optional (every interface), an IPv6 host in
// brackets, and a port number from 0 (any free port) to 65535, so that a bad address is
// reported with every other setting instead of failing after start-up.
func listenAddr(name, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s must be a listen address host:port like :8080 or 127.0.0.1:9090, got %q", name, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || port != strconv.Itoa(n) {
		return fmt.Errorf("%s: the port must be a number from 0 to 65535, got %q", name, port)
	}
	if strings.ContainsAny(host, " /[]") {
		return fmt.Errorf("%s: %q is not a host name or IP address", name, host)
	}
	return nil
}

// minMetricsToken is the shortest FAREGRAPH_METRICS_TOKEN accepted.
const minMetricsToken = 16

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration like 5s, got %q", name, s)
	}
	return d, nil
}

func boolean(getenv func(string) string, name string, def bool) (bool, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", name, s)
	}
	return b, nil
}

// perProvider parses "citizenplane=150ms,liteapi=80ms".
func perProvider[T any](s, name string, parse func(string) (T, error)) (map[string]T, error) {
	out := map[string]T{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not provider=value", name, kv)
		}
		val, err := parse(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: bad value %q: %v", name, k, v, err)
		}
		out[strings.ToLower(strings.TrimSpace(k))] = val
	}
	return out, nil
}
