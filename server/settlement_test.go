package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/sim"
)

const settleFields = `checkoutSession { id status total { amount } payment { method status amount { amount } capturedAmount { amount } }
  parts { index provider settlement amount { amount } }
  paymentActions { kind provider partIndexes amount { amount } clientSecret transactionId done }
  bookings { provider providerReference } }
  userErrors { field code message }`

// settle runs a mutation answering settleFields, with its user errors.
func settle(t *testing.T, h http.Handler, name, input string, in map[string]any) (map[string]any, []any) {
	t.Helper()
	r := postAs(t, h, "", `mutation($in: `+input+`!) { `+name+`(input: $in) { `+settleFields+` } }`, map[string]any{"in": in})
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", name, r.Errors)
	}
	p := r.Data[name].(map[string]any)
	s, _ := p["checkoutSession"].(map[string]any)
	return s, p["userErrors"].([]any)
}

func mustSettle(t *testing.T, h http.Handler, name, input string, in map[string]any) map[string]any {
	t.Helper()
	s, ue := settle(t, h, name, input, in)
	if len(ue) > 0 {
		t.Fatalf("%s: user errors %v", name, ue)
	}
	return s
}

// openSettled searches provider's first offer and creates a session whose
// parts settle by mode, then holds it.
func openSettled(t *testing.T, h http.Handler, provider, mode string) string {
	t.Helper()
	r := post(t, h, flowSearch, map[string]any{"p": []string{provider}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	s := mustSettle(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars,
		"settlements": []any{map[string]any{"provider": provider, "mode": mode}}})
	if dig(s, "parts", 0, "settlement") != mode {
		t.Fatalf("parts %v", s["parts"])
	}
	id := s["id"].(string)
	mustSettle(t, h, "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	return id
}

// TestProviderIntentThroughGraphQL: a LiteAPI part paid by LiteAPI's own
// intent: the hold shows the intent to confirm, nothing goes through our
// gateway, the session waits (PAYMENT_PENDING) until the app's
// confirmation (the sandbox) marks the action done, and the booking names
// the intent. A booking before confirmation is refused by us
// (PAYMENT_ACTION_REQUIRED) without asking LiteAPI: nothing is lost.
func TestProviderIntentThroughGraphQL(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	lite := a.Simulators["liteapi"].(*litesim.Simulator)

	id := openSettled(t, h, "liteapi", "PROVIDER_INTENT")
	s := mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	act := dig(s, "paymentActions", 0).(map[string]any)
	if s["status"] != "PAYMENT_PENDING" || act["kind"] != "CONFIRM_PROVIDER_INTENT" || act["clientSecret"] == nil || act["transactionId"] == nil ||
		act["done"] != false || dig(s, "payment", "amount", "amount") != "0.00" || act["amount"].(map[string]any)["amount"] != dig(s, "total", "amount") {
		t.Fatalf("paid: %v", s)
	}
	s = mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "AUTHORIZED" || dig(s, "paymentActions", 0, "done") != true {
		t.Fatalf("confirmed: %v", s)
	}
	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "BOOKED" || dig(s, "payment", "capturedAmount", "amount") != "0.00" || dig(s, "payment", "status") != "CAPTURED" {
		t.Fatalf("booked: %v", s)
	}
	ref := dig(s, "bookings", 0, "providerReference").(string)
	b, ok := lite.Booking(ref)
	if !ok {
		t.Fatalf("no booking %s at LiteAPI", ref)
	}
	p, _ := lite.Prebook(b.PrebookID)
	if p.TransactionID != act["transactionId"] || !p.IntentConfirmed {
		t.Errorf("prebook %+v: booked with intent %v", p, act["transactionId"])
	}

	// Booked without the app's confirmation: refused before LiteAPI is
	// asked, and the session can still be confirmed and booked.
	id = openSettled(t, h, "liteapi", "PROVIDER_INTENT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	s, ue := settle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "PAYMENT_PENDING" || len(s["bookings"].([]any)) != 0 || len(ue) != 1 || dig(ue, 0, "code") != "PAYMENT_ACTION_REQUIRED" ||
		!strings.Contains(dig(ue, 0, "message").(string), "confirmProviderIntent") {
		t.Fatalf("unconfirmed intent: %v %v", s, ue)
	}
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id})
	if s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id}); s["status"] != "BOOKED" {
		t.Errorf("confirmed, then booked: %v", s)
	}
}

