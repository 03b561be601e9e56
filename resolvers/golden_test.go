package resolvers_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current responses")

func newApp(t testing.TB, mod func(*app.Config)) *app.App { return apptest.New(t, mod) }

// gql posts a query to the app and returns the decoded response.
func gql(t testing.TB, h http.Handler, query string, vars map[string]any) map[string]any {
	t.Helper()
	rec := apptest.Post(h, query, vars, "")
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("response is not JSON (%d): %s", rec.Code, rec.Body)
	}
	return out
}

// directives reads "# failure: liteapi=1" and "# latency: citizenplane=3s"
// header lines of a query file.
func directives(t *testing.T, query string) (failure map[string]float64, latency map[string]time.Duration) {
	failure, latency = map[string]float64{}, map[string]time.Duration{}
	sc := bufio.NewScanner(strings.NewReader(query))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") {
			break
		}
		k, v, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "#")), ":")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(v, ",") {
			p, val, _ := strings.Cut(strings.TrimSpace(kv), "=")
			switch strings.TrimSpace(k) {
			case "failure":
				f, err := strconv.ParseFloat(val, 64)
				if err != nil {
					t.Fatal(err)
				}
				failure[p] = f
			case "latency":
				d, err := time.ParseDuration(val)
				if err != nil {
					t.Fatal(err)
				}
				latency[p] = d
			}
		}
	}
	return failure, latency
}

// normalize removes what legitimately changes between runs: latencies.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "latencyMs" {
				x[k] = 0
				continue
			}
			x[k] = normalize(val)
		}
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}

// TestGolden runs every query in testdata/queries against the simulators
// and compares the response with testdata/golden. go test ./resolvers
// -update rewrites the golden files.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/queries/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no queries: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".graphql")
		t.Run(name, func(t *testing.T) {
			q, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			failure, latency := directives(t, string(q))
			a := newApp(t, func(c *app.Config) {
				c.Sim.FailureRate = failure
				c.Sim.Latency = latency
			})
			var vars map[string]any
			if b, err := os.ReadFile(strings.TrimSuffix(f, ".graphql") + ".json"); err == nil {
				if err := json.Unmarshal(b, &vars); err != nil {
					t.Fatal(err)
				}
			}
			got := normalize(gql(t, a.Handler, string(q), vars))
			gotJSON, _ := json.MarshalIndent(got, "", "  ")
			golden := filepath.Join("testdata/golden", name+".json")
			if *update {
				if err := os.WriteFile(golden, append(gotJSON, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantJSON, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./resolvers -update)", err)
			}
			var want any
			if err := json.Unmarshal(wantJSON, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, any(normalize(jsonRoundTrip(t, got)))); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", name, golden, diff)
			}
		})
	}
}

func jsonRoundTrip(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
