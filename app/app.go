// Package app assembles a whole faregraph server from a Config: database,
// provider adapters (or the built-in simulators, served in-process over real
// HTTP), search, loaders, metrics and the HTTP handler. cmd/faregraph fills
// the Config from the environment; tests and the bench command fill it
// directly.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/loaders"
	"github.com/faregraph/faregraph/metrics"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/sandbox"
	stripegw "github.com/faregraph/faregraph/payments/stripe"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane"
	"github.com/faregraph/faregraph/providers/liteapi"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/search"
	"github.com/faregraph/faregraph/server"
)

// Config is everything a server needs, parsed once.
type Config struct {
	// DatabaseURL is a postgres:// URL; empty means the SQLite file DBPath.
	DatabaseURL string
	DBPath      string
	// Secret signs offer ids. Empty in development: one is generated once
	// and kept in the database.
	Secret string
	// ProviderTimeout is each provider's deadline per search.
	ProviderTimeout time.Duration
	// RequestTimeout is the deadline of each GraphQL request;
	// server.DefaultRequestTimeout when zero.
	RequestTimeout time.Duration

	CitizenPlane CitizenPlaneConfig
	LiteAPI      LiteAPIConfig
	// Sim configures the built-in simulators of providers without a URL.
	Sim SimConfig

	Playground    bool
	Introspection bool
	// CORSOrigins are the browser origins allowed to call the API.
	CORSOrigins []string
	// Development lets requests without an API key act as the sandbox
	// tenant; production requires a key for every operation.
	Development bool
	// AllowSandboxPayments allows the sandbox gateway when Stripe is not
	// configured (always in development).
	AllowSandboxPayments bool
	// AllowSimulators allows the built-in simulators for providers without
	// a URL (always in development).
	AllowSimulators bool
	Stripe          StripeConfig
	Logger          *slog.Logger
	// Now is the clock of searches and resolvers (not of simulators: see
	// SimConfig); time.Now when nil.
	Now func() time.Time
	// NewSearchID makes search ids; random when nil (tests fix it).
	NewSearchID func() string
}

// CitizenPlaneConfig points at CitizenPlane; an empty URL uses the simulator.
type CitizenPlaneConfig struct {
	URL, Token, CustomerCode string
}

// StripeConfig configures Stripe; an empty SecretKey means no Stripe.
type StripeConfig struct {
	SecretKey, APIURL, WebhookSecret string
}

// LiteAPIConfig points at LiteAPI; an empty URL uses the simulator.
type LiteAPIConfig struct {
	URL, Key string
}

// SimConfig configures the built-in simulators, by provider name.
type SimConfig struct {
	Latency     map[string]time.Duration
	FailureRate map[string]float64
	// Failures makes given operations of a simulator fail, by provider
	// then operation ("book": sim.FailAfter answers 500 after booking).
	Failures map[string]map[string]sim.FailMode
	Seed     int64
	Now      func() time.Time
}

// App is an assembled server.
type App struct {
	Handler  http.Handler
	DB       *db.DB
	Search   *search.Service
	Checkout *checkout.Service
	Auth     *auth.Authenticator
	Metrics  *metrics.Metrics
	// DBPath is the SQLite file in use, empty on Postgres.
	DBPath string
	// SimURL is the base URL of the in-process simulators, if any run.
	SimURL string
	// Simulators are the running simulators, to turn their knobs in tests.
	CitizenPlaneSim *citizenplane.Simulator
	LiteAPISim      *liteapi.Simulator

	searches *db.Searches
	closers  []func()
	draining atomic.Bool
}

// Drain makes /readyz answer 503 from now on, so that load balancers stop
// sending requests before the server shuts down.
func (a *App) Drain() { a.draining.Store(true) }

