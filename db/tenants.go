package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
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

// Tenants stores tenants, their API keys and their credit lines.
type Tenants struct{}

// EnsureTenant returns the tenant called name, creating it with id when
// it does not exist.
func (Tenants) EnsureTenant(ctx context.Context, idb bun.IDB, id, name string, now time.Time) (*TenantRow, error) {
	row := &TenantRow{ID: id, Name: name, CreatedAt: now.UTC()}
	return insertOrSelect(ctx, idb, row, "name", name, "tenant "+name)
}

// GetTenant returns a tenant by id, or ErrNotFound.
func (Tenants) GetTenant(ctx context.Context, idb bun.IDB, id string) (*TenantRow, error) {
	return selectOne[TenantRow](ctx, idb, "get tenant "+id, "id = ?", id)
}

// TenantByName returns a tenant by name, or ErrNotFound.
func (Tenants) TenantByName(ctx context.Context, idb bun.IDB, name string) (*TenantRow, error) {
	return selectOne[TenantRow](ctx, idb, "tenant "+name, "name = ?", name)
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
	k, err := selectOne[APIKeyRow](ctx, idb, "api key", "id = ? AND revoked_at IS NULL", id)
	if err != nil {
		return nil, nil, err
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

// KeyRow returns the API key with id, revoked or not.
func (Tenants) KeyRow(ctx context.Context, idb bun.IDB, id string) (*APIKeyRow, error) {
	return selectOne[APIKeyRow](ctx, idb, "api key "+id, "id = ?", id)
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
	k, err := selectOne[APIKeyRow](ctx, idb, "read api key "+id, "id = ?", id)
	if err != nil {
		return nil, false, err
	}
	return k, n == 1, nil
}
