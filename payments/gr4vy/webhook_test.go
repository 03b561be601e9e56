package gr4vy_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/gr4vy"
	"github.com/faregraph/faregraph/payments/gr4vy/gr4vysim"
)

// TestVerifyWebhook: a delivery verifies when one of its signatures is
// the hex HMAC-SHA256 of "{timestamp}.{payload}" with the subscription
// secret and its timestamp is recent
// (docs.gr4vy.com/guides/features/webhooks/signatures); anything else is
// ErrWebhookSignature.
func TestVerifyWebhook(t *testing.T) {
	now := time.Unix(1744018920, 0)
	payload := []byte(`{"type":"event","id":"e1","name":"transaction.captured","target":{"type":"transaction","id":"tx1","status":"capture_succeeded"}}`)
	headers := func(ts int64, sigs string) http.Header {
		h := http.Header{}
		h.Set(gr4vy.HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
		h.Set(gr4vy.HeaderWebhookSignatures, sigs)
		return h
	}
	good := gr4vy.SignWebhook("s3cret", now.Unix(), payload)
	if len(good) != 64 || good == gr4vy.SignWebhook("s3cret", now.Unix()+1, payload) || good == gr4vy.SignWebhook("other", now.Unix(), payload) {
		t.Fatalf("signature %q does not depend on the timestamp and secret", good)
	}
	// Any of several signatures (one per active secret) may match.
	ev, err := gr4vy.VerifyWebhook("s3cret", payload, headers(now.Unix(), "deadbeef,"+good), now.Add(time.Minute))
	if err != nil || ev.ID != "e1" || ev.Target.Type != "transaction" || ev.Target.ID != "tx1" || ev.Name != "transaction.captured" {
		t.Fatalf("verified: %+v %v", ev, err)
	}
	h := headers(now.Unix(), good)
	h.Set(gr4vy.HeaderWebhookID, "delivery-7")
	if ev, err := gr4vy.VerifyWebhook("s3cret", payload, h, now); err != nil || ev.ID != "delivery-7" {
		t.Fatalf("X-Gr4vy-Webhook-ID is the event id: %+v %v", ev, err)
	}
	for name, c := range map[string]struct {
		secret  string
		payload []byte
		h       http.Header
		at      time.Time
	}{
		"tampered":        {"s3cret", append([]byte(" "), payload...), headers(now.Unix(), good), now},
		"wrong secret":    {"other", payload, headers(now.Unix(), good), now},
		"no secret":       {"", payload, headers(now.Unix(), good), now},
		"no signatures":   {"s3cret", payload, headers(now.Unix(), ""), now},
		"bad timestamp":   {"s3cret", payload, http.Header{gr4vy.HeaderWebhookTimestamp: {"soon"}, gr4vy.HeaderWebhookSignatures: {good}}, now},
		"too old":         {"s3cret", payload, headers(now.Unix(), good), now.Add(gr4vy.WebhookTolerance + time.Second)},
		"from the future": {"s3cret", payload, headers(now.Unix(), good), now.Add(-gr4vy.WebhookTolerance - time.Second)},
	} {
		if _, err := gr4vy.VerifyWebhook(c.secret, c.payload, c.h, c.at); !errors.Is(err, gr4vy.ErrWebhookSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	notEvent := []byte(`{"type":"event"}`)
	if _, err := gr4vy.VerifyWebhook("s3cret", notEvent, headers(now.Unix(), gr4vy.SignWebhook("s3cret", now.Unix(), notEvent)), now); err == nil || errors.Is(err, gr4vy.ErrWebhookSignature) {
		t.Errorf("an event without target: %v", err)
	}
}

// TestThreeDSecureAndWebhooks: the 3-D Secure test card leaves the intent
// RequiresAction with the approval page; passing it authorizes, and the
// simulator signs a webhook for each change that verifies with the
// gateway's secret.
func TestThreeDSecureAndWebhooks(t *testing.T) {
	ctx := context.Background()
	key, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	sim := gr4vysim.New(&key.PublicKey, nil)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	var (
		mu  sync.Mutex
		got []*gr4vy.Event
		g   *gr4vy.Gateway
	)
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&body)
		ev, err := g.VerifyWebhook(body, r.Header)
		if err != nil {
			t.Errorf("webhook: %v", err)
			w.WriteHeader(400)
			return
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}))
	defer hooks.Close()
	g, _ = gr4vy.New(gr4vy.Config{URL: srv.URL, PrivateKey: key, WebhookSecret: "whsec", RedirectURL: "https://app.example/back"})
	sim.SetWebhook(hooks.URL, "whsec")

	in, err := g.CreateIntent(ctx, payments.CreateRequest{Key: "cs_3ds", Amount: 17000, Currency: "EUR", Order: order()})
	if err != nil {
		t.Fatal(err)
	}
	in, err = g.Confirm(ctx, in.ID, gr4vysim.CardThreeDSecure)
	if err != nil || in.Status != payments.RequiresAction || in.ActionURL == "" {
		t.Fatalf("3-D Secure card: %+v %v", in, err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(in.ActionURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://app.example/back?gr4vy_transaction_id=") {
		t.Fatalf("back to the redirect_url: %d %s", resp.StatusCode, loc)
	}
	if in, err = g.GetIntent(ctx, in.ID); err != nil || in.Status != payments.Authorized || in.ActionURL != "" {
		t.Fatalf("after approval: %+v %v", in, err)
	}
	sim.Deliveries()
	// The simulator sends each webhook on its own, as Gr4vy gives no
	// order: compare as a set.
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
	if len(got) != 2 || got[0].Name != "transaction.authorization_succeeded" || got[1].Name != "transaction.buyer_approval_pending" || got[0].Target.Type != "transaction" {
		t.Fatalf("webhooks %+v", got)
	}
	tx, err := g.Transaction(ctx, got[0].Target.ID)
	if err != nil || tx.CheckoutSessionID != in.ID || tx.Status != gr4vy.TxAuthorized {
		t.Fatalf("transaction read back: %+v %v", tx, err)
	}
}

// TestPendingRefundSettles: a refund answered processing is PENDING and
// GetRefund follows it until it succeeds; an unknown refund is NotFound.
func TestPendingRefundSettles(t *testing.T) {
	ctx := context.Background()
	g, sim := setup(t)
	sim.PendingRefunds(2)
	in, _ := g.CreateIntent(ctx, payments.CreateRequest{Key: "cs_rf", Amount: 17000, Currency: "EUR", Order: order()})
	if _, err := g.Confirm(ctx, in.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Capture(ctx, in.ID, 17000); err != nil {
		t.Fatal(err)
	}
	r := g.Refunds()
	rf, err := r.Refund(ctx, in.ID, "cn_1", 5000)
	if err != nil || rf.Status != payments.RefundPending || rf.Amount != 5000 {
		t.Fatalf("refund: %+v %v", rf, err)
	}
	if again, err := r.Refund(ctx, in.ID, "cn_1", 5000); err != nil || again.ID != rf.ID {
		t.Fatalf("a repeated refund reaches the same one: %+v %v", again, err)
	}
	if st, _ := r.GetRefund(ctx, rf.ID); st.Status != payments.RefundPending {
		t.Fatalf("first read: %+v", st)
	}
	if st, _ := r.GetRefund(ctx, rf.ID); st.Status != payments.RefundSucceeded || st.Currency != "EUR" {
		t.Fatalf("second read: %+v", st)
	}
	if _, err := r.GetRefund(ctx, "nope"); !errors.Is(err, payments.ErrNotFound) {
		t.Errorf("unknown refund: %v", err)
	}
}
