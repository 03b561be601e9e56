// Command bench measures a whole faregraph server on this machine.
//
// It assembles the server in-process with app.New on the built-in provider
// simulators (an SQLite file in a temporary directory unless
// -database-url names a Postgres database), serves it on a real loopback
// listener and drives it over HTTP with the vegeta load-testing library.
// Scenarios (all by default; choose with -scenarios):
//
//	roundtrip-full  a round-trip search CDG→PMI (departure in 30 days,
//	                return 7 days later, 2 adults), 20 offers each with
//	                priceCheck and ancillaries; the search itself is reused
//	                from memory, so this measures the live per-offer calls.
//	cached-page     the stored result of that search paged with
//	                offerSearch(id): no provider call at all; answered
//	                from the response cache. Then the same request with
//	                Cache-Control: no-cache (cached-page-executed: gqlgen
//	                executes it every time), and the REST baselines beside
//	                both: a plain net/http handler JSON-encoding the same
//	                page per request (rest-json) and the page's bytes
//	                served as they are (rest-bytes).
//	fanout          distinct round-trip searches with provider latency
//	                injected in the simulators (-latency): does a search take
//	                as long as its slowest provider and no longer?
//	memory          -memory-searches distinct round-trip searches all in
//	                flight at once, latency injected as in fanout: the
//	                process's peak resident set.
//	dedupe          sequential roundtrip-full requests through a second
//	                server whose providers sit behind a recording proxy:
//	                is any provider call repeated within one request? Then
//	                the same requests -workers at a time: is any call made
//	                more often than there were requests?
//	hostile         roundtrip-full one at a time, alone and then while 4
//	                clients send issue 7's costly inputs in a loop: does its
//	                p99 stay within 1.5× of alone?
//	saga            checkouts from create to BOOKED over GraphQL with the
//	                sandbox card gateway, -saga-workers in flight for
//	                -duration: createCheckoutSession, holdCheckoutSession,
//	                payCheckoutSession(CARD), confirmSandboxPayment,
//	                bookCheckoutSession (reported as saga), then the
//	                one-step checkout mutation, confirm and book (reported
//	                as saga-checkout). Offers come from a pool of one-way
//	                searches over 12 routes and many days, made before the
//	                clock starts, so that no flight sells out. Reports
//	                checkouts per second, latency of checkouts and of each
//	                step, failures by user error code, provider calls and
//	                database transactions (a query hook) per checkout. Then the TPC-B-like baseline on the same
//	                database (pgbench on Postgres when installed, else the
//	                same transaction through the app's driver): how many
//	                of its transactions one checkout costs.
//
// Every scenario reports the load averages when it ended; baselines run
// in the same process right after their scenario, so compare ratios, not
// absolute figures, across runs of this shared machine.
//
// The server runs in development mode (requests without an API key act as
// the sandbox tenant; sandbox payments). With -database-url it uses a new
// schema of that database, created before the run and dropped after it;
// FAREGRAPH_BENCH_DATABASE_URL is its default.
//
// Throughput is measured closed-loop: -workers requests in flight, each
// worker sending its next request as soon as the last one is answered
// (vegeta at rate 0 with a bounded worker pool). The load generator runs
// in the same process as the server, so both share the machine's CPUs.
// Runtime settings come from the environment as for any Go program; when
// it sets none, GOGC 400 and a soft memory limit of 240 MiB, as faregraph
// sets them (GOGC=100 go run ./cmd/bench shows what garbage collection
// costs).
//
// Usage:
//
//	go run ./cmd/bench [-duration 10s] [-workers N] [-scenarios a,b] [-json]
//	                   [-latency citizenplane=150ms,liteapi=80ms]
//	                   [-database-url postgres://...] [-cpuprofile file]
//	                   [-saga-workers 4] [-saga-variants steps,checkout]
//	                   [-saga-days 0]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // airport time zones on machines without tzdata

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/db"
)

// scenarioNames lists the scenarios in the order they run.
var scenarioNames = []string{"roundtrip-full", "cached-page", "fanout", "memory", "dedupe", "hostile", "saga"}

// options are the command's flags.
type options struct {
	duration       time.Duration
	workers        int
	scenarios      []string
	json           bool
	databaseURL    string
	latency        map[string]time.Duration
	latencyFlag    string
	fanoutSearches int
	fanoutWorkers  int
	dedupeRequests int
	memorySearches int
	cpuprofile     string
	sagaWorkers    int
	sagaVariants   []string
	sagaDays       int
}

