// Package sandbox is the embedded default payments.Gateway: no network and no
// account, intents kept in faregraph's own database (table
// sandbox_payment_intents, its row and store db.SandboxIntents beside its
// migration) so that every replica sees the same ones, and a card form
// played by Confirm with Stripe's well-known test card numbers.
//
// Every state change is one conditional UPDATE whose WHERE names the
// intent's id, status and version: of two concurrent Captures (or Confirms,
// or Cancels) of one intent exactly one applies, and the other answers from
// the state the first left.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/payments"
)

// Gateway is the sandbox payments.Gateway.
type Gateway struct {
	db      bun.IDB
	intents db.SandboxIntents
	now     func() time.Time
}

var (
	_ payments.Gateway  = (*Gateway)(nil)
	_ payments.Refunder = (*Gateway)(nil)
)

// New returns a sandbox gateway storing intents in db (migrated with the
// embedded migrations) and stamping them with now (time.Now when nil).
func New(db bun.IDB, now func() time.Time) *Gateway {
	if now == nil {
		now = time.Now
	}
	return &Gateway{db: db, now: now}
}

// Name returns "sandbox".
func (g *Gateway) Name() string { return "sandbox" }

// toIntent returns the intent r stores.
func toIntent(r *db.SandboxIntentRow) *payments.Intent {
	in := &payments.Intent{
		ID:               r.ID,
		Status:           payments.Status(r.Status),
		Amount:           r.Amount,
		Currency:         r.Currency,
		AmountCapturable: r.AmountCapturable,
		AmountCaptured:   r.AmountCaptured,
		ClientSecret:     r.ClientSecret,
		CustomerID:       r.CustomerID,
		EphemeralKey:     r.EphemeralKey,
		FailureCode:      r.FailureCode,
		FailureMessage:   r.FailureMessage,
	}
	if c := r.Card; c != nil {
		in.Card = &payments.Card{Scheme: c.Scheme, Last4: c.Last4, BIN: c.BIN, CardType: c.CardType, Country: c.Country}
	}
	return in
}

// CreateIntent inserts the intent for r.Key unless one exists
// (INSERT ... ON CONFLICT (key) DO NOTHING, then a select by key), so the same
// Key always yields the same intent, even from concurrent calls on several
// replicas. An existing intent with another amount or currency fails with
// payments.ErrInvalidState.
func (g *Gateway) CreateIntent(ctx context.Context, r payments.CreateRequest) (*payments.Intent, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()

	id := "pi_sandbox_" + random()
	now := g.now().UTC()
	meta := map[string]string{}
	for k, v := range r.Metadata {
		meta[k] = v
	}
	row := &db.SandboxIntentRow{
		ID:           id,
		Key:          r.Key,
		Status:       string(payments.RequiresPaymentMethod),
		Amount:       r.Amount,
		Currency:     strings.ToUpper(r.Currency),
		ClientSecret: id + "_secret_" + random(),
		CustomerID:   "cus_sandbox_" + random(),
		EphemeralKey: "ek_sandbox_" + random(),
		Email:        r.Email,
		Name:         r.Name,
		Description:  r.Description,
		Metadata:     meta,
		Version:      1,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	got, err := g.intents.Create(ctx, g.db, row)
	if err != nil {
		return nil, fmt.Errorf("sandbox: create intent %s: %w", r.Key, err)
	}
	if got.Amount != row.Amount || got.Currency != row.Currency {
		return nil, fmt.Errorf("sandbox: create intent %s: exists for %d %s, asked %d %s: %w",
			r.Key, got.Amount, got.Currency, row.Amount, row.Currency, payments.ErrInvalidState)
	}
	return toIntent(got), nil
}

// GetIntent returns the stored intent, or an error wrapping
// payments.ErrNotFound.
func (g *Gateway) GetIntent(ctx context.Context, id string) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	row, err := g.load(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("sandbox: get intent: %w", err)
	}
	return toIntent(row), nil
}

func (g *Gateway) load(ctx context.Context, id string) (*db.SandboxIntentRow, error) {
	row, err := g.intents.Get(ctx, g.db, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("%s: %w", id, payments.ErrNotFound)
	}
	return row, err
}

