package playground_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/browser"
	"github.com/faregraph/faregraph/playground"
)

// standIn is a stand-in GraphQL endpoint: it answers every POST with
// {"data":{"__typename":"Query"}} and records the request bodies.
type standIn struct {
	mu     sync.Mutex
	bodies []string
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"data":{"__typename":"Query"}}`)
}

func (s *standIn) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// TestBrowserEndToEnd opens the playground in headless Chromium with a
// ?query= link, runs the query with GraphiQL's execute button and checks the
// result, what the endpoint received, and that the page fetched nothing from
// any other host (no CDN) and logged no error (no CSP violation).
func TestBrowserEndToEnd(t *testing.T) {
	browser.Require(t)

	endpoint := &standIn{}
	mux := http.NewServeMux()
	mux.Handle("/", playground.Handler(playground.Config{Title: "Faregraph playground test", Endpoint: "/graphql"}))
	mux.Handle("/graphql", endpoint)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	const query = "{ __typename }"
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	// GraphiQL pretty-prints the response, so the quoted key and value come
	// from the executed query's result.
	res, err := browser.Run(ctx, srv.URL+"/?query="+url.QueryEscape(query), `"__typename": "Query"`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Text, "Query") {
		t.Errorf("result pane = %q, want it to contain Query", res.Text)
	}

	// The endpoint received the query from the ?query= link, as JSON.
	var got []string
	for _, b := range endpoint.requests() {
		var req struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal([]byte(b), &req); err != nil {
			t.Errorf("endpoint received a body that is not JSON: %q: %v", b, err)
			continue
		}
		got = append(got, req.Query)
	}
	found := false
	for _, q := range got {
		if q == query {
			found = true
		}
	}
	if !found {
		t.Errorf("endpoint received queries %q, want one to be %q", got, query)
	}

	// Every request went to the test server (or was a data: URL).
	server, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var assetsLoaded int
	for _, raw := range res.RequestedURLs {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("page requested an unparsable URL %q: %v", raw, err)
			continue
		}
		switch {
		case u.Scheme == "data":
		case u.Scheme == server.Scheme && u.Host == server.Host:
			if strings.HasPrefix(u.Path, playground.AssetPrefix) {
				assetsLoaded++
			}
		default:
			t.Errorf("page requested %q, which is not on the test server %s", raw, server.Host)
		}
	}
	if assetsLoaded < 6 {
		t.Errorf("page loaded %d assets from %s, want at least 6 (react, react-dom, graphiql js+css, bootstrap js+css); requested: %q",
			assetsLoaded, playground.AssetPrefix, res.RequestedURLs)
	}

	for _, e := range res.Errors {
		t.Errorf("page error: %s", e)
	}
}

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var assetRef = regexp.MustCompile(`(?:src|href)="(playground/assets/[^"]+)"`)

func TestPage(t *testing.T) {
	h := playground.Handler(playground.Config{Title: `Fares <&> "test"`, Endpoint: "/api/graphql"})
	resp := get(t, h, http.MethodGet, "/?query=%7B+__typename+%7D", nil)
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", resp.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"Cache-Control":          "no-cache",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:"} {
		if strings.Contains(csp, bad) {
			t.Errorf("Content-Security-Policy %q allows %q", csp, bad)
		}
	}

	if !strings.Contains(page, "<title>Fares &lt;&amp;&gt; &#34;test&#34;</title>") {
		t.Errorf("page does not have the escaped title:\n%s", page)
	}
	if !strings.Contains(page, `data-endpoint="/api/graphql"`) {
		t.Errorf("page does not carry the endpoint:\n%s", page)
	}
	if regexp.MustCompile(`<script>|<style|\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Errorf("page has inline script or style, which the CSP forbids:\n%s", page)
	}
	if regexp.MustCompile(`(?i)//|unpkg|jsdelivr|cdn`).MatchString(strings.ReplaceAll(page, "<!doctype html>", "")) {
		t.Errorf("page refers to another host:\n%s", page)
	}

	refs := assetRef.FindAllStringSubmatch(page, -1)
	if len(refs) != 7 {
		t.Fatalf("page refers to %d assets, want 7:\n%s", len(refs), page)
	}
	for _, m := range refs {
		ref := "/" + m[1]
		resp := get(t, h, http.MethodGet, ref, nil)
		b := body(t, resp)
		if resp.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("GET %s = %d with %d bytes, want 200 with content", ref, resp.StatusCode, len(b))
			continue
		}
		want := "text/javascript; charset=utf-8"
		if strings.HasSuffix(ref, ".css") {
			want = "text/css; charset=utf-8"
		}
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type = %q, want %q", ref, got, want)
		}
		if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "max-age=31536000") || !strings.Contains(got, "immutable") {
			t.Errorf("GET %s: Cache-Control = %q, want a year, immutable", ref, got)
		}
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Errorf("GET %s: no ETag", ref)
			continue
		}
		resp = get(t, h, http.MethodGet, ref, http.Header{"If-None-Match": {etag}})
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: %d, want 304", ref, resp.StatusCode)
		}
		// No shipped file may point at a CDN.
		if m := regexp.MustCompile(`https?://[^"' )]*(unpkg|jsdelivr|cdnjs|googleapis|gstatic|esm\.sh|skypack)`).FindString(b); m != "" {
			t.Errorf("%s refers to a CDN: %s", ref, m)
		}
	}
}

func TestDefaultsAndCrossOriginEndpoint(t *testing.T) {
	resp := get(t, playground.Handler(playground.Config{}), http.MethodGet, "/", nil)
	page := body(t, resp)
	if !strings.Contains(page, "<title>"+playground.DefaultTitle+"</title>") ||
		!strings.Contains(page, `data-endpoint="`+playground.DefaultEndpoint+`"`) {
		t.Errorf("zero Config: page lacks the default title or endpoint:\n%s", page)
	}

	resp = get(t, playground.Handler(playground.Config{Endpoint: "https://api.example.test:8443/graphql"}), http.MethodGet, "/", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' https://api.example.test:8443;") {
		t.Errorf("Content-Security-Policy = %q, want connect-src to allow the endpoint's origin", csp)
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	h := playground.Handler(playground.Config{})
	for _, target := range []string{
		"/index.html",
		"/favicon.ico",
		"/graphql",
		playground.AssetPrefix,
		playground.AssetPrefix + "graphiql.min.js",
		playground.AssetPrefix + "0000000000000000/graphiql.min.js",
		playground.AssetPrefix + "../playground.go",
		playground.AssetPrefix + "VERSIONS",
	} {
		if resp := get(t, h, http.MethodGet, target, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, resp.StatusCode)
		}
	}

	resp := get(t, h, http.MethodPost, "/", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST / = %d, Allow %q; want 405, GET, HEAD", resp.StatusCode, resp.Header.Get("Allow"))
	}
	resp = get(t, h, http.MethodHead, "/", nil)
	if resp.StatusCode != http.StatusOK || body(t, resp) != "" {
		t.Errorf("HEAD / = %d, want 200 with no body", resp.StatusCode)
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", playground.Handler(playground.Config{})))
	page := body(t, get(t, mux, http.MethodGet, "/ui/", nil))
	m := assetRef.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no asset in page:\n%s", page)
	}
	// The browser resolves the relative reference against /ui/.
	if resp := get(t, mux, http.MethodGet, "/ui/"+m[1], nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /ui/%s = %d, want 200", m[1], resp.StatusCode)
	}
}
