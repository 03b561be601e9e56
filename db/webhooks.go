package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// webhookRow is a webhook event received.
type webhookRow struct {
	bun.BaseModel `bun:"table:webhook_events"`

	ID         string    `bun:"id,pk"`
	Source     string    `bun:"source"`
	Type       string    `bun:"type"`
	ReceivedAt time.Time `bun:"received_at"`
}

// Webhooks stores the ids of webhook events received, so that each is
// handled once.
type Webhooks struct{}

// Record stores a webhook event id and reports whether it is new: a
// provider that delivers an event twice sees it handled once.
func (Webhooks) Record(ctx context.Context, idb bun.IDB, id, source, typ string, now time.Time) (bool, error) {
	res, err := idb.NewInsert().Model(&webhookRow{ID: id, Source: source, Type: typ, ReceivedAt: now.UTC()}).On("CONFLICT (id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: record webhook event: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Forget removes a recorded event whose handling failed, so that the
// provider's retry is handled.
func (Webhooks) Forget(ctx context.Context, idb bun.IDB, id string) error {
	if _, err := idb.NewDelete().Model((*webhookRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("db: forget webhook event %s: %w", id, err)
	}
	return nil
}
