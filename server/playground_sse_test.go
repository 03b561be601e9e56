package server_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/faregraph/faregraph/browser"
)

// TestPlaygroundSubscriptionInChromium: in headless Chromium, the GraphiQL
// playground runs a checkoutSessionEvents subscription over server-sent
// events (the vendored graphql-sse client); a change made from Go (the
// session held) shows in the result pane as it happens; the stop button
// ends the stream on the server. No request leaves the server, and the
// page logs no error. Screenshots go to $FAREGRAPH_ARTIFACTS_DIR (else the
// test's temp dir).
func TestPlaygroundSubscriptionInChromium(t *testing.T) {
	browser.Require(t)
	a := newTestApp(t, nil)
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})
	sessionID := s["id"].(string)

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
		text, _ := p.ResultText()
		t.Fatalf(format+"\nresult pane:\n%s%s", append(args, text, p.Report())...)
	}
	until := func(what string, cond func() bool) {
		t.Helper()
		for !cond() {
			select {
			case <-ctx.Done():
				fail("waiting for %s: %v", what, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}

	query := "subscription SessionEvents {\n  checkoutSessionEvents(checkoutSessionId: \"" + sessionID + "\") {\n    id\n    type\n    createdAt\n    data\n  }\n}\n"
	page := srv.URL + "/?query=" + url.QueryEscape(query)
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(page)); err != nil {
		fail("opening %s: %v", page, err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.WaitVisible(chromedp.CSS(browser.ExecuteButtonSelector))); err != nil {
		fail("waiting for the execute button: %v", err)
	}
	if err := p.WaitQuiet(ctx); err != nil {
		fail("waiting for GraphiQL's startup requests: %v", err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS(browser.ExecuteButtonSelector))); err != nil {
		fail("clicking execute: %v", err)
	}
	// The subscription is open on the server (its starting point fixed)
	// and its stream is a request in flight in the page.
	until("the subscription to open on the server", func() bool { return a.Events.Subscriptions() == 1 && p.InFlight() == 1 })

	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": sessionID}})
	var text string
	until("the event in the result pane", func() bool {
		text, err = p.ResultText()
		return err == nil && strings.Contains(text, "checkout_session.held")
	})
	shot("subscription.png")
	for _, want := range []string{`"checkoutSessionEvents"`, `"id": "evt_`, `\"status\":\"HELD\"`, sessionID} {
		if !strings.Contains(text, want) {
			fail("the result pane lacks %s", want)
		}
	}

	// The stop button (the execute button while a subscription runs)
	// closes the stream: the server's subscription ends.
	if err := chromedp.Do(p.Ctx, chromedp.Click(chromedp.CSS(browser.ExecuteButtonSelector))); err != nil {
		fail("clicking stop: %v", err)
	}
	until("the subscription to end on the server", func() bool { return a.Events.Subscriptions() == 0 })

	if errs := p.Errors(); len(errs) > 0 {
		fail("the page logged errors: %v", errs)
	}
	for _, u := range p.RequestedURLs() {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			fail("the page requested %s, not on the server", u)
		}
	}
	if !strings.Contains(strings.Join(p.RequestedURLs(), "\n"), "/graphql-sse.min.js") {
		fail("the page did not load the vendored graphql-sse client")
	}
}
