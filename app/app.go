// Package app assembles a whole faregraph server from a Config: database,
// provider adapters (or their built-in simulators, served in-process over
// real HTTP), search, checkout, loaders, metrics and the HTTP handler. The
// providers come from the registry in providers.go, the one list that
// names them. cmd/faregraph fills the Config from the environment; tests
// and the bench command fill it directly.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

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
	// CheckoutLease is how long a saga step holds a session before the
	// sweeper may take over (after a crash, a stuck BOOKING session is
	// reconciled once its lease lapses); 2 minutes when zero.
	CheckoutLease time.Duration
	// Refusals is the budget of refused requests per client
	// (server.RefusalBudget; the zero value is the defaults).
	Refusals server.RefusalBudget

	// Providers are the settings of each provider, by provider name then
	// setting key (providers.KeyURL and the registration's Keys); a
	// provider without a URL uses its built-in simulator.
	Providers map[string]map[string]string
	// Registry is the providers to sell; nil means Registry().
	Registry []providers.Registration
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

	// MetricsToken, when set, is the bearer token GET /metrics requires,
	// wherever it is served.
	MetricsToken string
	// MetricsPrivate keeps GET /metrics off Handler: the caller serves
	// App.MetricsHandler on a listener of its own, or nowhere.
	MetricsPrivate bool
	// TracerProvider, when set, traces each GraphQL operation and
	// resolver, each provider HTTP call and each saga step (see package
	// telemetry); nil traces nothing.
	TracerProvider trace.TracerProvider
}

// StripeConfig configures Stripe; an empty SecretKey means no Stripe.
type StripeConfig struct {
	SecretKey, APIURL, WebhookSecret string
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
	// MetricsHandler serves the Prometheus metrics (behind MetricsToken
	// when set); Handler serves it at GET /metrics unless MetricsPrivate.
	MetricsHandler http.Handler
	// DBPath is the SQLite file in use, empty on Postgres.
	DBPath string
	// SimURL is the base URL of the in-process simulators, if any run.
	SimURL string
	// Simulators are the running simulators by provider name, to turn
	// their knobs in tests and the bench: latency, failures, seats and
	// schedule changes, the same on every simulator. Only what one
	// simulator alone offers (such as cpsim's BookingCount) needs its
	// type asserted.
	Simulators map[string]sim.Controller

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
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
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
		DB: a.DB, Providers: set, Offers: a.Search, Gateway: gw, Sandbox: confirmer, ProviderSandbox: simPayments(a.Simulators),
		Logger: cfg.Logger, Now: cfg.Now, ProviderTimeout: 2 * cfg.ProviderTimeout,
		TracerProvider: cfg.TracerProvider, Alerts: a.Metrics, Lease: cfg.CheckoutLease,
	})
	a.MetricsHandler = a.Metrics.Handler()
	if cfg.MetricsToken != "" {
		a.MetricsHandler = auth.RequireToken(cfg.MetricsToken, a.MetricsHandler)
	}
	public := a.MetricsHandler
	if cfg.MetricsPrivate {
		public = nil
	}
	a.Handler = server.New(server.Config{
		Search:         a.Search,
		Checkout:       a.Checkout,
		Providers:      set,
		Auth:           a.Auth,
		Webhooks:       webhooks,
		DB:             a.DB,
		Loaders:        loaders.NewFactory(loaders.Config{Providers: set, Timeout: cfg.ProviderTimeout, Now: cfg.Now}),
		Metrics:        a.Metrics,
		Logger:         cfg.Logger,
		RequestTimeout: cfg.RequestTimeout,
		Refusals:       cfg.Refusals,
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

		// MetricsHandler is nil when the metrics are served elsewhere.
		MetricsHandler: public,
		TracerProvider: cfg.TracerProvider,
	})
	return a, nil
}

// gateway picks the payment gateway: Stripe when a secret key is set,
// otherwise the sandbox (Validate has checked that it is allowed).
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
	g := sandbox.New(d, cfg.Now)
	return g, g, nil, nil
}

// searchStore adapts the database's search store to the contract of
// search.Store, whose not-found error is search.ErrNotFound.
type searchStore struct{ *db.Searches }

func (s searchStore) LoadSearch(ctx context.Context, id string, now time.Time) ([]byte, error) {
	body, err := s.Searches.LoadSearch(ctx, id, now)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil, search.ErrNotFound
	case errors.Is(err, db.ErrExpired):
		return nil, search.ErrSearchExpired
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
