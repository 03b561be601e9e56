package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/db"
)

// providerTimeout is app.Config.ProviderTimeout of every server started.
const providerTimeout = 5 * time.Second

// server is a faregraph app served on a loopback listener.
type server struct {
	app  *app.App
	url  string // http://127.0.0.1:port
	http *http.Server
}

// startServer assembles an app from cfg and serves its handler on
// 127.0.0.1 on a free port.
func startServer(ctx context.Context, cfg app.Config) (*server, error) {
	cfg.Logger = slog.New(slog.DiscardHandler)
	if cfg.ProviderTimeout == 0 {
		cfg.ProviderTimeout = providerTimeout
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		return nil, err
	}
	s := &server{app: a, url: "http://" + ln.Addr().String(),
		http: &http.Server{Handler: a.Handler, ReadHeaderTimeout: 5 * time.Second}}
	go s.http.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	return s, nil
}

func (s *server) Close() {
	s.http.Close()
	s.app.Close()
}

// bench holds what the scenarios share: the server under test, a client
// for the requests that are not load (warm-ups, checks, scrapes) and the
// search that roundtrip-full runs and cached-page pages.
type bench struct {
	opts     options
	srv      *server
	client   *http.Client
	dir      string // temporary directory of SQLite files, if any
	database string // what the report calls the database
	// databaseURL is -database-url with the search_path of the run's
	// own schema, which Close drops; empty on SQLite.
	databaseURL string
	schema      string
	// pgTag is the application_name of the server's Postgres connections
	// (in databaseURL), unique to the run, by which backendSampler finds
	// their backends; empty on SQLite.
	pgTag string

	today    time.Time
	searchID string // id of the roundtrip-full search, once run
	// sagaNextDay is where the next saga pool starts, after sagaFirstDay.
	sagaNextDay int
	// txs counts the main server's database transactions.
	txs *txCounter
}

func newBench(ctx context.Context, o options) (_ *bench, err error) {
	b := &bench{
		opts:   o,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		today:  time.Now().UTC().Truncate(24 * time.Hour),
	}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	if o.databaseURL == "" {
		if b.dir, err = os.MkdirTemp("", "faregraph-bench-"); err != nil {
			return nil, err
		}
		b.database = "sqlite (temporary file)"
	} else {
		if b.databaseURL, b.schema, err = createSchema(ctx, o.databaseURL); err != nil {
			return nil, err
		}
		b.pgTag = newRunTag()
		if b.databaseURL, err = withAppName(b.databaseURL, b.pgTag); err != nil {
			return nil, err
		}
		b.database = "postgres (schema " + b.schema + ", dropped at the end)"
	}
	cfg := b.config("bench.db")
	b.txs = &txCounter{}
	cfg.DBQueryHook = b.txs
	if b.srv, err = startServer(ctx, cfg); err != nil {
		return nil, err
	}
	if b.srv.app.Simulators["citizenplane"] == nil || b.srv.app.Simulators["liteapi"] == nil {
		return nil, errors.New("the server did not start the built-in simulators")
	}
	return b, nil
}

// config is the configuration of a server of the bench: development mode
// (requests without an API key act as the sandbox tenant, which may check
// out; sandbox payments; built-in simulators) on the run's database, or on
// the SQLite file named file in the run's directory.
func (b *bench) config(file string) app.Config {
	cfg := app.Config{DatabaseURL: b.databaseURL, Development: true}
	if b.dir != "" {
		cfg.DBPath = filepath.Join(b.dir, file)
	}
	return cfg
}

func (b *bench) Close() {
	if b.srv != nil {
		b.srv.Close()
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
	if b.schema != "" {
		if err := dropSchema(b.opts.databaseURL, b.schema); err != nil {
			fmt.Fprintf(os.Stderr, "bench: drop schema %s: %v\n", b.schema, err)
		}
	}
}

// createSchema creates an empty schema bench_<random> in the Postgres
// database at base and returns base with that search_path, so that the
// run starts from an empty database (the app migrates it) and leaves
// nothing behind once dropSchema has run.
func createSchema(ctx context.Context, base string) (url, schema string, err error) {
	u, err := neturl.Parse(base)
	if err != nil {
		return "", "", fmt.Errorf("-database-url: %w", err)
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	schema = "bench_" + hex.EncodeToString(r[:])
	admin, err := db.Open(ctx, base)
	if err != nil {
		return "", "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", "", fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

// dropSchema drops what createSchema created, also after an interrupt.
func dropSchema(base, schema string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := db.Open(ctx, base)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
	return err
}

// startPostgresCPU starts following the CPU time of the run's Postgres
// backends whose application_name is tag (b.pgTag: the servers'); nil on
// SQLite or when the sampler cannot start (said on stderr), which Stop
// reports as not visible.
func (b *bench) startPostgresCPU(ctx context.Context, tag string) *backendSampler {
	if b.schema == "" {
		return nil
	}
	s, err := startBackendSampler(ctx, b.opts.databaseURL, tag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: sampling Postgres backends' CPU: %v\n", err)
		return nil
	}
	return s
}

// date returns the day n days from today, as the API writes dates.
func (b *bench) date(n int) string {
	return b.today.AddDate(0, 0, n).Format(time.DateOnly)
}

// post sends one GraphQL request to baseURL and returns the body of a
// 200 answer.
func post(ctx context.Context, c *http.Client, baseURL string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST /graphql: %s: %.300s", resp.Status, out)
	}
	return out, nil
}

// providerCallMetric is the histogram every provider HTTP call is
// observed into; its _count series count the calls.
const providerCallMetric = "faregraph_provider_call_duration_seconds_count"

// providerCalls scrapes GET /metrics of the server at baseURL and returns
// the provider calls observed so far, by "provider operation outcome".
func providerCalls(ctx context.Context, c *http.Client, baseURL string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, providerCallMetric+"{") {
			continue
		}
		end := strings.LastIndexByte(line, '}')
		val, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64)
		if end < 0 || err != nil {
			return nil, fmt.Errorf("GET /metrics: unreadable line %q", line)
		}
		out[labelKey(line[len(providerCallMetric)+1:end])] += val
	}
	return out, sc.Err()
}

// labelKey turns `operation="verify",outcome="ok",provider="liteapi"` into
// "liteapi verify ok".
func labelKey(labels string) string {
	var provider, op, outcome string
	for kv := range strings.SplitSeq(labels, ",") {
		k, v, _ := strings.Cut(kv, "=")
		v = strings.Trim(v, `"`)
		switch k {
		case "provider":
			provider = v
		case "operation":
			op = v
		case "outcome":
			outcome = v
		}
	}
	return provider + " " + op + " " + outcome
}

// callsBetween returns the calls observed between two scrapes, by key,
// and their total.
func callsBetween(before, after map[string]float64) (map[string]float64, float64) {
	diff := map[string]float64{}
	total := 0.0
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			diff[k] = d
			total += d
		}
	}
	return diff, total
}
