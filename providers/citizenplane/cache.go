package citizenplane

import (
	"context"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// searchCacheTTL is how long a search answer (GET /v3/flights or
// /v3/roundTrips) is reused. CitizenPlane's search is itself served from a
// cache and indicative [doc]; reusing its answer for a few seconds lets the
// bags of a search's flights (ancillaries) and the round-trip price checks
// made right after it cost no further call, however the loaders split
// their batches.
const searchCacheTTL = 10 * time.Second

// maxCacheEntries bounds the cached answers; expired ones are swept first.
const maxCacheEntries = 2048

// searchCache holds recent search answers by URL, and merges identical
// calls in flight. Cached slices are shared: callers must not modify them.
type searchCache struct {
	flight singleflight.Group

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value any
	at    time.Time
}

// get returns the answer to path?v from the cache, from a call in flight,
// or from fetch. A failed fetch is not cached. The fetch runs on a context
// that one caller giving up cannot cancel for the others, with the first
// caller's deadline.
func get[T any](ctx context.Context, c *searchCache, path string, v url.Values, fetch func(context.Context) ([]T, error)) ([]T, error) {
	key := path + "?" + v.Encode()
	now := time.Now()
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && now.Sub(e.at) < searchCacheTTL {
		c.mu.Unlock()
		return e.value.([]T), nil
	}
	c.mu.Unlock()

	ch := c.flight.DoChan(key, func() (any, error) {
		fctx := context.WithoutCancel(ctx)
		if d, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			fctx, cancel = context.WithDeadline(fctx, d)
			defer cancel()
		}
		val, err := fetch(fctx)
		if err != nil {
			return nil, err
		}
		c.put(key, val, time.Now())
		return val, nil
	})
	select {
	case <-ctx.Done():
		return nil, errGaveUp{ctx.Err()}
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]T), nil
	}
}

func (c *searchCache) put(key string, v any, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cacheEntry{}
	}
	if len(c.entries) >= maxCacheEntries {
		for k, e := range c.entries {
			if now.Sub(e.at) >= searchCacheTTL || len(c.entries) >= maxCacheEntries {
				delete(c.entries, k)
			}
		}
	}
	c.entries[key] = cacheEntry{value: v, at: now}
}

// errGaveUp is a caller's context ending while it waited for a call that
// another caller started; the caller maps it to its own provider error.
type errGaveUp struct{ err error }

func (e errGaveUp) Error() string { return "gave up waiting for the provider: " + e.err.Error() }
func (e errGaveUp) Unwrap() error { return e.err }
