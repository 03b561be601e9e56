package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/server"
)

// config is the process configuration, read from the environment once.
type config struct {
	Addr string
	Env  string
	App  app.Config
}

// loadConfig reads the environment through getenv.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr: or(getenv("FAREGRAPH_ADDR"), ":8080"),
		Env:  or(getenv("FAREGRAPH_ENV"), "development"),
	}
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("FAREGRAPH_ENV must be development or production, got %q", c.Env)
	}
	a := &c.App
	a.DatabaseURL = getenv("DATABASE_URL")
	a.DBPath = or(getenv("FAREGRAPH_DB_PATH"), "faregraph.db")
	a.Secret = getenv("FAREGRAPH_SECRET")
	if c.Env == "production" && len(a.Secret) < 32 {
		return c, fmt.Errorf("FAREGRAPH_SECRET must be set to at least 32 characters in production")
	}
	var err error
	if a.ProviderTimeout, err = duration(getenv, "FAREGRAPH_PROVIDER_TIMEOUT", 5*time.Second); err != nil {
		return c, err
	}
	if a.RequestTimeout, err = duration(getenv, "FAREGRAPH_REQUEST_TIMEOUT", server.DefaultRequestTimeout); err != nil {
		return c, err
	}
	a.CitizenPlane = app.CitizenPlaneConfig{
		URL:          strings.TrimRight(getenv("FAREGRAPH_CITIZENPLANE_URL"), "/"),
		Token:        getenv("FAREGRAPH_CITIZENPLANE_TOKEN"),
		CustomerCode: getenv("FAREGRAPH_CITIZENPLANE_CUSTOMER_CODE"),
	}
	a.LiteAPI = app.LiteAPIConfig{
		URL: strings.TrimRight(getenv("FAREGRAPH_LITEAPI_URL"), "/"),
		Key: getenv("FAREGRAPH_LITEAPI_KEY"),
	}
	if a.Sim.Latency, err = perProvider(getenv("FAREGRAPH_SIM_LATENCY"), "FAREGRAPH_SIM_LATENCY", func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err == nil && d < 0 {
			err = fmt.Errorf("negative")
		}
		return d, err
	}); err != nil {
		return c, err
	}
	if a.Sim.FailureRate, err = perProvider(getenv("FAREGRAPH_SIM_FAILURE_RATE"), "FAREGRAPH_SIM_FAILURE_RATE", func(s string) (float64, error) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && (f < 0 || f > 1) {
			err = fmt.Errorf("not between 0 and 1")
		}
		return f, err
	}); err != nil {
		return c, err
	}
	// FAREGRAPH_SIM_FAIL="citizenplane.book=after,liteapi.prebook=before"
	fails, err := perProvider(getenv("FAREGRAPH_SIM_FAIL"), "FAREGRAPH_SIM_FAIL", sim.ParseFailMode)
	if err != nil {
		return c, err
	}
	for k, m := range fails {
		provider, op, ok := strings.Cut(k, ".")
		if !ok || op == "" {
			return c, fmt.Errorf("FAREGRAPH_SIM_FAIL: %q is not provider.operation=mode", k)
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
			return c, fmt.Errorf("FAREGRAPH_SIM_SEED: %w", err)
		}
	}
	a.Development = c.Env == "development"
	if a.AllowSandboxPayments, err = boolean(getenv, "FAREGRAPH_ALLOW_SANDBOX_PAYMENTS", a.Development); err != nil {
		return c, err
	}
	if a.AllowSimulators, err = boolean(getenv, "FAREGRAPH_ALLOW_SIMULATORS", a.Development); err != nil {
		return c, err
	}
	a.Stripe = app.StripeConfig{
		SecretKey:     getenv("STRIPE_SECRET_KEY"),
		APIURL:        strings.TrimRight(getenv("STRIPE_API_URL"), "/"),
		WebhookSecret: getenv("STRIPE_WEBHOOK_SECRET"),
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
	if a.Playground, err = boolean(getenv, "FAREGRAPH_PLAYGROUND", c.Env == "development"); err != nil {
		return c, err
	}
	if a.Introspection, err = boolean(getenv, "FAREGRAPH_INTROSPECTION", c.Env == "development"); err != nil {
		return c, err
	}
	return c, nil
}

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
