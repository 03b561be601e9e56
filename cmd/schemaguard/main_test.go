package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestHelpExitsZero runs the command with -h (and -help) in a child
// process: it prints its usage and exits 0 (it exited 1), while an unknown
// flag still exits 1.
func TestHelpExitsZero(t *testing.T) {
	if args := os.Getenv("SCHEMAGUARD_ARGS"); args != "" {
		os.Args = append([]string{"schemaguard"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	for _, tt := range []struct {
		args string
		code int
	}{{"-h", 0}, {"-help", 0}, {"-nope", 1}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelpExitsZero$")
		cmd.Env = append(os.Environ(), "SCHEMAGUARD_ARGS="+tt.args)
		out, err := cmd.CombinedOutput()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || !strings.Contains(string(out), "-baseline") {
			t.Errorf("schemaguard %s: exit %d, want %d; output:\n%s", tt.args, code, tt.code, out)
		}
	}
}
