package app

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane"
	"github.com/faregraph/faregraph/providers/liteapi"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/telemetry"
)

// registry is the providers faregraph sells: the one list that names
// them. Adding a provider is its package plus one line here.
var registry = []providers.Registration{
	citizenplane.Registration,
	liteapi.Registration,
}

// Registry returns the providers faregraph sells, in the order of the
// list; cmd/faregraph reads each one's settings from the environment.
func Registry() []providers.Registration {
	return append([]providers.Registration(nil), registry...)
}

// registry is cfg.Registry, or the providers faregraph sells.
func (cfg Config) registry() []providers.Registration {
	if cfg.Registry != nil {
		return cfg.Registry
	}
	return registry
}

// providers builds the provider set from the registry: each provider with
// its settings, or, without a URL, with its simulator (allowed in
// development or with AllowSimulators).
func (a *App) providers(cfg Config) (*providers.Set, error) {
	hc := &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}}
	// The base transport's own method: the tracing transport below does
	// not pass CloseIdleConnections on.
	a.closers = append(a.closers, hc.Transport.(*http.Transport).CloseIdleConnections)
	if cfg.TracerProvider != nil {
		// A span per provider call.
		hc.Transport = telemetry.Transport(cfg.TracerProvider, hc.Transport)
	}

	// Config.Validate has refused simulators where they are not allowed.
	regs := cfg.registry()
	var simulated []providers.Registration
	for _, r := range regs {
		if cfg.Providers[r.Name][providers.KeyURL] == "" {
			simulated = append(simulated, r)
		}
	}
	simSettings, err := a.startSimulators(cfg.Sim, simulated)
	if err != nil {
		return nil, err
	}
	deps := providers.Deps{HTTPClient: hc, Observer: a.Metrics, Now: cfg.Now, Logger: cfg.Logger}
	var adapters []providers.Searcher
	for _, r := range regs {
		settings := cfg.Providers[r.Name]
		if s, ok := simSettings[r.Name]; ok {
			settings = s
		}
		p, err := r.New(settings, deps)
		if err != nil {
			return nil, fmt.Errorf("app: provider %s: %w", r.Name, err)
		}
		adapters = append(adapters, p)
	}
	return providers.NewSet(cfg.Logger, adapters...)
}

// startSimulators serves the simulators of regs on one loopback port, each
// under its provider's name, and returns the settings that point each
// adapter at its simulator, by provider name. With no regs it starts
// nothing.
func (a *App) startSimulators(cfg SimConfig, regs []providers.Registration) (map[string]map[string]string, error) {
	if len(regs) == 0 {
		return nil, nil
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("app: start simulators: %w", err)
	}
	a.SimURL = "http://" + ln.Addr().String()
	a.Simulators = map[string]sim.Controller{}
	settings := map[string]map[string]string{}
	mux := http.NewServeMux()
	for _, r := range regs {
		s, point := r.NewSimulator(providers.SimConfig{
			Seed: seed, Now: cfg.Now, Latency: cfg.Latency[r.Name], FailureRate: cfg.FailureRate[r.Name],
		})
		for op, m := range cfg.Failures[r.Name] {
			s.SetFailure(op, m)
		}
		a.Simulators[r.Name] = s
		if rl, ok := s.(sim.RouteLister); ok {
			if a.routes == nil {
				a.routes = map[string]map[sim.Route]bool{}
			}
			a.routes[r.Name] = map[sim.Route]bool{}
			for _, rt := range rl.Routes() {
				a.routes[r.Name][rt] = true
			}
		}
		mux.Handle("/"+r.Name+"/", http.StripPrefix("/"+r.Name, s))
		settings[r.Name] = point(a.SimURL + "/" + r.Name)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	a.closers = append(a.closers, func() { srv.Close() })
	return settings, nil
}

// flies tells whether provider flies from origin to destination, known
// for the simulators that list their routes (search.Config.Flies).
func (a *App) flies(provider, origin, destination string) (flies, known bool) {
	rs, ok := a.routes[provider]
	if !ok {
		return false, false
	}
	return rs[sim.Route{From: origin, To: destination}], true
}
