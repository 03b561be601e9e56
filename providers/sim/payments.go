package sim

import "errors"

// ErrCardDeclined is what a simulator's payment confirmation answers for a
// test card that declines.
var ErrCardDeclined = errors.New("the card was declined")

// IntentConfirmer is a simulator whose provider issues its own payment
// intents (LiteAPI's Stripe intents): ConfirmIntent plays the app
// confirming the intent with Stripe's SDK, with a test card number.
type IntentConfirmer interface {
	ConfirmIntent(clientSecret, cardNumber string) error
}
