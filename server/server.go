// Package server assembles faregraph's HTTP surface: GraphQL over HTTP at
// /graphql (GET and POST JSON only), the embedded playground at /, health
// and readiness probes, Prometheus metrics, and the middleware every
// request goes through (request id, one structured log line, panic
// recovery, body limits).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/loaders"
	"github.com/faregraph/faregraph/metrics"
	"github.com/faregraph/faregraph/playground"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/resolvers"
	"github.com/faregraph/faregraph/search"
	"github.com/faregraph/faregraph/telemetry"
)

// Limits on what one request may ask.
const (
	// MaxBodyBytes caps a request body.
	MaxBodyBytes = 1 << 20
	// MaxTokens caps the tokens the GraphQL parser reads from one query.
	MaxTokens = 5000
	// MaxComplexity caps what one operation may cost (see cost.go).
	MaxComplexity = 5000
)

// Config is what the server needs.
type Config struct {
	Search    *search.Service
	Checkout  *checkout.Service
	Providers *providers.Set
	// Auth authenticates API keys; requests pass through it to /graphql.
	Auth *auth.Authenticator
	// Webhooks verifies Stripe webhooks; nil when Stripe is not configured.
	Webhooks WebhookParser
	DB       *db.DB
	Loaders  *loaders.Factory
	Metrics  *metrics.Metrics
	Logger   *slog.Logger
	// Ready reports whether the server can take traffic (database reachable).
	Ready func(ctx context.Context) error
	// CORSOrigins are the browser origins allowed to call /graphql ("*": any).
	CORSOrigins []string
	// Playground serves the GraphiQL page at / when true.
	Playground bool
	// Introspection allows introspection queries when true.
	Introspection bool
	// Now is the clock of the resolvers; time.Now when nil.
	Now func() time.Time

	// MetricsHandler is served at GET /metrics; nil serves no /metrics.
	MetricsHandler http.Handler
	// TracerProvider, when set, traces each operation and resolver.
	TracerProvider trace.TracerProvider
}

// New returns the HTTP handler of the whole server.
func New(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", cors(cfg.CORSOrigins, cfg.Auth.Middleware(GraphQL(cfg))))
	if cfg.Webhooks != nil {
		mux.Handle("POST /webhooks/stripe", stripeWebhook(cfg.Webhooks, cfg.Checkout, cfg.DB, cfg.Logger))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := cfg.Ready(ctx); err != nil {
				cfg.Logger.WarnContext(ctx, "not ready", "err", err)
				http.Error(w, "not ready\n", http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	if cfg.MetricsHandler != nil {
		mux.Handle("GET /metrics", cfg.MetricsHandler)
	}
	if cfg.Playground {
		pg := playground.Handler(playground.Config{Title: "faregraph", Endpoint: "/graphql"})
		mux.Handle("GET /{$}", pg)
		mux.Handle("GET /playground/", pg)
	}
	return withRequestLog(cfg.Logger, mux)
}

// GraphQL returns the GraphQL handler alone, as tests and benchmarks use it.
func GraphQL(cfg Config) http.Handler {
	res := &resolvers.Resolver{Search: cfg.Search, Checkout: cfg.Checkout, Providers: cfg.Providers, Logger: cfg.Logger, Now: cfg.Now}
	gc := graph.Config{Resolvers: res}
	complexity(&gc.Complexity)
	srv := handler.New(graph.NewExecutableSchema(gc))
	// Only GET and POST with a JSON body: no multipart or form posts, which
	// a browser can send cross-site without a preflight.
	srv.AddTransport(transport.GET{})
	srv.AddTransport(postJSON{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(MaxTokens)
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	if cfg.TracerProvider != nil {
		srv.Use(telemetry.GraphQL(cfg.TracerProvider))
	}
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(&resolvers.Inputs{})
	srv.SetErrorPresenter(resolvers.ErrorPresenter(cfg.Logger))
	srv.SetRecoverFunc(resolvers.Recover(cfg.Logger))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		setOperation(ctx, oc.OperationName)
		// Every operation gets its own loaders, mutations included: their
		// payloads resolve lazy fields (priceCheck) through them.
		ctx = loaders.With(ctx, cfg.Loaders.New())
		return next(ctx)
	})
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp != nil && graphql.HasOperationContext(ctx) {
			oc := graphql.GetOperationContext(ctx)
			// Only names of operations that parsed: a client cannot make up labels.
			typ, name := "invalid", "invalid"
			if oc.Operation != nil {
				typ, name = string(oc.Operation.Operation), oc.Operation.Name
			}
			outcome := "ok"
			if len(resp.Errors) > 0 {
				outcome = "error"
			}
			cfg.Metrics.ObserveOperation(typ, name, outcome, time.Since(oc.Stats.OperationStart))
		}
		return resp
	})
	return srv
}
