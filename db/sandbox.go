package db

import (
	"context"
	"database/sql"
	"errors"
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
	if _, err := idb.NewInsert().Model(row).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("db: create sandbox intent %s: %w", row.Key, err)
	}
	got := new(SandboxIntentRow)
	if err := idb.NewSelect().Model(got).Where("key = ?", row.Key).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: read sandbox intent %s: %w", row.Key, err)
	}
	return got, nil
}

// Get returns the intent id, or ErrNotFound.
func (SandboxIntents) Get(ctx context.Context, idb bun.IDB, id string) (*SandboxIntentRow, error) {
	row := new(SandboxIntentRow)
	err := idb.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: get sandbox intent %s: %w", id, err)
	}
	return row, nil
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
