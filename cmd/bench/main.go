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
//	                offerSearch(id): no provider call at all.
//	fanout          distinct round-trip searches with provider latency
//	                injected in the simulators (-latency): does a search take
//	                as long as its slowest provider and no longer?
//	dedupe          sequential roundtrip-full requests through a second
//	                server whose providers sit behind a recording proxy:
//	                is any provider call repeated within one request? Then
//	                the same requests -workers at a time: is any call made
//	                more often than there were requests?
//
// Throughput is measured closed-loop: -workers requests in flight, each
// worker sending its next request as soon as the last one is answered
// (vegeta at rate 0 with a bounded worker pool). The load generator runs
// in the same process as the server, so both share the machine's CPUs.
// Runtime settings come from the environment as for any Go program
// (GOGC=400 go run ./cmd/bench shows what garbage collection costs).
//
// Usage:
//
//	go run ./cmd/bench [-duration 10s] [-workers N] [-scenarios a,b] [-json]
//	                   [-latency citizenplane=150ms,liteapi=80ms]
//	                   [-database-url postgres://...] [-cpuprofile file]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // airport time zones on machines without tzdata
)

// scenarioNames lists the scenarios in the order they run.
var scenarioNames = []string{"roundtrip-full", "cached-page", "fanout", "dedupe"}

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
	cpuprofile     string
}

func main() {
	// The same GC setting as cmd/faregraph, so the figures are the server's.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	var scenarios string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each throughput scenario (roundtrip-full, cached-page) runs")
	fs.IntVar(&o.workers, "workers", 2*runtime.NumCPU(), "requests in flight in the throughput scenarios and dedupe's concurrent phase")
	fs.StringVar(&scenarios, "scenarios", strings.Join(scenarioNames, ","), "comma-separated scenarios to run: "+strings.Join(scenarioNames, ", "))
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL of the database; empty uses an SQLite file in a temporary directory")
	fs.StringVar(&o.latencyFlag, "latency", "citizenplane=150ms,liteapi=80ms", "latency injected in the simulators during fanout, provider=duration,...")
	fs.IntVar(&o.fanoutSearches, "fanout-searches", 40, "distinct searches (departure dates) in the fanout scenario")
	fs.IntVar(&o.fanoutWorkers, "fanout-workers", 4, "searches in flight in the fanout scenario")
	fs.IntVar(&o.dedupeRequests, "dedupe-requests", 20, "sequential requests in the dedupe scenario")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.duration <= 0 || o.workers <= 0 || o.fanoutSearches <= 0 || o.fanoutWorkers <= 0 || o.dedupeRequests <= 0 {
		return o, fmt.Errorf("-duration, -workers, -fanout-searches, -fanout-workers and -dedupe-requests must be positive")
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
	return o, nil
}

// parseLatency parses "citizenplane=150ms,liteapi=80ms".
func parseLatency(s string) (map[string]time.Duration, error) {
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
		out[strings.ToLower(strings.TrimSpace(k))] = d
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
		var res *scenarioResult
		switch name {
		case "roundtrip-full":
			res, err = b.roundTripFull(ctx)
		case "cached-page":
			res, err = b.cachedPage(ctx)
		case "fanout":
			res, err = b.fanout(ctx)
		case "dedupe":
			res, err = b.dedupe(ctx)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rep.Scenarios = append(rep.Scenarios, res)
	}
	rep.Targets = targets(rep.Scenarios)
	if o.json {
		return rep.writeJSON(os.Stdout)
	}
	rep.writeText(os.Stdout)
	return nil
}
