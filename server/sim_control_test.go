package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/providers/sim"
)

// simCall sends one request to the simulators' control of the server h
// over HTTP and decodes its JSON answer.
func simCall(t *testing.T, base, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/sim"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestSimulatorControlOverHTTP: on a development server, the built-in
// simulators' knobs are turned over HTTP at /sim/, as README's commands
// do: a schedule change and an airline cancellation show in
// booking.changes after the sweeper's read, pending cancellations answer
// PENDING, an operation made to fail fails the search, and bad requests
// are refused naming what is wrong.
func TestSimulatorControlOverHTTP(t *testing.T) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now = clock.Now })
	h := a.Handler
	srv := httptest.NewServer(h)
	defer srv.Close()

	code, list := simCall(t, srv.URL, "GET", "/", "")
	if code != 200 || !slices.Contains(toStrings(dig(list, "providers", "liteapi", "knobs")), "cancellations-pending") ||
		!slices.Contains(toStrings(dig(list, "providers", "citizenplane", "operations")), "book") {
		t.Fatalf("GET /sim/: %d %v", code, list)
	}

	book := func() map[string]any {
		offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
		s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
			"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
		mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
		s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
		return dig(s, "bookings", 0).(map[string]any)
	}
	b, b2 := book(), book()
	seg := dig(b, "flights", 0, "segments", 0).(map[string]any)
	date := seg["departureAt"].(string)[:10] // local to the origin
	flight := "/liteapi/flights/" + seg["carrierCode"].(string) + "/" + seg["flightNumber"].(string) + "/" + date

	if code, out := simCall(t, srv.URL, "POST", flight+"/shift", `{"by": "45m"}`); code != 200 || out["shiftedBy"] != "45m0s" {
		t.Fatalf("shift: %d %v", code, out)
	}
	if code, out := simCall(t, srv.URL, "POST", "/liteapi/bookings/"+b["providerReference"].(string)+"/cancel", ""); code != 200 || out["status"] != "CANCELED" {
		t.Fatalf("cancel booking: %d %v", code, out)
	}
	if code, out := simCall(t, srv.URL, "POST", "/liteapi/bookings/"+b["providerReference"].(string)+"/cancel", ""); code != 404 || dig(out, "error", "code") != "UNKNOWN_BOOKING" {
		t.Errorf("cancel a cancelled booking: %d %v", code, out)
	}
	clock.Advance(25 * time.Hour)
	if err := a.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := post(t, h, `query($id: ID!) { booking(id: $id) { status changes { kind after } } }`, map[string]any{"id": b["id"]})
	var kinds []string
	for _, c := range dig(r.Data, "booking", "changes").([]any) {
		kinds = append(kinds, c.(map[string]any)["kind"].(string))
	}
	slices.Sort(kinds)
	if dig(r.Data, "booking", "status") != "CANCELED" || !slices.Equal(kinds, []string{"SCHEDULE", "STATUS"}) {
		t.Errorf("after the shift and the airline's cancellation: %v %v", r.Data, r.Errors)
	}

	// Pending cancellations.
	if code, out := simCall(t, srv.URL, "PUT", "/liteapi/cancellations-pending", `{"on": true}`); code != 200 || out["cancellationsPending"] != true {
		t.Fatalf("pending: %d %v", code, out)
	}
	r = post(t, h, `mutation($b: ID!) { cancellationQuote(input: {bookingId: $b}) { cancellation { id } userErrors { code } } }`, map[string]any{"b": b2["id"]})
	r = post(t, h, `mutation($q: ID!) { cancelBooking(input: {quoteId: $q, idempotencyKey: "sim-control"}) { cancellation { status } userErrors { code } } }`,
		map[string]any{"q": dig(r.Data, "cancellationQuote", "cancellation", "id")})
	if st := dig(r.Data, "cancelBooking", "cancellation", "status"); st != "PENDING" {
		t.Errorf("cancelBooking with pending cancellations: %v %v", r.Data, r.Errors)
	}

	// Failures and latency.
	if code, out := simCall(t, srv.URL, "PUT", "/liteapi/failures/rates", `{"mode": "before"}`); code != 200 {
		t.Fatalf("failure: %d %v", code, out)
	}
	r = post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}})
	if codes := r.codes(); len(codes) != 1 || codes[0] != "PROVIDER_UNAVAILABLE" {
		t.Errorf("search with rates failing: %v %v", r.Data, r.Errors)
	}
	if code, _ := simCall(t, srv.URL, "DELETE", "/liteapi/failures/rates", ""); code != 200 {
		t.Errorf("clear failure: %d", code)
	}
	if code, out := simCall(t, srv.URL, "PUT", "/citizenplane/latency", `{"latency": "20ms"}`); code != 200 || out["latency"] != "20ms" {
		t.Errorf("latency: %d %v", code, out)
	}
	if code, _ := simCall(t, srv.URL, "PUT", "/citizenplane/latency", `{"latency": "0s"}`); code != 200 {
		t.Errorf("latency back to 0: %d", code)
	}
	if code, _ := simCall(t, srv.URL, "PUT", "/liteapi/failure-rate", `{"rate": 0}`); code != 200 {
		t.Errorf("failure rate: %d", code)
	}

	for _, c := range []struct{ method, path, body, code string }{
		{"PUT", "/nope/latency", `{"latency": "1s"}`, "UNKNOWN_PROVIDER"},
		{"PUT", "/liteapi/latency", `{"latency": "soon"}`, "BAD_REQUEST"},
		{"PUT", "/liteapi/latency", `{"delay": "1s"}`, "BAD_REQUEST"},
		{"PUT", "/liteapi/failure-rate", `{"rate": 2}`, "BAD_REQUEST"},
		{"PUT", "/liteapi/failures/fly", `{"mode": "after"}`, "UNKNOWN_OPERATION"},
		{"PUT", "/liteapi/failures/book", `{"mode": "sometimes"}`, "BAD_REQUEST"},
		{"POST", "/liteapi/flights/ZZ/1/" + date + "/shift", `{"by": "1h"}`, "UNKNOWN_FLIGHT"},
		{"POST", flight + "/shift", `{"by": "0s"}`, "BAD_REQUEST"},
		{"PUT", "/liteapi/flights/" + seg["carrierCode"].(string) + "/1/tomorrow/seats", `{"seats": 1}`, "BAD_REQUEST"},
		{"PUT", "/citizenplane/cancellations-pending", `{"on": true}`, "UNSUPPORTED"},
		{"POST", "/liteapi/bookings/nope/cancel", "", "UNKNOWN_BOOKING"},
		{"GET", "/liteapi/elsewhere", "", "NOT_FOUND"},
	} {
		code, out := simCall(t, srv.URL, c.method, c.path, c.body)
		if code < 400 || code > 404 || dig(out, "error", "code") != c.code || dig(out, "error", "message") == "" {
			t.Errorf("%s %s %s: %d %v, want %s", c.method, c.path, c.body, code, out, c.code)
		}
	}
}

// TestSimulatorControlOffInProduction: a production server serves no
// /sim/, even on the built-in simulators.
func TestSimulatorControlOffInProduction(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) {
		c.Development, c.Playground = false, false
		c.AllowSimulators, c.AllowSandboxPayments = true, true
	})
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, httptest.NewRequest("PUT", "/sim/liteapi/latency", strings.NewReader(`{"latency": "1s"}`)))
	if rec.Code != http.StatusNotFound {
		t.Errorf("PUT /sim/liteapi/latency in production: %d %s", rec.Code, rec.Body)
	}
}
