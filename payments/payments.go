// Package payments is the contract between the checkout saga and a card
// payment gateway: one PaymentIntent per checkout session, authorized with
// manual capture, then captured in part or in full for what was booked, or
// canceled to release the authorization.
//
// Two gateways implement it: payments/stripe talks to Stripe (or stripe-mock,
// or the stateful fake in payments/paymentstest), and payments/sandbox keeps
// intents in faregraph's own database and plays the card form with test card
// numbers, for the embedded default that needs no configuration.
//
// Every gateway call is safe to repeat. Idempotency keys are derived from our
// own ids (see the Key functions), so a retry of ours, after a timeout or a
// crash, reaches the same intent instead of charging twice. Every call also
// runs on a context detached from the caller's cancellation (see Detach): a
// client that disconnects while a payment call is in flight cannot cancel it
// halfway and leave us not knowing whether the money moved.
package payments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status is where an intent stands, the same for every gateway.
type Status string

// The statuses an intent can have.
const (
	// RequiresPaymentMethod: the intent waits for the customer to enter a
	// card (or to finish confirming it, e.g. 3-D Secure) in the card form.
	RequiresPaymentMethod Status = "REQUIRES_PAYMENT_METHOD"
	// RequiresAction: the card was given, and the issuer asks the buyer to
	// authenticate (3-D Secure) before it authorizes: Stripe's
	// requires_action, Gr4vy's buyer_approval_pending. Intent.ActionURL,
	// when set, is the page to send the buyer to; otherwise the gateway's
	// SDK runs the challenge from the client secret. The gateway then
	// moves the intent on (a webhook tells us).
	RequiresAction Status = "REQUIRES_ACTION"
	// Processing: the gateway is still working on the confirmation.
	Processing Status = "PROCESSING"
	// Authorized: the amount is held on the card and waits for Capture or
	// Cancel (Stripe's requires_capture).
	Authorized Status = "AUTHORIZED"
	// Captured: money was taken, possibly less than the authorized amount
	// (Stripe's succeeded). Final.
	Captured Status = "CAPTURED"
	// Canceled: the authorization was released. Final.
	Canceled Status = "CANCELED"
	// Failed: the last confirmation was declined; FailureCode and
	// FailureMessage say why. The customer may try again with another card.
	Failed Status = "FAILED"
)

// Card summarizes the card an intent was confirmed with. It never holds the
// full card number.
type Card struct {
	// Scheme is the card brand in lower case as Stripe spells it: visa,
	// mastercard, amex, discover, ... or unknown.
	Scheme string
	// Last4 is the last four digits of the card number.
	Last4 string
	// BIN is the first six digits of the card number, or "" when the
	// gateway does not give it (Stripe does not, for most accounts).
	BIN string
	// CardType is the funding type: credit, debit, prepaid or unknown.
	CardType string
	// Country is the ISO 3166-1 alpha-2 code of the issuing country, or ""
	// when unknown.
	Country string
}

// Intent is a payment intent as the gateway last reported it. Amounts are in
// minor units of Currency.
type Intent struct {
	// ID is the gateway's id of the intent (pi_...).
	ID     string
	Status Status
	// Amount is the amount the intent was created for.
	Amount int64
	// Currency is the ISO 4217 code in upper case.
	Currency string
	// AmountCapturable is what Capture may still take: Amount once
	// authorized, zero before and after.
	AmountCapturable int64
	// AmountCaptured is what was captured.
	AmountCaptured int64
	// ClientSecret lets the frontend's Stripe SDK confirm the intent. It is
	// a secret of this one payment: give it to the paying client only.
	ClientSecret string
	// CustomerID is the gateway's customer the intent belongs to.
	CustomerID string
	// EphemeralKey is the secret of an ephemeral key for CustomerID, which
	// the mobile SDKs need. Stripe returns it only when it is created, so
	// the Stripe gateway fills it in CreateIntent only; the sandbox stores
	// it and always fills it.
	EphemeralKey string
	// ActionURL is where the buyer completes a challenge while the intent
	// is RequiresAction (Gr4vy's payment_method.approval_url, Stripe's
	// next_action.redirect_to_url.url), or "" when there is none or the
	// gateway's SDK handles it from ClientSecret.
	ActionURL string
	// Card summarizes the card the intent was last confirmed with, or is
	// nil before a card was given.
	Card *Card
	// FailureCode and FailureMessage describe the last declined
	// confirmation. FailureCode is the most specific code known: the
	// issuer's decline code (insufficient_funds, generic_decline) when there
	// is one, otherwise the error code (card_declined, expired_card).
	FailureCode, FailureMessage string
}