// New opens the database, applies migrations, starts simulators for
// providers without a URL and builds the handler. Close releases it all.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{Metrics: metrics.New()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	url := cfg.DatabaseURL
	if url == "" {
		url = cfg.DBPath
	}
	if cfg.DatabaseURL == "" {
		a.DBPath = cfg.DBPath
	}
	a.DB, err = db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { a.DB.Close() })
	if _, err := a.DB.Migrate(ctx); err != nil {
		return nil, err
	}
	secret := cfg.Secret
	if secret == "" {
		if secret, err = db.DevelopmentSecret(ctx, a.DB); err != nil {
			return nil, err
		}
	}
	signer, err := ids.NewSigner([]byte(secret))
	if err != nil {
		return nil, fmt.Errorf("app: FAREGRAPH_SECRET: %w", err)
	}

	set, err := a.providers(cfg)
	if err != nil {
		return nil, err
	}
	a.searches = db.NewSearches(a.DB)
	a.Search = search.New(search.Config{
		Providers:       set,
		Store:           searchStore{a.searches},
		Signer:          signer,
		Logger:          cfg.Logger,
		ProviderTimeout: cfg.ProviderTimeout,
		Now:             cfg.Now,
		NewID:           cfg.NewSearchID,
	})
	a.Auth = &auth.Authenticator{DB: a.DB, AllowAnonymous: cfg.Development}
	if err := a.Auth.EnsureSandbox(ctx, time.Now()); err != nil {
		return nil, err
	}
	gw, confirmer, webhooks, err := gateway(cfg, a.DB)
	if err != nil {
		return nil, err
	}
	a.Checkout = checkout.New(checkout.Config{
		DB: a.DB, Providers: set, Offers: a.Search, Gateway: gw, Sandbox: confirmer,
		Logger: cfg.Logger, Now: cfg.Now, ProviderTimeout: 2 * cfg.ProviderTimeout,
	})
	a.Handler = server.New(server.Config{
		Search:         a.Search,
		Checkout:       a.Checkout,
		Providers:      set,
		Auth:           a.Auth,
		Webhooks:       webhooks,
		DB:             a.DB,
		Loaders:        loaders.NewFactory(loaders.Config{Providers: set, Timeout: cfg.ProviderTimeout}),
		Metrics:        a.Metrics,
		Logger:         cfg.Logger,
		RequestTimeout: cfg.RequestTimeout,
		Ready: func(ctx context.Context) error {
			if a.draining.Load() {
				return errors.New("shutting down")
			}
			return a.DB.PingContext(ctx)
		},
		CORSOrigins:   cfg.CORSOrigins,
		Playground:    cfg.Playground,
		Introspection: cfg.Introspection,
		Now:           cfg.Now,
	})
	return a, nil
}

// gateway picks the payment gateway: Stripe when a secret key is set,
// otherwise the sandbox, where it is allowed.
func gateway(cfg Config, d *db.DB) (payments.Gateway, checkout.CardConfirmer, server.WebhookParser, error) {
	if cfg.Stripe.SecretKey != "" {
		g, err := stripegw.New(stripegw.Config{SecretKey: cfg.Stripe.SecretKey, APIURL: cfg.Stripe.APIURL, WebhookSecret: cfg.Stripe.WebhookSecret})
		if err != nil {
			return nil, nil, nil, err
		}
		var wh server.WebhookParser
		if cfg.Stripe.WebhookSecret != "" {
			wh = g
		}
		return g, nil, wh, nil
	}
	if !cfg.Development && !cfg.AllowSandboxPayments {
		return nil, nil, nil, fmt.Errorf("app: no payment gateway: set STRIPE_SECRET_KEY, or FAREGRAPH_ALLOW_SANDBOX_PAYMENTS=true to take sandbox payments")
	}
	g := sandbox.New(d, cfg.Now)
	return g, g, nil, nil
}

