// Package browser drives a real headless Chromium through the DevTools
// protocol (with github.com/chromedp/chromedp) to test the GraphiQL
// playground end to end: it opens a playground page, clicks GraphiQL's
// execute button, waits for the result pane to show an expected text, and
// reports every URL the page requested and every error the page logged.
//
// Chromium is not downloaded: it is Debian's chromium package
// (apt-get install -y chromium) or the binary named by $CHROMIUM_PATH. Tests
// call Require first, which skips them when there is no Chromium, unless
// $FAREGRAPH_REQUIRE_BROWSER is 1 (as in CI), in which case they fail.
//
// A typical test:
//
//	func TestPlayground(t *testing.T) {
//		browser.Require(t)
//		srv := httptest.NewServer(handler)
//		defer srv.Close()
//		page := srv.URL + "/?query=" + url.QueryEscape("{ __typename }")
//		res, err := browser.Run(t.Context(), page, `"__typename": "Query"`)
//		if err != nil {
//			t.Fatal(err)
//		}
//		// check res.RequestedURLs and res.Errors
//	}
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	// PathEnv is the environment variable naming the Chromium binary to
	// use instead of DefaultPath.
	PathEnv = "CHROMIUM_PATH"
	// DefaultPath is where Debian's chromium package installs Chromium.
	DefaultPath = "/usr/bin/chromium"
	// RequireEnv is the environment variable that, set to "1", makes
	// Require fail a test instead of skipping it when no Chromium is
	// found. CI sets it, so that a missing browser cannot pass unnoticed.
	RequireEnv = "FAREGRAPH_REQUIRE_BROWSER"
	// DefaultTimeout bounds Run when its context has no deadline.
	DefaultTimeout = 90 * time.Second
)

// CSS selectors of the GraphiQL 3 elements that Run uses.
const (
	// ExecuteButtonSelector selects GraphiQL's execute (run) button.
	ExecuteButtonSelector = ".graphiql-execute-button"
	// ResultSelector selects GraphiQL's result pane.
	ResultSelector = ".result-window"
)

// quietPeriod is how long the page must have had no fetch or XHR request
// in flight before Run clicks the execute button, so that GraphiQL's startup
// schema introspection (which may take two requests) is over and cannot
// overwrite the result pane after the click.
const quietPeriod = 300 * time.Millisecond

// pollInterval is how often Run re-checks the conditions it waits for.
const pollInterval = 50 * time.Millisecond

// ErrNoBrowser is returned (wrapped) by ExecPath and Run when no Chromium
// binary is found.
var ErrNoBrowser = errors.New("browser: no Chromium binary found")

// ExecPath returns the Chromium binary to run: the one named by $CHROMIUM_PATH
// if that is set (a path, or a name looked up in $PATH), else DefaultPath.
// It returns an error wrapping ErrNoBrowser if that binary does not exist
// or is not executable.
func ExecPath() (string, error) {
	want, from := DefaultPath, "default"
	if p := os.Getenv(PathEnv); p != "" {
		want, from = p, "$"+PathEnv
	}
	p, err := exec.LookPath(want)
	if err != nil {
		return "", fmt.Errorf("%w: %s (%s): %v; install it with `apt-get install -y chromium` or set $%s",
			ErrNoBrowser, want, from, err, PathEnv)
	}
	return p, nil
}

// Require checks that Chromium is available for the test t. If it is not,
// Require skips t, or fails it when $FAREGRAPH_REQUIRE_BROWSER is "1". It
// returns the binary's path.
func Require(t testing.TB) string {
	t.Helper()
	p, err := ExecPath()
	if err == nil {
		return p
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%v (and $%s=1 requires a browser)", err, RequireEnv)
	}
	t.Skipf("skipping browser test: %v (set $%s=1 to make this a failure)", err, RequireEnv)
	return ""
}

