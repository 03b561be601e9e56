package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/metrics"
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
// An entry is the answer's bytes as written, keyed by what the request
// says before anything is parsed (responseCache.key: the document's
// SHA-256, or the persisted query's hash, the operation name, the
// variables in a canonical encoding, the tenant and the scopes), so a hit
// costs a hash and a write: no parsing, validation, limits or execution.
// A hit is only ever an answer that was executed for the same key, so it
// passed the limits then (they depend only on the document and the
// variables). Entries live until the hint's time (the search's expiry),
// never longer: the next request then runs and answers SEARCH_EXPIRED. A
// GET answer that is cacheable carries an ETag and Cache-Control: private,
// max-age of the seconds left, and If-None-Match is answered 304. A
// request with Cache-Control: no-cache (or no-store) is executed again and
// refreshes the entry. Streamed answers (multipart, server-sent events)
// are neither cached nor answered from the cache.
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

// cachedResponse is an answer's bytes and what HTTP and the metrics say
// of it.
type cachedResponse struct {
	body          []byte // the whole response body: {"data":...}
	etag          string
	until         time.Time
	operationName string // for the metrics and the request log
}

// responseCache is the cache of answers; safe for concurrent use.
type responseCache struct {
	entries graphql.Cache[*cachedResponse]
	now     func() time.Time
	metrics *metrics.Metrics
}

func newResponseCache(now func() time.Time, m *metrics.Metrics) *responseCache {
	if now == nil {
		now = time.Now
	}
	return &responseCache{entries: lru.New[*cachedResponse](responseCacheEntries), now: now, metrics: m}
}

// key is the entry of a request for the principal in ctx, from the
// request's parameters alone: the document (the SHA-256 of its text, or
// the automatic persisted query's hash when only that is sent, which is
// the same value), the operation name, the variables (JSON with sorted
// keys, numbers as sent), the tenant and the scopes (a key without
// offers:read must not read another key's answer). It is false when the
// request has no principal, or sends both a document and a hash that do
// not match (gqlgen refuses those).
func (c *responseCache) key(ctx context.Context, p *graphql.RawParams) (string, bool) {
	pr, ok := auth.From(ctx)
	if !ok {
		return "", false
	}
	doc := persistedHash(p.Extensions)
	if p.Query != "" {
		sum := sha256.Sum256([]byte(p.Query))
		h := hex.EncodeToString(sum[:])
		if doc != "" && doc != h {
			return "", false
		}
		doc = h
	}
	if doc == "" {
		return "", false
	}
	vars, err := json.Marshal(p.Variables) // map keys sorted: one encoding per value
	if err != nil {
		return "", false
	}
	scopes := pr.Scopes
	if !slices.IsSorted(scopes) {
		scopes = slices.Sorted(slices.Values(scopes))
	}
	h := sha256.New()
	var n [20]byte
	for _, part := range []string{pr.TenantID, strings.Join(scopes, " "), p.OperationName, doc, string(vars)} {
		h.Write(strconv.AppendInt(n[:0], int64(len(part)), 10))
		h.Write([]byte{':'})
		io.WriteString(h, part)
	}
	return string(h.Sum(nil)), true
}

// persistedHash is extensions.persistedQuery.sha256Hash, "" when absent.
func persistedHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	h, _ := pq["sha256Hash"].(string)
	return h
}

// lookup answers the request from the cache when it can: it reports
// whether it wrote the answer. A miss notes the key in the request's
// httpCaching, so that store keeps the answer if it turns out cacheable.
func (c *responseCache) lookup(w http.ResponseWriter, r *http.Request, p *graphql.RawParams) bool {
	hc, _ := r.Context().Value(httpCachingKey{}).(*httpCaching)
	if hc == nil {
		return false
	}
	key, ok := c.key(r.Context(), p)
	if !ok {
		return false
	}
	hc.key = key
	if noCache(r.Header) {
		return false
	}
	e, ok := c.entries.Get(r.Context(), key)
	if !ok || !c.now().Before(e.until) {
		return false
	}
	setOperation(r.Context(), e.operationName)
	hc.etag, hc.until = e.etag, e.until
	// One write with its length: net/http sends it without chunking.
	w.Header().Set("Content-Length", strconv.Itoa(len(e.body)))
	w.Write(e.body)
	c.metrics.ObserveOperation(string(ast.Query), e.operationName, "ok", time.Since(hc.start))
	return true
}

// store keeps resp, the answer just executed for the request in ctx, when
// the response middleware found it cacheable.
func (c *responseCache) store(ctx context.Context, resp *graphql.Response) {
	hc, _ := ctx.Value(httpCachingKey{}).(*httpCaching)
	if hc == nil || hc.key == "" || hc.etag == "" || resp == nil || !plainData(resp) || len(resp.Data) > responseCacheMaxBytes {
		return
	}
	body := make([]byte, 0, len(dataOpen)+len(resp.Data)+len(dataClose))
	body = append(append(append(body, dataOpen...), resp.Data...), dataClose...)
	c.entries.Add(ctx, hc.key, &cachedResponse{body: body, etag: hc.etag, until: hc.until, operationName: hc.operationName})
}

// plainData reports whether resp is data alone: no error, extension,
// label, path or increment.
func plainData(resp *graphql.Response) bool {
	return len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && len(resp.Path) == 0 &&
		resp.HasNext == nil && len(resp.Data) > 0
}

// middleware decides whether an executed operation's answer may be cached
// and until when: it notes the ETag and the time in the request's
// httpCaching, for the headers and for store. It is the innermost response
// middleware, so that it sees the answer as the resolvers gave it.
func (c *responseCache) middleware(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	hc, _ := ctx.Value(httpCachingKey{}).(*httpCaching)
	if hc == nil || !cacheableOperation(oc.Operation) {
		return next(ctx)
	}
	ctx, hint := resolvers.WithCacheHint(ctx)
	resp := next(ctx)
	until, ok := hint.Until()
	if !ok || resp == nil || !plainData(resp) || len(resp.Data) > responseCacheMaxBytes || !c.now().Before(until) {
		return resp
	}
	sum := sha256.Sum256(resp.Data)
	hc.etag, hc.until, hc.operationName = `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`, until, oc.Operation.Name
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

// httpCaching is what the response cache learns of one request: its key,
// and, when the answer is cacheable, what a GET answer says to caches.
type httpCaching struct {
	start         time.Time
	key           string // the cache key, "" when the request has none
	etag          string // set when the answer is cacheable
	until         time.Time
	operationName string
}

type httpCachingKey struct{}

// withHTTPCaching gives the request an httpCaching, and wraps a GET
// request's writer so that a cacheable answer carries ETag and
// Cache-Control, and one the client holds (If-None-Match) is a 304
// without a body.
func withHTTPCaching(w http.ResponseWriter, r *http.Request, now func() time.Time) (http.ResponseWriter, *http.Request) {
	hc := &httpCaching{start: time.Now()}
	r = r.WithContext(context.WithValue(r.Context(), httpCachingKey{}, hc))
	if r.Method != http.MethodGet {
		return w, r
	}
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
