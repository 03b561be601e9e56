package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/payments/paymentstest"
)

const whSecret = "whsec_test_secret"

// stripeIntent reads an intent's JSON from the fake Stripe.
func stripeIntent(t *testing.T, srv *httptest.Server, id string) json.RawMessage {
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/payment_intents/"+id, nil)
	req.Header.Set("Authorization", "Bearer sk_test_faregraph")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func deliver(t *testing.T, h http.Handler, eventID string, intent json.RawMessage, secret string) int {
	return deliverEvent(t, h, eventID, "payment_intent.amount_capturable_updated", intent, secret)
}

// deliverEvent posts a signed Stripe event of type typ about intent (its
// JSON as the event's snapshot has it).
func deliverEvent(t *testing.T, h http.Handler, eventID, typ string, intent json.RawMessage, secret string) int {
	payload := fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2023-10-16","type":%q,"data":{"object":%s}}`, eventID, typ, intent)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: secret, Timestamp: time.Now()})
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(payload))
	req.Header.Set("Stripe-Signature", signed.Header)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// TestStripeCardPaymentAndWebhook runs a checkout on the Stripe gateway
// (against a stateful fake of Stripe's API): the card is confirmed as the
// SDK would, a signed webhook authorizes the session, a duplicate delivery
// changes nothing, a forged one is refused, and booking captures.
func TestStripeCardPaymentAndWebhook(t *testing.T) {
	stripe, a := stripeApp(t)
	h := a.Handler
	offerID := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node", "id")
	s, intentID := cardCheckout(t, a, offerID, "k1")
	if s["status"] != "PAYMENT_PENDING" || dig(s, "payment", "clientSecret") == nil || dig(s, "payment", "ephemeralKey") == nil {
		t.Fatalf("checkout: %v", s)
	}
	id := s["id"].(string)
	if code := paymentstest.Confirm(t, stripe, intentID, paymentstest.CardVisa); code != "" {
		t.Fatalf("confirm: %s", code)
	}
	if code := deliver(t, h, "evt_forged", stripeIntent(t, stripe, intentID), "whsec_other"); code != http.StatusBadRequest {
		t.Errorf("forged webhook answered %d", code)
	}
	for range 2 {
		if code := deliver(t, h, "evt_1", stripeIntent(t, stripe, intentID), whSecret); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
	}
	r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { status events { event } } }`, map[string]any{"id": id})
	if dig(r.Data, "checkoutSession", "status") != "AUTHORIZED" {
		t.Fatalf("after the webhook: %v", r.Data)
	}
	n := 0
	for _, e := range dig(r.Data, "checkoutSession", "events").([]any) {
		if dig(e, "event") == "payment_authorized" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d payment_authorized events after a duplicate delivery", n)
	}
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	if s["status"] != "BOOKED" || dig(s, "payment", "status") != "CAPTURED" || dig(s, "payment", "capturedAmount", "amount") != dig(s, "total", "amount") {
		t.Fatalf("booked: %v", s["payment"])
	}
}

// stripeApp starts the fake Stripe API and a server whose gateway is it.
func stripeApp(t *testing.T) (*httptest.Server, *app.App) {
	stripe := paymentstest.NewStripeServer(t)
	return stripe, newTestApp(t, func(c *app.Config) {
		c.Stripe = app.StripeConfig{SecretKey: "sk_test_faregraph", APIURL: stripe.URL, WebhookSecret: whSecret}
	})
}

// cardCheckout runs the checkout mutation for offerID with a card, and
// returns the session and its payment intent's id.
func cardCheckout(t *testing.T, a *app.App, offerID any, key string) (map[string]any, string) {
	s := mutate(t, a.Handler, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars, "method": "CARD", "idempotencyKey": key}})
	sess, err := a.Checkout.Get(t.Context(), "sandbox", sessionKey(t, s["id"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	return s, sess.Payment.IntentID
}

func sessionKey(t *testing.T, global string) string {
	b, err := decodeGlobal(global)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(b, "CheckoutSession:")
}
