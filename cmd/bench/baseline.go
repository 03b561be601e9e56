package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faregraph/faregraph/db"
)

// Baselines are measured in the same run as the scenario they stand
// beside, on the same machine at the same time, so that the ratio means
// something on a shared machine whose absolute figures move by ±30%.
//
//	rest-json   a plain net/http handler that JSON-encodes the results
//	            page (the same data, decoded once from faregraph's answer
//	            into typed structs) on every request, as a REST API would
//	rest-bytes  the same page's bytes served as they are
//	tpcb        pgbench's TPC-B-like transaction (5 statements, one commit)
//	            on the same database, -saga-workers clients: pgbench
//	            itself on Postgres when it is installed, else the same
//	            transaction in a Go loop through the app's driver
type baseline struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Unit        string  `json:"unit"`
	Rate        float64 `json:"rate"`
	P50Ms       float64 `json:"p50_ms,omitempty"`
	P99Ms       float64 `json:"p99_ms,omitempty"`
	// Ratio is the scenario's rate over the baseline's (for tpcb:
	// baseline transactions per checkout, the baseline over the scenario).
	Ratio     float64 `json:"ratio"`
	RatioWhat string  `json:"ratio_what"`
	Load      string  `json:"load"`
	// CPUPerTxMs is, for tpcb, the CPU time of one transaction in
	// milliseconds: the baseline's own Postgres backends' (found by their
	// application_name; not Postgres's background processes; see
	// backendSampler) and its client's (pgbench, or this process for the
	// Go loop); 0 when the backends are not visible.
	CPUPerTxMs float64 `json:"cpu_per_tx_ms,omitempty"`
}

// The REST shape of cachedPageQuery's answer, fields in the same order so
// that it encodes to the same JSON.
type (
	restMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	}
	restSegment struct {
		CarrierCode  string `json:"carrierCode"`
		FlightNumber string `json:"flightNumber"`
	}
	restSlice struct {
		DepartureAt string        `json:"departureAt"`
		ArrivalAt   string        `json:"arrivalAt"`
		Segments    []restSegment `json:"segments"`
	}
	restPart struct {
		Provider     string    `json:"provider"`
		FareType     string    `json:"fareType"`
		TotalPrice   restMoney `json:"totalPrice"`
		SliceIndexes []int     `json:"sliceIndexes"`
	}
	restOffer struct {
		ID             string      `json:"id"`
		FareType       string      `json:"fareType"`
		TotalPrice     restMoney   `json:"totalPrice"`
		Slices         []restSlice `json:"slices"`
		SeatsAvailable int         `json:"seatsAvailable"`
		Parts          []restPart  `json:"parts"`
	}
	restEdge struct {
		Cursor string    `json:"cursor"`
		Node   restOffer `json:"node"`
	}
	restPage struct {
		Data struct {
			OfferSearch struct {
				Offers struct {
					Edges []restEdge `json:"edges"`
				} `json:"offers"`
			} `json:"offerSearch"`
		} `json:"data"`
	}
)

// restBaselines serves page (a cachedPageQuery answer) from a plain
// net/http server, JSON-encoded per request and as bytes, loads each like
// the scenario r and appends them to r.Baselines.
func (b *bench) restBaselines(ctx context.Context, r *scenarioResult, page []byte) error {
	var v restPage
	if err := json.Unmarshal(page, &v); err != nil {
		return fmt.Errorf("rest baseline: %w", err)
	}
	encoded, err := json.Marshal(&v)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(&v) //nolint:errcheck // the load generator checks the status
	})
	mux.HandleFunc("GET /bytes", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(page)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	for _, bl := range []struct{ name, path, what string }{
		{"rest-json", "/page", fmt.Sprintf("plain net/http handler JSON-encoding the same page per request (%d bytes; faregraph's: %d)", len(encoded)+1, len(page))},
		{"rest-bytes", "/bytes", "the same page's bytes served as they are"},
	} {
		res := attack(ctx, load{name: bl.name, targeter: getTarget(base + bl.path), duration: b.opts.duration,
			workers: b.opts.workers, check: checkNonEmpty})
		if res.ok == 0 {
			return fmt.Errorf("%s: no answer", bl.name)
		}
		rate := res.throughput()
		r.Baselines = append(r.Baselines, baseline{Name: bl.name, Description: bl.what, Unit: "req/s", Rate: rate,
			P50Ms: ms(res.m.Latencies.P50), P99Ms: ms(res.m.Latencies.P99),
			Ratio: r.RPS / rate, RatioWhat: "faregraph / baseline", Load: loadAvg()})
	}
	return nil
}

