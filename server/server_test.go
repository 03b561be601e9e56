package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
)

const roundTripQuery = `query($d: Date!, $r: Date, $p: [String!]) {
  searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: $d, returnDate: $r, passengers: {adults: 1}, providers: $p}) {
    id
    providerResults { provider status offerCount message }
    offers(first: 100) { totalCount edges { cursor node { id fareType totalPrice { amount currencyCode } parts { provider } } } }
  }
}`

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

// providerCalls sums the provider call counts in the /metrics output.
func providerCalls(t *testing.T, h http.Handler, op string) int {
	t.Helper()
	_, body := get(t, h, "/metrics")
	n := 0
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "faregraph_provider_call_duration_seconds_count{") {
			continue
		}
		if op != "" && !strings.Contains(line, `operation="`+op+`"`) {
			continue
		}
		v, _ := strconv.Atoi(line[strings.LastIndex(line, " ")+1:])
		n += v
	}
	return n
}

func TestProbesAndMetrics(t *testing.T) {
	a := newTestApp(t, nil)
	if code, body := get(t, a.Handler, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, _ := get(t, a.Handler, "/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
	resp := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01"})
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	_, body := get(t, a.Handler, "/metrics")
	for _, want := range []string{
		`faregraph_provider_call_duration_seconds_count{operation="search",outcome="ok",provider="citizenplane"} 1`,
		`faregraph_provider_call_duration_seconds_count{operation="search",outcome="ok",provider="liteapi"} 1`,
		`faregraph_graphql_operation_duration_seconds_count{name="anonymous",outcome="ok",type="query"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	a.DB.Close()
	if code, _ := get(t, a.Handler, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed = %d, want 503", code)
	}
}

func TestRequestLimits(t *testing.T) {
	a := newTestApp(t, nil)
	big := append([]byte(`{"query":"{ __typename }","variables":{"x":"`), bytes.Repeat([]byte("a"), 1<<20)...)
	big = append(big, `"}}`...)
	if r := postRaw(t, a.Handler, big); r.Status != http.StatusRequestEntityTooLarge || r.codes()[0] != "REQUEST_TOO_LARGE" {
		t.Errorf("1 MiB body: %d %v", r.Status, r.codes())
	}
	secret := `{"query": "passport ABCDE123`
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(secret))
	req.Header.Set("Content-Type", "application/json")
	a.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "ABCDE123") {
		t.Errorf("bad JSON: %d %s (the body must not be echoed)", rec.Code, rec.Body)
	}

	// Only GET and POST JSON: a multipart form is refused.
	req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("--x\r\n"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	rec = httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		t.Errorf("multipart POST answered 200: %s", rec.Body)
	}

	if code, body := get(t, a.Handler, "/graphql?query="+url.QueryEscape("{ __typename }")); code != 200 || !strings.Contains(body, `"Query"`) {
		t.Errorf("GET /graphql = %d %s", code, body)
	}

	var q strings.Builder
	q.WriteString("{ ")
	for i := range 3000 {
		fmt.Fprintf(&q, "a%d: __typename ", i)
	}
	q.WriteString("}")
	if r := post(t, a.Handler, q.String(), nil); len(r.Errors) == 0 || r.Data != nil {
		t.Errorf("a 6000-token query was accepted")
	}

	// Searches cost most: five in one request is too many, and nothing
	// reaches a provider.
	var c strings.Builder
	c.WriteString("{ ")
	for i := range 5 {
		fmt.Fprintf(&c, `s%d: searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-%02d", passengers: {adults: 1}}) { id } `, i, i+1)
	}
	c.WriteString("}")
	if r := post(t, a.Handler, c.String(), nil); len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "complexity") {
		t.Errorf("five searches in one request were accepted: %+v", r.Errors)
	}
	if n := providerCalls(t, a.Handler, ""); n != 0 {
		t.Errorf("%d provider calls for a refused request", n)
	}
	// A page of 20 offers with live checks is within the limit.
	r := post(t, a.Handler, `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", returnDate: "2026-07-08", passengers: {adults: 1}}) {
	  offers(first: 20) { edges { node { id totalPrice { amount } slices { segments { flightNumber } } priceCheck { available } ancillaries { id } } } } } }`, nil)
	if len(r.Errors) > 0 {
		t.Errorf("a page of 20 offers with live checks was refused: %+v", r.Errors)
	}
}

func TestProviderTimeoutKeepsOtherOffers(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) {
		c.ProviderTimeout = 300 * time.Millisecond
		c.Sim.Latency = map[string]time.Duration{"liteapi": 3 * time.Second}
	})
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "PROVIDER_TIMEOUT" || r.Errors[0].Extensions["provider"] != "liteapi" {
		t.Fatalf("errors = %+v, want one PROVIDER_TIMEOUT for liteapi", r.Errors)
	}
	prs := dig(r.Data, "searchOffers", "providerResults").([]any)
	if dig(prs, 0, "status") != "OK" || dig(prs, 1, "status") != "TIMEOUT" {
		t.Errorf("providerResults = %v", prs)
	}
	edges := dig(r.Data, "searchOffers", "offers", "edges").([]any)
	if len(edges) == 0 {
		t.Fatal("no offers from the provider that answered")
	}
	for _, e := range edges {
		for _, p := range dig(e, "node", "parts").([]any) {
			if dig(p, "provider") != "citizenplane" {
				t.Fatalf("offer from a timed-out provider: %v", e)
			}
		}
	}
}

