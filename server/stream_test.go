package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const deferQuery = `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) {
  id ... @defer(label: "offers") { offers(first: 2) { edges { node { id } } } } } }`

func postAccept(h http.Handler, accept, query string) *httptest.ResponseRecorder {
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestDeferMergedForPlainClients: a client that does not ask for
// incremental delivery gets the deferred offers in its one answer.
func TestDeferMergedForPlainClients(t *testing.T) {
	h := newTestApp(t, nil).Handler
	rec := postAccept(h, "application/json", deferQuery)
	var r gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if len(r.Errors) > 0 || dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id") == nil || strings.Contains(rec.Body.String(), "hasNext") {
		t.Fatalf("answer: %s", rec.Body)
	}
}

// TestDeferMultipart reads the multipart/mixed answer with Go's multipart
// reader, as a client does: the first part has the search id and
// hasNext, a later part the deferred offers at the search's path.
func TestDeferMultipart(t *testing.T) {
	h := newTestApp(t, nil).Handler
	rec := postAccept(h, "multipart/mixed; deferSpec=20220824, application/json", deferQuery)
	mt, params, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q: %s", rec.Header().Get("Content-Type"), rec.Body)
	}
	mr := multipart.NewReader(rec.Body, params["boundary"])
	var parts []map[string]any
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.NewDecoder(p).Decode(&v); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, v)
	}
	if len(parts) != 2 || parts[0]["hasNext"] != true || dig(parts[0], "data", "searchOffers", "id") == nil || parts[1]["hasNext"] != false {
		t.Fatalf("parts: %v", parts)
	}
	inc := dig(parts[1], "incremental", 0).(map[string]any)
	if dig(inc, "label") != "offers" || dig(inc, "path", 0) != "searchOffers" || dig(inc, "data", "offers", "edges", 0, "node", "id") == nil {
		t.Fatalf("deferred part: %v", inc)
	}
}

// sseEvents reads server-sent events: (event, data) pairs.
func sseEvents(t *testing.T, r io.Reader, each func(event, data string) bool) {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	var event, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if event != "" || data != "" {
				if !each(event, data) {
					return
				}
			}
			event, data = "", ""
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		case strings.HasPrefix(line, "data:"):
		}
	}
}

// TestDeferSSE: the same query over server-sent events, one "next" event
// per part and "complete" at the end.
func TestDeferSSE(t *testing.T) {
	h := newTestApp(t, nil).Handler
	rec := postAccept(h, "text/event-stream", deferQuery)
	if ct := rec.Header().Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q: %s", ct, rec.Body)
	}
	var kinds []string
	var last map[string]any
	sseEvents(t, rec.Body, func(event, data string) bool {
		kinds = append(kinds, event)
		if event == "next" {
			last = nil
			json.Unmarshal([]byte(data), &last)
		}
		return true
	})
	if strings.Join(kinds, ",") != "next,next,complete" || dig(last, "incremental", 0, "data", "offers", "edges", 0, "node", "id") == nil {
		t.Fatalf("events %v, last %v", kinds, last)
	}
}

// multipartParts reads a multipart/mixed answer's JSON parts as they are.
func multipartParts(t *testing.T, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q: %s", rec.Header().Get("Content-Type"), rec.Body)
	}
	mr := multipart.NewReader(rec.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts = append(parts, string(b))
	}
}

