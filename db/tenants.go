package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Errors of credit reservations.
var (
	// ErrNoCreditLine: the tenant has no enabled credit line in that currency.
	ErrNoCreditLine = errors.New("db: no enabled credit line")
	// ErrInsufficientCredit: the credit line's available balance is too low.
	ErrInsufficientCredit = errors.New("db: insufficient credit")
)

// TenantRow is an API client organisation.
type TenantRow struct {
	bun.BaseModel `bun:"table:tenants"`

	ID             string    `bun:"id,pk"`
	Name           string    `bun:"name"`
	CreditEnabled  bool      `bun:"credit_enabled"`
	CreditLimit    int64     `bun:"credit_limit"`
	CreditCurrency string    `bun:"credit_currency"`
	CreditUsed     int64     `bun:"credit_used"`
	CreatedAt      time.Time `bun:"created_at"`
}

// APIKeyRow is an API key, stored by the hash of its secret.
type APIKeyRow struct {
	bun.BaseModel `bun:"table:api_keys"`

	ID        string     `bun:"id,pk"`
	TenantID  string     `bun:"tenant_id"`
	Hash      string     `bun:"hash"`
	Scopes    string     `bun:"scopes"` // space-separated
	CreatedAt time.Time  `bun:"created_at"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

type creditRow struct {
	bun.BaseModel `bun:"table:credit_reservations"`

	SessionID string    `bun:"session_id,pk"`
	TenantID  string    `bun:"tenant_id"`
	Amount    int64     `bun:"amount"`
	Currency  string    `bun:"currency"`
	Status    string    `bun:"status"` // RESERVED, SETTLED, RELEASED
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Tenants stores tenants, their API keys and their credit lines.
type Tenants struct{}

// EnsureTenant returns the tenant called name, creating it with id when
// it does not exist.
func (Tenants) EnsureTenant(ctx context.Context, idb bun.IDB, id, name string, now time.Time) (*TenantRow, error) {
	row := &TenantRow{ID: id, Name: name, CreatedAt: now.UTC()}
	if _, err := idb.NewInsert().Model(row).On("CONFLICT (name) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("db: create tenant %s: %w", name, err)
	}
	got := new(TenantRow)
	if err := idb.NewSelect().Model(got).Where("name = ?", name).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: read tenant %s: %w", name, err)
	}
	return got, nil
}

// GetTenant returns a tenant by id, or ErrNotFound.
func (Tenants) GetTenant(ctx context.Context, idb bun.IDB, id string) (*TenantRow, error) {
	row := new(TenantRow)
	err := idb.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: get tenant %s: %w", id, err)
	}
	return row, nil
}

// TenantByName returns a tenant by name, or ErrNotFound.
func (Tenants) TenantByName(ctx context.Context, idb bun.IDB, name string) (*TenantRow, error) {
	row := new(TenantRow)
	err := idb.NewSelect().Model(row).Where("name = ?", name).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: tenant %s: %w", name, err)
	}
	return row, nil
}

// InsertKey stores an API key.
func (Tenants) InsertKey(ctx context.Context, idb bun.IDB, row *APIKeyRow) error {
	if _, err := idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("db: insert api key: %w", err)
	}
	return nil
}

// Key returns the unrevoked key id with its tenant, or ErrNotFound.
func (Tenants) Key(ctx context.Context, idb bun.IDB, id string) (*APIKeyRow, *TenantRow, error) {
	k := new(APIKeyRow)
	err := idb.NewSelect().Model(k).Where("id = ? AND revoked_at IS NULL", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("db: api key: %w", err)
	}
	t, err := Tenants{}.GetTenant(ctx, idb, k.TenantID)
	if err != nil {
		return nil, nil, err
	}
	return k, t, nil
}

// KeyListing is an API key as operators list it: the stored row (never the
// secret: only its hash is stored) and the name of its tenant.
type KeyListing struct {
	Key        APIKeyRow
	TenantName string
}

// ListKeys returns every API key, revoked ones included, oldest first.
func (Tenants) ListKeys(ctx context.Context, idb bun.IDB) ([]KeyListing, error) {
	var keys []APIKeyRow
	if err := idb.NewSelect().Model(&keys).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: list api keys: %w", err)
	}
	var tenants []TenantRow
	if err := idb.NewSelect().Model(&tenants).Column("id", "name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: list tenants: %w", err)
	}
	names := make(map[string]string, len(tenants))
	for _, t := range tenants {
		names[t.ID] = t.Name
	}
	out := make([]KeyListing, len(keys))
	for i, k := range keys {
		out[i] = KeyListing{Key: k, TenantName: names[k.TenantID]}
	}
	return out, nil
}

// RevokeKey marks the key id revoked at now and returns its row. It is
// idempotent: a key revoked before keeps its first revocation time, and
// revokedNow is false. An unknown id is ErrNotFound.
func (Tenants) RevokeKey(ctx context.Context, idb bun.IDB, id string, now time.Time) (_ *APIKeyRow, revokedNow bool, _ error) {
	res, err := idb.NewUpdate().Model((*APIKeyRow)(nil)).Set("revoked_at = ?", now.UTC()).
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("db: revoke api key %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	k := new(APIKeyRow)
	err = idb.NewSelect().Model(k).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, ErrNotFound
	}
	if err != nil {
		return nil, false, fmt.Errorf("db: read api key %s: %w", id, err)
	}
	return k, n == 1, nil
}

// SetCreditLine sets a tenant's credit line. Lowering the limit below what
// is in use is allowed: nothing more can be reserved until it is settled.
func (Tenants) SetCreditLine(ctx context.Context, idb bun.IDB, tenantID string, enabled bool, limit int64, currency string) error {
	res, err := idb.NewUpdate().Model((*TenantRow)(nil)).
		Set("credit_enabled = ?", enabled).Set("credit_limit = ?", limit).Set("credit_currency = ?", strings.ToUpper(currency)).
		Where("id = ?", tenantID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: set credit line of %s: %w", tenantID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// ReserveCredit reserves amount of the tenant's credit line for a session,
// in one conditional UPDATE: two concurrent reservations can never take
// more than the limit. Reserving twice for the same session is a no-op.
func (Tenants) ReserveCredit(ctx context.Context, idb bun.IDB, tenantID, sessionID string, amount int64, currency string, now time.Time) error {
	return idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r := &creditRow{SessionID: sessionID, TenantID: tenantID, Amount: amount, Currency: currency, Status: "RESERVED", CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
		res, err := tx.NewInsert().Model(r).On("CONFLICT (session_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: reserve credit: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // reserved before
		}
		res, err = tx.NewUpdate().Model((*TenantRow)(nil)).
			Set("credit_used = credit_used + ?", amount).
			Where("id = ? AND credit_enabled AND credit_currency = ? AND credit_limit - credit_used >= ?", tenantID, currency, amount).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: reserve credit: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		t, err := Tenants{}.GetTenant(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if !t.CreditEnabled || t.CreditCurrency != currency {
			return ErrNoCreditLine
		}
		return ErrInsufficientCredit
	})
}

// SettleCredit ends a session's reservation keeping only keep (what was
// booked) in use and giving the rest back. It is idempotent: settling again
// as before changes nothing. Settling differently from an earlier
// settlement (keeping money from a released reservation, say) is
// ErrConflict, never a silent success.
func (Tenants) SettleCredit(ctx context.Context, idb bun.IDB, sessionID string, keep int64, now time.Time) error {
	return idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r := new(creditRow)
		err := tx.NewSelect().Model(r).Where("session_id = ?", sessionID).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("db: settle credit: %w", err)
		}
		status := "SETTLED"
		if keep == 0 {
			status = "RELEASED"
		}
		if r.Status != "RESERVED" {
			if r.Status == status && (keep == 0 || min(keep, r.Amount) == r.Amount) {
				return nil
			}
			return fmt.Errorf("%w: the reservation of %s is %s", ErrConflict, sessionID, r.Status)
		}
		keep = min(keep, r.Amount)
		res, err := tx.NewUpdate().Model(r).Set("status = ?", status).Set("amount = ?", keep).Set("updated_at = ?", now.UTC()).
			Where("session_id = ? AND status = 'RESERVED'", sessionID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: settle credit: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.NewUpdate().Model((*TenantRow)(nil)).Set("credit_used = credit_used - ?", r.Amount-keep).
			Where("id = ?", r.TenantID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: settle credit: %w", err)
		}
		return nil
	})
}

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
	res, err := idb.NewInsert().Model(row).On("CONFLICT (tenant_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	got := new(IdempotencyRow)
	if err := idb.NewSelect().Model(got).Where("tenant_id = ? AND key = ?", tenantID, key).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: read idempotency key: %w", err)
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

type webhookRow struct {
	bun.BaseModel `bun:"table:webhook_events"`

	ID         string    `bun:"id,pk"`
	Source     string    `bun:"source"`
	Type       string    `bun:"type"`
	ReceivedAt time.Time `bun:"received_at"`
}

// RecordWebhookEvent stores a webhook event id and reports whether it is
// new: a provider that delivers an event twice sees it handled once.
func RecordWebhookEvent(ctx context.Context, idb bun.IDB, id, source, typ string, now time.Time) (bool, error) {
	res, err := idb.NewInsert().Model(&webhookRow{ID: id, Source: source, Type: typ, ReceivedAt: now.UTC()}).On("CONFLICT (id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: record webhook event: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ForgetWebhookEvent removes a recorded event whose handling failed, so
// that the provider's retry is handled.
func ForgetWebhookEvent(ctx context.Context, idb bun.IDB, id string) error {
	_, err := idb.NewDelete().Model((*webhookRow)(nil)).Where("id = ?", id).Exec(ctx)
	return err
}