// CreateRequest asks for a new intent.
type CreateRequest struct {
	// Key is our own id for the payment, e.g. the checkout session id. The
	// gateway derives its idempotency keys from it, so it must be unique
	// across everything that shares the gateway account, and at most
	// MaxKeyLength bytes.
	Key string
	// Amount in minor units of Currency; positive.
	Amount int64
	// Currency is an ISO 4217 code, in either case.
	Currency string
	// Email and Name describe the paying customer; both may be empty.
	Email, Name string
	// Description appears on the gateway's dashboard.
	Description string
	// Metadata is stored with the intent (and the customer) at the gateway.
	Metadata map[string]string
	// Order is what the payment is for (cart, airline addendum, buyer), for
	// the gateways that take it (Gr4vy); optional, ignored by the others.
	// When it has cart items, their totals sum to Amount.
	Order *Order
}

// MaxKeyLength is the longest CreateRequest.Key accepted: Stripe refuses
// idempotency keys longer than 255 bytes, and ours add a prefix to the key.
const MaxKeyLength = 200

// Validate reports what is wrong with r, or nil.
func (r CreateRequest) Validate() error {
	switch {
	case r.Key == "":
		return errors.New("payments: create intent: empty key")
	case len(r.Key) > MaxKeyLength:
		return fmt.Errorf("payments: create intent: key longer than %d bytes", MaxKeyLength)
	case r.Amount <= 0:
		return fmt.Errorf("payments: create intent %s: amount %d is not positive", r.Key, r.Amount)
	case !isCurrencyCode(r.Currency):
		return fmt.Errorf("payments: create intent %s: currency %q is not an ISO 4217 code", r.Key, r.Currency)
	}
	return nil
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range strings.ToUpper(s) {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// Gateway is a card payment gateway. Implementations are safe for concurrent
// use, and several processes may share one (the Stripe account, or the
// sandbox's database).
//
// Every method may be called again with the same arguments after an error or
// a timeout: it then reaches the same intent and never applies a change
// twice. Every method runs its gateway calls on a context detached from
// ctx's cancellation, with a deadline of its own (see Detach), so a caller
// that goes away does not interrupt a payment call halfway; ctx still
// carries its values (tracing, logging).
// AmountLimiter is a Gateway with a largest amount it takes in one
// payment: the amount of a card payment through it (the MERCHANT parts of
// a session) must be at most MaxAmount, in minor units of currency.
// Gateways without a limit of their own do not implement it.
type AmountLimiter interface {
	MaxAmount(currency string) int64
}

type Gateway interface {
	// Name is "stripe", "gr4vy" or "sandbox".
	Name() string

	// CreateIntent creates a customer, an ephemeral key for that customer,
	// and a PaymentIntent for r.Amount with manual capture, and returns the
	// intent in RequiresPaymentMethod. Calling it again with the same
	// r.Key returns the same intent, never a second one; with the same Key
	// but another amount or currency it fails with ErrInvalidState. (At
	// Stripe this rests on idempotency keys, which Stripe keeps for 24
	// hours.) An invalid request (see CreateRequest.Validate) is an error
	// and creates nothing.
	CreateIntent(ctx context.Context, r CreateRequest) (*Intent, error)

	// GetIntent returns the intent with the gateway's id, or an error
	// wrapping ErrNotFound when there is none.
	GetIntent(ctx context.Context, id string) (*Intent, error)

	// Capture takes amount (0 < amount <= AmountCapturable) of an
	// Authorized intent and releases the rest: partial capture is how we
	// charge only for what was booked. The intent is then Captured, final.
	// Capturing an intent that is already Captured returns it unchanged,
	// whatever amount is asked (its AmountCaptured tells what was taken).
	// Capturing more than is capturable, or an intent in any other status,
	// fails with ErrInvalidState; an unknown id with ErrNotFound.
	Capture(ctx context.Context, id string, amount int64) (*Intent, error)

	// Cancel releases the authorization (or abandons an intent that was
	// never authorized); the intent is then Canceled, final. Canceling a
	// Canceled intent returns it unchanged. Canceling a Captured intent
	// fails with ErrInvalidState; an unknown id with ErrNotFound.
	Cancel(ctx context.Context, id string) (*Intent, error)
}

var (
	// ErrNotFound means the gateway has no intent with the given id.
	ErrNotFound = errors.New("payments: intent not found")
	// ErrDeclined means the card was declined. The error is a
	// *DeclineError that says why; errors.Is(err, ErrDeclined) holds.
	ErrDeclined = errors.New("payments: card declined")
	// ErrInvalidState means the intent's status does not allow the
	// operation (capturing a canceled intent, capturing more than is
	// capturable, reusing a Key with another amount).
	ErrInvalidState = errors.New("payments: intent is not in a state that allows this")
)

// DeclineError is a declined card, with the reason the gateway gave.
type DeclineError struct {
	// Code is the gateway's error code: card_declined, expired_card,
	// incorrect_cvc, invalid_number, ...
	Code string
	// DeclineCode is the issuer's reason when there is one:
	// generic_decline, insufficient_funds, ...
	DeclineCode string
	// Message is the gateway's message, fit for the paying customer.
	Message string
}

func (e *DeclineError) Error() string {
	code := e.Code
	if e.DeclineCode != "" {
		code += "/" + e.DeclineCode
	}
	return fmt.Sprintf("payments: card declined (%s): %s", code, e.Message)
}

// Is makes errors.Is(err, ErrDeclined) true for every *DeclineError.
func (e *DeclineError) Is(target error) bool { return target == ErrDeclined }

// CallTimeout is how long one gateway method may take, retries included,
// unless a gateway is configured otherwise.
const CallTimeout = 30 * time.Second

// Detach returns a context that keeps ctx's values but not its cancellation
// or deadline, with a deadline of timeout from now (CallTimeout when timeout
// is not positive). Gateways run every payment call on it: a payment call
// interrupted halfway leaves us not knowing whether money moved, so a client
// that disconnects must not be able to cancel it.
func Detach(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = CallTimeout
	}
	return context.WithTimeout(context.WithoutCancel(ctx), timeout)
}

// Idempotency keys, derived from our ids so that a retry of ours (not only
// the gateway library's own retries) reuses them.

// CustomerKey is the idempotency key of the customer created for key.
func CustomerKey(key string) string { return "cus:" + key }

// EphemeralKeyKey is the idempotency key of the ephemeral key created for key.
func EphemeralKeyKey(key string) string { return "ek:" + key }

// IntentKey is the idempotency key of the PaymentIntent created for key.
func IntentKey(key string) string { return "pi:" + key }

// CaptureKey is the idempotency key of capturing amount of intent id.
func CaptureKey(id string, amount int64) string { return fmt.Sprintf("capture:%s:%d", id, amount) }

// CancelKey is the idempotency key of canceling intent id.
func CancelKey(id string) string { return "cancel:" + id }

// RefundStatus is where a refund stands, the same for every gateway.
type RefundStatus string

// The statuses a refund can have.
const (
	// RefundPending: the gateway accepted the refund and is sending it.
	RefundPending RefundStatus = "PENDING"
	// RefundSucceeded: the money is on its way back to the card. Final.
	RefundSucceeded RefundStatus = "SUCCEEDED"
	// RefundFailed: the refund could not be made (the card is closed...).
	RefundFailed RefundStatus = "FAILED"
)

// Refund is a refund of part or all of a captured intent, in minor units
// of Currency.
type Refund struct {
	// ID is the gateway's id of the refund (re_...).
	ID       string
	Status   RefundStatus
	Amount   int64
	Currency string
}

// Refunder is a Gateway that can give captured money back. Refund returns
// amount (0 < amount <= what was captured and not refunded yet) of the
// captured intent id to the card. key is our own id of the refund (e.g. a
// booking cancellation's id): the same key always reaches the same refund,
// never a second one, so a retry after an error or a timeout is safe. An
// intent that was not captured, or an amount above what is left, fails
// with ErrInvalidState; an unknown intent with ErrNotFound.
//
// GetRefund reads a refund back by the gateway's id (a refund Refund
// answered PENDING, to see it settle: a repeated Refund with the same key
// may only replay its first answer); an unknown id is ErrNotFound.
type Refunder interface {
	Refund(ctx context.Context, id, key string, amount int64) (*Refund, error)
	GetRefund(ctx context.Context, refundID string) (*Refund, error)
}

// RefundKey is the idempotency key of the refund with our id key.
func RefundKey(key string) string { return "refund:" + key }

// StrayAuthorizations is a gateway whose card form can authorize a
// payment by itself, without our call, for as long as the intent lives at
// the gateway, also after we released the intent (Gr4vy Embed makes its
// transaction on the checkout session; a card typed after the session
// ended stays authorized). The sweeper looks the authorizations of ended
// sessions up and voids them.
type StrayAuthorizations interface {
	// Authorizations lists the gateway's ids of the authorized,
	// uncaptured authorizations made on intent id, oldest first.
	Authorizations(ctx context.Context, id string) ([]string, error)
	// VoidAuthorization voids authorization authID of intent id
	// (idempotent: voiding a voided one succeeds).
	VoidAuthorization(ctx context.Context, id, authID string) error
	// IntentLife is how long after its creation an intent takes a card.
	IntentLife() time.Duration
}
