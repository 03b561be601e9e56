package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/providers"
)

// setting documents one environment variable for "faregraph help".
type setting struct {
	name, def, meaning string
}

// settings lists every environment variable faregraph reads but the
// providers' own, in the order "faregraph help" prints them; README.md has
// the same table.
var settings = []setting{
	{"FAREGRAPH_ADDR", ":8080", "listen address of the API"},
	{"FAREGRAPH_ENV", "development", "development or production (production requires FAREGRAPH_SECRET, a payment gateway and provider URLs, and turns the playground and introspection off)"},
	{"DATABASE_URL", "unset", "postgres://... to use Postgres; unset uses the SQLite file FAREGRAPH_DB_PATH"},
	{"FAREGRAPH_DB_PATH", "faregraph.db", "the SQLite file when DATABASE_URL is unset"},
	{"FAREGRAPH_SECRET", "generated once in development", "key that signs offer ids (at least 32 characters); the same on every replica"},
	{"FAREGRAPH_PROVIDER_TIMEOUT", "5s", "each provider's deadline per search and per batch of live checks"},
	{"FAREGRAPH_REFUSAL_RATE", "5", "refused requests per second a client (address) earns back; past the burst, its requests wait 1 s and get 429 (negative: off)"},
	{"FAREGRAPH_REFUSAL_BURST", "20", "refused requests a client may send at once before the rate applies"},
	{"FAREGRAPH_TRUSTED_PROXIES", "unset", "networks of load balancers (e.g. 10.0.0.0/8,fd00::/8) whose X-Forwarded-For names the client"},
	{"FAREGRAPH_REQUEST_TIMEOUT", "30s", "deadline of each GraphQL request; a request also stops when its client disconnects"},
	{"FAREGRAPH_FX_URL", "unset: the shipped ECB rates", "URL of the ECB daily reference rates XML (eurofxref-daily.xml or a mirror) to convert prices with"},
	{"FAREGRAPH_FX_REFRESH", "6h", "how often FAREGRAPH_FX_URL is fetched again; a failed fetch keeps the rates in force"},
	{"FAREGRAPH_SIM_LATENCY", "none", "simulator latency, e.g. citizenplane=150ms,liteapi=80ms"},
	{"FAREGRAPH_SIM_FAILURE_RATE", "none", "share of simulator requests answered with a provider error, e.g. liteapi=0.5"},
	{"FAREGRAPH_SIM_FAIL", "none", "make a simulator operation fail, e.g. citizenplane.book=after, liteapi.prebook=before or =timeout"},
	{"FAREGRAPH_SIM_SEED", "1", "simulator inventory seed"},
	{"FAREGRAPH_SIM_ADDR", "127.0.0.1:8090", "listen address of faregraph simulators"},
	{"FAREGRAPH_SIM_ADMIN_ADDR", "unset", "test only: faregraph simulators also serves GET /bookings (bookings made per provider, JSON) POST /drop-prebook?provider=&ref= (a LiteAPI prebook lapses now) and GET /gr4vy/transactions?status= (the Gr4vy simulator's transactions in a status) on this address"},
	{"FAREGRAPH_TEST_CRASH_AT", "unset", "test only, refused in production: the server SIGKILLs itself at this saga step boundary (e.g. book:before_provider; README lists the points)"},
	{"FAREGRAPH_SWEEP_INTERVAL", "10s", "how often the server expires sessions, renews holds, releases payments, resumes steps, reconciles, refreshes bookings and prunes old saga steps"},
	{"FAREGRAPH_CHECKOUT_LEASE", "10s", "how long a saga step holds a session (and a request its idempotency key); a live step renews it every third of it while its calls run, so after a crash the sweeper takes a session over within about lease + sweep interval, and a retry the key within about the lease"},
	{"FAREGRAPH_CHECKOUT_RENEW_MARGIN", "30s", "how long before a provider hold lapses it is renewed"},
	{"FAREGRAPH_SAGA_STEP_RETENTION", "720h (30 days)", "how long finished saga steps of ended sessions are kept before the sweeper deletes them"},
	{"FAREGRAPH_PLAYGROUND", "on in development", "serve the GraphQL playground at /"},
	{"FAREGRAPH_INTROSPECTION", "on in development", "allow introspection queries"},
	{"FAREGRAPH_CORS_ORIGINS", "* in development", "browser origins allowed to call /graphql, comma-separated"},
	{"STRIPE_SECRET_KEY", "unset: sandbox gateway", "take card payments through Stripe"},
	{"STRIPE_API_URL", "Stripe", "another Stripe API base (stripe-mock)"},
	{"STRIPE_WEBHOOK_SECRET", "unset", "verifies POST /webhooks/stripe"},
	{"FAREGRAPH_GATEWAY", "stripe if STRIPE_SECRET_KEY, else sandbox", "card gateway: stripe, gr4vy or sandbox"},
	{"GR4VY_ID", "unset", "Gr4vy instance id; alone, the API is its sandbox, https://api.sandbox.<id>.gr4vy.app"},
	{"GR4VY_API_URL", "unset: https://api.sandbox.<GR4VY_ID>.gr4vy.app, or the built-in Gr4vy simulator without GR4VY_ID", "Gr4vy API base (production: https://api.<id>.gr4vy.app)"},
	{"GR4VY_PRIVATE_KEY_FILE", "unset: a key generated for the simulator", "file of the Gr4vy API key pair's private key (P-521, PEM) signing the ES512 bearer tokens"},
	{"GR4VY_WEBHOOK_SECRET", "unset: no POST /webhooks/gr4vy (generated for the simulator)", "Gr4vy webhook subscription secret verifying X-Gr4vy-Webhook-Signatures"},
	{"GR4VY_REDIRECT_URL", "unset: no 3-D Secure on Gr4vy transactions (a simulator page with the simulator)", "where Gr4vy sends the buyer back after 3-D Secure"},
	{"FAREGRAPH_ALLOW_SANDBOX_PAYMENTS", "on in development", "allow the sandbox gateway when Stripe is not configured"},
	{"FAREGRAPH_ALLOW_SIMULATORS", "on in development", "allow the built-in simulators for providers without a URL"},
	{"FAREGRAPH_METRICS_ADDR", "unset", "serve GET /metrics on this address (e.g. 127.0.0.1:9090) and not on FAREGRAPH_ADDR"},
	{"FAREGRAPH_METRICS_TOKEN", "unset", "bearer token (at least 16 characters) GET /metrics requires; in production, /metrics is served on FAREGRAPH_ADDR only with a token"},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "unset: tracing off", "OTLP/HTTP collector base URL (e.g. http://localhost:4318): spans of each operation, resolver, provider call and saga step; the other OTEL_EXPORTER_OTLP_* variables (headers, timeout) and OTEL_SERVICE_NAME apply"},
}

