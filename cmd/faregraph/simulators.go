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
// restarted against simulators that keep their state. An empty line ends
// the settings.
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
		// GET /bookings?refs=1 lists their references instead, by
		// provider, to match each with one booking row.
		mux.HandleFunc("GET /bookings", func(w http.ResponseWriter, r *http.Request) {
			counts, refs := map[string]int{}, map[string][]string{}
			for name, c := range ss.Controllers {
				if bc, ok := c.(interface{ BookingCount() int }); ok {
					counts[name] = bc.BookingCount()
				}
				if br, ok := c.(interface{ BookingRefs() []string }); ok {
					refs[name] = br.BookingRefs()
				}
			}
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("refs") != "" {
				_ = json.NewEncoder(w).Encode(refs)
				return
			}
			_ = json.NewEncoder(w).Encode(counts)
		})
		// Test only: POST /drop-prebook?provider=liteapi&ref=<prebook id>
		// lets a hold lapse now at a simulator that can (LiteAPI), so
		// that booking it is refused.
		mux.HandleFunc("POST /drop-prebook", func(w http.ResponseWriter, r *http.Request) {
			d, ok := ss.Controllers[r.URL.Query().Get("provider")].(interface{ DropPrebook(string) bool })
			if !ok {
				http.Error(w, "this simulator cannot drop prebooks", http.StatusBadRequest)
				return
			}
			if !d.DropPrebook(r.URL.Query().Get("ref")) {
				http.Error(w, "no such live prebook", http.StatusNotFound)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		// Test only: GET /gr4vy/transactions?status=authorization_succeeded
		// lists the ids of the Gr4vy simulator's transactions in a status.
		mux.HandleFunc("GET /gr4vy/transactions", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(ss.Gr4vy.TransactionsIn(r.URL.Query().Get("status")))
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
	keys := make([]string, 0, len(ss.Gr4vyEnv))
	for k := range ss.Gr4vyEnv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "%s=%s\n", k, ss.Gr4vyEnv[k])
	}
	// An empty line ends the settings, for a caller that reads them.
	fmt.Fprintln(out)
	if simCfg.Control {
		log.Info("provider simulators serving", "url", ss.URL, "control", ss.URL+"/sim/")
	} else {
		log.Info("provider simulators serving; their control (/sim/) is off in production", "url", ss.URL)
	}
	<-ctx.Done()
	return nil
}
