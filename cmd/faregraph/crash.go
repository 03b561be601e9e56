package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/faregraph/faregraph/checkout"
)

// crashAt reads FAREGRAPH_TEST_CRASH_AT, which is for crash tests only:
// the server kills itself with SIGKILL the first time its saga crosses the
// named step boundary (one of checkout.CrashPoints, such as
// book:before_provider), so that a test can stop it at exactly that point
// and restart it on the same database. It is refused outside development.
func crashAt(point string, development bool) (func(string), error) {
	if !development {
		return nil, fmt.Errorf("FAREGRAPH_TEST_CRASH_AT is for crash tests only and is refused with FAREGRAPH_ENV=production")
	}
	if !slices.Contains(checkout.CrashPoints, point) {
		return nil, fmt.Errorf("FAREGRAPH_TEST_CRASH_AT must be one of %s, got %q", strings.Join(checkout.CrashPoints, ", "), point)
	}
	return func(at string) {
		if at == point {
			fmt.Fprintf(os.Stderr, "FAREGRAPH_TEST_CRASH_AT: killing the server at %s\n", at)
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}, nil
}
