package resolvers

import (
	"context"
	"sync"
	"time"
)

// CacheHint is where the resolvers of one operation say until when what
// they answered cannot change. Only a resolver that reads something
// immutable marks it (a stored search is immutable until it expires); the
// server caches a response only when a hint was given and the operation
// selects no live field (see server/respcache.go), so a hint never has to
// know which fields were asked.
type CacheHint struct {
	mu    sync.Mutex
	until time.Time
	set   bool
}

type cacheHintKey struct{}

// WithCacheHint returns ctx carrying a new, empty hint.
func WithCacheHint(ctx context.Context) (context.Context, *CacheHint) {
	h := &CacheHint{}
	return context.WithValue(ctx, cacheHintKey{}, h), h
}

// Until returns the earliest time a resolver of the operation gave, and
// whether any gave one.
func (h *CacheHint) Until() (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.until, h.set
}

// immutableUntil records, when the operation carries a hint, that what the
// calling resolver returns is the same for everyone allowed to read it
// until t. The hint keeps the earliest of the times given.
func immutableUntil(ctx context.Context, t time.Time) {
	h, _ := ctx.Value(cacheHintKey{}).(*CacheHint)
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.set || t.Before(h.until) {
		h.until, h.set = t, true
	}
}
