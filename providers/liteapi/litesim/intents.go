package litesim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/faregraph/faregraph/providers/liteapi/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// The simulated Stripe side of LiteAPI's payment intents (B.3, B.5, B.6).
// A prebook made with usePaymentSdk true has an intent (transactionId and
// secretKey, the PaymentIntent's client secret); the app confirms it with
// Stripe's SDK, which the simulator plays with ConfirmIntent; attaching
// services replaces the intent with a new, unconfirmed one. Booking with
// TRANSACTION_ID is refused (502 55004 payment failed) for a transactionId
// that is not the prebook's latest intent, or whose intent is not
// confirmed. [assumed] LiteAPI documents only that the new intent "must be
// used at booking" and 55004 for a failed payment.

// Stripe test cards the simulated confirmation knows.
const (
	// CardOK authorizes.
	CardOK = "4242424242424242"
	// CardDeclined is declined.
	CardDeclined = "4000000000000002"
)

// Errors of ConfirmIntent.
var (
	ErrUnknownIntent = errors.New("litesim: no payment intent has this client secret")
	ErrStaleIntent   = errors.New("litesim: this payment intent was replaced by a newer one (services were attached)")
	ErrCardDeclined  = fmt.Errorf("litesim: %w", sim.ErrCardDeclined)
)

// ConfirmIntent confirms the payment intent whose client secret (the
// prebook's secretKey) is given, with a test card: CardOK confirms it,
// CardDeclined and any other number are declined. Confirming a confirmed
// intent again succeeds.
func (s *Simulator) ConfirmIntent(clientSecret, cardNumber string) error {
	cardNumber = strings.ReplaceAll(cardNumber, " ", "")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stale[clientSecret] {
		return ErrStaleIntent
	}
	for _, p := range s.prebooks {
		if p.sdk && p.secretKey == clientSecret {
			if cardNumber != CardOK {
				return fmt.Errorf("%w (card %s)", ErrCardDeclined, last4(cardNumber))
			}
			p.confirmed = true
			return nil
		}
	}
	return ErrUnknownIntent
}

func last4(n string) string {
	if len(n) < 4 {
		return n
	}
	return "…" + n[len(n)-4:]
}

// SetCreditLine says whether the simulated account has payment bypass and
// an enabled credit line (it has by default). Without, a prebook with
// usePaymentSdk false is a validation error (B.3).
func (s *Simulator) SetCreditLine(enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noCredit = !enabled
}

// transactionRefusal is why a booking paid by TRANSACTION_ID is refused,
// or nil. The caller holds s.mu.
func transactionRefusal(p *prebook, transactionID string) *wire.APIError {
	switch {
	case !p.sdk || transactionID != p.transactionID:
		return &wire.APIError{Code: codeBookPaymentFailed, Message: "Payment failed",
			Description: "the transactionId is not the prebook's latest payment intent"}
	case !p.confirmed:
		return &wire.APIError{Code: codeBookPaymentFailed, Message: "Payment failed",
			Description: "the payment intent is not confirmed"}
	}
	return nil
}

// creditRefusal is the validation error of a prebook without a payment
// intent on an account without a credit line, or nil. The caller holds
// s.mu.
func (s *Simulator) creditRefusalLocked(usePaymentSdk bool) (int, *wire.APIError) {
	if usePaymentSdk || !s.noCredit {
		return 0, nil
	}
	return http.StatusBadRequest, invalid(codePrebookInvalid, "bodyRequest.usePaymentSdk",
		"usePaymentSdk false needs payment bypass and an enabled credit line; this account has neither")
}
