package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
)

// report is everything the command prints.
type report struct {
	Machine   machine           `json:"machine"`
	Scenarios []*scenarioResult `json:"scenarios"`
	Targets   []target          `json:"targets"`
}

type machine struct {
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Database   string `json:"database"`
	Duration   string `json:"duration_per_scenario"`
	Workers    int    `json:"workers"`
}

func machineInfo(o options, database string) machine {
	return machine{
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH, Database: database,
		Duration: o.duration.String(), Workers: o.workers,
	}
}

// scenarioResult is one scenario's figures. Latencies are in milliseconds
// and memory in bytes; memory is the whole process's (server, simulators
// and load generator).
type scenarioResult struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Workers     int            `json:"workers"`
	Requests    uint64         `json:"requests"`
	Seconds     float64        `json:"seconds"`
	RPS         float64        `json:"rps"`
	P50Ms       float64        `json:"p50_ms"`
	P95Ms       float64        `json:"p95_ms"`
	P99Ms       float64        `json:"p99_ms"`
	Success     float64        `json:"success"`
	Errors      map[string]int `json:"errors,omitempty"`
	// ProviderCallsPerQuery is provider HTTP calls per GraphQL request;
	// ProviderCalls counts them by "provider operation outcome".
	ProviderCallsPerQuery float64            `json:"provider_calls_per_query"`
	ProviderCalls         map[string]float64 `json:"provider_calls"`
	PeakRSSBytes          uint64             `json:"peak_rss_bytes"`
	PeakHeapBytes         uint64             `json:"peak_heap_bytes"`
	Notes                 []string           `json:"notes,omitempty"`
	Fanout                *fanoutResult      `json:"fanout,omitempty"`
	Dedupe                *dedupeResult      `json:"dedupe,omitempty"`
	Saga                  *sagaResult        `json:"saga,omitempty"`
	// Baselines are measured in the same run, beside this scenario.
	Baselines []baseline `json:"baselines,omitempty"`
	// Load is the machine's load averages (1, 5, 15 minutes) when the
	// scenario ended: the cores are shared.
	Load string `json:"load"`

	providerCallsTotal float64
}

type fanoutResult struct {
	SlowestProviderMs float64 `json:"slowest_provider_ms"`
	// Ratio is the p50 search latency over the slowest injected latency.
	Ratio float64 `json:"ratio"`
	// ServerSideSlowestP50Ms is the median of each search's slowest
	// providerResults.latencyMs: the providers' time as the server saw it.
	ServerSideSlowestP50Ms float64 `json:"server_side_slowest_provider_p50_ms"`
}

type dedupeResult struct {
	// MaxDuplicates is the most times one call was repeated in one request.
	MaxDuplicates          int      `json:"max_duplicates"`
	DuplicateCalls         int      `json:"duplicate_calls"`
	RequestsWithDuplicates int      `json:"requests_with_duplicates"`
	CallsPerRequest        []int    `json:"calls_per_request"`
	RecordedCalls          int      `json:"recorded_calls"`
	ObservedCalls          float64  `json:"observed_calls"`
	Examples               []string `json:"examples,omitempty"`
	// Concurrent is the same request sent again with -workers in flight.
	Concurrent *dedupeConcurrent `json:"concurrent,omitempty"`
}

type dedupeConcurrent struct {
	Requests      int     `json:"requests"`
	Workers       int     `json:"workers"`
	Success       float64 `json:"success"`
	RecordedCalls int     `json:"recorded_calls"`
	ObservedCalls float64 `json:"observed_calls"`
	// ExcessCalls counts the calls recorded more often than there were
	// requests: at least that many calls were repeated within a request.
	ExcessCalls int      `json:"excess_calls"`
	Examples    []string `json:"examples,omitempty"`
}

