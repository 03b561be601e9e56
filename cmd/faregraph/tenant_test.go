package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestTenantSettlementCommand: "tenant settlement set" stores a tenant's
// default, refusing a mode the provider does not support (naming --mode),
// an unknown provider (--provider) or tenant (--tenant); "list" shows it.
func TestTenantSettlementCommand(t *testing.T) {
	cfg, _ := loadConfig(env(map[string]string{"FAREGRAPH_DB_PATH": filepath.Join(t.TempDir(), "t.db")}))
	ctx := context.Background()
	var out strings.Builder
	if err := apikey(ctx, cfg, []string{"create", "--tenant", "acme", "--scopes", "offers:read"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := tenant(ctx, cfg, []string{"settlement", "set", "--tenant", "acme", "--provider", "liteapi", "--mode", "provider_intent"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if out.String() != "settlement of \"acme\" with liteapi: PROVIDER_INTENT\n" {
		t.Errorf("set printed %q", out.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"settlement", "set", "--tenant", "acme", "--provider", "liteapi", "--mode", "CARD_FORWARD"}, "--mode: liteapi does not settle by CARD_FORWARD (it supports MERCHANT, PROVIDER_INTENT)"},
		{[]string{"settlement", "set", "--tenant", "acme", "--provider", "citizenplane", "--mode", "PROVIDER_INTENT"}, "--mode: citizenplane does not settle by PROVIDER_INTENT"},
		{[]string{"settlement", "set", "--tenant", "acme", "--provider", "liteapi", "--mode", "CASH"}, "--mode: must be MERCHANT, PROVIDER_INTENT or CARD_FORWARD"},
		{[]string{"settlement", "set", "--tenant", "acme", "--provider", "wink", "--mode", "MERCHANT"}, "--provider: \"wink\" is not a provider"},
		{[]string{"settlement", "set", "--tenant", "nobody", "--provider", "liteapi", "--mode", "MERCHANT"}, "--tenant: no tenant \"nobody\""},
		{[]string{"settlement", "get"}, "usage: faregraph tenant settlement"},
		// An empty name is refused naming the flag, never "create one
		// with apikey create --tenant \"\"".
		{[]string{"settlement", "set", "--tenant", "", "--provider", "liteapi", "--mode", "MERCHANT"}, "--tenant is required"},
		{[]string{"settlement", "list", "--tenant", " "}, "--tenant is required"},
		{[]string{"settlement", "set", "--tenant", "acme", "--provider", "liteapi", "--mode", "MERCHANT", "extra"}, "unexpected argument"},
	} {
		if err := tenant(ctx, cfg, tc.args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	out.Reset()
	if err := tenant(ctx, cfg, []string{"settlement", "list", "--tenant", "acme"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"citizenplane  MERCHANT (default)  MERCHANT,CARD_FORWARD", "liteapi       PROVIDER_INTENT     MERCHANT,PROVIDER_INTENT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list printed\n%s\nwant a line %q", out.String(), want)
		}
	}
	// Through run, as an operator types it.
	if err := run(ctx, []string{"tenant", "settlement", "set", "--tenant", "acme", "--provider", "citizenplane", "--mode", "CARD_FORWARD"},
		env(map[string]string{"FAREGRAPH_DB_PATH": cfg.App.DBPath}), io.Discard, io.Discard); err != nil {
		t.Errorf("run tenant settlement set: %v", err)
	}
}
