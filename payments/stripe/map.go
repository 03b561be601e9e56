package stripe

import (
	"strings"

	stripego "github.com/stripe/stripe-go/v76"

	"github.com/faregraph/faregraph/payments"
)

// toIntent maps a PaymentIntent, with its latest charge expanded when the
// card summary is wanted.
func toIntent(pi *stripego.PaymentIntent) *payments.Intent {
	in := &payments.Intent{
		ID:               pi.ID,
		Status:           toStatus(pi),
		Amount:           pi.Amount,
		Currency:         strings.ToUpper(string(pi.Currency)),
		AmountCapturable: pi.AmountCapturable,
		ClientSecret:     pi.ClientSecret,
	}
	// amount_received is what was captured; it only means that once the
	// intent succeeded (a processing intent may report it too).
	if pi.Status == stripego.PaymentIntentStatusSucceeded {
		in.AmountCaptured = pi.AmountReceived
	}
	if pi.Customer != nil {
		in.CustomerID = pi.Customer.ID
	}
	if na := pi.NextAction; na != nil && na.RedirectToURL != nil && pi.Status == stripego.PaymentIntentStatusRequiresAction {
		in.ActionURL = na.RedirectToURL.URL
	}
	if e := pi.LastPaymentError; e != nil {
		in.FailureCode = string(e.DeclineCode)
		if in.FailureCode == "" {
			in.FailureCode = string(e.Code)
		}
		in.FailureMessage = e.Msg
	}
	if ch := pi.LatestCharge; ch != nil && ch.PaymentMethodDetails != nil && ch.PaymentMethodDetails.Card != nil {
		c := ch.PaymentMethodDetails.Card
		in.Card = &payments.Card{
			Scheme:   string(c.Brand),
			Last4:    c.Last4,
			BIN:      c.IIN,
			CardType: string(c.Funding),
			Country:  c.Country,
		}
		if in.Card.Scheme == "" {
			in.Card.Scheme = "unknown"
		}
		if in.Card.CardType == "" {
			in.Card.CardType = string(stripego.CardFundingUnknown)
		}
	}
	return in
}

// toStatus maps Stripe's statuses onto ours. An intent waiting for a card
// or its confirmation is RequiresPaymentMethod; one waiting for the
// buyer's 3-D Secure challenge (requires_action) RequiresAction; one whose
// last attempt was declined is Failed.
func toStatus(pi *stripego.PaymentIntent) payments.Status {
	switch pi.Status {
	case stripego.PaymentIntentStatusRequiresPaymentMethod:
		if pi.LastPaymentError != nil {
			return payments.Failed
		}
		return payments.RequiresPaymentMethod
	case stripego.PaymentIntentStatusRequiresConfirmation:
		return payments.RequiresPaymentMethod
	case stripego.PaymentIntentStatusRequiresAction:
		return payments.RequiresAction
	case stripego.PaymentIntentStatusProcessing:
		return payments.Processing
	case stripego.PaymentIntentStatusRequiresCapture:
		return payments.Authorized
	case stripego.PaymentIntentStatusSucceeded:
		return payments.Captured
	case stripego.PaymentIntentStatusCanceled:
		return payments.Canceled
	}
	// A status newer than this code: treat it as still in progress, which
	// neither captures nor releases anything.
	return payments.Processing
}