// sagaResult is a saga variant's figures. In its scenarioResult, Requests
// counts checkouts started, RPS checkouts BOOKED per second, the
// latencies are of whole checkouts that reached BOOKED, Success is BOOKED
// over started and Errors counts failed checkouts by "step: cause" (user
// error codes joined by +), and provider calls are per checkout started.
type sagaResult struct {
	Variant         string           `json:"variant"`
	Started         int              `json:"started"`
	Booked          int              `json:"booked"`
	GraphQLRequests int              `json:"graphql_requests"`
	Steps           []sagaStepResult `json:"steps"`
	// SoldOut counts SOLD_OUT user errors, at any step.
	SoldOut int `json:"sold_out"`
	// Database work per BOOKED checkout, counted by a query hook on the
	// server's database (background loops included): transactions are
	// commits, rollbacks and statements run outside a transaction
	// (single statements); statements counts every statement.
	TransactionsPerCheckout     float64 `json:"transactions_per_checkout"`
	CommitsPerCheckout          float64 `json:"commits_per_checkout"`
	SingleStatementsPerCheckout float64 `json:"single_statements_per_checkout"`
	StatementsPerCheckout       float64 `json:"statements_per_checkout"`
	// CPU time per BOOKED checkout, in milliseconds: this process's
	// (server, simulators and load generator together) and the run's
	// Postgres backends' (the server's connections, found by their
	// application_name; not Postgres's background processes; 0 when they
	// are not visible: SQLite, a database on another machine; see
	// backendSampler). CPURatio is their sum over the TPC-B baseline's
	// CPU per transaction: the TPC-B transactions one checkout costs in
	// CPU.
	ProcessCPUPerCheckoutMs  float64 `json:"process_cpu_per_checkout_ms"`
	PostgresCPUPerCheckoutMs float64 `json:"postgres_cpu_per_checkout_ms,omitempty"`
	postgres                 bool    // the database is Postgres
	CPURatio                 float64 `json:"cpu_ratio,omitempty"`
	// The offer pool: one-way searches made before the run.
	PoolFirstDay     string         `json:"pool_first_day"`
	PoolDays         int            `json:"pool_days"`
	PoolSearches     int            `json:"pool_searches"`
	PoolOffers       int            `json:"pool_offers"`
	PoolFlights      int            `json:"pool_flights"`
	PoolCapacity     int            `json:"pool_capacity"`
	PoolBuildSeconds float64        `json:"pool_build_seconds"`
	PoolNotOK        map[string]int `json:"pool_provider_not_ok,omitempty"`
	// PoolHandedOut is the offers handed out in this variant; BeyondPool
	// those handed out after the pool ran out of seats.
	PoolHandedOut int `json:"pool_handed_out"`
	BeyondPool    int `json:"beyond_pool"`
	// FlightsUsed counts the flights whose seats were handed out,
	// FlightsFull those handed out to the last seat their search showed
	// (the pool skips them then), MostSeatsOnAFlight the most seats
	// handed out on one flight.
	FlightsUsed        int `json:"flights_used"`
	FlightsFull        int `json:"flights_full"`
	MostSeatsOnAFlight int `json:"most_seats_on_a_flight"`
}

// sagaStepResult is the latency of one step of a checkout, over every
// answer it had (successful or not).
type sagaStepResult struct {
	Name  string  `json:"name"`
	Count int     `json:"count"`
	P50Ms float64 `json:"p50_ms"`
	P95Ms float64 `json:"p95_ms"`
	P99Ms float64 `json:"p99_ms"`
}

func newScenarioResult(name string, workers int, res *loadResult) *scenarioResult {
	r := &scenarioResult{
		Name: name, Workers: workers, Requests: res.m.Requests,
		Seconds: (res.m.Duration + res.m.Wait).Seconds(),
		RPS:     res.throughput(),
		P50Ms:   ms(res.m.Latencies.P50), P95Ms: ms(res.m.Latencies.P95), P99Ms: ms(res.m.Latencies.P99),
		Success: res.success(), Load: loadAvg(),
	}
	if len(res.errors) > 0 {
		r.Errors = res.errors
	}
	return r
}

// target is one goal and whether the run met it.
type target struct {
	Scenario string  `json:"scenario"`
	What     string  `json:"what"`
	Value    float64 `json:"value"`
	Pass     bool    `json:"pass"`
	// Info marks a figure reported without a goal; Pass is then false.
	Info bool `json:"info,omitempty"`
}

// goal is a target with a goal: pass tells whether value meets it.
func goal(scenario, what string, value float64, pass bool) target {
	return target{Scenario: scenario, What: what, Value: value, Pass: pass}
}