// Result is what Run observed.
type Result struct {
	// Text is the content of GraphiQL's result pane once it contained the
	// expected text after the click.
	Text string
	// PageText is the text of the whole page (document.body.innerText)
	// once Text contained the expected text: notices around GraphiQL
	// included.
	PageText string
	// RequestedURLs lists, in order, every URL the page requested while
	// it was open, including the page itself, redirects and data: URLs.
	RequestedURLs []string
	// Errors lists the JavaScript exceptions, console.error and
	// console.assert messages and the browser's error log entries (such
	// as Content-Security-Policy violations and failed loads) seen while
	// the page was open.
	Errors []string
}

// RunQuery is Run for callers that need only the result text and the
// requested URLs.
func RunQuery(ctx context.Context, pageURL, waitFor string) (result string, requestedURLs []string, err error) {
	res, err := Run(ctx, pageURL, waitFor)
	return res.Text, res.RequestedURLs, err
}

// Run starts a fresh headless Chromium (its own temporary profile, removed
// afterwards), opens pageURL, which must be a GraphiQL 3 page such as the
// one served by package playground (typically with a ?query= parameter that
// pre-fills the editor), and:
//
//  1. waits until the execute button is visible and GraphiQL's startup
//     requests are over (no fetch or XHR request has been in flight for a
//     short while, after at least one finished);
//  2. clicks the execute button;
//  3. waits until a fetch or XHR request made after the click has finished
//     and the result pane contains waitFor.
//
// The conditions are polled until ctx is done; without a deadline in ctx,
// Run gives up after DefaultTimeout. On error the returned Result still holds
// what was observed so far, and the error describes it.
//
// Chromium runs with --headless --no-sandbox --disable-gpu
// --disable-background-networking --disable-quic --no-first-run
// --disable-component-update --disable-sync --disable-dev-shm-usage and
// host resolver rules that resolve no host but pageURL's and the loopback
// ones, so neither the browser nor the page can reach any other host
// (requests to other hosts still appear in RequestedURLs, and fail).
func Run(ctx context.Context, pageURL, waitFor string) (Result, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	p, err := Open(ctx, pageURL)
	if err != nil {
		return Result{}, err
	}
	defer p.Close()
	var res Result
	err = p.listen()
	if err == nil {
		res, err = run(p.Ctx, p.w, pageURL, waitFor)
	}
	res.RequestedURLs, res.Errors = p.w.snapshot()
	if err != nil {
		msg := fmt.Sprintf("browser: %s: %v", pageURL, err)
		if res.Text != "" {
			msg += fmt.Sprintf("\nresult pane: %q", res.Text)
		}
		return res, errors.New(msg + p.report(ctx))
	}
	return res, nil
}

// Page is a tab of a fresh headless Chromium opened by Open, for tests that
// drive a page themselves with chromedp actions run in Ctx.
type Page struct {
	// Ctx is the tab's chromedp context: chromedp.Run(p.Ctx, ...).
	Ctx    context.Context
	w      *watcher
	output *tailBuffer
	cancel func()
}

// Open starts a fresh headless Chromium with the flags and host rules of
// Run (pageURL's host is the only one besides loopback that resolves) and
// opens a blank tab that records requests and errors; navigate with
// chromedp.Navigate in p.Ctx. Close the page to stop the browser.
func Open(ctx context.Context, pageURL string) (*Page, error) {
	path, err := ExecPath()
	if err != nil {
		return nil, err
	}
	page, err := url.Parse(pageURL)
	if err != nil || page.Hostname() == "" {
		return nil, fmt.Errorf("browser: page URL %q has no host", pageURL)
	}
	// Resolve only the page's host and the loopback names; anything else
	// fails before a DNS query or a connection leaves the machine.
	resolverRules := "MAP * ~NOTFOUND"
	for _, h := range []string{"localhost", "127.0.0.1", "[::1]", page.Hostname()} {
		if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
			h = "[" + h + "]"
		}
		resolverRules += ", EXCLUDE " + h
	}

	output := &tailBuffer{max: 8 << 10}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("host-resolver-rules", resolverRules),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
		// No UserDataDir option: chromedp creates a fresh temporary
		// profile directory and removes it when the browser exits.
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	return &Page{Ctx: tabCtx, w: newWatcher(), output: output, cancel: func() { cancelTab(); cancelAlloc() }}, nil
}