func main() {
	// The same GC setting as cmd/faregraph, so the figures are the server's.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(240 << 20)
	}
	opts, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0) // -h: the flag set printed the usage
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	// Interrupted or terminated, the run stops its load and still drops
	// its Postgres schema.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	var scenarios, variants string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each throughput scenario (roundtrip-full, cached-page) and each saga variant runs")
	fs.IntVar(&o.workers, "workers", 2*runtime.NumCPU(), "requests in flight in the throughput scenarios and dedupe's concurrent phase")
	fs.StringVar(&scenarios, "scenarios", strings.Join(scenarioNames, ","), "comma-separated scenarios to run: "+strings.Join(scenarioNames, ", "))
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.databaseURL, "database-url", os.Getenv("FAREGRAPH_BENCH_DATABASE_URL"), "postgres:// URL of the database (default $FAREGRAPH_BENCH_DATABASE_URL); empty uses an SQLite file in a temporary directory")
	fs.StringVar(&o.latencyFlag, "latency", "citizenplane=150ms,liteapi=80ms", "latency injected in the simulators during fanout, provider=duration,...")
	fs.IntVar(&o.fanoutSearches, "fanout-searches", 40, "distinct searches (departure dates) in the fanout scenario")
	fs.IntVar(&o.fanoutWorkers, "fanout-workers", 4, "searches in flight in the fanout scenario")
	fs.IntVar(&o.dedupeRequests, "dedupe-requests", 20, "sequential requests in the dedupe scenario")
	fs.IntVar(&o.memorySearches, "memory-searches", 1000, "distinct searches all in flight at once in the memory scenario")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.IntVar(&o.sagaWorkers, "saga-workers", 4, "checkouts in flight in the saga scenario")
	fs.StringVar(&variants, "saga-variants", strings.Join(sagaVariantNames, ","), "comma-separated saga variants, each run for -duration: steps (create, hold, pay, confirm, book), checkout (checkout, confirm, book)")
	fs.IntVar(&o.sagaDays, "saga-days", 0, "departure days the saga's offer pool searches (12 routes a day); 0 searches until the pool has seats for the run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.databaseURL != "" && !db.IsPostgresURL(o.databaseURL) {
		if !setFlags(fs)["database-url"] {
			return o, fmt.Errorf("$FAREGRAPH_BENCH_DATABASE_URL (the default of -database-url): %w", errNotPostgres)
		}
		return o, errNotPostgres
	}
	if o.duration <= 0 || o.workers <= 0 || o.fanoutSearches <= 0 || o.fanoutWorkers <= 0 || o.dedupeRequests <= 0 || o.sagaWorkers <= 0 || o.memorySearches <= 0 {
		return o, fmt.Errorf("-duration, -workers, -fanout-searches, -fanout-workers, -dedupe-requests, -memory-searches and -saga-workers must be positive")
	}
	if o.sagaDays < 0 || o.sagaDays > sagaMaxDays {
		return o, fmt.Errorf("-saga-days must be from 0 to %d", sagaMaxDays)
	}
	for v := range strings.SplitSeq(variants, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if _, ok := sagaVariants[v]; !ok {
			return o, fmt.Errorf("unknown saga variant %q (variants: %s)", v, strings.Join(sagaVariantNames, ", "))
		}
		if !slices.Contains(o.sagaVariants, v) {
			o.sagaVariants = append(o.sagaVariants, v)
		}
	}
	if len(o.sagaVariants) == 0 {
		return o, fmt.Errorf("-saga-variants names no variant")
	}
	for s := range strings.SplitSeq(scenarios, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(scenarioNames, s) {
			return o, fmt.Errorf("unknown scenario %q (scenarios: %s)", s, strings.Join(scenarioNames, ", "))
		}
		if !slices.Contains(o.scenarios, s) {
			o.scenarios = append(o.scenarios, s)
		}
	}
	if len(o.scenarios) == 0 {
		return o, fmt.Errorf("-scenarios names no scenario")
	}
	// Run in the canonical order: cached-page pages roundtrip-full's search.
	slices.SortFunc(o.scenarios, func(a, b string) int {
		return slices.Index(scenarioNames, a) - slices.Index(scenarioNames, b)
	})
	var err error
	if o.latency, err = parseLatency(o.latencyFlag); err != nil {
		return o, err
	}
	// fanout's ratio is over the slowest injected latency, and a search
	// whose providers all time out has no ratio.
	if slices.Contains(o.scenarios, "fanout") {
		slowest := slices.Max(append(slices.Collect(maps.Values(o.latency)), 0))
		if slowest <= 0 || slowest >= providerTimeout {
			return o, fmt.Errorf("-latency: the fanout scenario needs a provider's latency above 0 and under the provider timeout (%s); the slowest is %s", providerTimeout, slowest)
		}
	}
	return o, nil
}

// setFlags is the names of the flags set on fs's command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// parseLatency parses "citizenplane=150ms,liteapi=80ms": durations by
// provider name, each a provider of app.Registry (the bench's server
// simulates all of them).
func parseLatency(s string) (map[string]time.Duration, error) {
	var known []string
	for _, r := range app.Registry() {
		known = append(known, r.Name)
	}
	out := map[string]time.Duration{}
	for kv := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("-latency: %q is not provider=duration", kv)
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("-latency: %s: bad duration %q", k, v)
		}
		name := strings.ToLower(strings.TrimSpace(k))
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("-latency: unknown provider %q (providers: %s)", strings.TrimSpace(k), strings.Join(known, ", "))
		}
		out[name] = d
	}
	return out, nil
}

func run(ctx context.Context, o options) error {
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	b, err := newBench(ctx, o)
	if err != nil {
		return err
	}
	defer b.Close()

	rep := report{Machine: machineInfo(o, b.database)}
	for _, name := range o.scenarios {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !o.json {
			fmt.Fprintf(os.Stderr, "bench: running %s...\n", name)
		}
		var rs []*scenarioResult
		var res *scenarioResult
		switch name {
		case "saga":
			rs, err = b.saga(ctx)
			if err == nil && len(rs) > 0 {
				err = b.sagaBaseline(ctx, rs)
			}
		case "cached-page":
			rs, err = b.cachedPage(ctx)
		case "roundtrip-full":
			res, err = b.roundTripFull(ctx)
		case "fanout":
			res, err = b.fanout(ctx)
		case "memory":
			res, err = b.memory(ctx)
		case "dedupe":
			res, err = b.dedupe(ctx)
		case "hostile":
			res, err = b.hostileLoad(ctx)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if res != nil {
			rs = append(rs, res)
		}
		rep.Scenarios = append(rep.Scenarios, rs...)
	}
	rep.Targets = targets(rep.Scenarios)
	if o.json {
		return rep.writeJSON(os.Stdout)
	}
	rep.writeText(os.Stdout)
	return nil
}
