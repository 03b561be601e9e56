package citizenplane

import (
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	"github.com/faregraph/faregraph/providers/sim"
)

// testNow is the fixed clock of every test: 1 July 2025, 10:00 in Paris.
var testNow = time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

const (
	testToken = "sandbox-token"
	testSeed  = 42
)

// flightKey is the key of the flight with id, failing the test for an id
// the inventory never generated.
func flightKey(t *testing.T, id int64) sim.FlightKey {
	t.Helper()
	f, ok := cpsim.FlightByID(testSeed, id)
	if !ok {
		t.Fatalf("no flight %d", id)
	}
	return f.Key()
}

// must fails the test on a simulator control's error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// recorder is an Observer that remembers the calls it is told about.
type recorder struct {
	mu    sync.Mutex
	calls []string // "op outcome"
}

func (r *recorder) ObserveCall(provider, op, outcome string, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, op+" "+outcome)
}

func (r *recorder) count(call string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if c == call {
			n++
		}
	}
	return n
}

// waitCount waits until call was observed n times or a few seconds pass,
// for calls that finish after their caller gave up (the shared search
// call runs on to its own deadline), and returns the count.
func (r *recorder) waitCount(call string, n int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := r.count(call)
		if got >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *recorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// newSimServer starts a simulator with the test token, seed and clock.
func newSimServer(t *testing.T) (*cpsim.Simulator, *httptest.Server) {
	t.Helper()
	sim := cpsim.New(cpsim.Config{Token: testToken, Seed: testSeed, Now: clock})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv
}

// newTestClient returns an adapter for the server at url.
func newTestClient(url string, obs providers.Observer) *Client {
	return New(Config{BaseURL: url, Token: testToken, CustomerCode: "faregraph", Observer: obs, Now: clock})
}

// asProviderError fails the test unless err is a *providers.Error.
func asProviderError(t *testing.T, err error) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *providers.Error", err, err)
	}
	if pe.Provider != Name {
		t.Errorf("Provider = %q, want %q", pe.Provider, Name)
	}
	return pe
}

// leg is a providers.OriginDestination from its parts.
func leg(from, to, date string) providers.OriginDestination {
	return providers.OriginDestination{Origin: from, Destination: to, Date: providers.Date(date)}
}

// eur is an amount of euro cents.
func eur(n int64) providers.Money { return providers.Money{Amount: n, Currency: "EUR"} }

// eurp is a pointer to an amount of euro cents.
func eurp(n int64) *providers.Money { m := eur(n); return &m }
