package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/auth"
)

const cachedPage = `query Page($id: ID!) { offerSearch(id: $id) { id offers(first: 5) {
  edges { cursor node { id totalPrice { amount currencyCode } slices { departureAt segments { carrierCode flightNumber } } } } } } }`

// getGraphQL sends query as GET /graphql with extra request headers.
func getGraphQL(h http.Handler, query string, vars map[string]any, header http.Header) *httptest.ResponseRecorder {
	v, _ := json.Marshal(vars)
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+url.Values{"query": {query}, "variables": {string(v)}}.Encode(), nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestResponseCacheOfStoredSearchPages(t *testing.T) {
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	a := newTestApp(t, func(c *app.Config) { c.Now = clock })
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
	id, _ := dig(r.Data, "searchOffers", "id").(string)
	if id == "" {
		t.Fatalf("no search: %+v", r.Errors)
	}
	vars := map[string]any{"id": id}

	first := getGraphQL(a.Handler, cachedPage, vars, nil)
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || strings.Contains(first.Body.String(), `"errors"`) {
		t.Fatalf("first page: %d, ETag %q: %.300s", first.Code, etag, first.Body)
	}
	// The search expires 15 minutes after it ran: max-age is what is left.
	if cc := first.Header().Get("Cache-Control"); cc != "private, max-age=900" {
		t.Errorf("Cache-Control %q, want private, max-age=900", cc)
	}
	now.Add(int64(10 * time.Minute))
	again := getGraphQL(a.Handler, cachedPage, vars, nil)
	if again.Body.String() != first.Body.String() || again.Header().Get("ETag") != etag {
		t.Errorf("second page differs from the first")
	}
	if cc := again.Header().Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control after 10 minutes %q, want private, max-age=300", cc)
	}
	// POST answers from the same cache, the same bytes.
	if p := apptest.Post(a.Handler, cachedPage, vars, ""); p.Body.String() != first.Body.String() || p.Header().Get("ETag") != "" {
		t.Errorf("POST answer differs or carries an ETag: %q %.200s", p.Header().Get("ETag"), p.Body)
	}
	nm := getGraphQL(a.Handler, cachedPage, vars, http.Header{"If-None-Match": {etag}})
	if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get("ETag") != etag {
		t.Errorf("If-None-Match: %d, %d bytes, ETag %q; want 304, no body, the same ETag", nm.Code, nm.Body.Len(), nm.Header().Get("ETag"))
	}
	// The entry does not outlive the search.
	now.Add(int64(5*time.Minute + time.Second))
	expired := getGraphQL(a.Handler, cachedPage, vars, nil)
	if !strings.Contains(expired.Body.String(), "SEARCH_EXPIRED") || expired.Header().Get("ETag") != "" {
		t.Errorf("after expiry: %d ETag %q: %.300s", expired.Code, expired.Header().Get("ETag"), expired.Body)
	}
}

func TestResponseCacheNeverServesLiveFields(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
	id := dig(r.Data, "searchOffers", "id").(string)
	vars := map[string]any{"id": id}
	// A live field anywhere, even in a fragment on an interface, keeps the
	// whole answer out of the cache: every request asks the providers again.
	for name, q := range map[string]string{
		"priceCheck": `query($id: ID!) { offerSearch(id: $id) { offers(first: 2) { edges { node { id priceCheck { available } } } } } }`,
		"ancillaries in a fragment": `query($id: ID!) { offerSearch(id: $id) { offers(first: 2) { edges { node { ...X } } } } }
			fragment X on Offer { id ancillaries { id } }`,
	} {
		t.Run(name, func(t *testing.T) {
			before := providerCalls(t, a.Handler, "")
			one := getGraphQL(a.Handler, q, vars, nil)
			mid := providerCalls(t, a.Handler, "")
			two := getGraphQL(a.Handler, q, vars, nil)
			after := providerCalls(t, a.Handler, "")
			if one.Code != 200 || strings.Contains(one.Body.String(), `"errors"`) {
				t.Fatalf("answer: %d %.300s", one.Code, one.Body)
			}
			if one.Header().Get("ETag") != "" || two.Header().Get("ETag") != "" || one.Header().Get("Cache-Control") != "" {
				t.Errorf("a live answer carries ETag %q / Cache-Control %q", one.Header().Get("ETag"), one.Header().Get("Cache-Control"))
			}
			if mid == before || after == mid {
				t.Errorf("provider calls %d → %d → %d: each request must ask the providers", before, mid, after)
			}
		})
	}
	// Another root field (searchOffers runs a search) is never cached either.
	s := getGraphQL(a.Handler, `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) { id } }`, nil, nil)
	if s.Header().Get("ETag") != "" {
		t.Errorf("searchOffers answer carries an ETag")
	}
}

