package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// IdempotencyRow is one idempotency key of a tenant.
type IdempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	TenantID    string    `bun:"tenant_id,pk"`
	Key         string    `bun:"key,pk"`
	Operation   string    `bun:"operation"`
	RequestHash string    `bun:"request_hash"`
	State       string    `bun:"state"` // RUNNING, DONE
	Response    string    `bun:"response"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
}

// Idempotency stores idempotency keys.
type Idempotency struct{}

// Claim records key for an operation with the hash of its input. It
// returns (nil, nil) when the key is new and the caller must run the
// operation and Finish it; otherwise the stored row, which may still be
// RUNNING (a concurrent call) or DONE. A RUNNING row older than stale is
// taken over, for a caller that crashed.
func (Idempotency) Claim(ctx context.Context, idb bun.IDB, tenantID, key, op, hash string, now time.Time, stale time.Duration) (*IdempotencyRow, error) {
	row := &IdempotencyRow{TenantID: tenantID, Key: key, Operation: op, RequestHash: hash, State: "RUNNING", CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	got := new(IdempotencyRow)
	for attempt := 1; ; attempt++ {
		res, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, key) DO NOTHING").Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("db: claim idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, nil
		}
		err = idb.NewSelect().Model(got).Where("tenant_id = ? AND key = ?", tenantID, key).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) && attempt < 3 {
			// The claim that conflicted was released (Release) between
			// the two statements: the key is free again.
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("db: read idempotency key: %w", err)
		}
		break
	}
	if got.State == "RUNNING" && got.Operation == op && got.RequestHash == hash && now.Sub(got.UpdatedAt) > stale {
		res, err := idb.NewUpdate().Model(got).Set("updated_at = ?", now.UTC()).
			Where("tenant_id = ? AND key = ? AND state = 'RUNNING' AND updated_at = ?", tenantID, key, got.UpdatedAt).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("db: take over idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil, nil
		}
	}
	return got, nil
}

// Touch renews the claim of a RUNNING key (its updated_at, which Claim's
// take-over of a stale key reads) while its request runs.
func (Idempotency) Touch(ctx context.Context, idb bun.IDB, tenantID, key string, now time.Time) error {
	_, err := idb.NewUpdate().Model((*IdempotencyRow)(nil)).Set("updated_at = ?", now.UTC()).
		Where("tenant_id = ? AND key = ? AND state = 'RUNNING'", tenantID, key).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: renew idempotency key: %w", err)
	}
	return nil
}

// ClaimIn records key as RUNNING for op with the hash of its input unless
// the key exists, in idb (the transaction of the operation's first
// write), and reports whether it did. When it did not, the caller rolls
// its write back and goes through Claim (which answers the stored row,
// waits for it, or takes a stale one over).
func (Idempotency) ClaimIn(ctx context.Context, idb bun.IDB, tenantID, key, op, hash string, now time.Time) (bool, error) {
	row := &IdempotencyRow{TenantID: tenantID, Key: key, Operation: op, RequestHash: hash, State: "RUNNING", CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	res, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: claim idempotency key: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Store records key as DONE for op with response unless the key exists,
// in one statement, and reports whether it did: the answer of an
// operation that wrote nothing else.
func (Idempotency) Store(ctx context.Context, idb bun.IDB, tenantID, key, op, hash, response string, now time.Time) (bool, error) {
	row := &IdempotencyRow{TenantID: tenantID, Key: key, Operation: op, RequestHash: hash, State: "DONE", Response: response, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	res, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: store idempotency key: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Finish stores the response of a claimed key.
func (Idempotency) Finish(ctx context.Context, idb bun.IDB, tenantID, key, response string, now time.Time) error {
	_, err := idb.NewUpdate().Model((*IdempotencyRow)(nil)).Set("state = 'DONE'").Set("response = ?", response).Set("updated_at = ?", now.UTC()).
		Where("tenant_id = ? AND key = ?", tenantID, key).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: finish idempotency key: %w", err)
	}
	return nil
}

// Release forgets a claimed key whose operation failed before it changed
// anything, so that a retry runs it again.
func (Idempotency) Release(ctx context.Context, idb bun.IDB, tenantID, key string) error {
	_, err := idb.NewDelete().Model((*IdempotencyRow)(nil)).Where("tenant_id = ? AND key = ? AND state = 'RUNNING'", tenantID, key).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: release idempotency key: %w", err)
	}
	return nil
}
