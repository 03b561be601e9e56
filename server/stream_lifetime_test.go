package server_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
)

// sseLine is one line of a stream: an event's data, a comment (":"), or
// the event name line ("event: complete").
type sseLine struct{ data, comment, event string }

// openStream POSTs a subscription with Accept: text/event-stream and
// returns every line of its stream as it comes, and a function that
// closes it (the client disconnects). The channel closes with the stream.
func openStream(t *testing.T, url, query string, vars map[string]any) (<-chan sseLine, func()) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: HTTP %d", resp.StatusCode)
	}
	out := make(chan sseLine, 64)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "data: "):
				out <- sseLine{data: strings.TrimPrefix(l, "data: ")}
			case strings.HasPrefix(l, ":"):
				out <- sseLine{comment: l}
			case strings.HasPrefix(l, "event: "):
				out <- sseLine{event: strings.TrimPrefix(l, "event: ")}
			}
		}
	}()
	closed := false
	stop := func() {
		if !closed {
			closed = true
			resp.Body.Close()
		}
	}
	t.Cleanup(stop)
	return out, stop
}

// streamEvent is the Event of one "next" of a bookingEvents or
// checkoutSessionEvents stream, or its error code.
type streamEvent struct{ id, typ, code string }

func parseNext(t *testing.T, data string) streamEvent {
	var r struct {
		Data   map[string]struct{ ID, Type string }
		Errors []struct{ Extensions struct{ Code string } }
	}
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		t.Fatalf("event data %q: %v", data, err)
	}
	if len(r.Errors) > 0 {
		return streamEvent{code: r.Errors[0].Extensions.Code}
	}
	for _, ev := range r.Data {
		return streamEvent{id: ev.ID, typ: ev.Type}
	}
	return streamEvent{}
}

// nextEvent waits for the stream's next event (skipping comments); it
// fails on "event: complete" or the stream's end before one.
func nextEvent(t *testing.T, lines <-chan sseLine, what string) streamEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			switch {
			case !ok:
				t.Fatalf("%s: the stream ended first", what)
			case l.event == "complete":
				t.Fatalf("%s: the stream completed first", what)
			case l.data != "":
				return parseNext(t, l.data)
			}
		case <-deadline:
			t.Fatalf("%s: nothing within 10 s", what)
		}
	}
}

const sessionEventsSub = `subscription($id: ID!, $after: ID) { checkoutSessionEvents(checkoutSessionId: $id, after: $after) { id type } }`

// TestSubscriptionOutlivesTheRequestTimeout: the request timeout (300 ms
// here) and the server's read and write timeouts (300 ms) do not end a
// subscription's stream: an event written a second after it opened
// arrives on it, with keep-alive comments in between and no "event:
// complete" first. A stream resumed with after gets the events written
// while it was closed, once each, and none from before.
func TestSubscriptionOutlivesTheRequestTimeout(t *testing.T) {
	onBothDatabases(t, subscriptionOutlivesTheRequestTimeout)
}

func subscriptionOutlivesTheRequestTimeout(t *testing.T, dbURL string) {
	a := newTestApp(t, func(c *app.Config) {
		c.DatabaseURL = dbURL
		c.RequestTimeout = 300 * time.Millisecond
		c.KeepAlive = 100 * time.Millisecond
	})
	srv := httptest.NewUnstartedServer(a.Handler)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})

	lines, closeFirst := openStream(t, srv.URL, sessionEventsSub, map[string]any{"id": s["id"]})
	// Past every timeout, counting the keep-alives meanwhile.
	comments := 0
	wait := time.After(time.Second)
waiting:
	for {
		select {
		case l, ok := <-lines:
			if !ok || l.event == "complete" || l.data != "" {
				t.Fatalf("the stream ended or sent something before any change: %+v (open %v)", l, ok)
			}
			comments++
		case <-wait:
			break waiting
		}
	}
	if comments < 2 { // the opening comment and at least one keep-alive
		t.Errorf("%d comments in a second at a 100 ms keep-alive", comments)
	}
	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	held := nextEvent(t, lines, "held after 1 s")
	if held.typ != "checkout_session.held" {
		t.Fatalf("first event after the hold: %+v", held)
	}
	closeFirst()

	// While no stream is open, the session is canceled.
	r := post(t, h, `mutation($in: CancelCheckoutSessionInput!) { cancelCheckoutSession(input: $in) { userErrors { code } } }`,
		map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	if len(r.Errors) > 0 {
		t.Fatalf("cancel: %v", r.Errors)
	}
	resumed, _ := openStream(t, srv.URL, sessionEventsSub, map[string]any{"id": s["id"], "after": held.id})
	var got []streamEvent
	got = append(got, nextEvent(t, resumed, "replay"))
	// Anything else would come within a few polls (250 ms each).
	settle := time.After(1500 * time.Millisecond)
collect:
	for {
		select {
		case l, ok := <-resumed:
			if !ok || l.event == "complete" {
				break collect
			}
			if l.data != "" {
				got = append(got, parseNext(t, l.data))
			}
		case <-settle:
			break collect
		}
	}
	seen := map[string]int{}
	for _, ev := range got {
		seen[ev.id]++
		if ev.id == held.id || ev.typ == "checkout_session.held" || ev.typ == "checkout_session.open" {
			t.Errorf("resumed after %s, got %+v from before it", held.id, ev)
		}
	}
	if len(got) == 0 || got[0].typ != "checkout_session.canceled" {
		t.Errorf("resumed stream: %+v, want checkout_session.canceled first", got)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s sent %d times", id, n)
		}
	}

	// An after that is not one of the tenant's events is NOT_FOUND on after.
	bad, _ := openStream(t, srv.URL, sessionEventsSub, map[string]any{"id": s["id"], "after": "evt_nope"})
	if ev := nextEvent(t, bad, "unknown after"); ev.code != "NOT_FOUND" {
		t.Errorf("after evt_nope: %+v, want NOT_FOUND", ev)
	}
}

// TestSubscriptionsCappedPerTenant: one subscription more than the cap is
// refused with OVERLOADED; once one closes, a new one is admitted; the
// server's shutdown (App.Drain) ends it.
func TestSubscriptionsCappedPerTenant(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) { c.MaxSubscriptionsPerTenant = 1 })
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})
	vars := map[string]any{"id": s["id"]}
	first, closeFirst := openStream(t, srv.URL, sessionEventsSub, vars)
	// The first is admitted once the resolver has run; until then a
	// second may be the one admitted. Wait for the first's count.
	for deadline := time.Now().Add(5 * time.Second); a.Events.Subscriptions() < 1; {
		if time.Now().After(deadline) {
			t.Fatal("the first subscription never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	second, _ := openStream(t, srv.URL, sessionEventsSub, vars)
	if ev := nextEvent(t, second, "second subscription"); ev.code != "OVERLOADED" {
		t.Fatalf("second subscription over a cap of 1: %+v, want OVERLOADED", ev)
	}
	closeFirst()
	for range first {
	}
	for deadline := time.Now().Add(5 * time.Second); a.Events.Subscriptions() > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the closed subscription is still counted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	third, _ := openStream(t, srv.URL, sessionEventsSub, vars)
	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	if ev := nextEvent(t, third, "after the first closed"); ev.typ != "checkout_session.held" {
		t.Fatalf("third subscription: %+v", ev)
	}
	// The server shuts down: the stream ends, without "event: complete"
	// (graphql-sse clients then reconnect, with after).
	a.Drain()
	for l := range third {
		if l.event == "complete" || l.data != "" {
			t.Errorf("on shutdown the stream sent %+v", l)
		}
	}
}
