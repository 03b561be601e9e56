package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/gr4vy"
	stripegw "github.com/faregraph/faregraph/payments/stripe"
)

// WebhookParser verifies and decodes a Stripe webhook delivery.
type WebhookParser interface {
	ParseWebhook(payload []byte, signatureHeader string) (*stripegw.Event, error)
}

// PaymentEvents is told about payment intents that changed.
type PaymentEvents interface {
	PaymentEvent(ctx context.Context, in *payments.Intent) error
}

// stripeWebhook handles POST /webhooks/stripe: a delivery whose signature
// does not verify is 400; an event seen before is acknowledged without
// being handled again; one that cannot be handled now is forgotten and
// answered 500, so that Stripe delivers it again.
func stripeWebhook(parser WebhookParser, events PaymentEvents, store *db.DB, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		ev, err := parser.ParseWebhook(body, r.Header.Get("Stripe-Signature"))
		if err != nil {
			log.WarnContext(r.Context(), "rejected stripe webhook", "err", err)
			http.Error(w, "signature verification failed", http.StatusBadRequest)
			return
		}
		ctx := context.WithoutCancel(r.Context())
		fresh, err := db.Webhooks{}.Record(ctx, store, ev.ID, "stripe", ev.Type, time.Now())
		if err != nil {
			log.ErrorContext(ctx, "recording stripe webhook", "event", ev.ID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		if fresh && ev.Intent != nil {
			if err := events.PaymentEvent(ctx, ev.Intent); err != nil {
				log.ErrorContext(ctx, "handling stripe webhook", "event", ev.ID, "type", ev.Type, "err", err)
				_ = db.Webhooks{}.Forget(ctx, store, ev.ID)
				http.Error(w, "try again", http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// Gr4vyWebhooks verifies Gr4vy's webhooks and reads transactions back
// (payments/gr4vy.Gateway).
type Gr4vyWebhooks interface {
	VerifyWebhook(payload []byte, h http.Header) (*gr4vy.Event, error)
	Transaction(ctx context.Context, id string) (*gr4vy.Transaction, error)
}

// gr4vyWebhook handles POST /webhooks/gr4vy. A delivery whose signature
// (X-Gr4vy-Webhook-Signatures over X-Gr4vy-Webhook-Timestamp and the
// body) does not verify, or is older than gr4vy.WebhookTolerance, is 400.
// An event id (X-Gr4vy-Webhook-ID, the same across Gr4vy's retries) seen
// before is acknowledged without being handled again. The payload only
// says which transaction changed: its current state is read from Gr4vy,
// and the checkout session it belongs to (its checkout_session_id, our
// intent id) moves only forward (checkout.Service.PaymentEvent, which
// reads the intent from the gateway again). A failure to handle it now is
// forgotten and answered 500, so that Gr4vy delivers it again. Events of
// other resources (refunds, payment methods) are acknowledged: refunds
// are followed by the sweeper (payments.Refunder.GetRefund).
func gr4vyWebhook(v Gr4vyWebhooks, events PaymentEvents, store *db.DB, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		ev, err := v.VerifyWebhook(body, r.Header)
		if err != nil {
			log.WarnContext(r.Context(), "rejected gr4vy webhook", "err", err)
			msg := "bad webhook payload"
			if errors.Is(err, gr4vy.ErrWebhookSignature) {
				msg = "signature verification failed"
			}
			http.Error(w, msg, http.StatusBadRequest)
			return
		}
		ctx := context.WithoutCancel(r.Context())
		id := "gr4vy:" + ev.ID
		fresh, err := db.Webhooks{}.Record(ctx, store, id, "gr4vy", ev.Name, time.Now())
		if err != nil {
			log.ErrorContext(ctx, "recording gr4vy webhook", "event", ev.ID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		if fresh && ev.Target.Type == "transaction" {
			if err := gr4vyTransactionChanged(ctx, v, events, ev.Target.ID); err != nil {
				log.ErrorContext(ctx, "handling gr4vy webhook", "event", ev.ID, "name", ev.Name, "err", err)
				_ = db.Webhooks{}.Forget(ctx, store, id)
				http.Error(w, "try again", http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// gr4vyTransactionChanged reads transaction txID from Gr4vy and tells
// checkout about its checkout session; a transaction Gr4vy does not know,
// or one not made from a checkout session, is none of ours.
func gr4vyTransactionChanged(ctx context.Context, v Gr4vyWebhooks, events PaymentEvents, txID string) error {
	tx, err := v.Transaction(ctx, txID)
	if errors.Is(err, payments.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if tx.CheckoutSessionID == "" {
		return nil
	}
	return events.PaymentEvent(ctx, &payments.Intent{ID: tx.CheckoutSessionID})
}