// commands lists the commands for "faregraph help".
var commands = [][2]string{
	{"serve", "serve the API on FAREGRAPH_ADDR (the default command)"},
	{"migrate", "apply the database migrations and exit"},
	{"apikey create --tenant NAME --scopes LIST", "create an API key for a tenant (printed once)"},
	{"apikey list [--tenant NAME]", "list API keys (of one tenant): tenant, key id, scopes, created, revoked (never the secret)"},
	{"apikey revoke KEY-ID", "revoke an API key (its id, fg_<id> prefix or the whole key, which must match); requests with it are refused at once"},
	{"creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]", "set a tenant's credit line"},
	{"tenant settlement set --tenant NAME --provider NAME --mode MERCHANT|PROVIDER_INTENT|CARD_FORWARD", "set how a tenant's parts of a provider settle when a session does not say (a mode the provider does not support is refused)"},
	{"tenant settlement list --tenant NAME", "list a tenant's settlement per provider (MERCHANT when none is set) and the modes each supports"},
	{"sessions list [--status NEEDS_ATTENTION] [--limit 100] [--booked-late]", "list checkout sessions in a status (any case) across tenants, at most --limit (1 to 1000): parts (BOOKED_LATE: a provider booked it after the session was decided), reconcile attempts, next lookup, failure; --booked-late lists the sessions with such a booking, whatever their status"},
	{"sessions resolve SESSION-ID --as booked|failed [--part N] [--reference REF]", "decide a booking a provider left unknown: booked (with the provider's reference, read back from it) or failed; then capture what was booked and release the rest; refused while a step of the session is running (retry after the time it names)"},
	{"simulators", "serve the built-in provider simulators, and Gr4vy's under /gr4vy, on FAREGRAPH_SIM_ADDR, with the FAREGRAPH_SIM_* knobs, and print the FAREGRAPH_<PROVIDER>_<KEY> and GR4VY_API_URL, GR4VY_PRIVATE_KEY_FILE settings that point a server at them, then an empty line; outside production their knobs are turned over HTTP at /sim/ on that address (see README)"},
	{"help", "print this help (also -h, --help)"},
}

// allSettings is settings with each registered provider's settings
// (FAREGRAPH_<NAME>_<KEY>, from its registration) after the provider
// timeout.
func allSettings() []setting {
	var out []setting
	for _, s := range settings {
		if s.name != "" {
			out = append(out, s)
		}
		if s.name == "FAREGRAPH_PROVIDER_TIMEOUT" {
			for _, r := range app.Registry() {
				for _, k := range r.AllKeys() {
					def := ""
					if k == providers.KeyURL {
						def = "simulator"
					}
					out = append(out, setting{r.EnvVar(k), def, r.Help[k]})
				}
			}
		}
	}
	return out
}

// usage prints the commands and the environment variables to w.
func usage(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "faregraph serves the faregraph GraphQL API.")
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Usage: faregraph [command]")
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\n      %s\n", c[0], c[1])
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Environment (with no configuration: SQLite ./faregraph.db and the built-in provider simulators):")
	fmt.Fprintln(tw, "  VARIABLE\tDEFAULT\tMEANING")
	for _, s := range allSettings() {
		def := s.def
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.name, def, s.meaning)
	}
	return tw.Flush()
}
