package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers"
)

// openDB opens and migrates the configured database for an admin command.
func openDB(ctx context.Context, cfg config) (*db.DB, error) {
	url := cfg.App.DatabaseURL
	if url == "" {
		url = cfg.App.DBPath
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// apikey runs "apikey create --tenant NAME --scopes offers:read,checkout:write".
func apikey(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: faregraph apikey create --tenant NAME --scopes " + strings.Join(auth.AllScopes, ","))
	}
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "name of the API client (created if new)")
	scopes := fs.String("scopes", strings.Join(auth.AllScopes, ","), "comma-separated scopes: "+strings.Join(auth.AllScopes, ", "))
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	sc, err := auth.ParseScopes(*scopes)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	a := &auth.Authenticator{DB: d}
	key, err := a.CreateKey(ctx, *tenant, sc, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s\n", key)
	fmt.Fprintf(out, "# tenant %q, scopes %s. The key is shown only now: store it.\n", *tenant, strings.Join(sc, ","))
	return nil
}

// creditline runs "creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]".
func creditline(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "set" {
		return errors.New("usage: faregraph creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]")
	}
	fs := flag.NewFlagSet("creditline set", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "name of the API client")
	limit := fs.String("limit", "", "credit limit as a decimal amount, e.g. 5000.00")
	cur := fs.String("currency", "EUR", "ISO 4217 currency of the credit line")
	disable := fs.Bool("disable", false, "disable the credit line")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !providers.ValidCurrency(strings.ToUpper(*cur)) {
		return fmt.Errorf("--currency %q is not an ISO 4217 code", *cur)
	}
	m, err := providers.ParseMoney(*limit, *cur)
	if err != nil || m.Amount < 0 {
		return fmt.Errorf("--limit %q must be a non-negative amount with at most the currency's decimals", *limit)
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	var ts db.Tenants
	t, err := ts.TenantByName(ctx, d, *tenant)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no tenant %q: create one with faregraph apikey create --tenant %q", *tenant, *tenant)
	}
	if err != nil {
		return err
	}
	if err := ts.SetCreditLine(ctx, d, t.ID, !*disable, m.Amount, m.Currency); err != nil {
		return err
	}
	state := "enabled"
	if *disable {
		state = "disabled"
	}
	fmt.Fprintf(out, "credit line of %q: %s %s, %s\n", *tenant, m.Decimal(), m.Currency, state)
	return nil
}