func TestPagingIsStable(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
	all := dig(r.Data, "searchOffers", "offers", "edges").([]any)
	total := int(dig(r.Data, "searchOffers", "offers", "totalCount").(float64))
	id := dig(r.Data, "searchOffers", "id").(string)
	if total < 10 || len(all) != min(total, 100) {
		t.Fatalf("totalCount %d, %d edges", total, len(all))
	}
	const page = `query($id: ID!, $after: String, $sort: OfferSortKey) { offerSearch(id: $id) { offers(first: 7, after: $after, sortBy: $sort) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }`
	var walked []string
	var after any
	for {
		r := post(t, a.Handler, page, map[string]any{"id": id, "after": after})
		if len(r.Errors) > 0 {
			t.Fatalf("page errors: %+v", r.Errors)
		}
		for _, e := range dig(r.Data, "offerSearch", "offers", "edges").([]any) {
			walked = append(walked, dig(e, "node", "id").(string))
		}
		if dig(r.Data, "offerSearch", "offers", "pageInfo", "hasNextPage") != true {
			break
		}
		after = dig(r.Data, "offerSearch", "offers", "pageInfo", "endCursor")
	}
	if len(walked) != total {
		t.Fatalf("walked %d offers, totalCount %d", len(walked), total)
	}
	for i, e := range all {
		if dig(e, "node", "id") != walked[i] {
			t.Fatalf("offer %d differs between the search and the pages", i)
		}
	}

	cursor := dig(all, 3, "cursor")
	r = post(t, a.Handler, page, map[string]any{"id": id, "after": cursor, "sort": "DEPARTURE"})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "after" || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("cursor of another sort order: %+v", r.Errors)
	}
	r = post(t, a.Handler, page, map[string]any{"id": id, "after": "garbage"})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "after" {
		t.Errorf("garbage cursor: %+v", r.Errors)
	}

	// Another replica on the same database pages the same search.
	replica := newTestApp(t, func(c *app.Config) { c.DBPath = a.DBPath })
	r = post(t, replica.Handler, page, map[string]any{"id": id, "after": dig(all, 6, "cursor")})
	if len(r.Errors) > 0 || dig(r.Data, "offerSearch", "offers", "edges", 0, "node", "id") != walked[7] {
		t.Errorf("replica page: %v %+v", r.Data, r.Errors)
	}
}

