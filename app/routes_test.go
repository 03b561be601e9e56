package app

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/refdata"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite README.md's simulator routes section from the simulators' tables")

const (
	routesBegin = "<!-- simulator routes: written by go test ./app -run TestReadmeRoutes -update-readme -->"
	routesEnd   = "<!-- end of simulator routes -->"
)

// simulatorRoutes renders the routes every simulator of the registry
// flies, from the simulators' own tables, and the airports they serve,
// from the reference data.
func simulatorRoutes(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	airports := map[string]bool{}
	b.WriteString("| provider | routes (each direction flown daily) |\n|---|---|\n")
	for _, r := range Registry() {
		s, _ := r.NewSimulator(providers.SimConfig{Seed: 1})
		rl, ok := s.(sim.RouteLister)
		if !ok {
			t.Fatalf("the %s simulator does not list its routes (sim.RouteLister)", r.Name)
		}
		var rs []string
		for _, rt := range rl.Routes() {
			rs = append(rs, fmt.Sprintf("%s→%s", rt.From, rt.To))
			airports[rt.From], airports[rt.To] = true, true
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", r.Name, strings.Join(rs, ", "))
	}
	b.WriteString("\n| airport | name | city | country | time zone |\n|---|---|---|---|---|\n")
	codes := make([]string, 0, len(airports))
	for c := range airports {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		a, ok := refdata.LookupAirport(c)
		if !ok {
			t.Fatalf("the reference data has no airport %s", c)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", c, a.Name, a.City, a.Country, a.TimeZone)
	}
	return b.String()
}

// TestReadmeRoutes fails when README.md's list of the simulators' routes
// and airports is not what the simulators' tables say.
func TestReadmeRoutes(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, routesBegin), strings.Index(s, routesEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no section between %q and %q", routesBegin, routesEnd)
	}
	want := simulatorRoutes(t)
	got := strings.TrimPrefix(s[i+len(routesBegin):j], "\n")
	if got == want {
		return
	}
	if *updateReadme {
		s = s[:i+len(routesBegin)] + "\n" + want + s[j:]
		if err := os.WriteFile("../README.md", []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's simulator routes differ from the simulators' tables; run go test ./app -run TestReadmeRoutes -update-readme\n--- README\n%s\n--- simulators\n%s", got, want)
}
