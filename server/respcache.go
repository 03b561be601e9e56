package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/resolvers"
)

// The response cache keeps the answers of pages of stored searches: a
// stored search never changes until it expires, so the same document with
// the same variables, asked by a key of the same tenant and scopes, has
// the same answer until then. An answer is cached only when
//
//   - the operation is a query whose root fields are all cacheableRoots,
//   - its selection set, fragments included, selects no liveField,
//   - a resolver gave a resolvers.CacheHint (offerSearch does, with the
//     search's expiry) and the answer has no error.
//
// Entries live until the hint's time (the search's expiry), never longer:
// the next request then runs and answers SEARCH_EXPIRED. A GET answer that
// is cacheable carries an ETag and Cache-Control: private, max-age of the
// seconds left, and If-None-Match is answered 304. A request with
// Cache-Control: no-cache (or no-store) is executed again and refreshes
// the entry.
const (
	// responseCacheEntries bounds the entries (LRU); an entry is at most
	// responseCacheMaxBytes, so the cache holds at most 64 MiB.
	responseCacheEntries  = 1024
	responseCacheMaxBytes = 64 << 10
)

// liveFields are the fields read from a provider (or the clock) on every
// request, as "Type.field": an operation that selects one is never
// answered from the response cache, wherever it is in the document. Add
// here any field resolved through loaders or a provider call.
var liveFields = map[string]bool{
	"Offer.priceCheck":  true,
	"Offer.ancillaries": true,
	"Booking.status":    true,
	"Booking.flights":   true,
}

// cacheableRoots are the root fields whose answers may be cached: each
// gives a CacheHint only for what is immutable.
var cacheableRoots = map[string]bool{"offerSearch": true}

// liveNames are the field names of liveFields, for selections on an
// interface or union, where the concrete type is not known: any field of
// that name counts as live.
var liveNames = func() map[string]bool {
	m := map[string]bool{}
	for f := range liveFields {
		m[f[strings.IndexByte(f, '.')+1:]] = true
	}
	return m
}()

// cacheableOperation reports whether op may be answered from the cache:
// a query of cacheableRoots only that selects no live field.
func cacheableOperation(op *ast.OperationDefinition) bool {
	if op == nil || op.Operation != ast.Query {
		return false
	}
	roots := 0
	ok := walkFields(op.SelectionSet, map[string]bool{}, func(f *ast.Field) bool {
		if cacheableRoots[f.Name] {
			roots++
			return true
		}
		return f.Name == "__typename"
	})
	return ok && roots > 0 && !selectsLive(op.SelectionSet, map[string]bool{})
}