func getTarget(url string) vegeta.Targeter {
	return vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: url})
}

// tpcb measures the TPC-B-like baseline on the run's database and
// returns it with the ratio filled in for checkouts per second rate.
// Its CPU per transaction counts the baseline's own Postgres backends
// (application_name b.pgTag+"-tpcb", see backendSampler) and its client.
func (b *bench) tpcb(ctx context.Context) (baseline, error) {
	workers, d := b.opts.sagaWorkers, b.opts.duration
	bl := baseline{Name: "tpcb", Unit: "tps", RatioWhat: "TPC-B transactions per checkout"}
	tag := b.pgTag + "-tpcb"
	if b.schema != "" {
		if path, err := exec.LookPath("pgbench"); err == nil {
			tps, cpu, err := b.pgbench(ctx, path, tag, workers, d)
			if err == nil {
				bl.CPUPerTxMs = cpuPerTx(cpu, tps, d)
				bl.Description = fmt.Sprintf("pgbench TPC-B-like (builtin tpcb-like, scale 1), %d clients, %s, on the run's Postgres schema", workers, d)
				bl.Rate, bl.Load = tps, loadAvg()
				return bl, nil
			}
			fmt.Fprintf(os.Stderr, "bench: pgbench: %v; measuring the same transaction through the app's driver\n", err)
		}
	}
	url := b.srv.app.DBPath
	if b.schema != "" {
		var err error
		if url, err = withAppName(b.databaseURL, tag); err != nil {
			return bl, err
		}
	}
	conn, err := db.Open(ctx, url)
	if err != nil {
		return bl, err
	}
	defer conn.Close()
	if err := tpcbSetup(ctx, conn); err != nil {
		return bl, err
	}
	pgCPU := b.startPostgresCPU(ctx, tag)
	self0 := processCPU()
	tps, err := tpcbRun(ctx, conn, workers, d)
	self := processCPU() - self0
	pg, visible := pgCPU.Stop()
	if err != nil {
		return bl, err
	}
	if visible {
		bl.CPUPerTxMs = cpuPerTx(self+pg, tps, d)
	}
	bl.Description = fmt.Sprintf("pgbench's TPC-B-like transaction (5 statements, one commit) in a Go loop through the app's driver on the same database (%s), %d clients, %s", b.database, workers, d)
	bl.Rate, bl.Load = tps, loadAvg()
	return bl, nil
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbench initializes pgbench's tables in the run's schema (dropped with
// it) and runs the builtin TPC-B-like script for d with workers clients,
// its connections named tag (PGAPPNAME; not those of the initialization).
// It returns the transactions per second and the CPU time of the run:
// its Postgres backends' (see backendSampler) and pgbench's own; 0 when
// the backends are not visible.
func (b *bench) pgbench(ctx context.Context, path, tag string, workers int, d time.Duration) (float64, time.Duration, error) {
	u, err := neturl.Parse(b.opts.databaseURL)
	if err != nil {
		return 0, 0, err
	}
	env := append(os.Environ(), "PGOPTIONS=-c search_path="+b.schema)
	var client time.Duration
	run := func(env []string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, path, append(args, connString(u))...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState != nil {
			client = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		return out, err
	}
	if out, err := run(env, "-i", "-q", "-s", "1"); err != nil {
		return 0, 0, fmt.Errorf("pgbench -i: %v: %.300s", err, out)
	}
	secs := max(1, int(d/time.Second))
	pgCPU := b.startPostgresCPU(ctx, tag)
	out, err := run(append(env, "PGAPPNAME="+tag), "-n", "-c", strconv.Itoa(workers), "-j", strconv.Itoa(min(workers, 2)), "-T", strconv.Itoa(secs))
	pg, visible := pgCPU.Stop()
	if err != nil {
		return 0, 0, fmt.Errorf("pgbench: %v: %.300s", err, out)
	}
	var cpu time.Duration
	if visible {
		cpu = pg + client
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("pgbench: no tps line in %.300s", out)
	}
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	return tps, cpu, err
}

// cpuPerTx is cpu over the transactions of a run of d at tps, in
// milliseconds; 0 when either is unknown.
func cpuPerTx(cpu time.Duration, tps float64, d time.Duration) float64 {
	n := tps * d.Seconds()
	if cpu <= 0 || n <= 0 {
		return 0
	}
	return ms(cpu) / n
}

// connString is a libpq URL without the parameters libpq does not know
// (search_path goes through PGOPTIONS) and without application_name, which
// would override PGAPPNAME.
func connString(u *neturl.URL) string {
	c := *u
	q := c.Query()
	for k := range q {
		if k != "sslmode" && k != "connect_timeout" {
			q.Del(k)
		}
	}
	c.RawQuery = q.Encode()
	return c.String()
}

// tpcbSetup creates pgbench's tables at scale 1 (1 branch, 10 tellers,
// 100,000 accounts) on conn, replacing any. Parameters are bun's ?
// placeholders, which db.Open's bun writes into the statement's text on
// either database.
func tpcbSetup(ctx context.Context, conn *db.DB) error {
	setup := []string{
		"DROP TABLE IF EXISTS pgbench_history", "DROP TABLE IF EXISTS pgbench_accounts",
		"DROP TABLE IF EXISTS pgbench_tellers", "DROP TABLE IF EXISTS pgbench_branches",
		"CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))",
		"CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))",
		"CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))",
		"CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))",
		"INSERT INTO pgbench_branches VALUES (1, 0, '')",
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("tpcb setup: %s: %w", q, err)
		}
	}
	for t := 1; t <= 10; t++ {
		if _, err := conn.ExecContext(ctx, "INSERT INTO pgbench_tellers VALUES (?, 1, 0, '')", t); err != nil {
			return err
		}
	}
	var sb strings.Builder
	for a := 1; a <= 100000; a++ {
		if sb.Len() == 0 {
			sb.WriteString("INSERT INTO pgbench_accounts VALUES ")
		} else {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "(%d, 1, 0, '')", a)
		if a%1000 == 0 {
			if _, err := conn.ExecContext(ctx, sb.String()); err != nil {
				return err
			}
			sb.Reset()
		}
	}
	return nil
}

// tpcbRun runs pgbench's TPC-B-like transaction on the tables of
// tpcbSetup through conn, workers at a time for d, and returns
// transactions per second.
func tpcbRun(ctx context.Context, conn *db.DB, workers int, d time.Duration) (float64, error) {
	stmts := []string{
		"UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?",
		"SELECT abalance FROM pgbench_accounts WHERE aid = ?",
		"UPDATE pgbench_tellers SET tbalance = tbalance + ? WHERE tid = ?",
		"UPDATE pgbench_branches SET bbalance = bbalance + ? WHERE bid = ?",
		"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)",
	}
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				aid, tid, delta := 1+mrand.IntN(100000), 1+mrand.IntN(10), mrand.IntN(10001)-5000
				err := func() error {
					tx, err := conn.BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
					if _, err := tx.ExecContext(ctx, stmts[0], delta, aid); err != nil {
						return err
					}
					var bal int
					if err := tx.QueryRowContext(ctx, stmts[1], aid).Scan(&bal); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, stmts[2], delta, tid); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, stmts[3], delta, 1); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, stmts[4], tid, 1, aid, delta); err != nil {
						return err
					}
					return tx.Commit()
				}()
				switch {
				case err == nil:
					done.Add(1)
				case ctx.Err() != nil:
				default:
					// SQLite's busy answers under contention are retried, as pgbench
					// would count serialization failures apart; others end the run.
					if !strings.Contains(err.Error(), "SQLITE_BUSY") && !strings.Contains(err.Error(), "database is locked") {
						once.Do(func() { firstErr = err; cancel() })
					}
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// loadAvg is /proc/loadavg's three load averages, or "" off Linux.
func loadAvg() string {
	f, err := os.Open("/proc/loadavg")
	if err != nil {
		return ""
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return ""
	}
	return strings.Join(fields[:3], " ")
}

var errNoBody = errors.New("empty answer")

// checkNonEmpty accepts any non-empty answer.
func checkNonEmpty(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errNoBody
	}
	return nil
}