// targets judges the scenarios that ran against their goals.
func targets(rs []*scenarioResult) []target {
	var ts []target
	for _, r := range rs {
		ts = append(ts, goal(r.Name, "success = 100%", r.Success*100, r.Success == 1))
		for _, b := range r.Baselines {
			switch b.Name {
			case "rest-json":
				ts = append(ts, goal(r.Name, "throughput / rest-json ≥ 1.0", b.Ratio, b.Ratio >= 1))
			case "rest-bytes":
				ts = append(ts, target{Scenario: r.Name, What: "throughput / rest-bytes", Value: b.Ratio, Info: true})
			case "tpcb":
				ts = append(ts, goal(r.Name, "TPC-B transactions per checkout ≤ 7", b.Ratio, b.Ratio > 0 && b.Ratio <= 7))
				if r.Saga != nil && r.Saga.CPURatio > 0 {
					ts = append(ts, target{Scenario: r.Name, What: "TPC-B transactions per checkout, CPU", Value: r.Saga.CPURatio, Info: true})
				}
			}
		}
		switch r.Name {
		case "cached-page", "cached-page-executed":
			ts = append(ts,
				goal(r.Name, "throughput ≥ 2000 req/s", r.RPS, r.RPS >= 2000),
				goal(r.Name, "provider calls per query = 0", r.ProviderCallsPerQuery, r.ProviderCallsPerQuery == 0))
		case "fanout":
			ts = append(ts, goal(r.Name, "p50 / slowest provider latency ≤ 1.05", r.Fanout.Ratio, r.Success == 1 && r.Fanout.Ratio > 0 && r.Fanout.Ratio <= 1.05))
		case "memory":
			ts = append(ts, goal(r.Name, "peak RSS ≤ 300 MB", float64(r.PeakRSSBytes)/1e6, r.PeakRSSBytes > 0 && r.PeakRSSBytes <= 300e6))
		case "dedupe":
			ts = append(ts, goal(r.Name, "repeated provider calls per request = 0", float64(r.Dedupe.MaxDuplicates), r.Dedupe.MaxDuplicates == 0))
			if c := r.Dedupe.Concurrent; c != nil {
				ts = append(ts, goal(r.Name, "repeated calls, concurrent requests = 0", float64(c.ExcessCalls), c.ExcessCalls == 0))
			}
		case "saga", "saga-checkout":
			// No goal yet: the figures are reported.
			ts = append(ts,
				target{Scenario: r.Name, What: "checkouts BOOKED per second", Value: r.RPS, Info: true},
				target{Scenario: r.Name, What: "p95 checkout latency, ms", Value: r.P95Ms, Info: true},
				target{Scenario: r.Name, What: "provider calls per checkout", Value: r.ProviderCallsPerQuery, Info: true},
				target{Scenario: r.Name, What: "SOLD_OUT answers", Value: float64(r.Saga.SoldOut), Info: true})
		}
	}
	return ts
}

