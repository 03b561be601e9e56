package stripe_test

import (
	"bufio"
	"context"
	"errors"
	"go/build"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStripeMock runs the request-shape contract against stripe-mock, the
// Stripe OpenAPI server: our requests must be ones Stripe accepts. Install
// it with
//
//	go install github.com/stripe/stripe-mock@v0.203.0
//
// The test looks for the binary in $STRIPE_MOCK_PATH, then on PATH, then in
// $(go env GOBIN) and $(go env GOPATH)/bin. Without one it skips, unless
// FAREGRAPH_REQUIRE_STRIPE_MOCK=1 (CI sets it), when it fails.
func TestStripeMock(t *testing.T) {
	url := startStripeMock(t)
	g, rec := newGateway(t, url)
	contract(t, g, rec, nil)
}

func findStripeMock() (string, error) {
	if p := os.Getenv("STRIPE_MOCK_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", err
		}
		return p, nil
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) == 2 {
			if gobin := strings.TrimSpace(lines[0]); gobin != "" {
				dirs = append(dirs, gobin)
			}
			for _, p := range filepath.SplitList(strings.TrimSpace(lines[1])) {
				dirs = append(dirs, filepath.Join(p, "bin"))
			}
		}
	}
	for _, p := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(p, "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "stripe-mock")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("stripe-mock not found in $STRIPE_MOCK_PATH, PATH, $(go env GOBIN) or $(go env GOPATH)/bin")
}

// startStripeMock starts stripe-mock on ports the system picks, stopped at
// the end of the test, and returns its HTTP base URL once it answers.
func startStripeMock(t *testing.T) string {
	t.Helper()
	path, err := findStripeMock()
	if err != nil {
		if os.Getenv("FAREGRAPH_REQUIRE_STRIPE_MOCK") == "1" {
			t.Fatalf("%v; install it with: go install github.com/stripe/stripe-mock@v0.203.0", err)
		}
		t.Skipf("%v; skipped (go install github.com/stripe/stripe-mock@v0.203.0, or set FAREGRAPH_REQUIRE_STRIPE_MOCK=1 to fail)", err)
	}
	// An empty port lets the system choose; stripe-mock prints the address
	// it got. Both listeners get one, so two test processes never collide.
	cmd := exec.Command(path, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	addr := make(chan string, 1)
	go func() {
		const prefix = "Listening for HTTP at address: "
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, prefix); ok && !found {
				found = true
				addr <- strings.TrimSpace(a)
			}
		}
		// Keep draining so stripe-mock never blocks on a full pipe.
		close(addr)
	}()
	var base string
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatal("stripe-mock exited without listening")
		}
		base = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not say where it listens within 30s")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/customers", nil)
		req.Header.Set("Authorization", "Bearer sk_test_faregraph")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("stripe-mock at %s does not answer: %v", base, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
