package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/payments/gr4vy"
	"github.com/faregraph/faregraph/payments/gr4vy/gr4vysim"
	"github.com/faregraph/faregraph/payments/paymentstest"
	"github.com/faregraph/faregraph/providers/sim"
)

const paymentQuery = `query($id: ID!) { checkoutSession(id: $id) { status
  payment { status capturedAmount { amount } failureCode }
  paymentActions { kind done actionUrl clientSecret } } }`

// served serves a's handler over HTTP and makes the Gr4vy simulator send
// its webhooks there.
func served(t *testing.T, a *app.App) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	a.ConnectGr4vySim(srv.URL)
	return srv
}

func sessionNow(t *testing.T, h http.Handler, id string) map[string]any {
	t.Helper()
	r := post(t, h, paymentQuery, map[string]any{"id": id})
	if len(r.Errors) > 0 {
		t.Fatalf("checkoutSession: %+v", r.Errors)
	}
	return r.Data["checkoutSession"].(map[string]any)
}

// approve plays the buyer on the 3-D Secure page (the action URL) and
// waits for the simulator's webhooks to be answered.
func approve(t *testing.T, a *app.App, url, outcome string) {
	t.Helper()
	if outcome != "" {
		url += "?outcome=" + outcome
	}
	resp, err := http.Get(url) // follows the redirect back to redirect_url
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "gr4vy_transaction_status=") {
		t.Fatalf("approval page: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	for _, d := range a.Gr4vySim.Deliveries() {
		if d.Status != http.StatusOK {
			t.Fatalf("webhook answered %d: %s", d.Status, d.Payload)
		}
	}
}

// TestGr4vyThreeDSecure: a card whose issuer asks for 3-D Secure leaves
// the payment REQUIRES_ACTION with the approval page as the action's
// actionUrl; once the buyer passes the challenge, Gr4vy's webhook moves
// the session to AUTHORIZED, and it books and captures. A failed
// challenge ends FAILED, and another card may be tried.
func TestGr4vyThreeDSecure(t *testing.T) {
	a := newGr4vyApp(t)
	served(t, a)
	h := a.Handler
	id := openSettled(t, h, "citizenplane", "MERCHANT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})

	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": gr4vysim.CardThreeDSecure})
	s := sessionNow(t, h, id)
	act := dig(s, "paymentActions", 0).(map[string]any)
	url, _ := act["actionUrl"].(string)
	if s["status"] != "PAYMENT_PENDING" || dig(s, "payment", "status") != "REQUIRES_ACTION" || act["kind"] != "CONFIRM_CARD_PAYMENT" ||
		act["done"] != false || !strings.Contains(url, "/sim/approve/") {
		t.Fatalf("after the 3-D Secure card: %v", s)
	}
	// Booking before the challenge is refused.
	if _, ue := settle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id}); len(ue) == 0 {
		t.Fatal("booked before 3-D Secure")
	}

	approve(t, a, url, "decline")
	s = sessionNow(t, h, id)
	if s["status"] != "PAYMENT_PENDING" || dig(s, "payment", "status") != "FAILED" || dig(s, "paymentActions", 0, "actionUrl") != nil {
		t.Fatalf("after a failed challenge: %v", s)
	}

	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": gr4vysim.CardThreeDSecure})
	s = sessionNow(t, h, id)
	url, _ = dig(s, "paymentActions", 0, "actionUrl").(string)
	if dig(s, "payment", "status") != "REQUIRES_ACTION" || url == "" {
		t.Fatalf("second card: %v", s)
	}
	approve(t, a, url, "")
	s = sessionNow(t, h, id)
	if s["status"] != "AUTHORIZED" || dig(s, "payment", "status") != "AUTHORIZED" || dig(s, "paymentActions", 0, "done") != true {
		t.Fatalf("after the challenge: %v", s)
	}
	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "BOOKED" {
		t.Fatalf("booked: %v", s)
	}
	tx, _ := a.Gr4vySim.TransactionOf(paymentIntentID(t, a, id))
	if tx.Status != gr4vy.TxCaptured || tx.CapturedAmount != tx.Amount {
		t.Fatalf("at the simulator: %+v", tx)
	}
}

