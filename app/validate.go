package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/faregraph/faregraph/providers"
)

// minSecretLen is the shortest signing secret accepted outside development.
const minSecretLen = 32

// Validate reports every setting that keeps cfg from running, all at once
// (joined with errors.Join), so that an operator fixes them in one round.
// New calls it first; cmd/faregraph calls it too, to report these problems
// together with the ones it finds while reading the environment.
func (cfg Config) Validate() error {
	var errs []error
	if !cfg.Development && len(cfg.Secret) < minSecretLen {
		errs = append(errs, errors.New("FAREGRAPH_SECRET must be set to at least 32 characters in production"))
	}
	if !cfg.Development && !cfg.AllowSimulators {
		var missing []string
		for _, r := range cfg.registry() {
			if cfg.Providers[r.Name][providers.KeyURL] == "" {
				missing = append(missing, r.EnvVar(providers.KeyURL))
			}
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Errorf("a provider has no URL and simulators are not allowed in production: set %s, or FAREGRAPH_ALLOW_SIMULATORS=true", strings.Join(missing, " and ")))
		}
	}
	switch cfg.Gateway {
	case "", "stripe", "sandbox", "gr4vy":
	default:
		errs = append(errs, fmt.Errorf("FAREGRAPH_GATEWAY=%q: want stripe, gr4vy or sandbox", cfg.Gateway))
	}
	if cfg.Gateway == "stripe" && cfg.Stripe.SecretKey == "" {
		errs = append(errs, errors.New("FAREGRAPH_GATEWAY=stripe needs STRIPE_SECRET_KEY"))
	}
	if cfg.Gateway == "gr4vy" && cfg.Gr4vy.URL == "" && !cfg.Development && !cfg.AllowSandboxPayments {
		errs = append(errs, errors.New("FAREGRAPH_GATEWAY=gr4vy without GR4VY_ID or GR4VY_API_URL uses the Gr4vy simulator: set the ID (or URL) and GR4VY_PRIVATE_KEY_FILE, or FAREGRAPH_ALLOW_SANDBOX_PAYMENTS=true"))
	}
	if cfg.Gateway == "gr4vy" && cfg.Gr4vy.URL != "" && cfg.Gr4vy.PrivateKeyPEM == "" {
		errs = append(errs, errors.New("a Gr4vy API (GR4VY_ID or GR4VY_API_URL) needs GR4VY_PRIVATE_KEY_FILE"))
	}
	if cfg.Gateway == "" && cfg.Stripe.SecretKey == "" && !cfg.Development && !cfg.AllowSandboxPayments {
		errs = append(errs, errors.New("no payment gateway: set STRIPE_SECRET_KEY, or FAREGRAPH_ALLOW_SANDBOX_PAYMENTS=true to take sandbox payments"))
	}
	return errors.Join(errs...)
}
