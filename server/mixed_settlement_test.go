package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	cpwire "github.com/faregraph/faregraph/providers/citizenplane/wire"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	litewire "github.com/faregraph/faregraph/providers/liteapi/wire"
)

// exchange is one request an adapter sent to a simulator, with the answer.
type exchange struct {
	Method, Path string
	Body, Answer []byte
	Status       int
}

func (e exchange) String() string {
	return fmt.Sprintf("%s %s %s -> %d %s", e.Method, e.Path, e.Body, e.Status, e.Answer)
}

// wireLog records what the adapters send on the wire, by provider.
type wireLog struct {
	mu  sync.Mutex
	log map[string][]exchange
}

func (l *wireLog) wrap(provider string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		l.mu.Lock()
		defer l.mu.Unlock()
		l.log[provider] = append(l.log[provider], exchange{Method: r.Method, Path: r.URL.Path, Body: body, Answer: rec.Body.Bytes(), Status: rec.Code})
	})
}

// sent returns provider's exchanges of method on paths with prefix path.
func (l *wireLog) sent(provider, method, path string) []exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []exchange
	for _, e := range l.log[provider] {
		if e.Method == method && strings.HasPrefix(e.Path, path) {
			out = append(out, e)
		}
	}
	return out
}

func newWiredApp(t *testing.T) (*app.App, *wireLog) {
	wl := &wireLog{log: map[string][]exchange{}}
	return newTestApp(t, func(c *app.Config) { c.Sim.Wrap = wl.wrap }), wl
}

// mixedSession creates a session over an offer combining a CitizenPlane
// one-way out (MERCHANT: paid through our gateway, CitizenPlane on
// deposit) and a LiteAPI one-way back (PROVIDER_INTENT: LiteAPI's own
// intent), holds it and attaches a seat to the LiteAPI part, so that
// LiteAPI answers a second intent. It returns the session after the seat.
func mixedSession(t *testing.T, h http.Handler, partial string) map[string]any {
	t.Helper()
	offer := mixedOffer(t, post(t, h, mixedSearch, nil))
	s := mustSettle(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "partialBooking": partial,
		"settlements": []any{map[string]any{"provider": "liteapi", "mode": "PROVIDER_INTENT"}}})
	if dig(s, "parts", 0, "settlement") != "MERCHANT" || dig(s, "parts", 1, "settlement") != "PROVIDER_INTENT" {
		t.Fatalf("parts: %v", s["parts"])
	}
	id := s["id"].(string)
	mustSettle(t, h, "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { seatMaps { provider cabins { rows { seats { id available passengerIndex } } } } } }`, map[string]any{"id": id})
	var seat any
	for _, m := range dig(r.Data, "checkoutSession", "seatMaps").([]any) {
		for _, c := range m.(map[string]any)["cabins"].([]any) {
			for _, row := range c.(map[string]any)["rows"].([]any) {
				for _, st := range row.(map[string]any)["seats"].([]any) {
					if st := st.(map[string]any); seat == nil && st["available"] == true && st["passengerIndex"] == nil && m.(map[string]any)["provider"] == "liteapi" {
						seat = st["id"]
					}
				}
			}
		}
	}
	if seat == nil {
		t.Fatalf("no free LiteAPI seat: %v %+v", r.Data, r.Errors)
	}
	r = post(t, h, `mutation($in: SelectSeatsInput!) { selectSeats(input: $in) { `+settleFields+` } }`,
		map[string]any{"in": map[string]any{"checkoutSessionId": id, "seats": []any{map[string]any{"passengerIndex": 0, "seatId": seat}}}})
	if len(r.Errors) > 0 || len(dig(r.Data, "selectSeats", "userErrors").([]any)) > 0 {
		t.Fatalf("selectSeats: %+v %v", r.Errors, r.Data)
	}
	return dig(r.Data, "selectSeats", "checkoutSession").(map[string]any)
}

