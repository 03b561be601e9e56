package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/payments/gr4vy"
)

func newGr4vyApp(t *testing.T) *app.App {
	a := newTestApp(t, func(c *app.Config) { c.Gateway = "gr4vy" })
	if a.Gr4vySim == nil {
		t.Fatal("no in-process Gr4vy simulator")
	}
	return a
}

// TestGr4vyCheckout: with FAREGRAPH_GATEWAY=gr4vy and no URL, a checkout
// through GraphQL creates a Gr4vy checkout session with the cart items,
// airline addendum and buyer, authorizes a transaction once the card is
// on it, and captures at the simulator exactly what was booked.
func TestGr4vyCheckout(t *testing.T) {
	a := newGr4vyApp(t)
	h := a.Handler
	id := openSettled(t, h, "citizenplane", "MERCHANT")
	s := mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	// The payment action's client secret is the Gr4vy Embed token.
	if s["status"] != "PAYMENT_PENDING" || strings.Count(fmt_(dig(s, "paymentActions", 0, "clientSecret")), ".") != 2 {
		t.Fatalf("paying: %v", s)
	}
	total := cents(t, dig(s, "total", "amount").(string))
	if _, ue := settle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4000000000000002"}); len(ue) != 1 || dig(ue, 0, "code") != "CARD_DECLINED" {
		t.Fatalf("declined card: %v", ue)
	}
	s = mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})
	if s["status"] != "AUTHORIZED" {
		t.Fatalf("authorized: %v", s)
	}
	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "BOOKED" || cents(t, dig(s, "payment", "capturedAmount", "amount").(string)) != total {
		t.Fatalf("booked: %v", s)
	}
	intentID := paymentIntentID(t, a, id)
	tx, ok := a.Gr4vySim.TransactionOf(intentID)
	if !ok || tx.Status != gr4vy.TxCaptured || tx.CapturedAmount != total || tx.Amount != total || tx.PaymentMethod.Label != "4242" {
		t.Fatalf("at the simulator: %+v (total %d)", tx, total)
	}
	body, _ := a.Gr4vySim.SessionRequest(intentID)
	var sum int64
	for _, it := range body.CartItems {
		sum += it.Total()
	}
	if sum != total || body.Airline == nil || len(body.Airline.Legs) == 0 || len(body.Airline.Passengers) != 1 ||
		body.Buyer == nil || body.Buyer.BillingDetails.EmailAddress != "ana@example.com" || body.Airline.Passengers[0].LastName != "MARTIN" {
		t.Fatalf("checkout session body: %+v", body)
	}
}

// TestGr4vyFailureVoids: a session that ends unbooked after authorization
// (here canceled) releases it: the transaction is voided at the
// simulator, nothing captured.
func TestGr4vyFailureVoids(t *testing.T) {
	a := newGr4vyApp(t)
	h := a.Handler
	id := openSettled(t, h, "citizenplane", "MERCHANT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id})
	s := mustSettle(t, h, "cancelCheckoutSession", "CancelCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "CANCELED" {
		t.Fatalf("canceled: %v", s)
	}
	tx, ok := a.Gr4vySim.TransactionOf(paymentIntentID(t, a, id))
	if !ok || tx.Status != gr4vy.TxVoided || tx.CapturedAmount != 0 {
		t.Fatalf("at the simulator: %+v", tx)
	}
}

func paymentIntentID(t *testing.T, a *app.App, id string) string {
	t.Helper()
	gid, err := decodeGlobal(id)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.Checkout.Get(context.Background(), auth.SandboxTenant, strings.TrimPrefix(gid, "CheckoutSession:"))
	if err != nil {
		t.Fatal(err)
	}
	if sess.Payment == nil || sess.Payment.Gateway != "gr4vy" || strings.TrimSpace(sess.Payment.IntentID) == "" {
		t.Fatalf("payment: %+v", sess.Payment)
	}
	return sess.Payment.IntentID
}

func fmt_(v any) string { s, _ := v.(string); return s }
