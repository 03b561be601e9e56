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
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"go.opentelemetry.io/otel/trace"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/events"
	"github.com/faregraph/faregraph/fault"
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
	// MaxBodyBytes caps a request body. The largest useful request, a
	// checkout for 9 passengers with every list at its @maxItems, is about
	// 30 KiB; a body is read whole before anything is refused, so this
	// also bounds what a refusal costs.
	MaxBodyBytes = 256 << 10
	// MaxTokens caps the tokens the GraphQL parser reads from one query.
	MaxTokens = 5000
	// MaxComplexity caps what one operation may cost (see cost.go).
	MaxComplexity = 5000
	// MaxPersistedQueries bounds the documents kept for automatic
	// persisted queries (LRU).
	MaxPersistedQueries = 1000
	// DefaultRequestTimeout is the execution deadline of a GraphQL
	// request when Config.RequestTimeout is zero.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultKeepAlive is how often an idle subscription stream sends a
	// comment when Config.KeepAlive is zero: under the 30 to 60 s idle
	// timeouts of common proxies and load balancers.
	DefaultKeepAlive = 15 * time.Second
)

// Config is what the server needs.
type Config struct {
	Search   *search.Service
	Checkout *checkout.Service
	// Events serves webhook endpoints and subscriptions.
	Events    *events.Service
	Providers *providers.Set
	// Auth authenticates API keys; requests pass through it to /graphql.
	Auth *auth.Authenticator
	// Webhooks verifies Stripe webhooks; nil when Stripe is not configured.
	Webhooks WebhookParser
	// Gr4vyWebhooks verifies Gr4vy's webhooks (POST /webhooks/gr4vy); nil
	// when Gr4vy is not the gateway or has no webhook secret.
	Gr4vyWebhooks Gr4vyWebhooks
	DB            *db.DB
	Loaders       *loaders.Factory
	Metrics       *metrics.Metrics
	Logger        *slog.Logger
	// Ready reports whether the server can take traffic (database reachable).
	Ready func(ctx context.Context) error
	// CORSOrigins are the browser origins allowed to call /graphql ("*": any).
	CORSOrigins []string
	// Playground serves the GraphiQL page at / and the results page and
	// example operations at ExamplesPrefix when true.
	Playground bool
	// Introspection allows introspection queries when true. Without it,
	// validation errors suggest no field, argument, type or enum value
	// names either ("Did you mean ...?"), which would reveal the schema
	// just as well.
	Introspection bool
	// RequestTimeout is the deadline of every GraphQL request, from its
	// arrival to its answer; DefaultRequestTimeout when zero. A request
	// also stops when its client disconnects. Subscriptions are exempt:
	// their streams last until the client disconnects or Shutdown closes.
	RequestTimeout time.Duration
	// KeepAlive is how often a subscription's stream sends a comment line
	// while it sends nothing else; DefaultKeepAlive when zero.
	KeepAlive time.Duration
	// Shutdown, closed when the server begins to shut down, ends every
	// subscription's stream (without "event: complete": clients
	// reconnect, to another replica, with after). Nil: only the client
	// ends them.
	Shutdown <-chan struct{}
	// Refusals is how many refused requests a client may send to /graphql
	// before it is answered 429 (see RefusalBudget).
	Refusals RefusalBudget
	// Now is the clock of the resolvers; time.Now when nil.
	Now func() time.Time

	// SimControl, when set, is served under /sim/: the knobs of the
	// built-in provider simulators (sim.ControlHandler). The app sets it in
	// development only; in production /sim/ does not exist (404).
	SimControl http.Handler

	// MetricsHandler is served at GET /metrics; nil serves no /metrics.
	MetricsHandler http.Handler
	// TracerProvider, when set, traces each operation and resolver.
	TracerProvider trace.TracerProvider
}