// TestMixedSettlementThroughGraphQL: one session whose CitizenPlane part
// is ours to charge (MERCHANT) and whose LiteAPI part LiteAPI charges
// (PROVIDER_INTENT): search → create → hold → seat → pay → the app's
// confirmations, with one card (the sandbox confirms our intent and
// LiteAPI's) → book → capture. On the wire: LiteAPI's prebook asks for
// its intent (usePaymentSdk true), the booking names the latest intent,
// the one answered after the seat (TRANSACTION_ID); CitizenPlane is paid
// on deposit (self_psp, no payment_method). Our capture is the
// CitizenPlane part alone.
func TestMixedSettlementThroughGraphQL(t *testing.T) {
	a, wl := newWiredApp(t)
	h := a.Handler
	lite := a.Simulators["liteapi"].(*litesim.Simulator)

	s := mixedSession(t, h, "FORBID")
	id := s["id"].(string)
	cpAmount, liteAmount := dig(s, "parts", 0, "amount", "amount").(string), dig(s, "parts", 1, "amount", "amount").(string)
	if cents(t, cpAmount)+cents(t, liteAmount) != cents(t, dig(s, "total", "amount").(string)) {
		t.Fatalf("parts %v do not add up to the total %v", s["parts"], s["total"])
	}

	// The prebook asked for LiteAPI's intent; the seat made a new one.
	pre := wl.sent("liteapi", "POST", litewire.PrebooksPath)
	var preReq litewire.PrebookRequest
	var preAns, seatAns litewire.PrebookResponse
	if len(pre) != 2 || json.Unmarshal(pre[0].Body, &preReq) != nil || !preReq.UsePaymentSdk ||
		json.Unmarshal(pre[0].Answer, &preAns) != nil || json.Unmarshal(pre[1].Answer, &seatAns) != nil ||
		!strings.HasSuffix(pre[1].Path, "/services") {
		t.Fatalf("LiteAPI prebook and services calls: %d, %s", len(pre), pre)
	}
	first, latest := preAns.Data[0].TransactionID, seatAns.Data[0].TransactionID
	if first == "" || latest == "" || first == latest {
		t.Fatalf("intents: prebook %q, after the seat %q", first, latest)
	}

	// Pay: our intent takes the CitizenPlane part only; the actions say
	// what the app confirms: our intent, and LiteAPI's latest.
	s = mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	if s["status"] != "PAYMENT_PENDING" || dig(s, "payment", "amount", "amount") != cpAmount {
		t.Fatalf("paid: %v", s)
	}
	acts := map[any]map[string]any{}
	for _, a := range s["paymentActions"].([]any) {
		acts[a.(map[string]any)["kind"]] = a.(map[string]any)
	}
	card, intent := acts["CONFIRM_CARD_PAYMENT"], acts["CONFIRM_PROVIDER_INTENT"]
	if len(acts) != 2 || card == nil || intent == nil || dig(card, "amount", "amount") != cpAmount || card["provider"] != nil ||
		fmtJSON(card["partIndexes"]) != "[0]" || card["done"] != false || card["clientSecret"] == nil ||
		intent["provider"] != "liteapi" || intent["transactionId"] != latest || dig(intent, "amount", "amount") != liteAmount ||
		fmtJSON(intent["partIndexes"]) != "[1]" || intent["clientSecret"] == nil {
		t.Fatalf("payment actions: %v", s["paymentActions"])
	}

	// One card entry: the sandbox confirms our intent and LiteAPI's.
	s = mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})
	if s["status"] != "AUTHORIZED" || dig(s, "payment", "status") != "AUTHORIZED" {
		t.Fatalf("confirmed: %v", s)
	}
	prebookID := preAns.Data[0].PrebookID
	if p, _ := lite.Prebook(prebookID); p.TransactionID != latest || !p.IntentConfirmed {
		t.Fatalf("LiteAPI's latest intent not confirmed: %+v", p)
	}

	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "BOOKED" || len(s["bookings"].([]any)) != 2 || dig(s, "payment", "status") != "CAPTURED" ||
		dig(s, "payment", "capturedAmount", "amount") != cpAmount {
		t.Fatalf("booked: %v", s)
	}

	// The bookings on the wire.
	books := wl.sent("liteapi", "POST", litewire.BookingsPath)
	var book litewire.BookRequest
	if len(books) != 1 || json.Unmarshal(books[0].Body, &book) != nil || book.PrebookID != prebookID ||
		book.Payment.Method != litewire.PaymentTransactionID || book.Payment.TransactionID != latest {
		t.Errorf("LiteAPI booking: %s", books)
	}
	cpBooks := wl.sent("citizenplane", "POST", cpwire.PathBookings)
	var body cpwire.BookingBody
	if len(cpBooks) != 1 || json.Unmarshal(cpBooks[0].Body, &body) != nil || !body.SelfPSP || body.PaymentMethod != "" || body.ThreeDSecure != nil {
		t.Errorf("CitizenPlane booking: %s", cpBooks)
	}
}

