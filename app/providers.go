package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/gr4vy/gr4vysim"
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
	a.simPayments = simPayments{local: a.Simulators, hc: hc}
	if cfg.AllowSandboxPayments {
		// Development: a provider pointed at a URL may be a simulator of
		// faregraph simulators, whose intents the sandbox confirms there.
		a.simPayments.urls = map[string]string{}
		for _, r := range regs {
			if u := cfg.Providers[r.Name][providers.KeyURL]; u != "" {
				a.simPayments.urls[r.Name] = u
			}
		}
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

// startSimulators serves the simulators of regs on a loopback port of
// its own and returns the settings that point each adapter at its
// simulator, by provider name. With no regs it starts nothing.
func (a *App) startSimulators(cfg SimConfig, regs []providers.Registration) (map[string]map[string]string, error) {
	if len(regs) == 0 {
		return nil, nil
	}
	ss, err := StartSimulators(cfg, "127.0.0.1:0", regs)
	if err != nil {
		return nil, err
	}
	a.SimURL, a.Simulators = ss.URL, ss.Controllers
	for name, s := range ss.Controllers {
		if rl, ok := s.(sim.RouteLister); ok {
			if a.routes == nil {
				a.routes = map[string]map[sim.Route]bool{}
			}
			a.routes[name] = map[sim.Route]bool{}
			for _, rt := range rl.Routes() {
				a.routes[name][rt] = true
			}
		}
	}
	a.closers = append(a.closers, func() { ss.Close() })
	return ss.Settings, nil
}

// SimServer serves the built-in simulators over HTTP, each under its
// provider's name (/citizenplane/..., /liteapi/...).
type SimServer struct {
	// URL is the server's base URL, http://host:port.
	URL string
	// Controllers are the simulators by provider name, to turn their knobs.
	Controllers map[string]sim.Controller
	// Settings point each provider's adapter at its simulator: by provider
	// name, the adapter settings (URL and credentials) to use.
	Settings map[string]map[string]string
	// Gr4vy is the Gr4vy gateway's simulator, served under /gr4vy when
	// every simulator is (StartSimulators with nil regs), and Gr4vyEnv
	// the settings that point a server at it, by environment variable
	// (GR4VY_API_URL, and GR4VY_PRIVATE_KEY_FILE: a key made for it, in a
	// file removed by Close).
	Gr4vy    *gr4vysim.Sim
	Gr4vyEnv map[string]string
	keyFile  string
	srv      *http.Server
}

// StartSimulators serves the simulators of regs (every provider when nil)
// on addr ("127.0.0.1:0" picks a free port) with cfg's knobs: the same
// simulators a server starts in-process, here on an address of their own,
// so that they outlive the servers that use them (faregraph simulators).
// With nil regs it also serves the Gr4vy gateway's simulator (SimServer.Gr4vy).
func StartSimulators(cfg SimConfig, addr string, regs []providers.Registration) (*SimServer, error) {
	all := regs == nil
	if all {
		regs = registry
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = 1
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("app: start simulators: %w", err)
	}
	ss := &SimServer{URL: "http://" + ln.Addr().String(), Controllers: map[string]sim.Controller{}, Settings: map[string]map[string]string{}}
	mux := http.NewServeMux()
	for _, r := range regs {
		s, point := r.NewSimulator(providers.SimConfig{
			Seed: seed, Now: cfg.Now, Latency: cfg.Latency[r.Name], FailureRate: cfg.FailureRate[r.Name],
		})
		for op, m := range cfg.Failures[r.Name] {
			s.SetFailure(op, m)
		}
		ss.Controllers[r.Name] = s
		var h http.Handler = s
		if cfg.Wrap != nil {
			h = cfg.Wrap(r.Name, h)
		}
		mux.Handle("/"+r.Name+"/", http.StripPrefix("/"+r.Name, h))
		if c, ok := s.(sim.IntentConfirmer); ok {
			mux.Handle("POST /"+r.Name+sim.ConfirmIntentPath, sim.ConfirmIntentHandler(c))
		}
		ss.Settings[r.Name] = point(ss.URL + "/" + r.Name)
	}
	if cfg.Control {
		mux.Handle("/sim/", http.StripPrefix("/sim", sim.ControlHandler(ss.Controllers)))
	}
	if all {
		key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		if err != nil {
			ln.Close()
			return nil, err
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			ln.Close()
			return nil, err
		}
		block := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		f, err := os.CreateTemp("", "faregraph-gr4vy-sim-*.pem")
		if err == nil {
			_, err = f.Write(block)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("app: the Gr4vy simulator's key file: %w", err)
		}
		ss.keyFile = f.Name()
		// On the real clock, whatever cfg.Now: the gateway signs its
		// tokens with it (as with the simulator a server starts itself).
		ss.Gr4vy = gr4vysim.New(&key.PublicKey, nil)
		mux.Handle("/gr4vy/", http.StripPrefix("/gr4vy", ss.Gr4vy))
		ss.Gr4vyEnv = map[string]string{"GR4VY_API_URL": ss.URL + "/gr4vy", "GR4VY_PRIVATE_KEY_FILE": ss.keyFile}
	}
	ss.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go ss.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	return ss, nil
}

// Close stops serving the simulators (and removes the Gr4vy key file).
func (s *SimServer) Close() error {
	if s.keyFile != "" {
		os.Remove(s.keyFile)
	}
	return s.srv.Close()
}

// simPayments confirms the payment intents of simulated providers: the
// sandbox's stand-in for the app confirming a provider's intent with
// Stripe's SDK (checkout.ProviderSandbox). A simulator running in this
// process is called directly; a provider pointed at a URL (the simulators
// of faregraph simulators, which outlive the server) is asked at
// sim.ConfirmIntentPath under it.
type simPayments struct {
	local map[string]sim.Controller
	urls  map[string]string
	hc    *http.Client
}

func (m simPayments) ConfirmProviderIntent(ctx context.Context, provider, clientSecret, cardNumber string) error {
	var err error
	if c, ok := m.local[provider].(sim.IntentConfirmer); ok {
		err = c.ConfirmIntent(clientSecret, cardNumber)
	} else if u := m.urls[provider]; u != "" {
		err = sim.ConfirmIntentAt(ctx, m.hc, u, clientSecret, cardNumber)
	} else {
		return fmt.Errorf("app: provider %s has no simulated payment intents", provider)
	}
	if errors.Is(err, sim.ErrCardDeclined) {
		return &payments.DeclineError{Code: "card_declined", DeclineCode: "generic_decline", Message: "Your card was declined."}
	}
	return err
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
