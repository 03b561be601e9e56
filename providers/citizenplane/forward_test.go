package citizenplane

import (
	"context"
	"fmt"
	"testing"

	"github.com/faregraph/faregraph/providers"
)

// cryptogram is a 3-D Secure cryptogram as the quickstart shows one: 20
// bytes in base64, 28 characters.
const cryptogram = "4BQwsg4yuKt0S1LI1nDZTcO9vUM="

// TestBookCardForward: a forwarded card books with payment_method and
// three_d_secure exactly as the quickstart writes them, and no self_psp;
// the simulator refuses an ECI of 06 as a payment error (422), which
// aborts the requests, and a 07 as invalid (400).
func TestBookCardForward(t *testing.T) {
	ctx := context.Background()
	tds := &providers.ThreeDSecure{Version: "2.2.0", ElectronicCommerceIndicator: "05", Cryptogram: cryptogram,
		TransactionID: "f879ea1c-aa2c-4441-806d-e30406466d79"}

	e := newBookingEnv(t)
	o := e.oneWay(t, providers.Passengers{Adults: 1}, 0)
	p := o.Parts[0]
	h := e.hold(t, p)
	r := bookReq(p, h)
	r.Payment = providers.Payment{Settlement: providers.CardForward, PaymentMethod: "pm_card_visa", ThreeDSecure: tds}
	if _, err := e.c.Book(ctx, r); err != nil {
		t.Fatalf("Book: %v", err)
	}
	jsonEqual(t, e.log.last(t, "POST /v3/bookings"), fmt.Sprintf(`{
		"request_ids": [%s], "customer_code": "faregraph", "external_id": "fg-%s",
		"first_name": "Marie", "last_name": "Curie", "gender": "female",
		"email": "marie@example.com", "phonenumber": "+33600000000",
		"payment_method": "pm_card_visa",
		"three_d_secure": {"version": "2.2.0", "electronic_commerce_indicator": "05",
			"cryptogram": %q, "transaction_id": "f879ea1c-aa2c-4441-806d-e30406466d79"}}`, h.Ref, h.Ref, cryptogram))

	for _, tc := range []struct {
		name string
		eci  string
		pm   string
		want providers.ErrorCode
	}{
		{"attempt acknowledged 06 is a payment error", "06", "pm_card_visa", providers.PaymentDeclined},
		{"failed 07 must not be sent", "07", "pm_card_visa", providers.Rejected},
		{"declined card", "05", "pm_card_chargeDeclined", providers.PaymentDeclined},
		{"not a payment method", "05", "tok_visa", providers.Rejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := e.hold(t, p)
			r := bookReq(p, h)
			d := *tds
			d.ElectronicCommerceIndicator = tc.eci
			r.Payment = providers.Payment{Settlement: providers.CardForward, PaymentMethod: tc.pm, ThreeDSecure: &d}
			if _, err := e.c.Book(ctx, r); providers.CodeOf(err) != tc.want {
				t.Errorf("Book: %v, want %s", err, tc.want)
			}
		})
	}
	if got := e.c.Settlements(); len(got) != 2 || got[1] != providers.CardForward {
		t.Errorf("settlements %v", got)
	}
}
