package server_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/payments/gr4vy/gr4vysim"
)

// TestGr4vyThreeDSecureAgainstStandaloneSimulators: a server pointed, with
// nothing but the settings faregraph simulators prints, at the Gr4vy
// simulator it serves under /gr4vy, and with no webhook (none is
// configured for it). The 3-D Secure card's actionUrl is on the
// simulator's own mount (/gr4vy/sim/approve/<transaction>: it used to
// miss the prefix and answer 404), the printed GR4VY_REDIRECT_URL makes
// Gr4vy run the challenge (without it the card failed at once), the page
// answers and sends the buyer to the simulator's return page, and the
// sweeper reads the payment back: the session is AUTHORIZED within a
// sweep, with no mutation, and then books.
func TestGr4vyThreeDSecureAgainstStandaloneSimulators(t *testing.T) {
	ss, err := app.StartSimulators(app.SimConfig{}, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	env := ss.Gr4vyEnv
	if env["GR4VY_REDIRECT_URL"] != ss.URL+"/gr4vy/sim/returned" {
		t.Fatalf("printed settings %v", env)
	}
	pem, err := os.ReadFile(env["GR4VY_PRIVATE_KEY_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	clock := newMovable(apptest.Now)
	a := newTestApp(t, func(c *app.Config) {
		c.Gateway, c.Now, c.AllowSandboxPayments = "gr4vy", clock.Now, true
		c.Gr4vy.URL, c.Gr4vy.PrivateKeyPEM, c.Gr4vy.RedirectURL = env["GR4VY_API_URL"], string(pem), env["GR4VY_REDIRECT_URL"]
	})
	h := a.Handler
	id := openSettled(t, h, "liteapi", "MERCHANT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": gr4vysim.CardThreeDSecure})
	s := sessionNow(t, h, id)
	url, _ := dig(s, "paymentActions", 0, "actionUrl").(string)
	if s["status"] != "PAYMENT_PENDING" || dig(s, "payment", "status") != "REQUIRES_ACTION" || !strings.HasPrefix(url, ss.URL+"/gr4vy/sim/approve/") {
		t.Fatalf("after the 3-D Secure card: %v", s)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/gr4vy/sim/returned" ||
		!strings.Contains(resp.Request.URL.RawQuery, "gr4vy_transaction_status=authorization_succeeded") {
		t.Fatalf("approval page: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// No webhook: the session waits until the sweeper reads the payment.
	if s = sessionNow(t, h, id); s["status"] != "PAYMENT_PENDING" {
		t.Fatalf("before a sweep: %v", s)
	}
	clock.Add(15 * time.Second)
	if _, _, err := a.Checkout.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s = sessionNow(t, h, id); s["status"] != "AUTHORIZED" || dig(s, "payment", "status") != "AUTHORIZED" || dig(s, "paymentActions", 0, "done") != true {
		t.Fatalf("after a sweep: %v", s)
	}
	if s = mustSettle(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"checkoutSessionId": id}); s["status"] != "BOOKED" {
		t.Fatalf("booked: %v", s)
	}
}

// TestGr4vyWaitingPaymentReadBackWithBackoff: a challenge the buyer never
// completes is read back at growing intervals (15 s, 15 s, 30 s, 1 min, ...)
// rather than every sweep, and a failed challenge is seen without a
// webhook too: the payment FAILED, the session PAYMENT_PENDING for
// another card.
func TestGr4vyWaitingPaymentReadBackWithBackoff(t *testing.T) {
	clock := newMovable(apptest.Now)
	a := newTestApp(t, gr4vyWith(clock)) // in-process simulator, no webhook connected
	h := a.Handler
	id := openSettled(t, h, "liteapi", "MERCHANT")
	mustSettle(t, h, "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"checkoutSessionId": id, "method": "CARD"})
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": gr4vysim.CardThreeDSecure})
	txID := paymentIntentID(t, a, id)
	reads := func() int {
		n := 0
		for _, c := range a.Gr4vySim.Calls() {
			if strings.HasPrefix(c, "GET /checkout/sessions/") {
				n++
			}
		}
		return n
	}
	before := reads()
	for range 16 { // 4 minutes of sweeps, every 15 s
		clock.Add(15 * time.Second)
		if _, _, err := a.Checkout.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Due 15 s after the card, then 15 s, 30 s, 1 min and 2 min later:
	// 5 reads in 4 minutes (16 sweeps).
	if got := reads() - before; got != 5 {
		t.Errorf("%d reads of the waiting payment in 4 minutes of sweeps", got)
	}
	s := sessionNow(t, h, id)
	url, _ := dig(s, "paymentActions", 0, "actionUrl").(string)
	resp, err := http.Get(url + "?outcome=decline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	clock.Add(5 * time.Minute)
	if _, _, err := a.Checkout.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s = sessionNow(t, h, id); s["status"] != "PAYMENT_PENDING" || dig(s, "payment", "status") != "FAILED" {
		t.Fatalf("after a failed challenge and a sweep: %v (transaction %s)", s, txID)
	}
}
