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

// creditRow is one session's reservation of its tenant's credit line.
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
