package server_test

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers/sim"
)

const refundCancelMutation = `mutation($in: CancelBookingInput!) { cancelBooking(input: $in) {
  cancellation { id status refunded { amount currencyCode } providerRefunded { amount currencyCode } refundedBy refundStatus failure }
  userErrors { field code message } } }`

// minor turns a Money amount ("1234.50", "15230") into minor units of a
// currency with digits decimals.
func minor(t *testing.T, amount string, digits int) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(amount, ".")
	if len(frac) != digits {
		t.Fatalf("amount %q has %d decimals, want %d", amount, len(frac), digits)
	}
	n, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok {
		t.Fatalf("amount %q", amount)
	}
	return n.Int64()
}

// sandboxRefunds are the refunds the sandbox gateway made.
func sandboxRefunds(t *testing.T, a *app.App) []db.SandboxRefundRow {
	t.Helper()
	var rows []db.SandboxRefundRow
	if err := a.DB.NewSelect().Model(&rows).Order("created_at ASC").Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestRefundOfAConvertedPart: a LiteAPI Flex fare searched in JPY (LiteAPI
// prices in EUR, EUR, USD, GBP or CHF only: the offer is converted) and
// paid by card in JPY, canceled after the void window: LiteAPI refunds
// 90% of its EUR price, which the cancellation records as
// providerRefunded in EUR; the traveller gets back through the gateway
// the same share of the yen they paid (rounded down to the yen), not the
// EUR refund converted again at some later rate.
func TestRefundOfAConvertedPart(t *testing.T) {
	clock := sim.NewClock(apptest.Now)
	a := newTestApp(t, func(c *app.Config) { c.Now, c.Sim.Now = clock.Now, clock.Now })
	h := a.Handler
	r := post(t, h, `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: ["liteapi"], currencyCode: "JPY"}) {
	  offers(first: 100) { edges { node { id fareBrand totalPrice { amount currencyCode } parts { providerTotalPrice { amount currencyCode } } } } } } }`, nil)
	var offer map[string]any
	for _, e := range dig(r.Data, "searchOffers", "offers", "edges").([]any) {
		if n := e.(map[string]any)["node"].(map[string]any); n["fareBrand"] == "Flex" {
			offer = n
			break
		}
	}
	if offer == nil {
		t.Fatalf("no Flex (refundable) LiteAPI offer: %v %v", r.Data, r.Errors)
	}
	if dig(offer, "totalPrice", "currencyCode") != "JPY" || dig(offer, "parts", 0, "providerTotalPrice", "currencyCode") != "EUR" {
		t.Fatalf("want a EUR fare converted to JPY: %v", offer)
	}
	providerTotal := minor(t, dig(offer, "parts", 0, "providerTotalPrice", "amount").(string), 2)

	s := mutate(t, h, "", "checkout", "CheckoutInput", map[string]any{"in": map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"], "cardNumber": "4242424242424242"}})
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": s["id"]}})
	bk := dig(s, "bookings", 0).(map[string]any)
	if s["status"] != "BOOKED" || dig(s, "total", "currencyCode") != "JPY" {
		t.Fatalf("booked %v", s)
	}
	paid := minor(t, dig(bk, "total", "amount").(string), 0)

	// Past LiteAPI's void window: the Flex fare keeps 10%.
	clock.Advance(25 * time.Hour)
	r = post(t, h, quoteMutation, map[string]any{"in": map[string]any{"bookingId": bk["id"]}})
	q := dig(r.Data, "cancellationQuote", "cancellation").(map[string]any)
	providerRefund := providerTotal - providerTotal*10/100
	share := new(big.Int).Mul(big.NewInt(paid), big.NewInt(providerRefund))
	want := share.Quo(share, big.NewInt(providerTotal)).Int64()
	if q["refundable"] != true || dig(q, "refund", "currencyCode") != "JPY" || minor(t, dig(q, "refund", "amount").(string), 0) != want {
		t.Fatalf("quote %v %v, want a refund of %d JPY (%d of %d EUR cents of %d JPY paid)", r.Data, r.Errors, want, providerRefund, providerTotal, paid)
	}
	if want <= 0 || want >= paid {
		t.Fatalf("the expected refund %d is not a part of the %d paid: the test proves nothing", want, paid)
	}

	r = post(t, h, refundCancelMutation, map[string]any{"in": map[string]any{"quoteId": q["id"], "idempotencyKey": "cancel-jpy"}})
	c := dig(r.Data, "cancelBooking", "cancellation").(map[string]any)
	if c["status"] != "COMPLETED" || c["refundedBy"] != "GATEWAY" || c["refundStatus"] != "SUCCEEDED" ||
		dig(c, "refunded", "currencyCode") != "JPY" || minor(t, dig(c, "refunded", "amount").(string), 0) != want ||
		dig(c, "providerRefunded", "currencyCode") != "EUR" || minor(t, dig(c, "providerRefunded", "amount").(string), 2) != providerRefund {
		t.Fatalf("cancellation %v %v, want %d JPY refunded for LiteAPI's %d EUR cents", r.Data, r.Errors, want, providerRefund)
	}
	refunds := sandboxRefunds(t, a)
	if len(refunds) != 1 || refunds[0].Amount != want || refunds[0].Currency != "JPY" {
		t.Errorf("gateway refunds %+v, want one of %d JPY", refunds, want)
	}
	r = post(t, h, `query($id: ID!) { booking(id: $id) { status } }`, map[string]any{"id": bk["id"]})
	if dig(r.Data, "booking", "status") != "CANCELED" {
		t.Errorf("booking %v", r.Data)
	}
}

// TestRefundOfAProviderPaidPart: a LiteAPI part paid through LiteAPI's own
// payment intent (PROVIDER_INTENT) is canceled: the booking reads
// CANCELED, the cancellation is COMPLETED with the refund recorded as the
// provider's (refundedBy PROVIDER, its amount in the provider's
// currency), and our gateway makes no refund.
func TestRefundOfAProviderPaidPart(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	id := openSettled(t, h, "liteapi", "PROVIDER_INTENT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id})
	s := mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "BOOKED" {
		t.Fatalf("booked %v", s)
	}
	r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { bookings { id total { amount currencyCode } } } }`, map[string]any{"id": id})
	bk := dig(r.Data, "checkoutSession", "bookings", 0).(map[string]any)

	r = post(t, h, quoteMutation, map[string]any{"in": map[string]any{"bookingId": bk["id"]}})
	q := dig(r.Data, "cancellationQuote", "cancellation").(map[string]any)
	if q["refundable"] != true || dig(q, "refund", "amount") != dig(bk, "total", "amount") {
		t.Fatalf("quote %v %v", r.Data, r.Errors)
	}
	r = post(t, h, refundCancelMutation, map[string]any{"in": map[string]any{"quoteId": q["id"]}})
	c := dig(r.Data, "cancelBooking", "cancellation").(map[string]any)
	if c["status"] != "COMPLETED" || c["refundedBy"] != "PROVIDER" || c["refundStatus"] != "SUCCEEDED" || c["failure"] != nil ||
		dig(c, "refunded", "amount") != dig(bk, "total", "amount") ||
		dig(c, "providerRefunded", "amount") != dig(bk, "total", "amount") || dig(c, "providerRefunded", "currencyCode") != dig(bk, "total", "currencyCode") {
		t.Fatalf("cancellation %v %v (booking %v)", r.Data, r.Errors, bk)
	}
	if refunds := sandboxRefunds(t, a); len(refunds) != 0 {
		t.Errorf("our gateway refunded %+v; the provider refunds this part", refunds)
	}
	r = post(t, h, `query($id: ID!) { booking(id: $id) { status cancellations { status refundedBy } } }`, map[string]any{"id": bk["id"]})
	if dig(r.Data, "booking", "status") != "CANCELED" || dig(r.Data, "booking", "cancellations", 0, "refundedBy") != "PROVIDER" {
		t.Errorf("booking %v %v", r.Data, r.Errors)
	}
}
