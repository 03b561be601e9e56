package liteapi

import (
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/sim"
)

// Registration is LiteAPI in the app's provider list. Its settings are
// URL (the base up to and including the version, FAREGRAPH_LITEAPI_URL)
// and KEY (FAREGRAPH_LITEAPI_KEY); its simulator is litesim.
var Registration = providers.Registration{
	Name: Name,
	Keys: []string{"KEY"},
	Help: map[string]string{
		providers.KeyURL: "LiteAPI base with version, e.g. https://api.liteapi.travel/v3.0 (unset: the built-in simulator)",
		"KEY":            "LiteAPI X-API-Key",
	},
	Settlements: settlements(),
	New: func(s map[string]string, d providers.Deps) (providers.Searcher, error) {
		return New(Config{
			BaseURL: s[providers.KeyURL], APIKey: s["KEY"],
			HTTPClient: d.HTTPClient, Observer: d.Observer, Now: d.Now, Logger: d.Logger,
		}), nil
	},
	NewSimulator: func(cfg providers.SimConfig) (sim.Controller, func(string) map[string]string) {
		const key = "sim-key"
		s := litesim.New(litesim.Config{APIKey: key, Seed: cfg.Seed, Now: cfg.Now, Latency: cfg.Latency, FailureRate: cfg.FailureRate})
		return s, func(baseURL string) map[string]string {
			return map[string]string{providers.KeyURL: baseURL, "KEY": key}
		}
	},
}