// walkFields calls f on the fields of set, fragments expanded, and reports
// whether f accepted all of them. An unresolved fragment spread is refused.
func walkFields(set ast.SelectionSet, seen map[string]bool, f func(*ast.Field) bool) bool {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if !f(s) {
				return false
			}
		case *ast.InlineFragment:
			if !walkFields(s.SelectionSet, seen, f) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil {
				return false
			}
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if !walkFields(s.Definition.SelectionSet, seen, f) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// selectsLive reports whether set selects a live field at any depth.
func selectsLive(set ast.SelectionSet, seen map[string]bool) bool {
	live := false
	walkFields(set, seen, func(f *ast.Field) bool {
		if isLive(f) || selectsLive(f.SelectionSet, seen) {
			live = true
			return false
		}
		return true
	})
	return live
}

func isLive(f *ast.Field) bool {
	def := f.ObjectDefinition
	if def == nil || def.Kind != ast.Object {
		return liveNames[f.Name]
	}
	return liveFields[def.Name+"."+f.Name]
}

// cachedResponse is an answer's data and what HTTP says of it.
type cachedResponse struct {
	data  json.RawMessage
	etag  string
	until time.Time
}

// responseCache is the cache of answers; safe for concurrent use.
type responseCache struct {
	entries graphql.Cache[*cachedResponse]
	now     func() time.Time
}

func newResponseCache(now func() time.Time) *responseCache {
	if now == nil {
		now = time.Now
	}
	return &responseCache{entries: lru.New[*cachedResponse](responseCacheEntries), now: now}
}

// key is the entry of an operation for the principal in ctx: the document,
// the operation name, the coerced variables, the tenant and the scopes
// (a key without offers:read must not read another key's answer).
func (c *responseCache) key(ctx context.Context, oc *graphql.OperationContext) (string, bool) {
	p, ok := auth.From(ctx)
	if !ok {
		return "", false
	}
	vars, err := json.Marshal(oc.Variables) // map keys sorted: one encoding per value
	if err != nil {
		return "", false
	}
	scopes := slices.Sorted(slices.Values(p.Scopes))
	h := sha256.New()
	for _, part := range []string{p.TenantID, strings.Join(scopes, " "), oc.OperationName, oc.RawQuery, string(vars)} {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return string(h.Sum(nil)), true
}

// middleware answers a cacheable operation from the cache or executes it
// and keeps its answer. It is the innermost response middleware, so that
// metrics, error caps and tracing see cached answers as any other.
func (c *responseCache) middleware(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if !cacheableOperation(oc.Operation) {
		return next(ctx)
	}
	key, ok := c.key(ctx, oc)
	if !ok {
		return next(ctx)
	}
	if !noCache(oc.Headers) {
		if e, ok := c.entries.Get(ctx, key); ok && c.now().Before(e.until) {
			noteCacheable(ctx, e)
			return &graphql.Response{Data: e.data}
		}
	}
	ctx, hint := resolvers.WithCacheHint(ctx)
	resp := next(ctx)
	until, ok := hint.Until()
	if !ok || resp == nil || len(resp.Errors) > 0 || len(resp.Extensions) > 0 || resp.HasNext != nil ||
		resp.Label != "" || len(resp.Path) > 0 || len(resp.Data) == 0 || len(resp.Data) > responseCacheMaxBytes ||
		!c.now().Before(until) {
		return resp
	}
	sum := sha256.Sum256(resp.Data)
	e := &cachedResponse{data: slices.Clone(resp.Data), until: until,
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
	c.entries.Add(ctx, key, e)
	noteCacheable(ctx, e)
	return resp
}

// noCache reports whether the request asked not to be answered from a cache.
func noCache(h http.Header) bool {
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			if d = strings.ToLower(strings.TrimSpace(d)); d == "no-cache" || d == "no-store" {
				return true
			}
		}
	}
	return h.Get("Pragma") == "no-cache"
}

// httpCaching is what a GET request's answer says to caches, filled in by
// the response cache when the answer is cacheable.
type httpCaching struct {
	etag  string
	until time.Time
}

type httpCachingKey struct{}

func noteCacheable(ctx context.Context, e *cachedResponse) {
	if hc, _ := ctx.Value(httpCachingKey{}).(*httpCaching); hc != nil {
		hc.etag, hc.until = e.etag, e.until
	}
}

// withHTTPCaching wraps a GET request's writer so that a cacheable answer
// carries ETag and Cache-Control, and one the client holds (If-None-Match)
// is a 304 without a body. Other requests pass unchanged.
func withHTTPCaching(w http.ResponseWriter, r *http.Request, now func() time.Time) (http.ResponseWriter, *http.Request) {
	if r.Method != http.MethodGet {
		return w, r
	}
	hc := &httpCaching{}
	r = r.WithContext(context.WithValue(r.Context(), httpCachingKey{}, hc))
	return &cachingWriter{ResponseWriter: w, r: r, hc: hc, now: now}, r
}

type cachingWriter struct {
	http.ResponseWriter
	r           *http.Request
	hc          *httpCaching
	now         func() time.Time
	wroteHeader bool
	notModified bool
}

func (w *cachingWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if code == http.StatusOK && w.hc.etag != "" {
		h := w.Header()
		maxAge := max(0, int(w.hc.until.Sub(w.now())/time.Second))
		h.Set("ETag", w.hc.etag)
		h.Set("Cache-Control", "private, max-age="+strconv.Itoa(maxAge))
		h.Add("Vary", "Authorization")
		if etagMatches(w.r.Header.Get("If-None-Match"), w.hc.etag) {
			w.notModified = true
			h.Del("Content-Type")
			h.Del("Content-Length")
			code = http.StatusNotModified
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cachingWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.notModified {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming transports flush through the wrapper.
func (w *cachingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *cachingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// etagMatches applies If-None-Match's weak comparison: "*" or any listed
// tag, W/ or not, equal to etag.
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
