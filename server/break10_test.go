package server_test

import (
	"testing"
)

// TestBreak10ForwardCardAgainAfterAuthorized: forwarding a card again once
// the session is AUTHORIZED (the CARD_FORWARD session became AUTHORIZED
// when the first card was forwarded and pay ran) answers success with no
// user error and no warning, but the new card is silently ignored: the
// booking is charged to (here: refused on) the first card. The app cannot
// tell. Either the new card must replace the old one (the code comment on
// ForwardCard: "Forwarding again replaces the card of parts not yet
// booked"), or the call must answer a user error.
func TestBreak10ForwardCardAgainAfterAuthorized(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	id := openSettled(t, h, "citizenplane", "CARD_FORWARD")
	// The traveller's first card declines at CitizenPlane.
	mustSettle(t, h, "forwardCard", "ForwardCardInput", map[string]any{"checkoutSessionId": id, "provider": "citizenplane", "paymentMethodId": "pm_card_chargeDeclined"})
	s := mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	if s["status"] != "AUTHORIZED" {
		t.Fatalf("paid: %v", s)
	}
	// The app forwards a good card: accepted without any user error.
	s, ue := settle(t, h, "forwardCard", "ForwardCardInput", map[string]any{"checkoutSessionId": id, "provider": "citizenplane", "paymentMethodId": "pm_card_visa"})
	if len(ue) > 0 {
		return // refusing is an acceptable answer
	}
	s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id})
	if s["status"] != "BOOKED" {
		t.Errorf("forwardCard(pm_card_visa) on an AUTHORIZED session answered success, but the booking used the earlier card: %v", s)
	}
}
