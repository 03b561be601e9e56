package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/browser"
	"github.com/faregraph/faregraph/server"
)

// TestExamplesServedWithThePlayground: the results page and the example
// operations are served under /examples/ when the playground is on, with a
// strict Content-Security-Policy, and not at all when it is off.
func TestExamplesServedWithThePlayground(t *testing.T) {
	h := newTestApp(t, nil).Handler
	for path, ct := range map[string]string{
		"results.html": "text/html", "": "text/html", "results.js": "text/javascript",
		"results.css": "text/css", "results_page.graphql": "text/plain",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, server.ExamplesPrefix+path, nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), ct) ||
			!strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: %d %q %q", server.ExamplesPrefix+path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Security-Policy"))
		}
	}
	for _, path := range []string{"examples.go", "nope.html", "../go.mod", "x/results.html"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, server.ExamplesPrefix+path, nil))
		if rec.Code == http.StatusOK { // ServeMux redirects ../ to a cleaned path
			t.Errorf("GET %s: %d, want no file", server.ExamplesPrefix+path, rec.Code)
		}
	}
	off := newTestApp(t, func(c *app.Config) { c.Playground = false }).Handler
	rec := httptest.NewRecorder()
	off.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, server.ExamplesPrefix+"results.html", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("playground off: GET results.html: %d, want 404", rec.Code)
	}
}

// pageOffer is what the results page shows of one offer.
type pageOffer struct {
	ID       string  `json:"id"`
	Provider string  `json:"provider"`
	Arrival  int     `json:"arrival"`
	Ms       float64 `json:"ms"`
	Text     string  `json:"text"`
}

