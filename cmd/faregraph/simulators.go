package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/faregraph/faregraph/app"
)

// simulators serves the built-in provider simulators on cfg.SimAddr, with
// the FAREGRAPH_SIM_* knobs, until SIGINT or SIGTERM. It prints, one per
// line, the FAREGRAPH_<PROVIDER>_<KEY>=value settings that point a
// server's adapters at them, so that servers can be started, killed and
// restarted against simulators that keep their state.
func simulators(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Outside production the knobs are served at <URL>/sim/ as well.
	simCfg := cfg.App.Sim
	simCfg.Control = cfg.Env != "production"
	ss, err := app.StartSimulators(simCfg, cfg.SimAddr, nil)
	if err != nil {
		return err
	}
	defer ss.Close()
	if cfg.SimAdminAddr != "" {
		// Test only: how many bookings each simulator made, for crash
		// tests that count provider bookings across server processes.
		mux := http.NewServeMux()
		mux.HandleFunc("GET /bookings", func(w http.ResponseWriter, _ *http.Request) {
			counts := map[string]int{}
			for name, c := range ss.Controllers {
				if bc, ok := c.(interface{ BookingCount() int }); ok {
					counts[name] = bc.BookingCount()
				}
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(counts)
		})
		ln, err := net.Listen("tcp", cfg.SimAdminAddr)
		if err != nil {
			return fmt.Errorf("simulators admin: %w", err)
		}
		admin := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go admin.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
		defer admin.Close()
	}
	for _, r := range app.Registry() {
		keys := make([]string, 0, len(ss.Settings[r.Name]))
		for k := range ss.Settings[r.Name] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(out, "%s=%s\n", r.EnvVar(k), ss.Settings[r.Name][k])
		}
	}
	if simCfg.Control {
		log.Info("provider simulators serving", "url", ss.URL, "control", ss.URL+"/sim/")
	} else {
		log.Info("provider simulators serving; their control (/sim/) is off in production", "url", ss.URL)
	}
	<-ctx.Done()
	return nil
}