// Start launches the browser and opens the tab, recording the page's
// requests and errors from then on; a launch failure shows here.
func (p *Page) Start() error {
	if err := p.listen(); err != nil {
		return fmt.Errorf("browser: starting Chromium: %v%s", err, p.report(context.Background()))
	}
	return nil
}

func (p *Page) listen() error { return chromedp.Listen(p.Ctx, p.w.handle) }

// WaitQuiet waits, until ctx is done, for the page's fetch and XHR
// requests to be over: at least one finished and none in flight for a
// short while (GraphiQL's startup introspection, before a click on the
// execute button).
func (p *Page) WaitQuiet(ctx context.Context) error {
	return poll(ctx, func() (bool, error) { return p.w.settled(quietPeriod), nil })
}

// InFlight is how many fetch and XHR requests of the page are in flight
// now (an open subscription's event stream is one).
func (p *Page) InFlight() int { return p.w.inFlight() }

// ResultText is the text of GraphiQL's result pane now.
func (p *Page) ResultText() (string, error) {
	return chromedp.Run(p.Ctx, chromedp.Evaluate[string](resultTextJS))
}

// Close stops the browser and removes its profile.
func (p *Page) Close() { p.cancel() }

// RequestedURLs lists, in order, every URL the page requested so far.
func (p *Page) RequestedURLs() []string { u, _ := p.w.snapshot(); return u }

// Errors lists the JavaScript exceptions, console errors and the browser's
// error log entries seen so far (see Result.Errors).
func (p *Page) Errors() []string { _, e := p.w.snapshot(); return e }

// Report describes what the page did, for a failure message: its errors,
// its requested URLs and the tail of Chromium's output.
func (p *Page) Report() string { return p.report(context.Background()) }

func (p *Page) report(ctx context.Context) string {
	urls, errs := p.w.snapshot()
	var msg string
	if len(errs) > 0 {
		msg += "\npage errors:\n  " + strings.Join(errs, "\n  ")
	}
	if len(urls) > 0 {
		msg += "\nrequested URLs:\n  " + strings.Join(urls, "\n  ")
	}
	if out := p.output.String(); out != "" && ctx.Err() == nil {
		msg += "\nchromium output (tail):\n" + out
	}
	return msg
}

// Screenshot saves a PNG of the whole page (beyond the window) to path.
func (p *Page) Screenshot(path string) error {
	png, err := chromedp.Run(p.Ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		return fmt.Errorf("browser: screenshot: %w", err)
	}
	return os.WriteFile(path, png, 0o644)
}

// ArtifactsEnv is the environment variable naming the directory where
// tests save what a failed (or passed) run should leave behind, such as
// screenshots. CI sets it and keeps the directory.
const ArtifactsEnv = "FAREGRAPH_ARTIFACTS_DIR"