// TestCardForwardThroughGraphQL: a CitizenPlane part paid by a card
// forwarded to CitizenPlane: the session waits for the card, 3-D Secure
// results are checked at our edge with their fields named, and the
// booking is charged by CitizenPlane, not by us.
func TestCardForwardThroughGraphQL(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	id := openSettled(t, h, "citizenplane", "CARD_FORWARD")
	s := mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	if s["status"] != "PAYMENT_PENDING" || dig(s, "paymentActions", 0, "kind") != "FORWARD_CARD" || dig(s, "paymentActions", 0, "done") != false {
		t.Fatalf("paid: %v", s)
	}
	// Version and ECI are enums: a value outside them (the provider's own
	// spelling included) is refused before anything runs.
	for field, v := range map[string]string{"version": "2.2.0", "electronicCommerceIndicator": "05"} {
		tds := map[string]any{"version": "V2_2_0", "electronicCommerceIndicator": "ECI_05", "cryptogram": "4BQwsg4yuKt0S1LI1nDZTcO9vUM=", "transactionId": "x"}
		tds[field] = v
		r := postAs(t, h, "", `mutation($in: ForwardCardInput!) { forwardCard(input: $in) { `+settleFields+` } }`,
			map[string]any{"in": map[string]any{"checkoutSessionId": id, "provider": "citizenplane", "paymentMethodId": "pm_card_visa", "threeDSecure": tds}})
		if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors), "BAD_USER_INPUT") {
			t.Errorf("%s %q: %+v", field, v, r.Errors)
		}
	}
	bad := map[string]any{"checkoutSessionId": id, "provider": "citizenplane", "paymentMethodId": "tok_visa",
		"threeDSecure": map[string]any{"version": "V1_0_2", "electronicCommerceIndicator": "ECI_07", "cryptogram": "short", "transactionId": ""}}
	_, ue := settle(t, h, "forwardCard", "ForwardCardInput", bad)
	fields := map[string]string{}
	for _, e := range ue {
		fields[joinField(e.(map[string]any)["field"])] = fmt.Sprint(e.(map[string]any)["message"])
	}
	for _, f := range []string{"input.paymentMethodId", "input.threeDSecure.electronicCommerceIndicator",
		"input.threeDSecure.cryptogram", "input.threeDSecure.transactionId"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("no user error on %s: %v", f, ue)
		}
	}
	if _, ok := fields["input.threeDSecure.version"]; ok || !strings.Contains(fields["input.threeDSecure.electronicCommerceIndicator"], "authentication failed") {
		t.Errorf("version V1_0_2 refused, or ECI_07 without its reason: %v", fields)
	}
	bad["paymentMethodId"], bad["threeDSecure"] = "pm_card_visa", map[string]any{"version": "V2_2_0", "electronicCommerceIndicator": "ECI_06",
		"cryptogram": "4BQwsg4yuKt0S1LI1nDZTcO9vUM=", "transactionId": "f879ea1c-aa2c-4441-806d-e30406466d79"}
	if _, ue := settle(t, h, "forwardCard", "ForwardCardInput", bad); len(ue) != 1 || !strings.Contains(fmt.Sprint(ue), "attempt acknowledged") {
		t.Errorf("ECI 06: %v", ue)
	}
	bad["threeDSecure"].(map[string]any)["electronicCommerceIndicator"] = "ECI_05"
	s = mustSettle(t, h, "forwardCard", "ForwardCardInput", bad)
	if s["status"] != "AUTHORIZED" || dig(s, "paymentActions", 0, "done") != true {
		t.Fatalf("forwarded: %v", s)
	}
	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "BOOKED" || dig(s, "payment", "capturedAmount", "amount") != "0.00" {
		t.Fatalf("booked: %v", s)
	}

	// The sandbox forwards a declining test card: CitizenPlane declines
	// it, nothing is booked, and the session waits for another card (see
	// TestForwardedCardDeclinedIsRetryable).
	id = openSettled(t, h, "citizenplane", "CARD_FORWARD")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	s = mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4000000000000002"})
	if s["status"] != "AUTHORIZED" {
		t.Fatalf("forwarded in the sandbox: %v", s)
	}
	s, ue = settle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "PAYMENT_PENDING" || len(ue) != 1 || dig(ue, 0, "code") != "CARD_DECLINED" {
		t.Errorf("declined forwarded card: %v %v", s, ue)
	}
}

// TestSettlementRefused: a mode the provider does not have, and a
// provider not in the offer, are user errors naming the field.
func TestSettlementRefused(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	r := post(t, h, flowSearch, map[string]any{"p": []string{"citizenplane"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	_, ue := settle(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars,
		"settlements": []any{map[string]any{"provider": "citizenplane", "mode": "PROVIDER_INTENT"},
			map[string]any{"provider": "liteapi", "mode": "MERCHANT"}}})
	if len(ue) != 2 || joinField(dig(ue, 0, "field")) != "input.settlements.0.mode" || joinField(dig(ue, 1, "field")) != "input.settlements.1.provider" {
		t.Errorf("user errors %v", ue)
	}
}

func joinField(f any) string {
	out := ""
	for i, p := range f.([]any) {
		if i > 0 {
			out += "."
		}
		out += p.(string)
	}
	return out
}

// TestSettlementReconciles: in PROVIDER_INTENT and CARD_FORWARD modes a
// booking whose answer is lost leaves the session NEEDS_ATTENTION, and the
// reconciler finds the one booking by replaying the same request (the
// same transactionId, the same payment_method), charging nothing of ours.
func TestSettlementReconciles(t *testing.T) {
	for _, tc := range []struct{ provider, mode string }{{"liteapi", "PROVIDER_INTENT"}, {"citizenplane", "CARD_FORWARD"}} {
		t.Run(tc.mode, func(t *testing.T) {
			a := newTestApp(t, nil)
			h := a.Handler
			id := openSettled(t, h, tc.provider, tc.mode)
			mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
			mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id})
			knobs := a.Simulators[tc.provider]
			knobs.SetFailure("book", sim.FailAfter)
			defer knobs.SetFailure("book", sim.FailNone)
			s, _ := settle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
			if s["status"] != "NEEDS_ATTENTION" {
				t.Fatalf("lost answer: %v", s)
			}
			if n, err := a.Checkout.Reconcile(context.Background()); err != nil || n != 1 {
				t.Fatalf("Reconcile = %d, %v", n, err)
			}
			r := postAs(t, h, "", `query($id: ID!) { node(id: $id) { ... on CheckoutSession { status bookings { provider } payment { capturedAmount { amount } } } } }`, map[string]any{"id": id})
			if dig(r.Data, "node", "status") != "BOOKED" || len(dig(r.Data, "node", "bookings").([]any)) != 1 ||
				dig(r.Data, "node", "payment", "capturedAmount", "amount") != "0.00" {
				t.Errorf("reconciled: %v", r.Data)
			}
		})
	}
}
