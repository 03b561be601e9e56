package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers"
)

const tenantUsage = `usage: faregraph tenant settlement set --tenant NAME --provider NAME --mode MERCHANT|PROVIDER_INTENT|CARD_FORWARD
       faregraph tenant settlement list --tenant NAME`

// tenant runs "tenant settlement set|list": a tenant's default settlement
// for each provider (how the parts of its sessions settle when a session
// does not say; MERCHANT when none is set).
func tenant(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	if len(args) < 2 || args[0] != "settlement" || (args[1] != "set" && args[1] != "list") {
		return errors.New(tenantUsage)
	}
	fs := flag.NewFlagSet("tenant settlement "+args[1], flag.ContinueOnError)
	fs.SetOutput(notice)
	name := fs.String("tenant", "", "name of the API client")
	var provider, mode *string
	if args[1] == "set" {
		provider = fs.String("provider", "", "provider name, e.g. liteapi")
		mode = fs.String("mode", "", "MERCHANT, PROVIDER_INTENT or CARD_FORWARD")
	}
	if err := parseFlags(fs, args[2:], tenantUsage); err != nil {
		return err
	}
	if err := requireTenant(*name); err != nil {
		return err
	}
	var regs = app.Registry()
	if args[1] == "set" {
		*provider, *mode = strings.ToLower(strings.TrimSpace(*provider)), strings.ToUpper(strings.TrimSpace(*mode))
		var known bool
		var supported []providers.Settlement
		for _, r := range regs {
			if r.Name == *provider {
				known, supported = true, r.Settlements
			}
		}
		if v := checkout.CheckSettlement(*provider, providers.Settlement(*mode), known, supported); v != nil {
			return fmt.Errorf("--%s: %s", v[0].Field[0], v[0].Message)
		}
	}
	d, err := openDB(ctx, cfg, notice)
	if err != nil {
		return err
	}
	defer d.Close()
	var ts db.Tenants
	t, err := ts.TenantByName(ctx, d, *name)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("--tenant: no tenant %q: create one with faregraph apikey create --tenant %q", *name, *name)
	}
	if err != nil {
		return err
	}
	if args[1] == "set" {
		if err := ts.SetSettlement(ctx, d, t.ID, *provider, *mode, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(out, "settlement of %q with %s: %s\n", *name, *provider, *mode)
		return nil
	}
	set, err := ts.Settlements(ctx, d, t.ID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROVIDER\tMODE\tSUPPORTED")
	for _, r := range regs {
		m, ok := set[r.Name]
		if !ok {
			m = string(providers.Merchant) + " (default)"
		}
		sup := r.Settlements
		if sup == nil {
			sup = []providers.Settlement{providers.Merchant}
		}
		names := make([]string, len(sup))
		for i, s := range sup {
			names[i] = string(s)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name, m, strings.Join(names, ","))
	}
	return w.Flush()
}

// requireTenant refuses an empty --tenant, naming the flag, before any
// lookup: an empty name is never an API client's (apikey create refuses
// it), so suggesting to create it would mislead.
func requireTenant(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("--tenant is required: the name of the API client (see faregraph apikey list)")
	}
	return nil
}