// Capture captures amount of an authorized intent and releases the rest.
func (g *Gateway) Capture(ctx context.Context, id string, amount int64) (*payments.Intent, error) {
	if amount <= 0 {
		return nil, fmt.Errorf("sandbox: capture %s: amount %d is not positive", id, amount)
	}
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	// The usual case in one statement: an authorization that covers
	// amount is captured. Any other state is read and answered below.
	next := &db.SandboxIntentRow{ID: id, Status: string(payments.Captured), AmountCaptured: amount, UpdatedAt: g.now().UTC()}
	ok, err := g.intents.Move(ctx, g.db, next, []string{string(payments.Authorized)},
		[]string{"status", "amount_captured", "amount_capturable", "updated_at"}, nil, "amount_capturable >= ?", amount)
	if err != nil {
		return nil, fmt.Errorf("sandbox: capture %d of %s: %w", amount, id, err)
	}
	if ok {
		return toIntent(next), nil
	}
	row, err := g.transition(ctx, id, func(r *db.SandboxIntentRow) (bool, error) {
		switch payments.Status(r.Status) {
		case payments.Captured:
			return false, nil
		case payments.Authorized:
			if amount > r.AmountCapturable {
				return false, fmt.Errorf("%d is more than the capturable %d: %w", amount, r.AmountCapturable, payments.ErrInvalidState)
			}
			r.Status, r.AmountCaptured, r.AmountCapturable = string(payments.Captured), amount, 0
			return true, nil
		}
		return false, fmt.Errorf("status %s: %w", r.Status, payments.ErrInvalidState)
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: capture %d of %s: %w", amount, id, err)
	}
	return toIntent(row), nil
}

// Cancel releases the authorization, or abandons an intent not authorized yet.
func (g *Gateway) Cancel(ctx context.Context, id string) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	row, err := g.transition(ctx, id, func(r *db.SandboxIntentRow) (bool, error) {
		switch payments.Status(r.Status) {
		case payments.Canceled:
			return false, nil
		case payments.Captured:
			return false, fmt.Errorf("status %s: %w", r.Status, payments.ErrInvalidState)
		}
		r.Status, r.AmountCapturable = string(payments.Canceled), 0
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: cancel %s: %w", id, err)
	}
	return toIntent(row), nil
}

// Confirm plays the card form: it confirms the intent with cardNumber
// (spaces and dashes ignored), as Stripe.js would with the card the customer
// typed. The intent must wait for a payment method (RequiresPaymentMethod,
// or Failed after a decline); otherwise Confirm fails with
// payments.ErrInvalidState, so of concurrent confirmations only one applies.
//
// The numbers are Stripe's test cards:
//
//	4242 4242 4242 4242  authorized: visa, credit, US
//	4000 0566 5566 5556  authorized: visa, debit, US
//	5555 5555 5555 4444  authorized: mastercard, credit, US
//	3782 822463 10005    authorized: amex, credit, US
//	4000 0000 0000 0002  declined: card_declined / generic_decline
//	4000 0000 0000 9995  declined: card_declined / insufficient_funds
//	4000 0000 0000 0069  declined: expired_card
//	4000 0000 0000 0127  declined: incorrect_cvc
//
// Any other number that passes the Luhn check is authorized as a card of
// unknown type and country (its scheme guessed from its first digits). A
// number that fails it is refused with a *payments.DeclineError{Code:
// "invalid_number"} and leaves the intent as it was, as the card form
// would. A declined card moves the intent to Failed, with the decline in
// FailureCode and FailureMessage, and Confirm returns that intent together
// with a *payments.DeclineError; the customer may confirm again with
// another card. An authorized card moves it to Authorized with the whole
// amount capturable.
func (g *Gateway) Confirm(ctx context.Context, intentID, cardNumber string) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	card, decline := classify(cardNumber)
	if card != nil {
		// The usual case in one statement: an intent waiting for a card
		// takes it. Any other state is read and answered below.
		next := &db.SandboxIntentRow{ID: intentID, Status: string(payments.Authorized), Card: card, UpdatedAt: g.now().UTC()}
		cols, sets := []string{"status", "card", "failure_code", "failure_message", "updated_at"}, []string{"amount_capturable = amount"}
		if decline != nil {
			next.Status, next.FailureCode, next.FailureMessage = string(payments.Failed), decline.DeclineCode, decline.Message
			if next.FailureCode == "" {
				next.FailureCode = decline.Code
			}
			cols, sets = append(cols, "amount_capturable"), nil
		}
		ok, err := g.intents.Move(ctx, g.db, next, []string{string(payments.RequiresPaymentMethod), string(payments.Failed)}, cols, sets, "")
		switch {
		case err != nil:
			return nil, fmt.Errorf("sandbox: confirm %s: %w", intentID, err)
		case ok && decline != nil:
			return toIntent(next), fmt.Errorf("sandbox: confirm %s: %w", intentID, decline)
		case ok:
			return toIntent(next), nil
		}
	}
	row, err := g.transition(ctx, intentID, func(r *db.SandboxIntentRow) (bool, error) {
		if st := payments.Status(r.Status); st != payments.RequiresPaymentMethod && st != payments.Failed {
			return false, fmt.Errorf("status %s: %w", r.Status, payments.ErrInvalidState)
		}
		if card == nil {
			return false, decline // invalid number: refused before it reaches the intent
		}
		r.Card = card
		if decline != nil {
			r.Status, r.AmountCapturable = string(payments.Failed), 0
			r.FailureCode, r.FailureMessage = decline.DeclineCode, decline.Message
			if r.FailureCode == "" {
				r.FailureCode = decline.Code
			}
			return true, decline
		}
		r.Status, r.AmountCapturable = string(payments.Authorized), r.Amount
		r.FailureCode, r.FailureMessage = "", ""
		return true, nil
	})
	if err == nil {
		return toIntent(row), nil
	}
	err = fmt.Errorf("sandbox: confirm %s: %w", intentID, err)
	if row != nil && errors.Is(err, payments.ErrDeclined) {
		return toIntent(row), err
	}
	return nil, err
}