// TestDeferredFieldAbsentFromFirstPart: under deferSpec=20220824 a
// deferred field is absent from the first part (gqlgen wrote it as null,
// "offers":null, though offers is non-null), and comes in an incremental
// part; the multipart and SSE answers are the same parts, in the same
// format.
func TestDeferredFieldAbsentFromFirstPart(t *testing.T) {
	h := newTestApp(t, nil).Handler
	const q = `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) { id ... @defer { offers(first: 1) { totalCount } } } }`
	multi := multipartParts(t, postAccept(h, "multipart/mixed; deferSpec=20220824", q))
	var sse []string
	sseEvents(t, postAccept(h, "text/event-stream", q).Body, func(event, data string) bool {
		if event == "next" {
			sse = append(sse, data)
		}
		return true
	})
	for name, parts := range map[string][]string{"multipart": multi, "sse": sse} {
		if len(parts) != 2 {
			t.Fatalf("%s: %d parts: %q", name, len(parts), parts)
		}
		var first struct {
			Data    map[string]map[string]json.RawMessage `json:"data"`
			HasNext *bool                                 `json:"hasNext"`
		}
		if err := json.Unmarshal([]byte(parts[0]), &first); err != nil || first.HasNext == nil || !*first.HasNext {
			t.Fatalf("%s: first part %s", name, parts[0])
		}
		if _, ok := first.Data["searchOffers"]["offers"]; ok || first.Data["searchOffers"]["id"] == nil {
			t.Errorf("%s: first part has the deferred field: %s", name, parts[0])
		}
		var rest struct {
			Incremental []struct {
				Data struct{ Offers struct{ TotalCount *int } }
				Path []any
			}
			HasNext *bool `json:"hasNext"`
			Data    any   `json:"data"`
			Path    any   `json:"path"`
		}
		if err := json.Unmarshal([]byte(parts[1]), &rest); err != nil || len(rest.Incremental) != 1 || rest.HasNext == nil || *rest.HasNext ||
			rest.Data != nil || rest.Path != nil {
			t.Fatalf("%s: deferred part %s", name, parts[1])
		}
		inc := rest.Incremental[0]
		if len(inc.Path) != 1 || inc.Path[0] != "searchOffers" || inc.Data.Offers.TotalCount == nil {
			t.Errorf("%s: deferred part %s", name, parts[1])
		}
	}
	if len(multi) == 2 && len(sse) == 2 {
		// The same parts, but for the search's id (each request searches).
		var a, b map[string]any
		json.Unmarshal([]byte(multi[1]), &a)
		json.Unmarshal([]byte(sse[1]), &b)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("deferred parts differ:\nmultipart %s\nsse       %s", ja, jb)
		}
	}
}

// TestSearchProgressStreamsTheFastProviderFirst: with CitizenPlane's
// simulator answering 1.5 s late, the subscription's first event (LiteAPI's
// offers) reaches a real HTTP client before CitizenPlane answers; then
// CitizenPlane's event, then the stored search.
func TestSearchProgressStreamsTheFastProviderFirst(t *testing.T) {
	a := newTestApp(t, nil)
	const slow = 1500 * time.Millisecond
	a.Simulators["citizenplane"].SetLatency(slow)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	q := `subscription { searchOffersProgress(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) {
	  done providerResult { provider status offerCount } offers { id totalPrice { amount } parts { provider } } search { id providerResults { provider } } } }`
	body, _ := json.Marshal(map[string]any{"query": q})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	type event struct {
		at   time.Duration
		data map[string]any
	}
	var evs []event
	sseEvents(t, resp.Body, func(kind, data string) bool {
		if kind == "next" {
			var v map[string]any
			if err := json.Unmarshal([]byte(data), &v); err != nil {
				t.Fatalf("%v: %s", err, data)
			}
			evs = append(evs, event{time.Since(start), v})
		}
		return kind != "complete"
	})
	if len(evs) != 3 {
		t.Fatalf("events: %v", evs)
	}
	first := dig(evs[0].data, "data", "searchOffersProgress").(map[string]any)
	if evs[0].at >= slow || dig(first, "providerResult", "provider") != "liteapi" || len(first["offers"].([]any)) == 0 || dig(first, "offers", 0, "parts", 0, "provider") != "liteapi" {
		t.Fatalf("first event after %v: %v", evs[0].at, first)
	}
	second := dig(evs[1].data, "data", "searchOffersProgress").(map[string]any)
	if evs[1].at < slow || dig(second, "providerResult", "provider") != "citizenplane" || second["done"] != false {
		t.Fatalf("second event after %v: %v", evs[1].at, second)
	}
	last := dig(evs[2].data, "data", "searchOffersProgress").(map[string]any)
	if last["done"] != true || dig(last, "search", "id") == nil || len(dig(last, "search", "providerResults").([]any)) != 2 {
		t.Fatalf("last event: %v", last)
	}
}

// TestSubscriptionsNeedEventStream: a subscription asked for as JSON is
// refused, saying how to ask.
func TestSubscriptionsNeedEventStream(t *testing.T) {
	h := newTestApp(t, nil).Handler
	rec := postAccept(h, "application/json", `subscription { searchOffersProgress(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) { done } }`)
	if rec.Code != http.StatusNotAcceptable || !strings.Contains(rec.Body.String(), "text/event-stream") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
