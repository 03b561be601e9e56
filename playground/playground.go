// Package playground serves a GraphiQL page for exploring the GraphQL API in
// a browser.
//
// Everything the page needs is embedded in the binary with go:embed: the
// GraphiQL, React, ReactDOM and graphql-sse bundles vendored in assets/
// (refreshed by scripts/playground-assets.sh, versions in assets/VERSIONS)
// and the page's own bootstrap script and stylesheet in web/. Queries and
// mutations are POSTed as JSON; subscriptions run over server-sent events
// with the graphql-sse protocol (POST with Accept: text/event-stream, one
// stream per subscription), each event shown in the result pane as it
// arrives. Nothing is loaded from a CDN,
// so the playground works on an air-gapped network, and the page's
// Content-Security-Policy forbids loading scripts, styles or data from
// anywhere but the server itself (and the GraphQL endpoint, when that is on
// another origin).
//
// The page reads a ?query= URL parameter and pre-fills the query editor with
// it, so a link can open a ready query:
//
//	/?query=%7B+__typename+%7D
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// files holds the vendored bundles and the page's own files. Only what the
// page loads is embedded (not the licences or VERSIONS).
//
//go:embed assets/*.js assets/*.css web/*.js web/*.css web/page.html
var files embed.FS

// AssetPrefix is the URL path under which Handler serves the page's scripts
// and stylesheets. Each asset is at AssetPrefix + "<hash>/<name>", where
// <hash> is derived from the file's content, so the URLs change whenever the
// content does and the responses can be cached for a year.
const AssetPrefix = "/playground/assets/"

// Defaults used for the zero fields of a Config.
const (
	// DefaultTitle is the page title used when Config.Title is empty.
	DefaultTitle = "GraphiQL"
	// DefaultEndpoint is the GraphQL endpoint used when Config.Endpoint is
	// empty.
	DefaultEndpoint = "/graphql"
)

// Config configures the page served by Handler.
type Config struct {
	// Title is the page's title; DefaultTitle if empty.
	Title string
	// Endpoint is the URL of the GraphQL endpoint that the page POSTs
	// queries to as JSON, either a path on the same server (such as
	// "/graphql") or an absolute http(s) URL; DefaultEndpoint if empty.
	// An absolute URL on another origin is added to the page's
	// Content-Security-Policy connect-src, and that server must allow the
	// page's origin with CORS.
	Endpoint string
}

// asset is one embedded file served under AssetPrefix.
type asset struct {
	name        string // base name, such as "graphiql.min.js"
	urlPath     string // AssetPrefix + hash + "/" + name
	etag        string
	contentType string
	body        []byte
}

// assets maps the URL path of each embedded asset to the asset, and
// assetURLs maps its base name to its page-relative URL.
var assets, assetURLs = loadAssets()

// pageTemplate is the HTML page; {{asset NAME}} is the page-relative URL of
// an asset.
var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"asset": func(name string) (string, error) {
		u, ok := assetURLs[name]
		if !ok {
			return "", fmt.Errorf("playground: no embedded asset %q", name)
		}
		return u, nil
	},
}).ParseFS(files, "web/page.html"))

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// loadAssets reads the embedded files and returns them keyed by URL path,
// and the page-relative URL of each keyed by base name.
func loadAssets() (map[string]*asset, map[string]string) {
	byPath := make(map[string]*asset)
	urls := make(map[string]string)
	for _, dir := range []string{"assets", "web"} {
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			ct, ok := contentTypes[path.Ext(e.Name())]
			if !ok {
				continue // page.html is a template, not an asset
			}
			if _, dup := urls[e.Name()]; dup {
				panic("playground: two embedded assets named " + e.Name())
			}
			body, err := files.ReadFile(dir + "/" + e.Name())
			if err != nil {
				panic(err)
			}
			sum := sha256.Sum256(body)
			hash := hex.EncodeToString(sum[:8])
			a := &asset{
				name:        e.Name(),
				urlPath:     AssetPrefix + hash + "/" + e.Name(),
				etag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
				contentType: ct,
				body:        body,
			}
			byPath[a.urlPath] = a
			// Relative (no leading slash), so that the page also works
			// when mounted under a prefix with http.StripPrefix.
			urls[e.Name()] = strings.TrimPrefix(a.urlPath, "/")
		}
	}
	return byPath, urls
}

// handler serves the page and the assets; see Handler.
type handler struct {
	page     []byte
	pageETag string
	csp      string
}

// Handler returns an http.Handler that serves the GraphiQL page at "/" and
// its embedded scripts and stylesheets under AssetPrefix. It answers any
// other path with 404 Not Found, and methods other than GET and HEAD with
// 405 Method Not Allowed.
//
// Mount it at the root of a server (for example with
// mux.Handle("/", playground.Handler(cfg)), which also makes it the handler
// for unknown paths). It also works under a path prefix with
// http.StripPrefix, provided the page is requested with a trailing slash
// ("/prefix/"): the page refers to its assets with relative URLs.
//
// The page is served with Cache-Control: no-cache and a strict
// Content-Security-Policy; the assets with Content-Type, an ETag and
// Cache-Control: public, max-age=31536000, immutable (their URLs contain a
// hash of their content).
func Handler(cfg Config) http.Handler {
	if cfg.Title == "" {
		cfg.Title = DefaultTitle
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, cfg); err != nil {
		// The template and the assets are fixed at build time and a
		// string field cannot make html/template fail.
		panic(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &handler{
		page:     buf.Bytes(),
		pageETag: `"` + hex.EncodeToString(sum[:16]) + `"`,
		csp:      contentSecurityPolicy(cfg.Endpoint),
	}
}

// contentSecurityPolicy returns the page's policy: only the server's own
// scripts and styles (no inline code, no eval), connections only to the
// server and the endpoint's origin, images and fonts also from data: URLs
// (GraphiQL inlines its fonts and icons), and nothing else.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"connect-src " + connect,
		"img-src 'self' data:",
		"font-src 'self' data:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var a *asset
	switch {
	case r.URL.Path == "/":
	case strings.HasPrefix(r.URL.Path, AssetPrefix):
		if a = assets[r.URL.Path]; a == nil {
			http.NotFound(w, r)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}

	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	if a != nil {
		hdr.Set("Content-Type", a.contentType)
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
		hdr.Set("ETag", a.etag)
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
		return
	}
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("ETag", h.pageETag)
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Frame-Options", "DENY")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.page))
}
