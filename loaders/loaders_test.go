package loaders_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/loaders"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
)

var now = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

// setup serves the LiteAPI simulator over HTTP behind a call counter and
// returns a provider set on it and the parts of two real offers.
func setup(t *testing.T, latency time.Duration) (*providers.Set, []providers.Part, *atomic.Int64) {
	t.Helper()
	sim := litesim.New(litesim.Config{APIKey: "k", Seed: 1, Now: func() time.Time { return now }})
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flights/verify" {
			calls.Add(1)
			time.Sleep(latency)
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := liteapi.New(liteapi.Config{BaseURL: srv.URL, APIKey: "k", Now: func() time.Time { return now }})
	set, err := providers.NewSet(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	offers, err := c.Search(context.Background(), providers.Query{OriginDestination: providers.OriginDestination{Origin: "CDG", Destination: "BCN", Date: "2026-07-01"}, Passengers: providers.Passengers{Adults: 1}, Currency: "EUR"})
	if err != nil || len(offers) < 2 {
		t.Fatalf("search: %d offers, %v", len(offers), err)
	}
	return set, []providers.Part{offers[0].Parts[0], offers[1].Parts[0]}, &calls
}

func TestBatchesDedupeAndShareVerify(t *testing.T) {
	set, parts, calls := setup(t, 0)
	ctx := loaders.With(context.Background(), loaders.NewFactory(loaders.Config{Providers: set}).New())
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			checks, err := loaders.PriceChecks(ctx, parts)
			if err != nil || len(checks) != 2 || !checks[0].Available {
				t.Errorf("PriceChecks = %v, %v", checks, err)
			}
		}()
		go func() {
			defer wg.Done()
			anc, err := loaders.Ancillaries(ctx, parts)
			if err != nil || len(anc) != 2 || len(anc[0]) == 0 {
				t.Errorf("Ancillaries = %v, %v", anc, err)
			}
		}()
	}
	wg.Wait()
	// Ancillaries of LiteAPI come with its verify: one call per part in all.
	if n := calls.Load(); n != 2 {
		t.Errorf("%d verify calls for 2 parts asked 20 times each, want 2", n)
	}
}

func TestCanceledCallerDoesNotFailOthers(t *testing.T) {
	set, parts, _ := setup(t, 200*time.Millisecond)
	ctx := loaders.With(context.Background(), loaders.NewFactory(loaders.Config{Providers: set, Wait: 20 * time.Millisecond}).New())
	first, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := loaders.PriceChecks(first, parts); done <- err }()
	time.Sleep(5 * time.Millisecond) // let the first caller open the batch
	cancel()
	checks, err := loaders.PriceChecks(ctx, parts)
	if err != nil || len(checks) != 2 || !checks[1].Available {
		t.Fatalf("second caller: %v, %v", checks, err)
	}
	<-done
}

func TestOutsideAnOperation(t *testing.T) {
	if _, err := loaders.PriceChecks(context.Background(), nil); err != loaders.ErrNoLoaders {
		t.Errorf("err = %v", err)
	}
}
