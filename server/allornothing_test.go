package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
)

const tripQuery = `query($id: ID!) { checkoutSession(id: $id) { status failure { code message }
  bookings { provider status } payment { status capturedAmount { amount } } total { amount } } }`

// knob turns a simulator's failure knob over HTTP at /sim/, as README's
// commands do; mode "" removes it.
func knob(t *testing.T, h http.Handler, provider, op, mode string) {
	t.Helper()
	method, body := http.MethodPut, `{"mode": "`+mode+`"}`
	if mode == "" {
		method, body = http.MethodDelete, ""
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/sim/"+provider+"/failures/"+op, strings.NewReader(body)))
	if rec.Code >= 300 {
		t.Fatalf("%s /sim/%s/failures/%s: %d %s", method, provider, op, rec.Code, rec.Body)
	}
}

// TestAllOrNothingGoesOnThroughGraphQL is the tester's case over GraphQL:
// an all-or-nothing (FORBID) round trip, LiteAPI out and CitizenPlane
// back, whose LiteAPI booking answers a server error without booking
// (knob "before"). The session waits in NEEDS_ATTENTION with CitizenPlane
// never asked; once the knob is removed the reconciler finds LiteAPI
// booked, books CitizenPlane and captures the whole trip. (It used to
// cancel the LiteAPI booking and report CitizenPlane NOT_BOOKED.)
func TestAllOrNothingGoesOnThroughGraphQL(t *testing.T) {
	clock := newMovable(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now, c.Sim.Now = clock.Now, clock.Now })
	h := a.Handler
	r := post(t, h, mixedSearch, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	var offer map[string]any
	for _, e := range dig(r.Data, "searchOffers", "offers", "edges").([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		if n["fareType"] == "COMBINED_ONE_WAYS" && dig(n, "parts", 0, "provider") == "liteapi" && dig(n, "parts", 1, "provider") == "citizenplane" {
			offer = n
			break
		}
	}
	if offer == nil {
		t.Fatal("no LiteAPI + CitizenPlane round trip")
	}
	s := mustSettle(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "partialBooking": "FORBID"})
	id := s["id"].(string)
	in := map[string]any{"checkoutSessionId": id}
	mustSettle(t, h, "holdCheckoutSession", "HoldCheckoutSessionInput", in)
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})

	knob(t, h, "liteapi", "book", "before")
	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", in)
	if s["status"] != "NEEDS_ATTENTION" {
		t.Fatalf("after the unknown LiteAPI booking: %v", s)
	}
	knob(t, h, "liteapi", "book", "")
	clock.Add(20 * time.Second)
	if _, err := a.Checkout.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = post(t, h, tripQuery, map[string]any{"id": id})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	got := r.Data["checkoutSession"].(map[string]any)
	bks, _ := got["bookings"].([]any)
	if got["status"] != "BOOKED" || got["failure"] != nil || len(bks) != 2 || dig(got, "payment", "status") != "CAPTURED" ||
		dig(got, "payment", "capturedAmount", "amount") != dig(got, "total", "amount") {
		t.Fatalf("after the reconciler: %v", got)
	}
	for _, b := range bks {
		if b.(map[string]any)["status"] != "CONFIRMED" {
			t.Errorf("booking %v", b)
		}
	}
}