// TestMixedSettlementFailure: all or nothing, both orders of failure.
// The LiteAPI part (PROVIDER_INTENT, can be canceled) is booked first,
// the CitizenPlane part (MERCHANT, cannot be canceled) last:
//   - CitizenPlane refuses after LiteAPI booked: the LiteAPI booking is
//     canceled (LiteAPI refunds its own intent), our authorization is
//     voided and nothing captured;
//   - LiteAPI refuses: CitizenPlane is never asked to book, nothing is
//     booked, our authorization is voided.
func TestMixedSettlementFailure(t *testing.T) {
	a, wl := newWiredApp(t)
	h := a.Handler
	cp := a.Simulators["citizenplane"].(*cpsim.Simulator)
	lite := a.Simulators["liteapi"].(*litesim.Simulator)

	s := mixedSession(t, h, "FORBID")
	id := s["id"].(string)
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})
	// CitizenPlane aborts the held requests, as after a failed payment.
	var held cpwire.RequestsResponse
	reqs := wl.sent("citizenplane", "POST", cpwire.PathRequests)
	if len(reqs) != 1 || json.Unmarshal(reqs[0].Answer, &held) != nil || len(held.Requests) == 0 {
		t.Fatalf("CitizenPlane hold: %s", reqs)
	}
	for _, rq := range held.Requests {
		if !cp.AbortRequest(rq.ID) {
			t.Fatalf("request %d not pending", rq.ID)
		}
	}
	s, _ = settle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "FAILED" || len(s["bookings"].([]any)) != 1 || dig(s, "bookings", 0, "provider") != "liteapi" ||
		dig(s, "payment", "capturedAmount", "amount") != "0.00" || dig(s, "payment", "status") != "CANCELED" {
		t.Fatalf("CitizenPlane refused after LiteAPI booked: %v", s)
	}
	if b, ok := lite.Booking(dig(s, "bookings", 0, "providerReference").(string)); !ok || b.Status != litewire.StatusCanceled {
		t.Errorf("LiteAPI booking not canceled: %+v", b)
	}
	r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { failure { code message } } }`, map[string]any{"id": id})
	if msg, _ := dig(r.Data, "checkoutSession", "failure", "message").(string); !strings.Contains(msg, "part 2 (liteapi) booked, then canceled") ||
		!strings.Contains(msg, "part 1 (citizenplane) not booked") {
		t.Errorf("failure: %v %+v", r.Data, r.Errors)
	}

	// LiteAPI refuses: nothing is booked, CitizenPlane never asked (on a
	// fresh server: the simulator keeps the canceled seat sold).
	a, wl = newWiredApp(t)
	h = a.Handler
	lite = a.Simulators["liteapi"].(*litesim.Simulator)
	s = mixedSession(t, h, "FORBID")
	id = s["id"].(string)
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})
	pre := wl.sent("liteapi", "POST", litewire.PrebooksPath)
	var preAns litewire.PrebookResponse
	if len(pre) == 0 || json.Unmarshal(pre[len(pre)-2].Answer, &preAns) != nil || !lite.DropPrebook(preAns.Data[0].PrebookID) {
		t.Fatalf("drop the LiteAPI prebook: %s", pre)
	}
	cpBooks := len(wl.sent("citizenplane", "POST", cpwire.PathBookings))
	s, _ = settle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "FAILED" || len(s["bookings"].([]any)) != 0 || dig(s, "payment", "capturedAmount", "amount") != "0.00" ||
		dig(s, "payment", "status") != "CANCELED" {
		t.Fatalf("LiteAPI refused: %v", s)
	}
	if n := len(wl.sent("citizenplane", "POST", cpwire.PathBookings)); n != cpBooks {
		t.Errorf("CitizenPlane asked to book after LiteAPI refused")
	}
}

// TestMixedSettlementPartial: with partial booking allowed, the
// PROVIDER_INTENT part (LiteAPI) fails while the MERCHANT part books: the
// session is PARTIALLY_BOOKED and our capture is the CitizenPlane part
// alone; LiteAPI made no booking, so its intent is not charged.
func TestMixedSettlementPartial(t *testing.T) {
	a, wl := newWiredApp(t)
	h := a.Handler
	lite := a.Simulators["liteapi"].(*litesim.Simulator)

	s := mixedSession(t, h, "ALLOW")
	id := s["id"].(string)
	cpAmount := dig(s, "parts", 0, "amount", "amount")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})
	var pre litewire.PrebookResponse
	if p := wl.sent("liteapi", "POST", litewire.PrebooksPath); len(p) == 0 || json.Unmarshal(p[0].Answer, &pre) != nil || !lite.DropPrebook(pre.Data[0].PrebookID) {
		t.Fatalf("drop the LiteAPI prebook: %s", p)
	}
	s, _ = settle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "PARTIALLY_BOOKED" || len(s["bookings"].([]any)) != 1 || dig(s, "bookings", 0, "provider") != "citizenplane" ||
		dig(s, "payment", "capturedAmount", "amount") != cpAmount {
		t.Fatalf("partially booked: %v", s)
	}
	if p, _ := lite.Prebook(pre.Data[0].PrebookID); p.BookingID != "" {
		t.Errorf("LiteAPI booked the dropped prebook: %+v", p)
	}
}