// TestResultsPageInChromium loads examples/results.html in headless
// Chromium against a real listener on the simulators, CitizenPlane's
// answering late: the page shows LiteAPI's offers first, then
// CitizenPlane's, each with airports and their cities, local times,
// flights with their airline's name, included bags and price; a
// LiteAPI offer is chosen, its session held, and a seat picked from the seat
// map, which the session then has as a SEAT cart line. Screenshots go to
// $FAREGRAPH_ARTIFACTS_DIR (else the test's temp dir).
func TestResultsPageInChromium(t *testing.T) {
	browser.Require(t)
	a := newTestApp(t, func(c *app.Config) { c.ProviderTimeout = 15 * time.Second })
	const slow = 1500 * time.Millisecond
	a.Simulators["citizenplane"].SetLatency(slow)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p, err := browser.Open(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) {
		path := browser.ArtifactPath(t, name)
		if err := p.Screenshot(path); err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		t.Logf("screenshot: %s", path)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		shot("failure.png")
		text, _ := chromedp.Run(p.Ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("%s\npage text:\n%s%s", fmt.Sprintf(format, args...), text, p.Report())
	}
	// waitFor polls the JavaScript condition cond until it is true; an
	// .error element on the page fails at once.
	waitFor := func(what, cond string) {
		t.Helper()
		for {
			ok, err := chromedp.Run(p.Ctx, chromedp.Evaluate[bool](`(() => { if (document.querySelector(".error")) throw new Error("page error: " + document.querySelector(".error").textContent); return !!(`+cond+`); })()`))
			switch {
			case err != nil:
				fail("waiting for %s: %v", what, err)
			case ok:
				return
			}
			select {
			case <-ctx.Done():
				fail("waiting for %s: %v", what, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}

	page := srv.URL + server.ExamplesPrefix + "results.html?origin=CDG&destination=PMI&date=2026-07-01"
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(page), chromedp.WaitVisible("#search"), chromedp.Click("#search")); err != nil {
		fail("opening %s: %v", page, err)
	}
	waitFor("the first offers", `document.querySelector("li.offer")`)
	waitFor("the end of the search", `document.querySelector("#status").dataset.done === "true"`)
	shot("1-results.png")

	offers, err := chromedp.Run(p.Ctx, chromedp.Evaluate[[]pageOffer](`[...document.querySelectorAll("li.offer")].map(li => ({
		id: li.dataset.offerId, provider: li.dataset.provider, arrival: Number(li.dataset.arrival), ms: Number(li.dataset.arrivedMs), text: li.innerText}))`))
	if err != nil {
		fail("reading the offers: %v", err)
	}
	// The stored search says how many offers each provider gave.
	searchID, _ := chromedp.Run(p.Ctx, chromedp.Evaluate[string](`document.querySelector("#status").dataset.searchId`))
	r := post(t, a.Handler, `query($id: ID!) { offerSearch(id: $id) { providerResults { provider status offerCount } } }`, map[string]any{"id": searchID})
	want := map[string]int{}
	for _, pr := range dig(r.Data, "offerSearch", "providerResults").([]any) {
		pr := pr.(map[string]any)
		want[pr["provider"].(string)] = int(pr["offerCount"].(float64))
	}
	got := map[string]int{}
	var lastFast, firstSlow float64 = -1, -1
	timeRe := regexp.MustCompile(`\b\d{2}:\d{2} 2026-07-0\d UTC[+-]\d{2}:\d{2}\b`)
	flightRe := regexp.MustCompile(`\b[A-Z0-9]{2} \d{1,4}\b`)
	priceRe := regexp.MustCompile(`\b\d+\.\d{2} EUR\b`)
	for i, o := range offers {
		got[o.Provider]++
		switch o.Provider {
		case "liteapi":
			if o.Arrival != 1 {
				t.Errorf("offer %d (liteapi) arrived with event %d, want 1: the fast provider first", i, o.Arrival)
			}
			lastFast = max(lastFast, o.Ms)
		case "citizenplane":
			if o.Arrival != 2 {
				t.Errorf("offer %d (citizenplane) arrived with event %d, want 2: after the fast provider", i, o.Arrival)
			}
			if firstSlow < 0 || o.Ms < firstSlow {
				firstSlow = o.Ms
			}
		default:
			t.Errorf("offer %d: provider %q", i, o.Provider)
		}
		if !strings.Contains(o.Text, "CDG") || !strings.Contains(o.Text, "PMI") || len(timeRe.FindAllString(o.Text, -1)) < 2 ||
			!flightRe.MatchString(o.Text) || !priceRe.MatchString(o.Text) {
			t.Errorf("offer %d lacks airports, local times, flights or a price:\n%s", i, o.Text)
		}
		// Names, not just codes: the cities and airports of CDG and PMI,
		// the airline of every flight (as the API names it), and each
		// part's included bags ("not stated" when the provider says nothing).
		for _, name := range []string{"Paris", "Charles de Gaulle", "Palma"} {
			if !strings.Contains(o.Text, name) {
				t.Errorf("offer %d lacks the airport name %q:\n%s", i, name, o.Text)
			}
		}
		detail := post(t, a.Handler, `query($id: ID!) { offer(id: $id) {
			slices { segments { marketingCarrier { iataCode name } } }
			parts { provider includedBaggage { kind pieces weightKg } } } }`, map[string]any{"id": o.ID})
		for _, sl := range dig(detail.Data, "offer", "slices").([]any) {
			for _, sg := range sl.(map[string]any)["segments"].([]any) {
				c := sg.(map[string]any)["marketingCarrier"].(map[string]any)
				if name, _ := c["name"].(string); name == "" || !strings.Contains(o.Text, name) {
					t.Errorf("offer %d lacks the name of airline %v (%q):\n%s", i, c["iataCode"], name, o.Text)
				}
			}
		}
		for _, pt := range dig(detail.Data, "offer", "parts").([]any) {
			bags, _ := pt.(map[string]any)["includedBaggage"].([]any)
			wantBags := regexp.MustCompile(`Included bags( \([^)]*\))?: not stated`)
			switch {
			case pt.(map[string]any)["provider"] == "liteapi" && len(bags) == 0:
				t.Errorf("offer %d: liteapi part without included bags in the API: %v", i, pt)
			case len(bags) > 0:
				wantBags = regexp.MustCompile(`Included bags( \([^)]*\))?: \d× (cabin bag|personal item|checked bag)`)
			}
			if !wantBags.MatchString(o.Text) {
				t.Errorf("offer %d lacks its included bags (%v), want %s:\n%s", i, bags, wantBags, o.Text)
			}
		}
	}
	if got["liteapi"] == 0 || got["citizenplane"] == 0 || got["liteapi"] != want["liteapi"] || got["citizenplane"] != want["citizenplane"] {
		t.Errorf("offers on the page %v, the stored search has %v", got, want)
	}
	if lastFast < 0 || firstSlow < 0 || firstSlow < lastFast || firstSlow-lastFast < float64(slow.Milliseconds())/2 {
		t.Errorf("liteapi's last offer at %.0f ms, citizenplane's first at %.0f ms: want citizenplane's about %v later", lastFast, firstSlow, slow)
	}

	// Choose a LiteAPI offer: the page creates, holds and shows the seats.
	if err := chromedp.Do(p.Ctx, chromedp.Click(`li.offer[data-provider="liteapi"] button.choose`)); err != nil {
		fail("choosing an offer: %v", err)
	}
	waitFor("the seat map", `document.querySelector('#seatmaps button.seat[data-available="true"]')`)
	shot("2-seatmap.png")
	seat, err := chromedp.Run(p.Ctx, chromedp.Evaluate[string](`document.querySelector('#seatmaps button.seat[data-available="true"]').dataset.designator`))
	if err != nil {
		fail("reading a free seat: %v", err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Click(`#seatmaps button.seat[data-available="true"]`)); err != nil {
		fail("clicking seat %s: %v", seat, err)
	}
	waitFor("the selected seat", `document.querySelector("#checkout").dataset.seat`)
	chosen, _ := chromedp.Run(p.Ctx, chromedp.Evaluate[string](`document.querySelector("#checkout").dataset.seat`))
	sessionID, _ := chromedp.Run(p.Ctx, chromedp.Evaluate[string](`document.querySelector("#checkout").dataset.sessionId`))
	shot("3-seat-selected.png")
	if chosen != seat {
		t.Errorf("the page selected seat %q, want the clicked %q", chosen, seat)
	}

	// The session, read through GraphQL, has the seat in its cart.
	r = post(t, a.Handler, `query($id: ID!) { checkoutSession(id: $id) { status items { name productType } } }`, map[string]any{"id": sessionID})
	var seats []string
	for _, it := range dig(r.Data, "checkoutSession", "items").([]any) {
		if it := it.(map[string]any); it["productType"] == "SEAT" {
			seats = append(seats, it["name"].(string))
		}
	}
	if len(seats) != 1 || dig(r.Data, "checkoutSession", "status") != "HELD" {
		t.Errorf("session %s after the page's seat: %v", sessionID, r.Data)
	}

	if errs := p.Errors(); len(errs) > 0 {
		t.Errorf("page errors:\n  %s", strings.Join(errs, "\n  "))
	}
	for _, u := range p.RequestedURLs() {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s, not from the server", u)
		}
	}
}