// providers builds the provider set: the place that lists providers.
func (a *App) providers(cfg Config) (*providers.Set, error) {
	hc := &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}}
	a.closers = append(a.closers, hc.CloseIdleConnections)

	cp, la := cfg.CitizenPlane, cfg.LiteAPI
	if (cp.URL == "" || la.URL == "") && !cfg.Development && !cfg.AllowSimulators {
		return nil, fmt.Errorf("app: a provider has no URL and simulators are not allowed in production: set FAREGRAPH_CITIZENPLANE_URL and FAREGRAPH_LITEAPI_URL, or FAREGRAPH_ALLOW_SIMULATORS=true")
	}
	if cp.URL == "" || la.URL == "" {
		simURL, err := a.startSimulators(cfg.Sim)
		if err != nil {
			return nil, err
		}
		if cp.URL == "" {
			cp = CitizenPlaneConfig{URL: simURL + "/citizenplane", Token: "sim-token", CustomerCode: "faregraph"}
		}
		if la.URL == "" {
			la = LiteAPIConfig{URL: simURL + "/liteapi", Key: "sim-key"}
		}
	}
	return providers.NewSet(
		citizenplane.New(citizenplane.Config{BaseURL: cp.URL, Token: cp.Token, CustomerCode: cp.CustomerCode, HTTPClient: hc, Observer: a.Metrics, Now: cfg.Now, Logger: cfg.Logger}),
		liteapi.New(liteapi.Config{BaseURL: la.URL, APIKey: la.Key, HTTPClient: hc, Observer: a.Metrics, Now: cfg.Now, Logger: cfg.Logger}),
	)
}

// startSimulators serves both simulators on one loopback port, each under
// its provider's name, and returns the base URL.
func (a *App) startSimulators(cfg SimConfig) (string, error) {
	seed := cfg.Seed
	if seed == 0 {
		seed = 1
	}
	a.CitizenPlaneSim = citizenplane.NewSimulator(citizenplane.SimConfig{
		Token: "sim-token", Seed: seed, Now: cfg.Now,
		Latency: cfg.Latency[citizenplane.Name], FailureRate: cfg.FailureRate[citizenplane.Name],
	})
	a.LiteAPISim = liteapi.NewSimulator(liteapi.SimConfig{
		APIKey: "sim-key", Seed: seed, Now: cfg.Now,
		Latency: cfg.Latency[liteapi.Name], FailureRate: cfg.FailureRate[liteapi.Name],
	})
	for op, m := range cfg.Failures[citizenplane.Name] {
		a.CitizenPlaneSim.SetFailure(op, m)
	}
	for op, m := range cfg.Failures[liteapi.Name] {
		a.LiteAPISim.SetFailure(op, m)
	}
	mux := http.NewServeMux()
	mux.Handle("/citizenplane/", http.StripPrefix("/citizenplane", a.CitizenPlaneSim))
	mux.Handle("/liteapi/", http.StripPrefix("/liteapi", a.LiteAPISim))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("app: start simulators: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	a.closers = append(a.closers, func() { srv.Close() })
	a.SimURL = "http://" + ln.Addr().String()
	return a.SimURL, nil
}

// searchStore adapts the database's search store to the contract of
// search.Store, whose not-found error is search.ErrNotFound.
type searchStore struct{ *db.Searches }

func (s searchStore) LoadSearch(ctx context.Context, id string, now time.Time) ([]byte, error) {
	body, err := s.Searches.LoadSearch(ctx, id, now)
	if errors.Is(err, db.ErrNotFound) {
		return nil, search.ErrNotFound
	}
	return body, err
}

// Sweep deletes stored searches that have expired, expires checkout
// sessions that are due and reconciles the ones that need attention; run
// it now and then (every replica may).
func (a *App) Sweep(ctx context.Context) error {
	_, err := a.searches.DeleteExpiredSearches(ctx, time.Now())
	_, _, cerr := a.Checkout.Sweep(ctx)
	return errors.Join(err, cerr)
}

// Close stops the simulators and closes the database.
func (a *App) Close() error {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
	return nil
}
