package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ErrCardDeclined is what a simulator's payment confirmation answers for a
// test card that declines.
var ErrCardDeclined = errors.New("the card was declined")

// IntentConfirmer is a simulator whose provider issues its own payment
// intents (LiteAPI's Stripe intents): ConfirmIntent plays the app
// confirming the intent with Stripe's SDK, with a test card number.
type IntentConfirmer interface {
	ConfirmIntent(clientSecret, cardNumber string) error
}

// ConfirmIntentPath is where a simulator served over HTTP (app.StartSimulators,
// faregraph simulators) takes the confirmation of one of its payment
// intents, under its provider's base URL: POST {"clientSecret", "cardNumber"},
// answered 204 when confirmed, 402 when the card is declined, 422 for any
// other refusal (an unknown or replaced intent) with the reason as text.
// It is the simulator's stand-in for Stripe's SDK, not part of any
// provider's API.
const ConfirmIntentPath = "/_sim/confirm-intent"

type confirmRequest struct {
	ClientSecret string `json:"clientSecret"`
	CardNumber   string `json:"cardNumber"`
}

// ConfirmIntentHandler serves ConfirmIntentPath for c.
func ConfirmIntentHandler(c IntentConfirmer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req confirmRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.ClientSecret == "" {
			http.Error(w, "a JSON body with clientSecret and cardNumber is required", http.StatusBadRequest)
			return
		}
		switch err := c.ConfirmIntent(req.ClientSecret, req.CardNumber); {
		case errors.Is(err, ErrCardDeclined):
			http.Error(w, err.Error(), http.StatusPaymentRequired)
		case err != nil:
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

// ConfirmIntentAt confirms a payment intent at the simulator served at
// baseURL (its provider's base URL) through ConfirmIntentPath. A declined
// card is an error wrapping ErrCardDeclined.
func ConfirmIntentAt(ctx context.Context, hc *http.Client, baseURL, clientSecret, cardNumber string) error {
	body, _ := json.Marshal(confirmRequest{ClientSecret: clientSecret, CardNumber: cardNumber})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+ConfirmIntentPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("sim: confirm a payment intent: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<12))
	switch resp.StatusCode {
	case http.StatusNoContent:
		return nil
	case http.StatusPaymentRequired:
		return fmt.Errorf("sim: %w: %s", ErrCardDeclined, strings.TrimSpace(string(msg)))
	}
	return fmt.Errorf("sim: confirm a payment intent at %s: HTTP %d: %s", baseURL, resp.StatusCode, strings.TrimSpace(string(msg)))
}
