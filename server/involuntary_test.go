package server_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers/sim"
)

// TestAirlineCancellationRefundedInFull: the airline cancels a booking
// (the simulator's knob POST /sim/<provider>/bookings/<ref>/cancel). The
// next read of the booking records it CANCELED with an INVOLUNTARY
// cancellation that refunds the traveller the part's full amount through
// the gateway that took the card (EU 261/2004 art. 8, 14 CFR part 260):
// a LiteAPI booking, and a CitizenPlane one although its fares are
// non-refundable when the traveller cancels. One refund.succeeded
// webhook each; reading again and sweeping refund nothing more.
func TestAirlineCancellationRefundedInFull(t *testing.T) {
	onBothDatabases(t, airlineCancellationRefundedInFull)
}

func airlineCancellationRefundedInFull(t *testing.T, dbURL string) {
	for _, provider := range []string{"liteapi", "citizenplane"} {
		t.Run(provider, func(t *testing.T) {
			clock := sim.NewClock(apptest.Now)
			a := newTestApp(t, func(c *app.Config) { c.Now, c.DatabaseURL = clock.Now, dbURL })
			h := a.Handler
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			rc := &receiver{clock: clock}
			hook := httptest.NewServer(rc)
			defer hook.Close()
			r := post(t, h, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret } }`,
				map[string]any{"in": map[string]any{"url": hook.URL, "events": []string{"refund.succeeded", "booking.canceled"}}})
			if rc.secret, _ = dig(r.Data, "createWebhookEndpoint", "secret").(string); rc.secret == "" {
				t.Fatalf("create endpoint: %v %v", r.Data, r.Errors)
			}
			b := bookTrip(t, a, provider)
			total := dig(b, "total", "amount").(string)

			if code, out := simCall(t, srv.URL, "POST", "/"+provider+"/bookings/"+b["providerReference"].(string)+"/cancel", ""); code != 200 {
				t.Fatalf("the airline cancels: %d %v", code, out)
			}
			const q = `query($id: ID!) { booking(id: $id) { status changes { kind after }
			  cancellations { id kind status refunded { amount currencyCode } refundedBy refundStatus failure } } }`
			var cancellations []any
			for read := 1; read <= 2; read++ {
				r = post(t, h, q, map[string]any{"id": b["id"]})
				cancellations, _ = dig(r.Data, "booking", "cancellations").([]any)
				// The first read may list it while the reader that recorded
				// it is still refunding (REFUNDING); the next one finds it done.
				st := dig(cancellations, 0, "status")
				if len(cancellations) != 1 || dig(cancellations, 0, "kind") != "INVOLUNTARY" || dig(cancellations, 0, "refunded", "amount") != total ||
					!(st == "COMPLETED" && dig(cancellations, 0, "refundedBy") == "GATEWAY" && dig(cancellations, 0, "refundStatus") == "SUCCEEDED" ||
						read == 1 && st == "REFUNDING") {
					t.Fatalf("read %d: cancellations %v %v, want one INVOLUNTARY refunding %s in full", read, cancellations, r.Errors, total)
				}
			}
			// The status read in the same query may be the first to see it;
			// a later read answers CANCELED from the store.
			r = post(t, h, q, map[string]any{"id": b["id"]})
			if dig(r.Data, "booking", "status") != "CANCELED" {
				t.Errorf("booking status %v", dig(r.Data, "booking", "status"))
			}
			clock.Advance(25 * 60 * 60 * 1e9)
			if err := a.Sweep(t.Context()); err != nil {
				t.Fatal(err)
			}
			local, err := decodeGlobal(dig(cancellations, 0, "id").(string))
			if err != nil {
				t.Fatal(err)
			}
			var refunds []db.SandboxRefundRow // of this cancellation (the database may be shared)
			for _, re := range sandboxRefunds(t, a) {
				if strings.HasSuffix(re.Key, strings.TrimPrefix(local, "BookingCancellation:")) {
					refunds = append(refunds, re)
				}
			}
			if len(refunds) != 1 || refunds[0].Amount != minor(t, total, 2) {
				t.Errorf("sandbox refunds %+v, want one of %s", refunds, total)
			}
			if _, err := a.Events.Deliver(t.Context()); err != nil {
				t.Fatal(err)
			}
			rc.mu.Lock()
			types, bad := append([]string(nil), rc.types...), rc.bad
			rc.mu.Unlock()
			if bad != 0 || len(types) != 2 || !contains(types, "booking.canceled") || !contains(types, "refund.succeeded") {
				t.Errorf("webhooks %v (%d bad), want booking.canceled and refund.succeeded once each", types, bad)
			}
			// A quote of the canceled booking says why, naming the refund.
			r = post(t, h, `mutation($b: ID!) { cancellationQuote(input: {bookingId: $b}) { cancellation { id } userErrors { code message } } }`, map[string]any{"b": b["id"]})
			if dig(r.Data, "cancellationQuote", "userErrors", 0, "code") != "NOT_CANCELLABLE" {
				t.Errorf("quote of a booking the airline canceled: %v %v", r.Data, r.Errors)
			}
		})
	}
}
