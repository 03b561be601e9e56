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

// Move changes intent row.ID without reading it first, in one
// conditional UPDATE ... RETURNING: columns are written from row, each of
// sets is a further "column = expression" of the stored row (such as
// "amount_capturable = amount"), and the version is bumped. It applies
// only if the intent's status is one of from and where (when not empty)
// holds; it then fills row with the intent as written and reports true.
// Otherwise nothing is written and it reports false: the caller reads the
// intent and decides (Update).
func (SandboxIntents) Move(ctx context.Context, idb bun.IDB, row *SandboxIntentRow, from, columns, sets []string, where string, args ...any) (bool, error) {
	q := idb.NewUpdate().Model(row).Column(columns...).Set("version = version + 1")
	for _, set := range sets {
		q = q.Set(set)
	}
	q = q.Where("id = ?", row.ID).Where("status IN (?)", bun.In(from))
	if where != "" {
		q = q.Where(where, args...)
	}
	err := q.Returning("*").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("db: move sandbox intent %s: %w", row.ID, err)
	}
	return true, nil
}

// SandboxRefundRow is a refund of the sandbox gateway, one per our key.
type SandboxRefundRow struct {
	bun.BaseModel `bun:"table:sandbox_refunds"`

	Key       string    `bun:"key,pk"`
	ID        string    `bun:"id"`
	IntentID  string    `bun:"intent_id"`
	Amount    int64     `bun:"amount"`
	Currency  string    `bun:"currency"`
	CreatedAt time.Time `bun:"created_at"`
}

// ErrRefundTooLarge: a sandbox refund above what is captured and not
// refunded yet.
var ErrRefundTooLarge = errors.New("db: refund above what is left to refund")

// Refund stores row unless a refund with its Key exists, then returns the
// refund stored for the Key, in one transaction that refuses a refund
// taking the intent's refunds above captured.
func (SandboxIntents) Refund(ctx context.Context, idb bun.IDB, row *SandboxRefundRow, captured int64) (*SandboxRefundRow, error) {
	var out *SandboxRefundRow
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(row).On("CONFLICT (key) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: sandbox refund: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			var total int64
			if err := tx.NewSelect().Model((*SandboxRefundRow)(nil)).ColumnExpr("COALESCE(SUM(amount), 0)").
				Where("intent_id = ?", row.IntentID).Scan(ctx, &total); err != nil {
				return fmt.Errorf("db: sandbox refund: %w", err)
			}
			if total > captured {
				return ErrRefundTooLarge
			}
		}
		out, err = selectOne[SandboxRefundRow](ctx, tx, "read sandbox refund", "key = ?", row.Key)
		return err
	})
	return out, err
}

// GetRefund returns the sandbox refund id, or ErrNotFound.
func (SandboxIntents) GetRefund(ctx context.Context, idb bun.IDB, id string) (*SandboxRefundRow, error) {
	return selectOne[SandboxRefundRow](ctx, idb, "read sandbox refund", "id = ?", id)
}
