// Package app assembles a whole faregraph server from a Config: database,
// provider adapters (or their built-in simulators, served in-process over
// real HTTP), search, checkout, loaders, metrics and the HTTP handler. The
// providers come from the registry in providers.go, the one list that
// names them. cmd/faregraph fills the Config from the environment; tests
// and the bench command fill it directly.
package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/trace"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/events"
	"github.com/faregraph/faregraph/fx"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/loaders"
	"github.com/faregraph/faregraph/metrics"
	"github.com/faregraph/faregraph/payments"
	gr4vygw "github.com/faregraph/faregraph/payments/gr4vy"
	"github.com/faregraph/faregraph/payments/gr4vy/gr4vysim"
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
	// DBQueryHook, when set, sees every statement, BEGIN and COMMIT of the
	// database from its opening (cmd/bench counts transactions with it).
	DBQueryHook bun.QueryHook
	DBPath      string
	// Secret signs offer ids. Empty in development: one is generated once
	// and kept in the database.
	Secret string
	// ProviderTimeout is each provider's deadline per search.
	ProviderTimeout time.Duration
	// RequestTimeout is the deadline of each GraphQL request;
	// server.DefaultRequestTimeout when zero. Subscriptions are exempt.
	RequestTimeout time.Duration
	// KeepAlive is how often an idle subscription stream sends a comment
	// line; server.DefaultKeepAlive when zero.
	KeepAlive time.Duration
	// MaxSubscriptionsPerTenant caps the subscriptions one API client may
	// have open on this replica; events.DefaultMaxSubscriptionsPerTenant
	// when zero.
	MaxSubscriptionsPerTenant int
	// CheckoutLease is how long a saga step holds a session before the
	// sweeper may take over: a live step renews it while its calls run, so
	// after a crash a stuck session is taken over about this long after
	// its process stopped (checkout.Config.Lease); 10 s when zero.
	CheckoutLease time.Duration
	// CheckoutRenewMargin is how long before a hold lapses it is renewed
	// (checkout.Config.RenewMargin); 30 s when zero.
	CheckoutRenewMargin time.Duration
	// SagaStepRetention is how long the finished saga steps of ended
	// sessions are kept (checkout.Config.StepRetention); 30 days when zero.
	SagaStepRetention time.Duration
	// CrashAt is for crash tests only (checkout.Config.CrashAt): called at
	// every step boundary of the saga, it may stop the process there.
	// Never set in production.
	CrashAt func(point string)
	// EventPollInterval and EventFallbackPollInterval are
	// events.Config.PollInterval and FallbackPollInterval: how often a
	// subscription reads the outbox without notifications (SQLite) and,
	// on Postgres, between notifications; 250 ms and 5 s when zero.
	EventPollInterval, EventFallbackPollInterval time.Duration
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
	// Gateway names the card gateway: "stripe", "gr4vy" or "sandbox"; ""
	// picks Stripe when its secret key is set, otherwise the sandbox.
	Gateway string
	// Gr4vy configures the Gr4vy gateway (Gateway "gr4vy").
	Gr4vy  Gr4vyConfig
	Logger *slog.Logger
	// Now is the clock of searches and resolvers (not of simulators: see
	// SimConfig); time.Now when nil.
	Now func() time.Time
	// NewSearchID makes search ids; random when nil (tests fix it).
	NewSearchID func() string
	// WrapSearchStore, when set, wraps the database's store of search
	// results (tests delay or fail its writes with it).
	WrapSearchStore func(search.Store) search.Store

	// MetricsToken, when set, is the bearer token GET /metrics requires,
	// wherever it is served.
	MetricsToken string
	// MetricsPrivate keeps GET /metrics off Handler: the caller serves
	// App.MetricsHandler on a listener of its own, or nowhere.
	MetricsPrivate bool
	// FXURL serves the ECB's daily reference rates XML: fetched at start
	// and every FXRefresh (6h when zero). Empty keeps the rates shipped in
	// the binary (package fx).
	FXURL     string
	FXRefresh time.Duration

	// TracerProvider, when set, traces each GraphQL operation and
	// resolver, each provider HTTP call and each saga step (see package
	// telemetry); nil traces nothing.
	TracerProvider trace.TracerProvider
}