// transition moves one intent with a conditional UPDATE. change edits a
// copy of the current row and says whether to store it; its error is
// returned with the row (the stored one when change stored it, the current
// one otherwise; nil when the intent could not be read). When another writer moved the intent between the read and
// the UPDATE, nothing is written, and transition reads the intent again
// and asks change again, so change always decides on the latest state.
func (g *Gateway) transition(ctx context.Context, id string, change func(r *db.SandboxIntentRow) (bool, error)) (*db.SandboxIntentRow, error) {
	for {
		cur, err := g.load(ctx, id)
		if err != nil {
			return nil, err
		}
		next := *cur
		store, cerr := change(&next)
		if !store {
			return cur, cerr
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = g.now().UTC()
		applied, err := g.intents.Update(ctx, g.db, &next, cur.Status, cur.Version)
		if err != nil {
			return nil, err
		}
		if applied {
			return &next, cerr
		}
		// Someone else moved it first: each lost round means another
		// writer's change applied, so this loop cannot spin forever.
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("update %s: %w", id, err)
		}
	}
}

func random() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather)
	return hex.EncodeToString(b[:])
}

// Refund refunds amount of a captured intent at once (SUCCEEDED), once per
// key: the same key answers the refund it made. A refund taking the
// intent's refunds above what was captured, or of an intent not captured,
// fails with payments.ErrInvalidState.
func (g *Gateway) Refund(ctx context.Context, id, key string, amount int64) (*payments.Refund, error) {
	if amount <= 0 {
		return nil, fmt.Errorf("sandbox: refund %s: amount %d is not positive", id, amount)
	}
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	in, err := g.load(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("sandbox: refund %d of %s: %w", amount, id, err)
	}
	if payments.Status(in.Status) != payments.Captured {
		return nil, fmt.Errorf("sandbox: refund %d of %s: status %s: %w", amount, id, in.Status, payments.ErrInvalidState)
	}
	row, err := g.intents.Refund(ctx, g.db, &db.SandboxRefundRow{Key: payments.RefundKey(key), ID: "re_sandbox_" + random(),
		IntentID: id, Amount: amount, Currency: in.Currency, CreatedAt: g.now().UTC()}, in.AmountCaptured)
	if errors.Is(err, db.ErrRefundTooLarge) {
		return nil, fmt.Errorf("sandbox: refund %d of %s: more than was captured (%d): %w", amount, id, in.AmountCaptured, payments.ErrInvalidState)
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: refund %d of %s: %w", amount, id, err)
	}
	if row.IntentID != id || row.Amount != amount {
		return nil, fmt.Errorf("sandbox: refund key %s was used for %d of %s: %w", key, row.Amount, row.IntentID, payments.ErrInvalidState)
	}
	return &payments.Refund{ID: row.ID, Status: payments.RefundSucceeded, Amount: row.Amount, Currency: row.Currency}, nil
}

// GetRefund reads a refund back; sandbox refunds succeed at once.
func (g *Gateway) GetRefund(ctx context.Context, refundID string) (*payments.Refund, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	row, err := g.intents.GetRefund(ctx, g.db, refundID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("sandbox: refund %s: %w", refundID, payments.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &payments.Refund{ID: row.ID, Status: payments.RefundSucceeded, Amount: row.Amount, Currency: row.Currency}, nil
}