// ArtifactPath returns where test t saves an artefact named name: in
// $FAREGRAPH_ARTIFACTS_DIR (created if needed), prefixed with the test's
// name, when that is set, else in t's temporary directory.
func ArtifactPath(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv(ArtifactsEnv)
	if dir == "" {
		return filepath.Join(t.TempDir(), name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artefacts directory $%s: %v", ArtifactsEnv, err)
	}
	safe := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	return filepath.Join(dir, safe+"-"+name)
}

// resultTextJS evaluates to the result pane's text: the CodeMirror 5 editor's
// whole value (not only the rendered lines) when there is one, else the
// pane's rendered text.
const resultTextJS = `(() => {
	const pane = document.querySelector(` + "`" + ResultSelector + "`" + `);
	if (!pane) return "";
	const cm = pane.querySelector(".CodeMirror");
	if (cm && cm.CodeMirror) return cm.CodeMirror.getValue();
	return pane.innerText;
})()`

// run drives the page in tabCtx; see Run.
func run(tabCtx context.Context, w *watcher, pageURL, waitFor string) (Result, error) {
	var res Result
	if err := chromedp.Do(tabCtx,
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible(chromedp.CSS(ExecuteButtonSelector)),
	); err != nil {
		return res, fmt.Errorf("waiting for the execute button %s: %w", ExecuteButtonSelector, err)
	}

	if err := poll(tabCtx, func() (bool, error) {
		return w.settled(quietPeriod), nil
	}); err != nil {
		return res, fmt.Errorf("waiting for the page's startup requests to finish: %w", err)
	}

	before := w.finishedCount()
	if err := chromedp.Do(tabCtx, chromedp.Click(chromedp.CSS(ExecuteButtonSelector))); err != nil {
		return res, fmt.Errorf("clicking the execute button: %w", err)
	}

	err := poll(tabCtx, func() (bool, error) {
		if w.finishedCount() <= before || w.inFlight() > 0 {
			return false, nil
		}
		text, err := chromedp.Run(tabCtx, chromedp.Evaluate[string](resultTextJS))
		if err != nil {
			return false, err
		}
		res.Text = text
		return strings.Contains(text, waitFor), nil
	})
	if err != nil {
		return res, fmt.Errorf("waiting for a response after the click and for the result pane to contain %q: %w", waitFor, err)
	}
	page, err := chromedp.Run(tabCtx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		return res, fmt.Errorf("reading the page's text: %w", err)
	}
	res.PageText = page
	return res, nil
}

// poll calls cond every pollInterval until it returns true or an error, or
// ctx is done.
func poll(ctx context.Context, cond func() (bool, error)) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
		}
	}
}

// watcher records the page's requests and errors from DevTools events.
type watcher struct {
	mu           sync.Mutex
	urls         []string
	errs         []string
	inflight     map[network.RequestID]bool // fetch and XHR requests only
	finished     int                        // fetch and XHR requests finished or failed
	lastActivity time.Time                  // of a fetch or XHR request
}

func newWatcher() *watcher {
	return &watcher{inflight: make(map[network.RequestID]bool)}
}

// handle is the chromedp target listener. It runs on chromedp's event
// goroutine, so it only records.
func (w *watcher) handle(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		w.urls = append(w.urls, e.Request.URL)
		if (e.Type == network.ResourceTypeFetch || e.Type == network.ResourceTypeXHR) && e.RedirectResponse == nil {
			w.inflight[e.RequestID] = true
			w.lastActivity = time.Now()
		}
	case *network.EventLoadingFinished:
		w.done(e.RequestID)
	case *network.EventLoadingFailed:
		w.done(e.RequestID)
	case *runtime.EventExceptionThrown:
		w.errs = append(w.errs, "exception: "+exceptionText(e.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			w.errs = append(w.errs, "console."+string(e.Type)+": "+argsText(e.Args))
		}
	case *cdplog.EventEntryAdded:
		if e.Entry != nil && e.Entry.Level == cdplog.EntryLevelError {
			msg := "log (" + string(e.Entry.Source) + "): " + e.Entry.Text
			if e.Entry.URL != "" {
				msg += " [" + e.Entry.URL + "]"
			}
			w.errs = append(w.errs, msg)
		}
	}
}

// done records the end of request id; w.mu is held.
func (w *watcher) done(id network.RequestID) {
	if w.inflight[id] {
		delete(w.inflight, id)
		w.finished++
		w.lastActivity = time.Now()
	}
}

// settled reports whether at least one fetch or XHR request has finished
// and none has been in flight for quiet.
func (w *watcher) settled(quiet time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.finished > 0 && len(w.inflight) == 0 && time.Since(w.lastActivity) >= quiet
}

func (w *watcher) finishedCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.finished
}

func (w *watcher) inFlight() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.inflight)
}

// snapshot returns copies of the recorded URLs and errors.
func (w *watcher) snapshot() (urls, errs []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.urls...), append([]string(nil), w.errs...)
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	if d.URL != "" {
		s += fmt.Sprintf(" [%s:%d:%d]", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	}
	return s
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a == nil:
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// tailBuffer keeps the last max bytes written to it; it is safe for
// concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

var _ io.Writer = (*tailBuffer)(nil)

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
