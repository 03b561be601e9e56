package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	neturl "net/url"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers"
)

// openDB opens and migrates the configured database for an admin command,
// and says on notice which database that is: with no DATABASE_URL it is a
// local SQLite file, which an operator who meant production must notice.
func openDB(ctx context.Context, cfg config, notice io.Writer) (*db.DB, error) {
	url := cfg.App.DatabaseURL
	if url == "" {
		url = cfg.App.DBPath
	}
	fmt.Fprintf(notice, "faregraph: using %s\n", dbLocation(cfg))
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

// dbLocation names the database cfg points at, without credentials: the
// SQLite file's absolute path, or the Postgres database and host.
func dbLocation(cfg config) string {
	if cfg.App.DatabaseURL == "" {
		path := strings.TrimPrefix(cfg.App.DBPath, "sqlite://")
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return "the SQLite file " + path + " (DATABASE_URL is not set)"
	}
	u, err := neturl.Parse(cfg.App.DatabaseURL)
	if err != nil {
		return "the Postgres database of DATABASE_URL"
	}
	return fmt.Sprintf("the Postgres database %q on %s", strings.TrimPrefix(u.Path, "/"), u.Host)
}

const apikeyUsage = "usage: faregraph apikey create --tenant NAME --scopes LIST | apikey list [--tenant NAME] | apikey revoke KEY-ID"

// apikey runs the apikey subcommands: "create --tenant NAME --scopes
// offers:read,checkout:write", "list [--tenant NAME]" and "revoke
// KEY-ID". Results go to out, the notice of which database is used to
// notice. An unknown flag or a stray argument is an error with the usage.
func apikey(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	if len(args) == 0 {
		return errors.New(apikeyUsage)
	}
	switch args[0] {
	case "create":
		return apikeyCreate(ctx, cfg, args[1:], out, notice)
	case "list":
		return apikeyList(ctx, cfg, args[1:], out, notice)
	case "revoke":
		if len(args) != 2 {
			return errors.New("usage: faregraph apikey revoke KEY-ID (the id, the fg_<id> prefix or the whole key)")
		}
		return apikeyRevoke(ctx, cfg, args[1], out, notice)
	default:
		return errors.New(apikeyUsage)
	}
}

func apikeyCreate(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	fs.SetOutput(notice)
	tenant := fs.String("tenant", "", "name of the API client (created if new)")
	scopes := fs.String("scopes", strings.Join(auth.AllScopes, ","), "comma-separated scopes: "+strings.Join(auth.AllScopes, ", "))
	if err := parseFlags(fs, args, apikeyUsage); err != nil {
		return err
	}
	if err := requireTenant(*tenant); err != nil {
		return err
	}
	sc, err := auth.ParseScopes(*scopes)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg, notice)
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

func apikeyList(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	fs := flag.NewFlagSet("apikey list", flag.ContinueOnError)
	fs.SetOutput(notice)
	tenant := fs.String("tenant", "", "list only the keys of the API client with this name")
	if err := parseFlags(fs, args, apikeyUsage); err != nil {
		return err
	}
	d, err := openDB(ctx, cfg, notice)
	if err != nil {
		return err
	}
	defer d.Close()
	keys, err := (&auth.Authenticator{DB: d}).ListKeys(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tKEY\tSCOPES\tCREATED\tREVOKED")
	for _, k := range keys {
		if *tenant != "" && k.TenantName != *tenant {
			continue
		}
		revoked := "-"
		if k.Key.RevokedAt != nil {
			revoked = k.Key.RevokedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\tfg_%s\t%s\t%s\t%s\n", k.TenantName, k.Key.ID, strings.ReplaceAll(k.Key.Scopes, " ", ","), k.Key.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func apikeyRevoke(ctx context.Context, cfg config, ref string, out, notice io.Writer) error {
	if _, err := auth.KeyID(ref); err != nil {
		return err
	}
	d, err := openDB(ctx, cfg, notice)
	if err != nil {
		return err
	}
	defer d.Close()
	k, now, err := (&auth.Authenticator{DB: d}).RevokeKey(ctx, ref, time.Now())
	if errors.Is(err, auth.ErrNotThisKey) {
		return fmt.Errorf("the key given for %s is %w", keyShown(ref), err)
	}
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no API key %s (see faregraph apikey list)", keyShown(ref))
	}
	if err != nil {
		return err
	}
	if now {
		fmt.Fprintf(out, "revoked fg_%s at %s\n", k.ID, k.RevokedAt.UTC().Format(time.RFC3339))
	} else {
		fmt.Fprintf(out, "fg_%s was already revoked at %s\n", k.ID, k.RevokedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// creditline runs "creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]".
func creditline(ctx context.Context, cfg config, args []string, out, notice io.Writer) error {
	if len(args) == 0 || args[0] != "set" {
		return errors.New("usage: faregraph creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]")
	}
	fs := flag.NewFlagSet("creditline set", flag.ContinueOnError)
	fs.SetOutput(notice)
	tenant := fs.String("tenant", "", "name of the API client")
	limit := fs.String("limit", "", "credit limit as a decimal amount, e.g. 5000.00")
	cur := fs.String("currency", "EUR", "ISO 4217 currency of the credit line")
	disable := fs.Bool("disable", false, "disable the credit line")
	if err := parseFlags(fs, args[1:], "usage: faregraph creditline set --tenant NAME --limit 5000.00 --currency EUR [--disable]"); err != nil {
		return err
	}
	if err := requireTenant(*tenant); err != nil {
		return err
	}
	if !providers.ValidCurrency(strings.ToUpper(*cur)) {
		return fmt.Errorf("--currency %q is not an ISO 4217 code", *cur)
	}
	m, err := providers.ParseMoney(*limit, *cur)
	if err != nil || m.Amount < 0 {
		return fmt.Errorf("--limit %q must be a non-negative amount with at most the currency's decimals", *limit)
	}
	d, err := openDB(ctx, cfg, notice)
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

// parseFlags parses args into fs and refuses what is left over: an admin
// command takes flags only, and a stray word (a misspelt flag without its
// dashes, a value with a space) must not be ignored.
func parseFlags(fs *flag.FlagSet, args []string, usage string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w\n%s", err, usage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), usage)
	}
	return nil
}

// keyShown is ref as a message may show it: by its fg_<id> prefix, so
// that a whole key's secret is never printed.
func keyShown(ref string) string {
	if id, err := auth.KeyID(ref); err == nil {
		return "fg_" + id
	}
	return "the key"
}
