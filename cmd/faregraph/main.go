// Command faregraph serves the faregraph GraphQL API.
//
//	faregraph [serve]                                      serve on FAREGRAPH_ADDR (default :8080)
//	faregraph migrate                                      apply database migrations and exit
//	faregraph apikey create --tenant NAME --scopes LIST    create an API key (printed once)
//	faregraph apikey list                                  list API keys (never their secrets)
//	faregraph apikey revoke KEY-ID                         revoke an API key at once
//	faregraph creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]
//	faregraph tenant settlement set --tenant NAME --provider NAME --mode MODE
//	faregraph tenant settlement list --tenant NAME             a tenant's default settlement per provider
//	faregraph sessions list [--status NEEDS_ATTENTION] [--booked-late]  list checkout sessions in a status, or booked late
//	faregraph sessions resolve ID --as booked|failed      decide a booking a provider left unknown
//	faregraph simulators                                   serve the built-in provider simulators on FAREGRAPH_SIM_ADDR
//	faregraph help                                         print the commands and the environment variables
//
// With no configuration it runs on an SQLite file (./faregraph.db) and the
// built-in provider simulators. "faregraph help" and README.md list every
// variable.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // airport time zones on machines without tzdata

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/server"
)

// gcPercent is the GOGC used when the environment sets none: the live heap
// is small (a few MiB of cached searches), so the default of 100 collects
// very often under load; 400 trades some memory for throughput.
const gcPercent = 400

// memoryLimit is the soft memory limit (GOMEMLIMIT) used when the
// environment sets none: with GOGC 400 alone, a burst of searches (1,000
// in flight) lets the heap grow to five times what is live, past 1.5 GiB;
// near this limit the collector runs as often as it must instead. The
// process's RSS peaks some 25–35 MiB above it (stacks, buffers, the
// binary): cmd/bench's memory scenario peaks at 270–275 MiB with 240 MiB,
// 280–290 MiB with 256 MiB.
const memoryLimit = 240 << 20

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "faregraph:", err)
		os.Exit(1)
	}
}

// run runs the command in args, reading the environment through getenv;
// command output goes to stdout, logs and notices to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "help", "-h", "-help", "--help":
		return usage(stdout)
	case "serve", "migrate", "apikey", "creditline", "tenant", "sessions", "simulators":
	default:
		return fmt.Errorf("unknown command %q (run \"faregraph help\" for the commands)", cmd)
	}
	log := slog.New(server.LogHandler(slog.NewJSONHandler(stderr, nil)))
	cfg, err := loadConfig(getenv)
	if cmd == "serve" {
		// Everything a server needs is reported in one go, not one
		// setting per failed start.
		err = errors.Join(err, cfg.App.Validate())
	}
	if err != nil {
		return fmt.Errorf("invalid configuration (run \"faregraph help\" for every variable):\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	cfg.App.Logger = log
	switch cmd {
	case "migrate":
		return migrate(ctx, cfg, log)
	case "apikey":
		return apikey(ctx, cfg, args[1:], stdout, stderr)
	case "creditline":
		return creditline(ctx, cfg, args[1:], stdout, stderr)
	case "tenant":
		return tenant(ctx, cfg, args[1:], stdout, stderr)
	case "sessions":
		return sessions(ctx, cfg, args[1:], stdout, stderr)
	case "simulators":
		return simulators(ctx, cfg, stdout, log)
	default:
		return serve(ctx, cfg, log)
	}
}

func migrate(ctx context.Context, cfg config, log *slog.Logger) error {
	url := cfg.App.DatabaseURL
	if url == "" {
		url = cfg.App.DBPath
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("migrated", "database", dbLocation(cfg), "applied", applied)
	return nil
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	tp, err := tracerProvider(ctx, cfg)
	if err != nil {
		return err
	}
	if tp != nil {
		cfg.App.TracerProvider = tp
		defer func() {
			// Flush the spans still buffered, within a bound of its own.
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				log.Warn("flushing traces", "err", err)
			}
		}()
	}
	a, err := app.New(ctx, cfg.App)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.SimURL != "" {
		if cfg.Env == "production" {
			log.Warn("running against built-in provider simulators in production")
		}
		if cfg.Env == "development" {
			log.Info("provider simulators serving; turn their knobs at /sim/ (see README)", "url", a.SimURL, "control", "http://"+loopback(cfg.Addr)+"/sim/")
		} else {
			log.Info("provider simulators serving", "url", a.SimURL)
		}
	}

	if a.Gr4vySim != nil {
		// The built-in Gr4vy simulator's webhooks come to this server.
		a.ConnectGr4vySim("http://" + loopback(cfg.Addr))
	}
	servers := []*http.Server{httpServer(cfg.Addr, a.Handler)}
	if cfg.MetricsAddr != "" {
		servers = append(servers, httpServer(cfg.MetricsAddr, a.MetricsHandler))
	}
	go sweep(ctx, a, cfg.SweepInterval, log)
	// Webhooks go out from a loop of their own, never in the sweep: on
	// Postgres as soon as their event commits (woken by its notification),
	// on SQLite within 250 ms; concurrently, so a slow endpoint delays only
	// itself. Shutdown waits for the deliveries in flight.
	delivering := make(chan struct{})
	go func() { a.Events.Run(ctx); close(delivering) }()
	defer func() { <-delivering }()
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { errc <- srv.ListenAndServe() }()
	}
	log.Info("faregraph serving", "addr", cfg.Addr, "env", cfg.Env, "postgres", a.DB.Postgres, "playground", cfg.App.Playground, "metrics", metricsPlace(cfg), "tracing", tp != nil)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	a.Drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("shutdown %s: %w", srv.Addr, err))
		}
	}
	return errors.Join(errs...)
}

// httpServer returns a server of h on addr with faregraph's timeouts.
func httpServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
}

// metricsPlace says where GET /metrics is served, for the start log line.
func metricsPlace(cfg config) string {
	token := ""
	if cfg.App.MetricsToken != "" {
		token = ", bearer token required"
	}
	switch {
	case cfg.MetricsAddr != "":
		return cfg.MetricsAddr + token
	case cfg.App.MetricsPrivate:
		return "not served (production: set FAREGRAPH_METRICS_ADDR or FAREGRAPH_METRICS_TOKEN)"
	default:
		return cfg.Addr + token
	}
}

// sweep deletes expired searches, expires checkout sessions and
// reconciles bookings every interval until ctx ends.
func sweep(ctx context.Context, a *app.App, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	// The first round runs at start: a server restarted after a crash
	// resumes what it left (payments to release, steps whose lease
	// lapsed) without waiting an interval.
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		// Each round is bounded: a provider that never answers cannot
		// stop expiry and reconciliation for good.
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		if err := a.Sweep(sctx); err != nil {
			log.Warn("sweeping", "err", err)
		}
		cancel()
	}
}

// loopback is listen address addr as this machine reaches it: an
// unspecified host (":8080", "0.0.0.0:8080", "[::]:8080") is 127.0.0.1.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
