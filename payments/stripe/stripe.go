// Package stripe is the payments.Gateway on Stripe, through stripe-go v76
// (API version 2023-10-16). The API URL is configurable, so the same code
// runs against Stripe, stripe-mock and the stateful fake in
// payments/paymentstest.
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/faregraph/faregraph/payments"
)

// Config configures a Gateway.
type Config struct {
	// SecretKey is the Stripe secret key (sk_live_..., sk_test_...). Required.
	SecretKey string
	// APIURL is the base URL of the Stripe API, e.g. a stripe-mock's
	// http://127.0.0.1:12111. Empty means Stripe's own.
	APIURL string
	// WebhookSecret is the signing secret of our webhook endpoint
	// (whsec_...); ParseWebhook needs it.
	WebhookSecret string
	// HTTPClient makes the requests; nil means stripe-go's default client.
	HTTPClient *http.Client
	// Timeout bounds one gateway method, stripe-go's own retries included;
	// zero means payments.CallTimeout.
	Timeout time.Duration
}

// MetadataKey is the metadata entry holding CreateRequest.Key on the
// customer and on the PaymentIntent, so a Stripe object leads back to our
// session.
const MetadataKey = "faregraph_key"

// Gateway is a payments.Gateway on Stripe.
type Gateway struct {
	api     *client.API
	cfg     Config
	timeout time.Duration
}

var (
	_ payments.Gateway  = (*Gateway)(nil)
	_ payments.Refunder = (*Gateway)(nil)
)

// New returns a gateway for cfg. It uses its own stripe-go client, never the
// package-level stripe.Key, so several gateways can live side by side.
func New(cfg Config) (*Gateway, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: no secret key")
	}
	bc := &stripego.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// Errors are returned to the caller and wrapped there; stripe-go's
		// own logging would only repeat them on stderr.
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	}
	if cfg.APIURL != "" {
		bc.URL = stripego.String(strings.TrimRight(cfg.APIURL, "/"))
	}
	return &Gateway{
		api:     client.New(cfg.SecretKey, stripego.NewBackendsWithConfig(bc)),
		cfg:     cfg,
		timeout: cfg.Timeout,
	}, nil
}

// Name returns "stripe".
func (g *Gateway) Name() string { return "stripe" }

// CreateIntent creates the customer, the ephemeral key and the manual-capture
// PaymentIntent, each with an idempotency key derived from r.Key
// (payments.CustomerKey, EphemeralKeyKey, IntentKey), so calling it again
// with the same Key returns the same objects for as long as Stripe keeps
// idempotency keys (24 hours).
func (g *Gateway) CreateIntent(ctx context.Context, r payments.CreateRequest) (*payments.Intent, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := payments.Detach(ctx, g.timeout)
	defer cancel()

	meta := make(map[string]string, len(r.Metadata)+1)
	for k, v := range r.Metadata {
		meta[k] = v
	}
	meta[MetadataKey] = r.Key

	cp := &stripego.CustomerParams{Metadata: meta}
	if r.Email != "" {
		cp.Email = stripego.String(r.Email)
	}
	if r.Name != "" {
		cp.Name = stripego.String(r.Name)
	}
	cp.Context = ctx
	cp.SetIdempotencyKey(payments.CustomerKey(r.Key))
	cus, err := g.api.Customers.New(cp)
	if err != nil {
		return nil, mapErr("create customer for "+r.Key, err)
	}

	ekp := &stripego.EphemeralKeyParams{
		Customer:      stripego.String(cus.ID),
		StripeVersion: stripego.String(stripego.APIVersion),
	}
	ekp.Context = ctx
	ekp.SetIdempotencyKey(payments.EphemeralKeyKey(r.Key))
	ek, err := g.api.EphemeralKeys.New(ekp)
	if err != nil {
		return nil, mapErr("create ephemeral key for "+r.Key, err)
	}

	pp := &stripego.PaymentIntentParams{
		Amount:        stripego.Int64(r.Amount),
		Currency:      stripego.String(strings.ToLower(r.Currency)),
		Customer:      stripego.String(cus.ID),
		CaptureMethod: stripego.String(string(stripego.PaymentIntentCaptureMethodManual)),
		AutomaticPaymentMethods: &stripego.PaymentIntentAutomaticPaymentMethodsParams{
			Enabled: stripego.Bool(true),
		},
	}
	pp.Metadata = meta
	if r.Description != "" {
		pp.Description = stripego.String(r.Description)
	}
	pp.Context = ctx
	pp.SetIdempotencyKey(payments.IntentKey(r.Key))
	pi, err := g.api.PaymentIntents.New(pp)
	if err != nil {
		return nil, mapErr("create payment intent for "+r.Key, err)
	}
	in := toIntent(pi)
	if in.CustomerID == "" {
		in.CustomerID = cus.ID
	}
	in.EphemeralKey = ek.Secret
	return in, nil
}