func TestOfferIDs(t *testing.T) {
	now := testNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := newTestApp(t, func(c *app.Config) { c.Now = clock })
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01"})
	node := dig(r.Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	id := node["id"].(string)

	const q = `query($id: ID!) { offer(id: $id) { id totalPrice { amount } } node(id: $id) { id } }`
	r = post(t, a.Handler, q, map[string]any{"id": id})
	if len(r.Errors) > 0 || dig(r.Data, "offer", "id") != id || dig(r.Data, "node", "id") != id {
		t.Fatalf("offer(id) = %v %+v", r.Data, r.Errors)
	}
	if dig(r.Data, "offer", "totalPrice", "amount") != dig(node, "totalPrice", "amount") {
		t.Errorf("offer(id) price differs from the search's")
	}

	// A replica with the same secret reads it without any shared cache.
	replica := newTestApp(t, nil)
	if r := post(t, replica.Handler, q, map[string]any{"id": id}); dig(r.Data, "offer", "id") != id {
		t.Errorf("replica: offer(id) = %v %+v", r.Data, r.Errors)
	}
	// One with another secret does not.
	other := newTestApp(t, func(c *app.Config) { c.Secret = "another-secret-0123456789abcdef0123456789" })
	if r := post(t, other.Handler, q, map[string]any{"id": id}); r.codes()[0] != "NOT_FOUND" {
		t.Errorf("other secret: %+v", r.Errors)
	}
	tampered := []byte(id)
	tampered[len(tampered)/3] ^= 2
	if r := post(t, a.Handler, q, map[string]any{"id": string(tampered)}); len(r.Errors) == 0 || r.codes()[0] != "NOT_FOUND" {
		t.Errorf("tampered id: %+v", r.Errors)
	}

	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	r = post(t, a.Handler, q, map[string]any{"id": id})
	if len(r.Errors) == 0 || r.codes()[0] != "OFFER_EXPIRED" || dig(r.Data, "offer") != nil {
		t.Errorf("expired offer: %v %+v", r.Data, r.Errors)
	}
}

func TestIdenticalSearchesShareProviderCalls(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) {
		c.Sim.Latency = map[string]time.Duration{"citizenplane": 100 * time.Millisecond, "liteapi": 100 * time.Millisecond}
	})
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
			ids[i], _ = dig(r.Data, "searchOffers", "id").(string)
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id == "" || id != ids[0] {
			t.Fatalf("searches got different results: %v", ids)
		}
	}
	// One round trip: two one-way searches per provider and one
	// round-trip fare search per provider.
	if n := providerCalls(t, a.Handler, ""); n != 6 {
		t.Errorf("10 identical searches made %d provider calls, want 6", n)
	}
	// Within the reuse window the same search is answered without calls.
	post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08"})
	if n := providerCalls(t, a.Handler, ""); n != 6 {
		t.Errorf("a repeated search made %d calls in all, want still 6", n)
	}
}

func TestLazyFieldsCallEachPartOnce(t *testing.T) {
	a := newTestApp(t, nil)
	// LiteAPI's verify answers both lazy fields of a part (its price check
	// and its ancillaries), so each part costs exactly one provider call.
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08", "p": []string{"liteapi"}})
	edges := dig(r.Data, "searchOffers", "offers", "edges").([]any)
	id0, id1 := dig(edges, 0, "node", "id"), dig(edges, 1, "node", "id")
	parts := len(dig(edges, 0, "node", "parts").([]any)) + len(dig(edges, 1, "node", "parts").([]any))
	before, verifies := providerCalls(t, a.Handler, ""), providerCalls(t, a.Handler, "verify")
	// The same offers asked twice, with both lazy fields: every part's
	// price check and ancillaries are fetched once.
	const q = `query($a: ID!, $b: ID!) {
	  x: offer(id: $a) { priceCheck { available } ancillaries { id } parts { provider } }
	  y: offer(id: $a) { priceCheck { totalPrice { amount } } ancillaries { kind } }
	  z: offer(id: $b) { priceCheck { available } ancillaries { id } parts { provider } }
	}`
	r = post(t, a.Handler, q, map[string]any{"a": id0, "b": id1})
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	calls := providerCalls(t, a.Handler, "") - before
	if v := providerCalls(t, a.Handler, "verify") - verifies; calls != parts || v != parts {
		t.Errorf("%d provider calls (%d verify) for two offers of %d parts asked three times, want one verify per part", calls, v, parts)
	}
	// Asking again in a new operation calls again: loaders are per operation.
	post(t, a.Handler, q, map[string]any{"a": id0, "b": id1})
	if again := providerCalls(t, a.Handler, "") - before - calls; again != parts {
		t.Errorf("second operation made %d calls, want %d", again, parts)
	}
}

func TestFailingProviderNullsOnlyItsField(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01", "p": []string{"liteapi"}})
	id := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	a.Simulators["liteapi"].SetFailureRate(1)
	r = post(t, a.Handler, `query($id: ID!) { offer(id: $id) { id totalPrice { amount } priceCheck { available } } }`, map[string]any{"id": id})
	if dig(r.Data, "offer", "id") != id || dig(r.Data, "offer", "priceCheck") != nil {
		t.Errorf("data = %v", r.Data)
	}
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "PROVIDER_UNAVAILABLE" || r.Errors[0].Extensions["provider"] != "liteapi" {
		t.Errorf("errors = %+v", r.Errors)
	}
}