// StripeConfig configures Stripe; an empty SecretKey means no Stripe.
type StripeConfig struct {
	SecretKey, APIURL, WebhookSecret string
}

// Gr4vyConfig configures Gr4vy. Without a URL the gateway talks to the
// built-in simulator (payments/gr4vy/gr4vysim), served in-process, so the
// flow runs with no setup; without a private key one is generated.
type Gr4vyConfig struct {
	// ID is the Gr4vy instance id (the API is https://api.<ID>.gr4vy.app).
	ID string
	// URL is another API base; empty means the built-in simulator.
	URL string
	// PrivateKeyPEM is the API key pair's private key (P-521, PEM).
	PrivateKeyPEM string
	// WebhookSecret is the webhook subscription's secret: with it,
	// POST /webhooks/gr4vy verifies and handles Gr4vy's webhooks. With the
	// simulator, one is generated when empty (see ConnectGr4vySim).
	WebhookSecret string
	// RedirectURL is where Gr4vy sends the buyer back after 3-D Secure;
	// without it Gr4vy runs no 3-D Secure on our transactions. With the
	// simulator it defaults to a page of the simulator's own.
	RedirectURL string
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
	// Wrap, when set, wraps each simulator's HTTP handler, by provider
	// name: tests record the requests the adapters send on the wire.
	Wrap func(provider string, h http.Handler) http.Handler
	// Control serves the simulators' knobs (sim.ControlHandler) at /sim/
	// on the simulators' own address too: what "faregraph simulators"
	// does outside production. The built-in simulators of a development
	// server are controlled at the server's /sim/ instead.
	Control bool
}

// App is an assembled server.
type App struct {
	Handler  http.Handler
	DB       *db.DB
	Search   *search.Service
	Checkout *checkout.Service
	// Events delivers webhooks and feeds subscriptions.
	Events *events.Service
	// FX holds the exchange rates searches convert with.
	FX      *fx.Source
	Auth    *auth.Authenticator
	Metrics *metrics.Metrics
	// MetricsHandler serves the Prometheus metrics (behind MetricsToken
	// when set); Handler serves it at GET /metrics unless MetricsPrivate.
	MetricsHandler http.Handler
	// DBPath is the SQLite file in use, empty on Postgres.
	DBPath string
	// Gr4vySim is the in-process Gr4vy simulator, when Gateway is "gr4vy"
	// without a URL.
	Gr4vySim *gr4vysim.Sim
	// gr4vyWebhookSecret signs the simulator's webhooks.
	gr4vyWebhookSecret string
	// SimURL is the base URL of the in-process simulators, if any run.
	SimURL string
	// Simulators are the running simulators by provider name, to turn
	// their knobs in tests and the bench: latency, failures, seats and
	// schedule changes, the same on every simulator. Only what one
	// simulator alone offers (such as cpsim's BookingCount) needs its
	// type asserted.
	Simulators map[string]sim.Controller
	// simPayments confirms simulated providers' payment intents.
	simPayments simPayments
	// routes are the routes of the simulators that list theirs, by provider.
	routes map[string]map[sim.Route]bool

	searches  *db.Searches
	closers   []func()
	draining  atomic.Bool
	drainOnce sync.Once
	shutdown  chan struct{}
}

// Drain makes /readyz answer 503 from now on, so that load balancers stop
// sending requests before the server shuts down, and ends the
// subscriptions' streams (http.Server.Shutdown would wait for them: they
// have no deadline); their clients reconnect to another replica.
func (a *App) Drain() {
	a.draining.Store(true)
	a.drainOnce.Do(func() { close(a.shutdown) })
}

