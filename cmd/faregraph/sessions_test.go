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