func (rep *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

func (rep *report) writeText(w io.Writer) {
	m := rep.Machine
	fmt.Fprintf(w, "faregraph bench: %s %s/%s, NumCPU %d, GOMAXPROCS %d, database %s\n",
		m.GoVersion, m.OS, m.Arch, m.NumCPU, m.GOMAXPROCS, m.Database)
	fmt.Fprintf(w, "load generator (vegeta) and server share the process; memory is the whole process's\n")
	for _, r := range rep.Scenarios {
		fmt.Fprintf(w, "\n== %s\n   %s\n", r.Name, r.Description)
		if r.Saga != nil {
			writeSaga(w, r)
			continue
		}
		switch r.Name {
		case "dedupe":
			fmt.Fprintf(w, "   requests     %d, one at a time, in %.2fs, success %.2f%%\n", r.Requests, r.Seconds, r.Success*100)
		case "fanout":
			fmt.Fprintf(w, "   requests     %d, %d in flight, in %.2fs, success %.2f%%\n", r.Requests, r.Workers, r.Seconds, r.Success*100)
		default:
			fmt.Fprintf(w, "   requests     %d in %.2fs, %d in flight (closed loop), success %.2f%%\n", r.Requests, r.Seconds, r.Workers, r.Success*100)
		}
		fmt.Fprintf(w, "   throughput   %.1f req/s\n", r.RPS)
		fmt.Fprintf(w, "   latency      p50 %s  p95 %s  p99 %s\n", fmtMs(r.P50Ms), fmtMs(r.P95Ms), fmtMs(r.P99Ms))
		fmt.Fprintf(w, "   provider     %.2f calls/query%s\n", r.ProviderCallsPerQuery, callBreakdown(r))
		writeMemory(w, r)
		if f := r.Fanout; f != nil {
			fmt.Fprintf(w, "   fan-out      p50 %s / slowest provider %s = %.3f (providers' own latency as the server saw it: p50 %s)\n",
				fmtMs(r.P50Ms), fmtMs(f.SlowestProviderMs), f.Ratio, fmtMs(f.ServerSideSlowestP50Ms))
		}
		if d := r.Dedupe; d != nil {
			fmt.Fprintf(w, "   dedupe       max repeats of one call in a request %d, repeated calls %d in %d requests\n",
				d.MaxDuplicates, d.DuplicateCalls, d.RequestsWithDuplicates)
			fmt.Fprintf(w, "                calls per request: %s (proxy recorded %d, metrics observed %.0f)\n",
				callsString(d.CallsPerRequest), d.RecordedCalls, d.ObservedCalls)
			for _, e := range d.Examples {
				fmt.Fprintf(w, "                repeated: %s\n", e)
			}
			if c := d.Concurrent; c != nil {
				fmt.Fprintf(w, "   concurrent   the same request %d times, %d in flight: %.2f calls/request (proxy recorded %d, metrics observed %.0f), success %.2f%%\n",
					c.Requests, c.Workers, float64(c.RecordedCalls)/float64(max(c.Requests, 1)), c.RecordedCalls, c.ObservedCalls, c.Success*100)
				fmt.Fprintf(w, "                calls made more often than there were requests: %d (so repeated within requests)\n", c.ExcessCalls)
				for _, e := range c.Examples {
					fmt.Fprintf(w, "                repeated: %s\n", e)
				}
			}
		}
		writeBaselines(w, r)
		for _, n := range r.Notes {
			fmt.Fprintf(w, "   note         %s\n", n)
		}
		for _, e := range slices.Sorted(maps.Keys(r.Errors)) {
			fmt.Fprintf(w, "   error        %d× %s\n", r.Errors[e], e)
		}
	}
	fmt.Fprintf(w, "\n== targets\n")
	for _, t := range rep.Targets {
		verdict := "MISS"
		switch {
		case t.Info:
			verdict = "INFO"
		case t.Pass:
			verdict = "PASS"
		}
		fmt.Fprintf(w, "   %-4s  %-20s %-42s %.3f\n", verdict, t.Scenario, t.What, t.Value)
	}
}

// writeSaga writes a saga variant's figures.
func writeSaga(w io.Writer, r *scenarioResult) {
	s := r.Saga
	fmt.Fprintf(w, "   checkouts    %d started, %d BOOKED in %.2fs, %d in flight (closed loop), success %.2f%%\n",
		s.Started, s.Booked, r.Seconds, r.Workers, r.Success*100)
	fmt.Fprintf(w, "   throughput   %.1f checkouts/s BOOKED (%d GraphQL requests, %.1f req/s)\n",
		r.RPS, s.GraphQLRequests, float64(s.GraphQLRequests)/max(r.Seconds, 1e-9))
	fmt.Fprintf(w, "   end to end   p50 %s  p95 %s  p99 %s (a whole checkout, first request to BOOKED)\n", fmtMs(r.P50Ms), fmtMs(r.P95Ms), fmtMs(r.P99Ms))
	for _, st := range s.Steps {
		fmt.Fprintf(w, "   %-12s p50 %s  p95 %s  p99 %s (%d answers)\n", st.Name, fmtMs(st.P50Ms), fmtMs(st.P95Ms), fmtMs(st.P99Ms), st.Count)
	}
	fmt.Fprintf(w, "   provider     %.2f calls/checkout%s\n", r.ProviderCallsPerQuery, callBreakdown(r))
	fmt.Fprintf(w, "   database     %.1f transactions/checkout (%.1f commits, %.1f single statements; %.1f statements in all)\n",
		s.TransactionsPerCheckout, s.CommitsPerCheckout, s.SingleStatementsPerCheckout, s.StatementsPerCheckout)
	if s.PostgresCPUPerCheckoutMs > 0 {
		fmt.Fprintf(w, "   cpu          %.1f ms/checkout: %.1f ms this process (server, simulators, load), %.1f ms the run's Postgres backends (not its background processes)\n",
			s.ProcessCPUPerCheckoutMs+s.PostgresCPUPerCheckoutMs, s.ProcessCPUPerCheckoutMs, s.PostgresCPUPerCheckoutMs)
	} else {
		where := "server, simulators, load and SQLite"
		if s.postgres {
			where = "server, simulators, load; the database's backends not visible from here"
		}
		fmt.Fprintf(w, "   cpu          %.1f ms/checkout in this process (%s)\n", s.ProcessCPUPerCheckoutMs, where)
	}
	writeMemory(w, r)
	fmt.Fprintf(w, "   offer pool   %d offers on %d flights, %d days from %s × %d routes (%d searches in %.1fs before the run): seats for %d checkouts\n",
		s.PoolOffers, s.PoolFlights, s.PoolDays, s.PoolFirstDay, len(sagaRoutes), s.PoolSearches, s.PoolBuildSeconds, s.PoolCapacity)
	fmt.Fprintf(w, "                %d flights used, at most %d seats on one; %d to the last seat shown (then skipped)\n", s.FlightsUsed, s.MostSeatsOnAFlight, s.FlightsFull)
	for _, k := range slices.Sorted(maps.Keys(s.PoolNotOK)) {
		fmt.Fprintf(w, "                pool searches where %s: %d\n", k, s.PoolNotOK[k])
	}
	fmt.Fprintf(w, "   sold out     %d SOLD_OUT answers\n", s.SoldOut)
	writeBaselines(w, r)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "   note         %s\n", n)
	}
	for _, e := range slices.Sorted(maps.Keys(r.Errors)) {
		fmt.Fprintf(w, "   failed       %d× %s\n", r.Errors[e], e)
	}
}

