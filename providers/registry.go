package providers

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers/sim"
)

// Registration is what a provider package offers the app, as one exported
// value (citizenplane.Registration, liteapi.Registration): its name, the
// configuration keys its adapter reads, and constructors for the adapter
// and for its simulator. The app lists the registrations in one slice
// (app/providers.go); adding a provider is its package plus one line
// there. Nothing registers itself: no init(), no blank imports.
type Registration struct {
	// Name is the provider's name, lower case ("citizenplane"): the name
	// of its offers' parts, of its results and of its settings.
	Name string
	// Keys are the configuration keys of the adapter besides KeyURL, upper
	// case ("TOKEN"). cmd/faregraph reads key K from the environment
	// variable FAREGRAPH_<NAME>_<K> (EnvVar).
	Keys []string
	// Help says what each setting means, by key (KeyURL included), for
	// "faregraph help" and the README's configuration table.
	Help map[string]string
	// New builds the adapter from its settings, by key (KeyURL and Keys;
	// a missing key reads as ""), and the shared dependencies. Its errors
	// name the bad setting.
	New func(settings map[string]string, deps Deps) (Searcher, error)
	// NewSimulator builds the provider's simulator for cfg and returns it
	// with the settings that point the adapter at it once it is served
	// under baseURL.
	NewSimulator func(cfg SimConfig) (sim.Controller, func(baseURL string) map[string]string)
	// Settlements lists how the provider's parts can be paid (the same
	// list as its adapter's Settler), so that a tenant's defaults are
	// checked without building an adapter ("faregraph tenant settlement
	// set"); nil is Merchant only.
	Settlements []Settlement
}

// KeyURL is the setting every provider has: the provider's base URL, as
// the provider documents write it. An empty URL means the built-in
// simulator.
const KeyURL = "URL"

// EnvVar is the environment variable of a provider's setting key:
// FAREGRAPH_<NAME>_<KEY>, with the name upper-cased
// ("FAREGRAPH_CITIZENPLANE_URL").
func (r Registration) EnvVar(key string) string {
	return "FAREGRAPH_" + strings.ToUpper(r.Name) + "_" + key
}

// AllKeys returns KeyURL followed by r.Keys.
func (r Registration) AllKeys() []string { return append([]string{KeyURL}, r.Keys...) }

// Deps are what every adapter shares: the HTTP client of provider calls,
// the observer of those calls (nil for none), the clock (nil for
// time.Now) and the logger.
type Deps struct {
	HTTPClient *http.Client
	Observer   Observer
	Now        func() time.Time
	Logger     *slog.Logger
}

// SimConfig configures one simulator: the seed of its inventory and
// random failures, its clock (nil for time.Now), and its initial latency
// and failure rate (0 to 1).
type SimConfig struct {
	Seed        int64
	Now         func() time.Time
	Latency     time.Duration
	FailureRate float64
}