// GetIntent retrieves the intent with its latest charge, for the card summary.
func (g *Gateway) GetIntent(ctx context.Context, id string) (*payments.Intent, error) {
	if id == "" {
		return nil, fmt.Errorf("stripe: get intent: empty id: %w", payments.ErrNotFound)
	}
	ctx, cancel := payments.Detach(ctx, g.timeout)
	defer cancel()
	return g.get(ctx, id)
}

func (g *Gateway) get(ctx context.Context, id string) (*payments.Intent, error) {
	p := &stripego.PaymentIntentParams{}
	p.Context = ctx
	p.AddExpand("latest_charge")
	pi, err := g.api.PaymentIntents.Get(id, p)
	if err != nil {
		return nil, mapErr("get intent "+id, err)
	}
	return toIntent(pi), nil
}

// Capture captures amount with the idempotency key payments.CaptureKey. When
// Stripe answers that the intent is in an unexpected state, Capture looks
// the intent up: a Captured intent is returned as it is.
//
// Stripe keeps the answer to a request under its idempotency key for 24
// hours, refusals included: a capture refused because the intent was not
// authorized yet is refused again, for the same amount, even after it is.
// Capture an intent only once GetIntent (or a webhook) saw it Authorized.
func (g *Gateway) Capture(ctx context.Context, id string, amount int64) (*payments.Intent, error) {
	if amount <= 0 {
		return nil, fmt.Errorf("stripe: capture %s: amount %d is not positive", id, amount)
	}
	ctx, cancel := payments.Detach(ctx, g.timeout)
	defer cancel()
	p := &stripego.PaymentIntentCaptureParams{AmountToCapture: stripego.Int64(amount)}
	p.Context = ctx
	p.AddExpand("latest_charge")
	p.SetIdempotencyKey(payments.CaptureKey(id, amount))
	pi, err := g.api.PaymentIntents.Capture(id, p)
	if err != nil {
		err = mapErr(fmt.Sprintf("capture %d of %s", amount, id), err)
		return g.settled(ctx, id, payments.Captured, err)
	}
	return toIntent(pi), nil
}

// Cancel cancels with the idempotency key payments.CancelKey. When Stripe
// answers that the intent is in an unexpected state, Cancel looks the intent
// up: a Canceled intent is returned as it is.
func (g *Gateway) Cancel(ctx context.Context, id string) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, g.timeout)
	defer cancel()
	p := &stripego.PaymentIntentCancelParams{}
	p.Context = ctx
	p.AddExpand("latest_charge")
	p.SetIdempotencyKey(payments.CancelKey(id))
	pi, err := g.api.PaymentIntents.Cancel(id, p)
	if err != nil {
		err = mapErr("cancel "+id, err)
		return g.settled(ctx, id, payments.Canceled, err)
	}
	return toIntent(pi), nil
}

// Refund refunds amount of the captured intent id with the idempotency key
// payments.RefundKey(key), our id of the refund kept in its metadata
// (faregraph_refund): the same key always reaches the same Stripe refund.
func (g *Gateway) Refund(ctx context.Context, id, key string, amount int64) (*payments.Refund, error) {
	if amount <= 0 {
		return nil, fmt.Errorf("stripe: refund %s: amount %d is not positive", id, amount)
	}
	ctx, cancel := payments.Detach(ctx, g.timeout)
	defer cancel()
	p := &stripego.RefundParams{PaymentIntent: stripego.String(id), Amount: stripego.Int64(amount)}
	p.Context = ctx
	p.AddMetadata("faregraph_refund", key)
	p.SetIdempotencyKey(payments.RefundKey(key))
	re, err := g.api.Refunds.New(p)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("refund %d of %s", amount, id), err)
	}
	return toRefund(re), nil
}