// New returns the HTTP handler of the whole server.
func New(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", newRefusals(cfg.Refusals).wrap(cors(cfg.CORSOrigins, graphqlMethods(len(cfg.CORSOrigins) > 0, cfg.Auth.Middleware(GraphQL(cfg))))))
	if cfg.Webhooks != nil {
		mux.Handle("POST /webhooks/stripe", stripeWebhook(cfg.Webhooks, cfg.Checkout, cfg.DB, cfg.Logger))
	}
	if cfg.Gr4vyWebhooks != nil {
		mux.Handle("POST /webhooks/gr4vy", gr4vyWebhook(cfg.Gr4vyWebhooks, cfg.Checkout, cfg.DB, cfg.Logger))
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
	if cfg.SimControl != nil {
		mux.Handle("/sim/", http.StripPrefix("/sim", cfg.SimControl))
	}
	if cfg.Playground {
		pg := playground.Handler(playground.Config{Title: "faregraph", Endpoint: "/graphql"})
		mux.Handle("GET /{$}", pg)
		mux.Handle("GET /playground/", pg)
		mux.Handle("GET "+ExamplesPrefix, examplesHandler())
	}
	return withRequestLog(cfg.Logger, mux)
}

// graphqlMethods answers what is not GraphQL over HTTP before anything
// else looks at it: a method other than GET and POST (and OPTIONS, which
// cors answers, when browsers may call) is a 405 with Allow, and a POST
// that is not JSON a 415.
func graphqlMethods(withOptions bool, next http.Handler) http.Handler {
	allow := "GET, POST"
	if withOptions {
		allow += ", OPTIONS"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isWebSocket(r):
			refuseUnsupported(w, r)
		case r.Method != http.MethodGet && r.Method != http.MethodPost:
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, fault.MethodNotAllowed, "/graphql takes GET and POST")
		case r.Method == http.MethodPost && !(postJSON{}).Supports(r):
			writeError(w, http.StatusUnsupportedMediaType, fault.UnsupportedMediaType, "POST /graphql takes a JSON body (Content-Type: application/json)")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// GraphQL returns the GraphQL handler alone, as tests and benchmarks use it.
func GraphQL(cfg Config) http.Handler {
	res := &resolvers.Resolver{Search: cfg.Search, Checkout: cfg.Checkout, Events: cfg.Events, Providers: cfg.Providers, Logger: cfg.Logger, Now: cfg.Now}
	gc := graph.Config{Resolvers: res}
	complexity(&gc.Complexity)
	schema := graph.NewExecutableSchema(gc)
	srv := handler.New(schema)
	inputs := &resolvers.Inputs{ListEnumValues: cfg.Introspection}
	// Only GET and POST with a JSON body: no multipart or form posts, which
	// a browser can send cross-site without a preflight.
	// The response cache answers before anything is parsed (transport.go's
	// execute); its middleware, innermost, decides what may be kept.
	responses := newResponseCache(cfg.Now, cfg.Metrics)
	srv.AddTransport(getQuery{inputs: inputs, cache: responses, schema: schema.Schema()})
	srv.AddTransport(postJSON{inputs: inputs, cache: responses, schema: schema.Schema()})
	srv.AddTransport(unsupported{}) // last: the requests the others do not take
	cache := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(MaxTokens)
	// Automatic persisted queries: a client may send the document's
	// SHA-256 alone once the server has seen it (PERSISTED_QUERY_NOT_FOUND
	// asks it to send the document). Before documentLimits, which then
	// measures the document the hash stands for.
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](MaxPersistedQueries)})
	srv.Use(documentLimits{cache: cache})
	srv.Use(listLimits{schema: schema.Schema()})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	if cfg.TracerProvider != nil {
		srv.Use(telemetry.GraphQL(cfg.TracerProvider))
	}
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
		srv.SetValidationRulesFn(rulesWithoutSuggestions)
	}
	srv.Use(inputs)
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
	srv.AroundResponses(capErrors)
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
	// Innermost: it sees the answer as the resolvers gave it.
	srv.AroundResponses(responses.middleware)
	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	keepAlive := cfg.KeepAlive
	if keepAlive <= 0 {
		keepAlive = DefaultKeepAlive
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w, r = withHTTPCaching(w, r, responses.now)
		// The request's context also ends when the client disconnects.
		// A subscription's stream is run without the deadline
		// (streamContext), from what the request started with.
		base := &streamBase{ctx: r.Context(), shutdown: cfg.Shutdown, keepAlive: keepAlive}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		// A search's result is stored once its answer is written.
		ctx, answered := search.AfterAnswer(ctx)
		defer answered()
		srv.ServeHTTP(w, r.WithContext(context.WithValue(ctx, streamBaseKey{}, base)))
	})
}

// rulesWithoutSuggestions are gqlparser's validation rules with the
// variants that suggest no names.
func rulesWithoutSuggestions() *rules.Rules {
	rs := rules.NewDefaultRules()
	for _, r := range []core.Rule{
		rules.FieldsOnCorrectTypeRuleWithoutSuggestions,
		rules.KnownArgumentNamesRuleWithoutSuggestions,
		rules.KnownTypeNamesRuleWithoutSuggestions,
		rules.ScalarLeafsRuleWithoutSuggestions,
		rules.ValuesOfCorrectTypeRuleWithoutSuggestions,
	} {
		rs.RemoveRule(strings.TrimSuffix(r.Name, "WithoutSuggestions"))
		rs.AddRule(r.Name, r.RuleFunc)
	}
	return rs
}