// writeBaselines writes the baselines measured beside r, with the ratios.
func writeBaselines(w io.Writer, r *scenarioResult) {
	fmt.Fprintf(w, "   load         %s (load averages at the end of the scenario, %d cores)\n", r.Load, runtime.NumCPU())
	for _, b := range r.Baselines {
		lat := ""
		if b.P50Ms > 0 {
			lat = fmt.Sprintf(", p50 %s p99 %s", fmtMs(b.P50Ms), fmtMs(b.P99Ms))
		}
		fmt.Fprintf(w, "   baseline     %-10s %.1f %s%s (load %s): %s\n", b.Name, b.Rate, b.Unit, lat, b.Load, b.Description)
		fmt.Fprintf(w, "   ratio        %-10s %.3f %s\n", b.Name, b.Ratio, b.RatioWhat)
		if b.CPUPerTxMs > 0 {
			fmt.Fprintf(w, "   cpu          %-10s %.3f ms per transaction (its Postgres backends, not Postgres's background processes, and its client)\n", b.Name, b.CPUPerTxMs)
			if s := r.Saga; s != nil && s.CPURatio > 0 {
				fmt.Fprintf(w, "   ratio        %-10s %.1f TPC-B transactions per checkout in CPU time (%.1f ms / %.3f ms)\n",
					"cpu", s.CPURatio, s.ProcessCPUPerCheckoutMs+s.PostgresCPUPerCheckoutMs, b.CPUPerTxMs)
			}
		}
	}
}

// writeMemory writes r's peak memory, or nothing when it was not sampled.
func writeMemory(w io.Writer, r *scenarioResult) {
	if r.PeakRSSBytes == 0 && r.PeakHeapBytes == 0 {
		return
	}
	fmt.Fprintf(w, "   peak memory  RSS %s, Go heap %s\n", mib(r.PeakRSSBytes), mib(r.PeakHeapBytes))
}

// callBreakdown lists a scenario's calls per query by provider and
// operation: " (citizenplane verify 12.00, liteapi verify 8.00)".
func callBreakdown(r *scenarioResult) string {
	if len(r.ProviderCalls) == 0 || r.Requests == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.ProviderCalls)) {
		parts = append(parts, fmt.Sprintf("%s %.2f", strings.TrimSuffix(k, " ok"), r.ProviderCalls[k]/float64(r.Requests)))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func fmtMs(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.2fms", v)
	}
	return fmt.Sprintf("%.1fms", v)
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
