// Command faregraph serves the faregraph GraphQL API.
//
//	faregraph [serve]                                      serve on FAREGRAPH_ADDR (default :8080)
//	faregraph migrate                                      apply database migrations and exit
//	faregraph apikey create --tenant NAME --scopes LIST    create an API key (printed once)
//	faregraph creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]
//
// With no configuration it runs on an SQLite file (./faregraph.db) and the
// built-in provider simulators. See README.md for every variable.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
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

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if err := run(context.Background(), os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "faregraph:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	log := slog.New(server.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	cfg.App.Logger = log
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, log)
	case "apikey":
		return apikey(ctx, cfg, args[1:], os.Stdout)
	case "creditline":
		return creditline(ctx, cfg, args[1:], os.Stdout)
	default:
		return fmt.Errorf("unknown command %q (commands: serve, migrate, apikey create, creditline set)", cmd)
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
	log.Info("migrated", "applied", applied)
	return nil
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, cfg.App)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.SimURL != "" {
		if cfg.Env == "production" {
			log.Warn("running against built-in provider simulators in production")
		}
		log.Info("provider simulators serving", "url", a.SimURL)
	}

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	go sweep(ctx, a, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("faregraph serving", "addr", cfg.Addr, "env", cfg.Env, "postgres", a.DB.Postgres, "playground", cfg.App.Playground)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	a.Drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// sweep deletes expired searches, expires checkout sessions and
// reconciles bookings every few seconds until ctx ends.
func sweep(ctx context.Context, a *app.App, log *slog.Logger) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// Each round is bounded: a provider that never answers cannot
			// stop expiry and reconciliation for good.
			sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			if err := a.Sweep(sctx); err != nil {
				log.Warn("sweeping", "err", err)
			}
			cancel()
		}
	}
}
