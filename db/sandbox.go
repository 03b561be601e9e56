package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// SandboxIntentRow is a payment intent of the sandbox gateway
// (payments/sandbox), which keeps its intents in the database so that
// every replica sees the same ones. Status is a payments.Status.
type SandboxIntentRow struct {
	bun.BaseModel `bun:"table:sandbox_payment_intents"`

	ID               string            `bun:"id,pk"`
	Key              string            `bun:"key"`
	Status           string            `bun:"status"`
	Amount           int64             `bun:"amount"`
	Currency         string            `bun:"currency"`
	AmountCapturable int64             `bun:"amount_capturable"`
	AmountCaptured   int64             `bun:"amount_captured"`
	ClientSecret     string            `bun:"client_secret"`
	CustomerID       string            `bun:"customer_id"`
	EphemeralKey     string            `bun:"ephemeral_key"`
	Email            string            `bun:"email"`
	Name             string            `bun:"name"`
	Description      string            `bun:"description"`
	Metadata         map[string]string `bun:"metadata"` // JSON
	Card             *SandboxCard      `bun:"card"`     // JSON; NULL before a card was given
	FailureCode      string            `bun:"failure_code"`
	FailureMessage   string            `bun:"failure_message"`
	Version          int64             `bun:"version"`
	CreatedAt        time.Time         `bun:"created_at"`
	UpdatedAt        time.Time         `bun:"updated_at"`
}

// SandboxCard is the stored form of the card an intent was confirmed
// with, in the JSON column card, with names of its own so that renaming a
// Go field does not orphan stored rows.
type SandboxCard struct {
	Scheme   string `json:"scheme"`
	Last4    string `json:"last4"`
	BIN      string `json:"bin"`
	CardType string `json:"card_type"`
	Country  string `json:"country"`
}

// SandboxIntents stores the sandbox gateway's payment intents.
type SandboxIntents struct{}

// Create inserts row unless an intent with its Key exists (INSERT ... ON
// CONFLICT (key) DO NOTHING), then returns the intent stored for the Key:
// row itself, or the one an earlier or concurrent call made.
func (SandboxIntents) Create(ctx context.Context, idb bun.IDB, row *SandboxIntentRow) (*SandboxIntentRow, error) {
	return insertOrSelect(ctx, idb, row, "key", row.Key, "sandbox intent "+row.Key)
}

// Get returns the intent id, or ErrNotFound.
func (SandboxIntents) Get(ctx context.Context, idb bun.IDB, id string) (*SandboxIntentRow, error) {
	return selectOne[SandboxIntentRow](ctx, idb, "get sandbox intent "+id, "id = ?", id)
}

// Update writes row's state (status, amounts, card, failure, version and
// update time) if the stored intent still has fromStatus and
// fromVersion: one conditional UPDATE, so that of two concurrent writers
// only one applies. It reports whether it applied; false means another
// writer moved the intent first.
func (SandboxIntents) Update(ctx context.Context, idb bun.IDB, row *SandboxIntentRow, fromStatus string, fromVersion int64) (bool, error) {
	res, err := idb.NewUpdate().Model(row).
		Column("status", "amount_capturable", "amount_captured", "card", "failure_code", "failure_message", "version", "updated_at").
		Where("id = ?", row.ID).
		Where("status = ?", fromStatus).
		Where("version = ?", fromVersion).
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: update sandbox intent %s: %w", row.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: update sandbox intent %s: %w", row.ID, err)
	}
	return n == 1, nil
}
