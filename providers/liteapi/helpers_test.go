package liteapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/sim"
)

// testNow is the fixed clock of the tests: March, so that July dates are
// summer time (+02:00 in Paris) and November dates winter time (+01:00).
var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

const testKey = "test-key"

// clock is a settable test clock.
type clock = sim.Clock

func newClock() *clock { return sim.NewClock(testNow) }

// call is one observed provider call.
type call struct{ op, outcome string }

// recorder is an Observer that keeps the calls.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) ObserveCall(provider, op, outcome string, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{provider + "/" + op, outcome})
}

func (r *recorder) all() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// simEnv is a simulator behind a real HTTP server and a client talking to it.
type simEnv struct {
	sim    *litesim.Simulator
	srv    *httptest.Server
	client *Client
	clock  *clock
	obs    *recorder
	taps   *tapLog // the requests the simulator received, once tap is called
}

func newSimEnv(t testing.TB, cfg litesim.Config) *simEnv {
	t.Helper()
	c := newClock()
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	sim := litesim.New(cfg)
	taps := &tapLog{}
	srv := httptest.NewServer(taps.wrap(sim))
	t.Cleanup(srv.Close)
	obs := &recorder{}
	client := New(Config{BaseURL: srv.URL, APIKey: testKey, HTTPClient: srv.Client(), Observer: obs, Now: c.Now})
	return &simEnv{sim: sim, srv: srv, client: client, clock: c, obs: obs, taps: taps}
}

// post sends body to the server's path with the test key and returns the
// status and raw answer.
func post(t testing.TB, url, key string, body any) (int, []byte) {
	t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	return send(t, http.MethodPost, url, key, bytes.NewReader(b))
}

// send sends a request to url with key (none when key is empty) and
// returns the status and raw answer.
func send(t testing.TB, method, url, key string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// providerError asserts err is a *providers.Error.
func providerError(t *testing.T, err error) *providers.Error {
	t.Helper()
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *providers.Error", err, err)
	}
	return pe
}

func leg(o, d string, date providers.Date) providers.OriginDestination {
	return providers.OriginDestination{Origin: o, Destination: d, Date: date}
}