// resend posts a recorded webhook delivery again to the server, signed
// now, with event id id ("" keeps the delivery's own).
func resend(t *testing.T, base string, d gr4vysim.Delivery, secret, id string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/gr4vy", bytes.NewReader(d.Payload))
	req.Header = d.Header.Clone()
	if id != "" {
		req.Header.Set(gr4vy.HeaderWebhookID, id)
	}
	if secret != "" {
		ts := time.Now().Unix()
		req.Header.Set(gr4vy.HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(gr4vy.HeaderWebhookSignatures, "stale,"+gr4vy.SignWebhook(secret, ts, d.Payload))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestGr4vyWebhooksOutOfOrder: Gr4vy's webhooks of a paid, 3-D Secure
// authorized and booked session, delivered again late, in reverse order,
// as retries (same ids) and as new events (new ids, concurrently), leave
// it BOOKED with its capture: each delivery only makes the server read
// the transaction's state now. Unsigned, wrongly signed and stale
// deliveries are refused with 400.
func TestGr4vyWebhooksOutOfOrder(t *testing.T) {
	a := newGr4vyApp(t)
	srv := served(t, a)
	h := a.Handler
	id := openSettled(t, h, "citizenplane", "MERCHANT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": gr4vysim.CardThreeDSecure})
	approve(t, a, dig(sessionNow(t, h, id), "paymentActions", 0, "actionUrl").(string), "")
	mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	ds := a.Gr4vySim.Deliveries()
	names := map[string]bool{}
	for _, d := range ds {
		for _, n := range []string{"buyer_approval_pending", "authorization_succeeded", "captured"} {
			if bytes.Contains(d.Payload, []byte(`"transaction.`+n+`"`)) {
				names[n] = true
			}
		}
	}
	if len(names) != 3 {
		t.Fatalf("deliveries %d, events seen %v", len(ds), names)
	}
	booked := sessionNow(t, h, id)
	secret := a.Gr4vyWebhookSecret()

	for i := len(ds) - 1; i >= 0; i-- {
		if code := resend(t, srv.URL, ds[i], secret, ""); code != http.StatusOK {
			t.Fatalf("retry of delivery %d: %d", i, code)
		}
	}
	var wg sync.WaitGroup
	for i := len(ds) - 1; i >= 0; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := resend(t, srv.URL, ds[i], secret, "replay-"+strconv.Itoa(i)); code != http.StatusOK {
				t.Errorf("late delivery %d: %d", i, code)
			}
		}()
	}
	wg.Wait()
	if got := sessionNow(t, h, id); got["status"] != "BOOKED" || dig(got, "payment", "status") != "CAPTURED" ||
		dig(got, "payment", "capturedAmount", "amount") != dig(booked, "payment", "capturedAmount", "amount") {
		t.Fatalf("after late deliveries: %v (was %v)", got, booked)
	}

	d := ds[0]
	if code := resend(t, srv.URL, d, "not-the-secret", "forged"); code != http.StatusBadRequest {
		t.Errorf("wrong secret: %d", code)
	}
	d.Header = d.Header.Clone()
	d.Header.Del(gr4vy.HeaderWebhookSignatures)
	if code := resend(t, srv.URL, d, "", "unsigned"); code != http.StatusBadRequest {
		t.Errorf("unsigned: %d", code)
	}
	d.Header.Set(gr4vy.HeaderWebhookTimestamp, strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10))
	d.Header.Set(gr4vy.HeaderWebhookSignatures, gr4vy.SignWebhook(secret, time.Now().Add(-time.Hour).Unix(), d.Payload))
	if code := resend(t, srv.URL, d, "", "stale"); code != http.StatusBadRequest {
		t.Errorf("an hour old: %d", code)
	}
}

