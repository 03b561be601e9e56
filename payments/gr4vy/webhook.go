package gr4vy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhook headers, as Gr4vy documents them
// (docs.gr4vy.com/guides/features/webhooks/signatures).
const (
	// HeaderWebhookID is the delivery's id, the same across retries: the
	// idempotency value of a webhook.
	HeaderWebhookID = "X-Gr4vy-Webhook-ID"
	// HeaderWebhookTimestamp is the UNIX time in seconds the signatures
	// were made at.
	HeaderWebhookTimestamp = "X-Gr4vy-Webhook-Timestamp"
	// HeaderWebhookSignatures is a comma-separated list of signatures, one
	// per active secret of the subscription.
	HeaderWebhookSignatures = "X-Gr4vy-Webhook-Signatures"
)

// WebhookTolerance is how old a webhook's timestamp may be before it is
// refused as a replay (Gr4vy's step 4, optional; the SDKs take it as a
// parameter). Gr4vy signs every retry afresh, so a legitimate retry passes.
const WebhookTolerance = 5 * time.Minute

// Event is a webhook's payload: one event naming a resource that changed
// (docs.gr4vy.com/guides/features/webhooks/payload). Target is the
// resource as the API returns it; only its type and id are trusted, and
// only to know what to read back from the API.
type Event struct {
	Type              string      `json:"type"` // event
	ID                string      `json:"id"`
	Name              string      `json:"name"` // transaction.captured, refund.succeeded, ...
	CreatedAt         string      `json:"created_at"`
	MerchantAccountID string      `json:"merchant_account_id"`
	Gr4vyID           string      `json:"gr4vy_id"`
	Environment       string      `json:"environment"`
	Target            EventTarget `json:"target"`
}

// EventTarget is the changed resource of an Event; the rest of its fields
// are the resource's (a transaction's status, a refund's ...).
type EventTarget struct {
	Type string `json:"type"` // transaction, refund, payment-method, ...
	ID   string `json:"id"`
}

// SignWebhook is the signature of payload at timestamp ts with secret:
// the hex HMAC-SHA256 of "{timestamp}.{payload}".
func SignWebhook(secret string, ts int64, payload []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(payload)
	return hex.EncodeToString(m.Sum(nil))
}

// ErrWebhookSignature is a webhook whose headers do not verify.
var ErrWebhookSignature = errors.New("gr4vy: webhook signature does not verify")

// VerifyWebhook checks a webhook delivery's headers against secret as
// Gr4vy documents it: one of the comma-separated signatures must equal
// SignWebhook(secret, timestamp, payload), and the timestamp must be no
// older than WebhookTolerance at now (nor that far ahead). It then decodes
// the event; the event's id is the X-Gr4vy-Webhook-ID header when given.
// Every failure wraps ErrWebhookSignature, except a payload that verifies
// but is not an event.
func VerifyWebhook(secret string, payload []byte, h http.Header, now time.Time) (*Event, error) {
	if secret == "" {
		return nil, fmt.Errorf("%w: no webhook secret configured", ErrWebhookSignature)
	}
	sigs, tsText := h.Get(HeaderWebhookSignatures), h.Get(HeaderWebhookTimestamp)
	if sigs == "" || tsText == "" {
		return nil, fmt.Errorf("%w: missing %s or %s", ErrWebhookSignature, HeaderWebhookSignatures, HeaderWebhookTimestamp)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: timestamp %q", ErrWebhookSignature, tsText)
	}
	want := []byte(SignWebhook(secret, ts, payload))
	ok := false
	for _, s := range strings.Split(sigs, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), want) {
			ok = true
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: no signature matches", ErrWebhookSignature)
	}
	if age := now.Sub(time.Unix(ts, 0)); age > WebhookTolerance || age < -WebhookTolerance {
		return nil, fmt.Errorf("%w: timestamp %d is %s away from now", ErrWebhookSignature, ts, age.Round(time.Second))
	}
	var ev Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("gr4vy: webhook payload: %w", err)
	}
	if id := h.Get(HeaderWebhookID); id != "" {
		ev.ID = id
	}
	if ev.ID == "" || ev.Target.Type == "" || ev.Target.ID == "" {
		return nil, errors.New("gr4vy: webhook payload lacks the event id or its target")
	}
	return &ev, nil
}

// VerifyWebhook verifies a delivery with the gateway's webhook secret
// (Config.WebhookSecret) at the gateway's clock.
func (g *Gateway) VerifyWebhook(payload []byte, h http.Header) (*Event, error) {
	return VerifyWebhook(g.cfg.WebhookSecret, payload, h, g.cfg.Now())
}
