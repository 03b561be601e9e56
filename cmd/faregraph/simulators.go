package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"sort"
	"syscall"

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
	ss, err := app.StartSimulators(cfg.App.Sim, cfg.SimAddr, nil)
	if err != nil {
		return err
	}
	defer ss.Close()
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
	log.Info("provider simulators serving", "url", ss.URL)
	<-ctx.Done()
	return nil
}
