package server

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/faregraph/faregraph/examples"
)

// ExamplesPrefix is where the server serves examples/ (the results page at
// ExamplesPrefix + "results.html" and the example operations) when the
// playground is on: a development aid, off in production like the
// playground.
const ExamplesPrefix = "/examples/"

var exampleTypes = map[string]string{
	".html":    "text/html; charset=utf-8",
	".js":      "text/javascript; charset=utf-8",
	".css":     "text/css; charset=utf-8",
	".graphql": "text/plain; charset=utf-8",
}

// examplesHandler serves the embedded files of examples/ by name (no
// listing; /examples/ is the results page) with a Content-Security-Policy
// that allows nothing but this server: the page has no inline script or
// style and loads nothing from elsewhere.
func examplesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, ExamplesPrefix)
		if name == "" {
			name = "results.html"
		}
		ct, ok := exampleTypes[path.Ext(name)]
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		body, err := fs.ReadFile(examples.Files, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		w.Write(body)
	})
}
