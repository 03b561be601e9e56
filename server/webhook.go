package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/payments"
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