// GetRefund reads a refund (GET /v1/refunds/{id}).
func (g *Gateway) GetRefund(ctx context.Context, refundID string) (*payments.Refund, error) {
	ctx, cancel := payments.Detach(ctx, g.timeout)
	defer cancel()
	p := &stripego.RefundParams{}
	p.Context = ctx
	re, err := g.api.Refunds.Get(refundID, p)
	if err != nil {
		return nil, mapErr("get refund "+refundID, err)
	}
	return toRefund(re), nil
}

// toRefund maps a Stripe refund: succeeded is SUCCEEDED, failed and
// canceled FAILED, anything else (pending, requires_action) PENDING.
func toRefund(re *stripego.Refund) *payments.Refund {
	st := payments.RefundPending
	switch re.Status {
	case stripego.RefundStatusSucceeded:
		st = payments.RefundSucceeded
	case stripego.RefundStatusFailed, stripego.RefundStatusCanceled:
		st = payments.RefundFailed
	}
	return &payments.Refund{ID: re.ID, Status: st, Amount: re.Amount, Currency: strings.ToUpper(string(re.Currency))}
}

// settled answers a refused capture or cancel: when the refusal was about
// the intent's state and the intent already has the status the call wanted,
// the call had already happened and its result is the intent.
func (g *Gateway) settled(ctx context.Context, id string, want payments.Status, err error) (*payments.Intent, error) {
	if !errors.Is(err, payments.ErrInvalidState) {
		return nil, err
	}
	in, gerr := g.get(ctx, id)
	if gerr == nil && in.Status == want {
		return in, nil
	}
	return nil, err
}

// Event is a verified Stripe webhook event.
type Event struct {
	// ID is Stripe's event id (evt_...), for deduplicating deliveries.
	ID string
	// Type is the event type, e.g. payment_intent.amount_capturable_updated.
	Type string
	// Intent is the PaymentIntent of payment_intent.* events, nil for
	// others. Webhooks do not expand the latest charge, so its Card is nil.
	Intent *payments.Intent
}

// ParseWebhook verifies a webhook delivery with the configured
// WebhookSecret and returns its event. It rejects a bad or stale signature
// (older than stripe-go's tolerance of 5 minutes), and an event whose API
// version is not stripe-go's (2023-10-16): configure the webhook endpoint
// with that version.
func (g *Gateway) ParseWebhook(payload []byte, signatureHeader string) (*Event, error) {
	if g.cfg.WebhookSecret == "" {
		return nil, errors.New("stripe: webhook: no webhook secret configured")
	}
	ev, err := webhook.ConstructEvent(payload, signatureHeader, g.cfg.WebhookSecret)
	if err != nil {
		return nil, fmt.Errorf("stripe: webhook: %w", err)
	}
	out := &Event{ID: ev.ID, Type: string(ev.Type)}
	if strings.HasPrefix(out.Type, "payment_intent.") && ev.Data != nil {
		var pi stripego.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return nil, fmt.Errorf("stripe: webhook %s: decode payment intent: %w", ev.ID, err)
		}
		out.Intent = toIntent(&pi)
	}
	return out, nil
}

// mapErr turns a stripe-go error into the payments errors: declines into
// *payments.DeclineError, resource_missing into ErrNotFound, refusals about
// the intent's state into ErrInvalidState.
func mapErr(op string, err error) error {
	var se *stripego.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("stripe: %s: %w", op, err)
	}
	switch {
	case se.Type == stripego.ErrorTypeCard || se.Code == stripego.ErrorCodeCardDeclined:
		return fmt.Errorf("stripe: %s: %w", op, &payments.DeclineError{
			Code: string(se.Code), DeclineCode: string(se.DeclineCode), Message: se.Msg,
		})
	case se.Code == stripego.ErrorCodeResourceMissing:
		return fmt.Errorf("stripe: %s: %w: %s", op, payments.ErrNotFound, se.Msg)
	case se.Type == stripego.ErrorTypeIdempotency,
		se.Code == stripego.ErrorCodePaymentIntentUnexpectedState,
		se.Code == stripego.ErrorCodeAmountTooLarge,
		se.Code == stripego.ErrorCodeChargeAlreadyRefunded,
		se.Code == stripego.ErrorCodeChargeNotRefundable:
		return fmt.Errorf("stripe: %s: %w: %s", op, payments.ErrInvalidState, se.Msg)
	}
	return fmt.Errorf("stripe: %s: %w", op, err)
}
