package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// TenantSettlementRow is how a tenant's parts of one provider settle by
// default: MERCHANT, PROVIDER_INTENT or CARD_FORWARD (package checkout
// validates the mode against what the provider supports).
type TenantSettlementRow struct {
	bun.BaseModel `bun:"table:tenant_settlements"`

	TenantID  string    `bun:"tenant_id,pk"`
	Provider  string    `bun:"provider,pk"`
	Mode      string    `bun:"mode"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// SetSettlement sets how the tenant's parts of provider settle by default,
// replacing any earlier mode. Setting the same mode again changes only
// updated_at. An unknown tenant is ErrNotFound.
func (Tenants) SetSettlement(ctx context.Context, idb bun.IDB, tenantID, provider, mode string, now time.Time) error {
	if _, err := (Tenants{}).GetTenant(ctx, idb, tenantID); err != nil {
		return err
	}
	row := &TenantSettlementRow{TenantID: tenantID, Provider: provider, Mode: mode, UpdatedAt: now.UTC()}
	_, err := idb.NewInsert().Model(row).
		On("CONFLICT (tenant_id, provider) DO UPDATE").Set("mode = EXCLUDED.mode").Set("updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: set settlement of %s for %s: %w", tenantID, provider, err)
	}
	return nil
}

// Settlements returns the tenant's configured settlement modes, by
// provider; a provider absent from the map has none configured.
func (Tenants) Settlements(ctx context.Context, idb bun.IDB, tenantID string) (map[string]string, error) {
	var rows []TenantSettlementRow
	if err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).OrderExpr("provider").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: settlements of %s: %w", tenantID, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Provider] = r.Mode
	}
	return out, nil
}

// bookingReferenceRow is one of our booking references, handed out once.
type bookingReferenceRow struct {
	bun.BaseModel `bun:"table:booking_references"`

	Reference string    `bun:"reference,pk"`
	SessionID string    `bun:"session_id"`
	PartIndex int       `bun:"part_index"`
	CreatedAt time.Time `bun:"created_at"`
}

// ReserveReference gives part partIndex of session sessionID the booking
// reference ref. It answers true when ref is now the part's, false when
// ref is another part's (draw another), and the part's own reference when
// the part had one already (a concurrent or repeated reservation): a
// part never gets two references.
func (Sessions) ReserveReference(ctx context.Context, idb bun.IDB, sessionID string, partIndex int, ref string, now time.Time) (string, bool, error) {
	row := &bookingReferenceRow{Reference: ref, SessionID: sessionID, PartIndex: partIndex, CreatedAt: now.UTC()}
	res, err := idb.NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return "", false, fmt.Errorf("db: reserve booking reference for %s part %d: %w", sessionID, partIndex, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return ref, true, nil
	}
	var got bookingReferenceRow
	err = idb.NewSelect().Model(&got).Where("session_id = ? AND part_index = ?", sessionID, partIndex).Limit(1).Scan(ctx)
	if err == nil {
		return got.Reference, true, nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return "", false, fmt.Errorf("db: read booking reference of %s part %d: %w", sessionID, partIndex, err)
}
