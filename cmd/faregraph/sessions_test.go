package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionsCommands lists the (empty) NEEDS_ATTENTION sessions of a new
// database and refuses bad resolve requests with what to do instead.
func TestSessionsCommands(t *testing.T) {
	cfg, _ := loadConfig(env(map[string]string{"FAREGRAPH_DB_PATH": filepath.Join(t.TempDir(), "ops.db")}))
	var out strings.Builder
	if err := sessions(context.Background(), cfg, []string{"list", "--status", "NEEDS_ATTENTION"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "SESSION") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("list printed %q", out.String())
	}
	for _, bad := range [][]string{
		{"resolve"},
		{"resolve", "cs_nope", "--as", "maybe"},
		{"resolve", "cs_nope", "--as", "failed"},
		{"frob"},
	} {
		if err := sessions(context.Background(), cfg, bad, &out, io.Discard); err == nil {
			t.Errorf("sessions %v accepted", bad)
		}
	}
}

// TestSessionsCommandsRefuseBadFlags: a stray argument, an unknown status,
// a limit out of range or a negative part is a usage error naming what is
// wrong, before the database is opened; a status in any case is the
// status (as tenant settlement's --mode).
func TestSessionsCommandsRefuseBadFlags(t *testing.T) {
	cfg, _ := loadConfig(env(map[string]string{"FAREGRAPH_DB_PATH": filepath.Join(t.TempDir(), "ops.db")}))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"resolve", "cs_x", "--as", "failed", "--part", "1", "extra"}, `unexpected argument "extra"`},
		{[]string{"resolve", "cs_x", "--as", "failed", "--part", "-2"}, "--part"},
		{[]string{"resolve", "cs_x", "--as", "failed", "--part", "-1"}, "--part"},
		{[]string{"resolve", "cs_x", "--as", "maybe"}, "--as"},
		{[]string{"list", "--status", "bogus"}, "--status"},
		{[]string{"list", "--limit", "-1"}, "--limit"},
		{[]string{"list", "--limit", "0"}, "--limit"},
		{[]string{"list", "--limit", "1001"}, "--limit"},
		{[]string{"list", "NEEDS_ATTENTION"}, `unexpected argument "NEEDS_ATTENTION"`},
	} {
		err := sessions(context.Background(), cfg, c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "usage: faregraph sessions") {
			t.Errorf("sessions %v: %v; want a usage error naming %s", c.args, err, c.want)
		}
	}
	for _, args := range [][]string{{"list", "--status", "booked"}, {"list", "--status", "Needs_Attention", "--limit", "5"}, {"list", "--booked-late"}} {
		var out strings.Builder
		if err := sessions(context.Background(), cfg, args, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "SESSION") {
			t.Errorf("sessions %v: %v, %q", args, err, out.String())
		}
	}
}