func TestResponseCacheIsPerTenantAndScope(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
	id := dig(r.Data, "searchOffers", "id").(string)
	vars := map[string]any{"id": id}
	if p := apptest.Post(a.Handler, cachedPage, vars, ""); strings.Contains(p.Body.String(), `"errors"`) {
		t.Fatalf("sandbox page: %.300s", p.Body)
	}
	// A key without offers:read is refused although the same page is cached.
	key, err := a.Auth.CreateKey(t.Context(), "acme", []string{auth.ScopeCheckoutWrite}, apptest.Now)
	if err != nil {
		t.Fatal(err)
	}
	p := apptest.Post(a.Handler, cachedPage, vars, key)
	if !strings.Contains(p.Body.String(), "FORBIDDEN") {
		t.Errorf("a key without offers:read read a cached page: %.300s", p.Body)
	}
}

func TestAutomaticPersistedQueries(t *testing.T) {
	a := newTestApp(t, nil)
	q := `{ __typename }`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	send := func(query string) gqlResponse {
		body, _ := json.Marshal(map[string]any{"query": query, "extensions": ext})
		return postRaw(t, a.Handler, body)
	}
	if r := send(""); len(r.Errors) != 1 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: %+v", r.Errors)
	}
	if r := send(q); len(r.Errors) > 0 || r.Data["__typename"] != "Query" {
		t.Fatalf("hash with its query: %+v %v", r.Errors, r.Data)
	}
	if r := send(""); len(r.Errors) > 0 || r.Data["__typename"] != "Query" {
		t.Fatalf("hash alone once known: %+v %v", r.Errors, r.Data)
	}
	ext["persistedQuery"].(map[string]any)["sha256Hash"] = strconv.Itoa(42)
	if r := send(q); len(r.Errors) != 1 {
		t.Errorf("a hash that is not the query's: %+v", r.Errors)
	}
}

// A page is answered from the cache by the document's hash alone (an
// automatic persisted query), with variables in any key order; a hash
// that does not match the document sent with it is refused as before,
// cached page or not; a document over the limits is refused every time.
func TestResponseCacheKeyedBeforeParsing(t *testing.T) {
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	a := newTestApp(t, func(c *app.Config) { c.Now = clock })
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
	id, _ := dig(r.Data, "searchOffers", "id").(string)
	if id == "" {
		t.Fatalf("no search: %+v", r.Errors)
	}
	const q = `query Page($id: ID!, $n: Int!) { offerSearch(id: $id) { id offers(first: $n) { edges { node { id totalPrice { amount } } } } } }`
	sum := sha256.Sum256([]byte(q))
	hash := hex.EncodeToString(sum[:])
	send := func(body string) *httptest.ResponseRecorder { return apptest.PostBody(a.Handler, []byte(body), "") }
	first := send(`{"query":` + strconv.Quote(q) + `,"variables":{"id":"` + id + `","n":3}}`)
	if first.Code != 200 || strings.Contains(first.Body.String(), `"errors"`) {
		t.Fatalf("first page: %d %.300s", first.Code, first.Body)
	}
	byHash := send(`{"variables":{"n":3,"id":"` + id + `"},"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}}`)
	if byHash.Body.String() != first.Body.String() {
		t.Errorf("by hash, variables reordered: %d %.300s; want the first answer", byHash.Code, byHash.Body)
	}
	// A GET by hash is the same entry, with its ETag.
	get := httptest.NewRequest(http.MethodGet, "/graphql?"+url.Values{
		"variables":  {`{"id":"` + id + `","n":3}`},
		"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`}}.Encode(), nil)
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, get)
	if rec.Body.String() != first.Body.String() || rec.Header().Get("ETag") == "" {
		t.Errorf("GET by hash: %d ETag %q %.300s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	other := sha256.Sum256([]byte("{ __typename }"))
	mismatch := send(`{"query":` + strconv.Quote(q) + `,"variables":{"id":"` + id + `","n":3},"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(other[:]) + `"}}}`)
	if !strings.Contains(mismatch.Body.String(), `"errors"`) {
		t.Errorf("a hash that is not the document's was answered: %.300s", mismatch.Body)
	}
	// Other variables are another entry: a page of 4.
	if four := send(`{"query":` + strconv.Quote(q) + `,"variables":{"id":"` + id + `","n":4}}`); strings.Count(four.Body.String(), `"totalPrice"`) != 4 {
		t.Errorf("first: 4 answered %d offers: %.300s", strings.Count(four.Body.String(), `"totalPrice"`), four.Body)
	}
	// Over the page limit: refused, and again (a refusal is never kept as an answer).
	for i := range 2 {
		over := send(`{"query":` + strconv.Quote(q) + `,"variables":{"id":"` + id + `","n":1000}}`)
		if !strings.Contains(over.Body.String(), `"errors"`) || over.Header().Get("ETag") != "" {
			t.Errorf("request %d over the page limit: %d %.300s", i, over.Code, over.Body)
		}
	}
	// After the search expires the entry is not served.
	now.Add(int64(16 * time.Minute))
	if late := send(`{"query":` + strconv.Quote(q) + `,"variables":{"id":"` + id + `","n":3}}`); !strings.Contains(late.Body.String(), "SEARCH_EXPIRED") {
		t.Errorf("after expiry: %.300s", late.Body)
	}
}
