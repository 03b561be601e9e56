package stripe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/stripe"
)

const capturableEvent = `{
  "id": "evt_1",
  "object": "event",
  "api_version": "2023-10-16",
  "created": 1700000000,
  "type": "payment_intent.amount_capturable_updated",
  "data": {"object": {
    "id": "pi_1", "object": "payment_intent", "amount": 12990, "amount_capturable": 12990,
    "amount_received": 0, "currency": "eur", "customer": "cus_1", "status": "requires_capture",
    "capture_method": "manual", "client_secret": "pi_1_secret_x", "latest_charge": "ch_1"
  }}
}`

func sign(payload, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: []byte(payload), Secret: secret, Timestamp: time.Now(),
	}).Header
}

func TestParseWebhook(t *testing.T) {
	g, _ := newGateway(t, "http://127.0.0.1:1")

	ev, err := g.ParseWebhook([]byte(capturableEvent), sign(capturableEvent, "whsec_test"))
	if err != nil {
		t.Fatal(err)
	}
	want := &payments.Intent{ID: "pi_1", Status: payments.Authorized, Amount: 12990, Currency: "EUR",
		AmountCapturable: 12990, ClientSecret: "pi_1_secret_x", CustomerID: "cus_1"}
	if ev.ID != "evt_1" || ev.Type != "payment_intent.amount_capturable_updated" || ev.Intent == nil || *ev.Intent != *want {
		t.Errorf("event = %+v, intent %+v", ev, ev.Intent)
	}

	other := `{"id":"evt_2","object":"event","api_version":"2023-10-16","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}`
	ev, err = g.ParseWebhook([]byte(other), sign(other, "whsec_test"))
	if err != nil || ev.Intent != nil || ev.Type != "customer.created" {
		t.Errorf("customer event = %+v, %v", ev, err)
	}

	rejected := map[string]struct{ payload, header string }{
		"bad signature":   {capturableEvent, sign(capturableEvent, "whsec_other")},
		"no signature":    {capturableEvent, ""},
		"altered payload": {strings.Replace(capturableEvent, "12990", "1", 1), sign(capturableEvent, "whsec_test")},
		"other API version": {
			strings.Replace(capturableEvent, "2023-10-16", "2024-06-20", 1),
			sign(strings.Replace(capturableEvent, "2023-10-16", "2024-06-20", 1), "whsec_test"),
		},
		"stale": {capturableEvent, webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
			Payload: []byte(capturableEvent), Secret: "whsec_test", Timestamp: time.Now().Add(-time.Hour),
		}).Header},
	}
	for name, c := range rejected {
		if ev, err := g.ParseWebhook([]byte(c.payload), c.header); err == nil {
			t.Errorf("%s: accepted %+v", name, ev)
		}
	}
}

func TestParseWebhookNeedsSecret(t *testing.T) {
	g, err := stripe.New(stripe.Config{SecretKey: "sk_test_x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.ParseWebhook([]byte(capturableEvent), sign(capturableEvent, "")); err == nil {
		t.Error("ParseWebhook without a webhook secret succeeded")
	}
}