// TestGr4vyPartialCapture: a trip of two parts with partialBooking ALLOW
// whose CitizenPlane part fails to book captures at Gr4vy only the
// LiteAPI part's amount.
func TestGr4vyPartialCapture(t *testing.T) {
	clock := newMovable(apptest.Now)
	a := newTestApp(t, gr4vyWith(clock))
	h := a.Handler
	r := post(t, h, roundTripQuery, map[string]any{"d": "2026-07-01", "r": "2026-07-08", "p": []string{"liteapi", "citizenplane"}})
	var offer string
	for _, e := range dig(r.Data, "searchOffers", "offers", "edges").([]any) {
		ps := dig(e, "node", "parts").([]any)
		if len(ps) == 2 && dig(ps[0], "provider") != dig(ps[1], "provider") {
			offer = dig(e, "node", "id").(string)
			break
		}
	}
	if offer == "" {
		t.Fatalf("no two-provider round trip: %v", r.Data)
	}
	s := mustSettle(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{
		"offerId": offer, "passengers": passengerVars, "contact": contactVars, "partialBooking": "ALLOW"})
	id := s["id"].(string)
	var liteShare int64
	for _, p := range s["parts"].([]any) {
		if dig(p, "provider") == "liteapi" {
			liteShare = cents(t, dig(p, "amount", "amount").(string))
		}
	}
	mustSettle(t, h, "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	s = mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id})
	total := cents(t, dig(s, "payment", "amount", "amount").(string))
	if liteShare <= 0 || liteShare >= total {
		t.Fatalf("LiteAPI's share %d of %d", liteShare, total)
	}
	a.Simulators["citizenplane"].SetFailure("book", sim.FailBefore)
	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	// CitizenPlane's 500 leaves its outcome unknown: the reconciler asks
	// it (with backoff), finds no booking, and settles the session.
	for i := 0; i < 10 && s["status"] == "NEEDS_ATTENTION"; i++ {
		clock.Add(10 * time.Minute)
		if _, err := a.Checkout.Reconcile(context.Background()); err != nil {
			t.Fatal(err)
		}
		s = sessionNow(t, h, id)
	}
	got := sessionNow(t, h, id)
	caps := a.Gr4vySim.CapturesOf(paymentIntentID(t, a, id))
	if got["status"] != "PARTIALLY_BOOKED" || len(caps) != 1 || caps[0].Amount != liteShare ||
		cents(t, dig(got, "payment", "capturedAmount", "amount").(string)) != liteShare {
		t.Fatalf("session %v; captures at the simulator %+v, LiteAPI's share %d", got, caps, liteShare)
	}
}

// TestGr4vyOverLimit: Gr4vy takes at most 99999999 minor units (seed
// 003); here a trip priced in Indonesian rupiah. The limit applies to what
// Gr4vy would take, when it would: the session is created and held, and
// paying it by card through Gr4vy is an OUT_OF_RANGE user error naming
// method and the limit; nothing reaches Gr4vy. The same trip is bought on
// the sandbox gateway (TestIDROfferBookableOnSandbox).
func TestGr4vyOverLimit(t *testing.T) {
	a := newGr4vyApp(t)
	h := a.Handler
	r := post(t, h, `query { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: ["citizenplane"], currencyCode: "IDR"}) {
  offers(first: 1) { edges { node { id totalPrice { amount currencyCode } } } } } }`, nil)
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	if dig(offer, "totalPrice", "currencyCode") != "IDR" || cents(t, dig(offer, "totalPrice", "amount").(string)) <= gr4vy.MaxAmount {
		t.Fatalf("offer %v %v", offer, r.Errors)
	}
	s := mustSettle(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars})
	id := s["id"].(string)
	mustSettle(t, h, "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	s, ue := settle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	if len(ue) != 1 || dig(ue, 0, "code") != "OUT_OF_RANGE" || joinField(dig(ue, 0, "field")) != "input.method" || s["status"] != "HELD" ||
		!strings.Contains(dig(ue, 0, "message").(string), "above 99999999") || !strings.Contains(dig(ue, 0, "message").(string), "IDR") {
		t.Fatalf("user errors %v, session %v", ue, s)
	}
	for _, c := range a.Gr4vySim.Calls() {
		if strings.HasPrefix(c, "POST") {
			t.Errorf("reached Gr4vy: %s", c)
		}
	}
}

// movable is a clock tests move forward.
type movable struct {
	mu sync.Mutex
	t  time.Time
}

func (m *movable) Now() time.Time      { m.mu.Lock(); defer m.mu.Unlock(); return m.t }
func (m *movable) Add(d time.Duration) { m.mu.Lock(); defer m.mu.Unlock(); m.t = m.t.Add(d) }
func newMovable(t time.Time) *movable  { return &movable{t: t} }
func (m *movable) set(c *app.Config)   { c.Now = m.Now }
func gr4vyWith(m *movable) func(*app.Config) {
	return func(c *app.Config) { c.Gateway = "gr4vy"; m.set(c) }
}

// TestGr4vyPendingRefundFollowedUp (issue 11): a Gr4vy refund answered
// processing leaves the cancellation REFUNDING with refundStatus
// PENDING; the sweeper reads it back (GET /refunds/{id}) until it
// settles, then the cancellation is COMPLETED. One that fails ends
// REFUND_FAILED.
func TestGr4vyPendingRefundFollowedUp(t *testing.T) {
	for _, succeed := range []bool{true, false} {
		clock := newMovable(apptest.Now)
		a := newTestApp(t, gr4vyWith(clock))
		h := a.Handler
		a.Gr4vySim.PendingRefunds(2)
		id := openSettled(t, h, "liteapi", "MERCHANT")
		mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
		mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id})
		mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
		r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { bookings { id total { amount } } } }`, map[string]any{"id": id})
		bk := dig(r.Data, "checkoutSession", "bookings", 0).(map[string]any)
		r = post(t, h, quoteMutation, map[string]any{"in": map[string]any{"bookingId": bk["id"]}})
		q := dig(r.Data, "cancellationQuote", "cancellation").(map[string]any)
		r = post(t, h, cancelMutation, map[string]any{"in": map[string]any{"quoteId": q["id"]}})
		c := dig(r.Data, "cancelBooking", "cancellation").(map[string]any)
		if c["status"] != "REFUNDING" || c["refundStatus"] != "PENDING" {
			t.Fatalf("cancellation %v %v", r.Data, r.Errors)
		}
		cancellation := func() map[string]any {
			r := post(t, h, `query($id: ID!) { booking(id: $id) { status cancellations { status refundStatus refunded { amount } failure } } }`, map[string]any{"id": bk["id"]})
			return dig(r.Data, "booking", "cancellations", 0).(map[string]any)
		}
		sweep := func() {
			clock.Add(time.Hour)
			if _, _, err := a.Checkout.Sweep(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if !succeed {
			tx, _ := a.Gr4vySim.TransactionOf(paymentIntentID(t, a, id))
			if !a.Gr4vySim.SettleRefund(a.Gr4vySim.RefundsOf(tx.ID)[0], false) {
				t.Fatal("no processing refund to fail")
			}
			sweep()
			got := cancellation()
			if got["status"] != "REFUND_FAILED" || got["refundStatus"] != "FAILED" {
				t.Fatalf("failed refund: %v", got)
			}
			// In words for the client: no gateway, id or HTTP detail.
			if f, _ := got["failure"].(string); f == "" || strings.ContainsAny(f, "0123456789/") || strings.Contains(strings.ToLower(f), "gr4vy") || strings.Contains(strings.ToLower(f), "http") {
				t.Errorf("failure of a failed refund: %q", got["failure"])
			}
			continue
		}
		sweep()
		if got := cancellation(); got["status"] != "REFUNDING" || got["refundStatus"] != "PENDING" || got["failure"] != nil {
			t.Fatalf("after one read: %v", got)
		}
		sweep()
		if got := cancellation(); got["status"] != "COMPLETED" || got["refundStatus"] != "SUCCEEDED" || dig(got, "refunded", "amount") != dig(bk, "total", "amount") {
			t.Fatalf("after it settled: %v", got)
		}
		tx, _ := a.Gr4vySim.TransactionOf(paymentIntentID(t, a, id))
		if tx.RefundedAmount != cents(t, dig(bk, "total", "amount").(string)) {
			t.Errorf("at the simulator: %+v", tx)
		}
	}
}

// TestStripeThreeDSecure: with Stripe, a card asking for 3-D Secure
// leaves the intent requires_action; once Stripe's webhook says so the
// payment is REQUIRES_ACTION with Stripe's redirect page as actionUrl;
// after the challenge the next webhook authorizes the session.
func TestStripeThreeDSecure(t *testing.T) {
	stripe, a := stripeApp(t)
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s, intentID := cardCheckout(t, a, offerID, "k3ds")
	id := s["id"].(string)
	if code := paymentstest.Confirm(t, stripe, intentID, paymentstest.CardThreeDSecure); code != "" {
		t.Fatalf("confirm: %s", code)
	}
	if code := deliverEvent(t, h, "evt_3ds_1", "payment_intent.requires_action", stripeIntent(t, stripe, intentID), whSecret); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	got := sessionNow(t, h, id)
	url, _ := dig(got, "paymentActions", 0, "actionUrl").(string)
	if got["status"] != "PAYMENT_PENDING" || dig(got, "payment", "status") != "REQUIRES_ACTION" || !strings.Contains(url, "/test/3ds/"+intentID) {
		t.Fatalf("after requires_action: %v", got)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := deliverEvent(t, h, "evt_3ds_2", "payment_intent.amount_capturable_updated", stripeIntent(t, stripe, intentID), whSecret); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	// The earlier event delivered late changes nothing.
	if code := deliverEvent(t, h, "evt_3ds_1_late", "payment_intent.requires_action", stripeIntent(t, stripe, intentID), whSecret); code != http.StatusOK {
		t.Fatalf("late webhook answered %d", code)
	}
	if got := sessionNow(t, h, id); got["status"] != "AUTHORIZED" || dig(got, "payment", "status") != "AUTHORIZED" || dig(got, "paymentActions", 0, "actionUrl") != nil {
		t.Fatalf("after the challenge: %v", got)
	}
}
