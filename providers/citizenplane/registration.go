package citizenplane

import (
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	"github.com/faregraph/faregraph/providers/sim"
)

// Registration is CitizenPlane in the app's provider list. Its settings
// are URL (the origin without the version, FAREGRAPH_CITIZENPLANE_URL),
// TOKEN (FAREGRAPH_CITIZENPLANE_TOKEN) and CUSTOMER_CODE
// (FAREGRAPH_CITIZENPLANE_CUSTOMER_CODE); its simulator is cpsim.
var Registration = providers.Registration{
	Name: Name,
	Keys: []string{"TOKEN", "CUSTOMER_CODE"},
	Help: map[string]string{
		providers.KeyURL: "CitizenPlane origin, e.g. https://booking-api.citizenplane.com (unset: the built-in simulator)",
		"TOKEN":          "CitizenPlane token",
		"CUSTOMER_CODE":  "CitizenPlane customer code",
	},
	Settlements: settlements(),
	New: func(s map[string]string, d providers.Deps) (providers.Searcher, error) {
		return New(Config{
			BaseURL: s[providers.KeyURL], Token: s["TOKEN"], CustomerCode: s["CUSTOMER_CODE"],
			HTTPClient: d.HTTPClient, Observer: d.Observer, Now: d.Now, Logger: d.Logger,
		}), nil
	},
	NewSimulator: func(cfg providers.SimConfig) (sim.Controller, func(string) map[string]string) {
		const token = "sim-token"
		s := cpsim.New(cpsim.Config{Token: token, Seed: cfg.Seed, Now: cfg.Now, Latency: cfg.Latency, FailureRate: cfg.FailureRate})
		return s, func(baseURL string) map[string]string {
			return map[string]string{providers.KeyURL: baseURL, "TOKEN": token, "CUSTOMER_CODE": "faregraph"}
		}
	},
}
