package browser_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/browser"
)

func TestExecPath(t *testing.T) {
	t.Setenv(browser.PathEnv, "/nonexistent/chromium")
	if _, err := browser.ExecPath(); !errors.Is(err, browser.ErrNoBrowser) {
		t.Errorf("ExecPath with a missing $%s: err = %v, want ErrNoBrowser", browser.PathEnv, err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(browser.PathEnv, self)
	if p, err := browser.ExecPath(); err != nil || p != self {
		t.Errorf("ExecPath with $%s=%s: %q, %v", browser.PathEnv, self, p, err)
	}
}

// fakeTB records what Require does with a test.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()                      {}
func (f *fakeTB) Skipf(string, ...any)         { f.skipped = true }
func (f *fakeTB) Fatalf(string, ...any)        { f.failed = true }
func (f *fakeTB) Logf(format string, a ...any) {}

func TestRequire(t *testing.T) {
	t.Setenv(browser.PathEnv, "/nonexistent/chromium")
	t.Setenv(browser.RequireEnv, "")
	var f fakeTB
	browser.Require(&f)
	if !f.skipped || f.failed {
		t.Errorf("no browser, $%s unset: skipped=%v failed=%v, want a skip", browser.RequireEnv, f.skipped, f.failed)
	}
	t.Setenv(browser.RequireEnv, "1")
	f = fakeTB{}
	browser.Require(&f)
	if !f.failed {
		t.Errorf("no browser, $%s=1: skipped=%v failed=%v, want a failure", browser.RequireEnv, f.skipped, f.failed)
	}
}

// The fake page has GraphiQL's execute button and result pane. At start it
// fetches /startup (as GraphiQL introspects) and shows a stale answer; the
// button fetches /api and shows the fresh one. It also loads an image from
// "localhost" (another host than the page's 127.0.0.1), logs a console
// error, and has an inline script that its Content-Security-Policy blocks.
const fakePage = `<!doctype html>
<html><head><title>fake</title><link rel="icon" href="data:,"></head><body>
<button class="graphiql-execute-button">Run</button>
<section class="result-window">waiting</section>
<img src="http://localhost:%s/pixel.png" alt="">
<script>document.title = "inline ran";</script>
<script src="/app.js"></script>
</body></html>`

const fakeApp = `
const pane = document.querySelector(".result-window");
fetch("/startup", {method: "POST"}).then(r => r.text()).then(t => { pane.textContent = t; });
document.querySelector(".graphiql-execute-button").addEventListener("click", () => {
	fetch("/api", {method: "POST"}).then(r => r.text()).then(t => { pane.textContent = t; });
});
console.error("fake page error");
`

func fakeServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	var port string
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src *")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, fakePage, port)
	})
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		io.WriteString(w, fakeApp)
	})
	mux.HandleFunc("POST /startup", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "answer-42 stale")
	})
	mux.HandleFunc("POST /api", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "answer-42 fresh")
	})
	mux.HandleFunc("/pixel.png", http.NotFound)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port = u.Port()
	return srv
}

func TestRun(t *testing.T) {
	browser.Require(t)
	srv := fakeServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	res, err := browser.Run(ctx, srv.URL+"/", "answer-42")
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "answer-42 fresh" {
		t.Errorf("Text = %q, want the answer to the click, %q", res.Text, "answer-42 fresh")
	}

	want := map[string]bool{
		srv.URL + "/":        false,
		srv.URL + "/app.js":  false,
		srv.URL + "/startup": false,
		srv.URL + "/api":     false,
		strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/pixel.png": false,
	}
	for _, u := range res.RequestedURLs {
		if _, ok := want[u]; ok {
			want[u] = true
		}
	}
	for u, seen := range want {
		if !seen {
			t.Errorf("RequestedURLs %q lacks %s", res.RequestedURLs, u)
		}
	}

	errs := strings.Join(res.Errors, "\n")
	for _, want := range []string{"fake page error", "Content Security Policy"} {
		if !strings.Contains(errs, want) {
			t.Errorf("Errors lack %q:\n%s", want, errs)
		}
	}
}

func TestRunQueryTimesOut(t *testing.T) {
	browser.Require(t)
	srv := fakeServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	text, urls, err := browser.RunQuery(ctx, srv.URL+"/", "never-shown")
	if err == nil {
		t.Fatalf("RunQuery succeeded with %q, want a timeout", text)
	}
	if !strings.Contains(err.Error(), "never-shown") || !strings.Contains(err.Error(), "answer-42 fresh") {
		t.Errorf("error does not say what it waited for and what the pane showed: %v", err)
	}
	if len(urls) == 0 {
		t.Errorf("no requested URLs returned with the error")
	}
}