// New opens the database, applies migrations, starts simulators for
// providers without a URL and builds the handler. Close releases it all.
func New(ctx context.Context, cfg Config) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{Metrics: metrics.New(), shutdown: make(chan struct{})}
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
	if cfg.DBQueryHook != nil {
		a.DB.AddQueryHook(cfg.DBQueryHook)
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
	a.FX = fx.NewSource(fx.SourceConfig{URL: cfg.FXURL, Logger: cfg.Logger})
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	if r := a.FX.Rates(); cfg.FXURL == "" && r.Stale(now()) {
		cfg.Logger.WarnContext(ctx, "the shipped exchange rates are stale: set FAREGRAPH_FX_URL to the ECB daily rates (https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml) for current ones",
			"source", r.Source, "date", r.Date, "age_days", r.Age(now()))
	}
	if cfg.FXURL != "" {
		fxctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		go a.FX.Run(fxctx, cfg.FXRefresh)
		a.closers = append(a.closers, stop)
	}
	var store search.Store = searchStore{a.searches}
	if cfg.WrapSearchStore != nil {
		store = cfg.WrapSearchStore(store)
	}
	a.Search = search.New(search.Config{
		Rates:           a.FX.Rates,
		Flies:           a.flies,
		Providers:       set,
		Store:           store,
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
	gw, confirmer, webhooks, err := a.gateway(cfg)
	if err != nil {
		return nil, err
	}
	var gr4vyHooks server.Gr4vyWebhooks
	if g, ok := gw.(*gr4vygw.Gateway); ok && a.gr4vyWebhookSecret != "" {
		gr4vyHooks = g
	}
	a.Checkout = checkout.New(checkout.Config{
		DB: a.DB, Providers: set, Offers: a.Search, Gateway: gw, Sandbox: confirmer, ProviderSandbox: a.simPayments,
		Logger: cfg.Logger, Now: cfg.Now, ProviderTimeout: 2 * cfg.ProviderTimeout,
		TracerProvider: cfg.TracerProvider, Alerts: a.Metrics, Lease: cfg.CheckoutLease,
		RenewMargin: cfg.CheckoutRenewMargin, StepRetention: cfg.SagaStepRetention,
		CrashAt: cfg.CrashAt,
	})
	a.MetricsHandler = a.Metrics.Handler()
	if cfg.MetricsToken != "" {
		a.MetricsHandler = auth.RequireToken(cfg.MetricsToken, a.MetricsHandler)
	}
	public := a.MetricsHandler
	if cfg.MetricsPrivate {
		public = nil
	}
	a.Events = events.New(events.Config{DB: a.DB, AllowPrivate: cfg.Development, Now: cfg.Now, Logger: cfg.Logger,
		PollInterval: cfg.EventPollInterval, FallbackPollInterval: cfg.EventFallbackPollInterval, MaxSubscriptionsPerTenant: cfg.MaxSubscriptionsPerTenant})
	a.closers = append(a.closers, a.Events.Close) // before the database closes: it holds a connection while listening
	a.Handler = server.New(server.Config{
		Search:         a.Search,
		Checkout:       a.Checkout,
		Events:         a.Events,
		Providers:      set,
		Auth:           a.Auth,
		Webhooks:       webhooks,
		Gr4vyWebhooks:  gr4vyHooks,
		DB:             a.DB,
		Loaders:        loaders.NewFactory(loaders.Config{Providers: set, Timeout: cfg.ProviderTimeout, Now: cfg.Now}),
		Metrics:        a.Metrics,
		Logger:         cfg.Logger,
		RequestTimeout: cfg.RequestTimeout,
		KeepAlive:      cfg.KeepAlive,
		Shutdown:       a.shutdown,
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
		SimControl:     a.simControl(cfg),
		TracerProvider: cfg.TracerProvider,
	})
	return a, nil
}

// simControl is the HTTP control of the built-in simulators, served at
// /sim/ in development only (nil in production and without simulators).
func (a *App) simControl(cfg Config) http.Handler {
	if !cfg.Development || len(a.Simulators) == 0 {
		return nil
	}
	return sim.ControlHandler(a.Simulators)
}

// gateway picks the payment gateway: Stripe when a secret key is set,
// otherwise the sandbox (Validate has checked that it is allowed).
func (a *App) gateway(cfg Config) (payments.Gateway, checkout.CardConfirmer, server.WebhookParser, error) {
	switch cfg.Gateway {
	case "gr4vy":
		g, confirmer, err := a.gr4vy(cfg)
		return g, confirmer, nil, err
	case "sandbox":
		g := sandbox.New(a.DB, cfg.Now)
		return g, g, nil, nil
	}
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
	g := sandbox.New(a.DB, cfg.Now)
	return g, g, nil, nil
}

// gr4vy makes the Gr4vy gateway; without a URL it serves the simulator
// in-process (over real HTTP, like the provider simulators) and plays
// Gr4vy Embed with test cards through it.
func (a *App) gr4vy(cfg Config) (*gr4vygw.Gateway, checkout.CardConfirmer, error) {
	var key *ecdsa.PrivateKey
	var err error
	if cfg.Gr4vy.PrivateKeyPEM != "" {
		if key, err = gr4vygw.ParsePrivateKey([]byte(cfg.Gr4vy.PrivateKeyPEM)); err != nil {
			return nil, nil, fmt.Errorf("app: GR4VY_PRIVATE_KEY_FILE: %w", err)
		}
	} else if cfg.Gr4vy.URL == "" {
		if key, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader); err != nil {
			return nil, nil, err
		}
	} else {
		return nil, nil, errors.New("app: GR4VY_PRIVATE_KEY_FILE is required with a Gr4vy API URL")
	}
	url, secret, redirect := cfg.Gr4vy.URL, cfg.Gr4vy.WebhookSecret, cfg.Gr4vy.RedirectURL
	if url == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		a.Gr4vySim = gr4vysim.New(&key.PublicKey, nil)
		srv := &http.Server{Handler: a.Gr4vySim, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		a.closers = append(a.closers, func() { srv.Close() })
		url = "http://" + ln.Addr().String()
		if secret == "" {
			var b [32]byte
			if _, err := rand.Read(b[:]); err != nil {
				return nil, nil, err
			}
			secret = hex.EncodeToString(b[:])
		}
		if redirect == "" {
			redirect = url + gr4vysim.ReturnPath
		}
	}
	a.gr4vyWebhookSecret = secret
	g, err := gr4vygw.New(gr4vygw.Config{ID: cfg.Gr4vy.ID, URL: url, PrivateKey: key, WebhookSecret: secret, RedirectURL: redirect})
	if err != nil {
		return nil, nil, err
	}
	if a.Gr4vySim != nil || cfg.AllowSandboxPayments {
		// The sandbox card form plays Embed: against the simulator here,
		// or, in development, one of faregraph simulators at the URL.
		return g, g, nil
	}
	return g, nil, nil
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
// it now and then (every replica may). It sends no webhooks: those go out
// from Events.Run (a loop of its own, which a slow endpoint cannot hold
// up) or, in tests, Events.Deliver.
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

// ConnectGr4vySim makes the in-process Gr4vy simulator send its webhooks
// to this app's POST /webhooks/gr4vy at base (the URL the app is served
// at), signed with the webhook secret the gateway verifies; it does
// nothing without the simulator.
func (a *App) ConnectGr4vySim(base string) {
	if a.Gr4vySim != nil {
		a.Gr4vySim.SetWebhook(strings.TrimRight(base, "/")+"/webhooks/gr4vy", a.gr4vyWebhookSecret)
	}
}

// Gr4vyWebhookSecret is the secret POST /webhooks/gr4vy verifies Gr4vy's
// webhooks with ("" when none), for tests that sign deliveries of their own.
func (a *App) Gr4vyWebhookSecret() string { return a.gr4vyWebhookSecret }
