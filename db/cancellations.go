package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// CancellationRow is one cancellation quote of a booking and, once
// confirmed, the cancellation it became (package checkout owns the
// statuses). Seq numbers a booking's quotes: only the latest may be
// confirmed.
type CancellationRow struct {
	bun.BaseModel `bun:"table:booking_cancellations"`

	ID        string `bun:"id,pk"`
	TenantID  string `bun:"tenant_id"`
	BookingID string `bun:"booking_id"`
	Seq       int    `bun:"seq"`
	// Kind is VOLUNTARY (a quote confirmed) or INVOLUNTARY (the airline
	// canceled: a full refund, written with the read that saw it).
	Kind         string `bun:"kind"`
	Status       string `bun:"status"`
	Version      int64  `bun:"version"`
	Refundable   bool   `bun:"refundable"`
	Voidable     bool   `bun:"voidable"`
	QuotedRefund int64  `bun:"quoted_refund"`
	Penalty      int64  `bun:"penalty"`
	Currency     string `bun:"currency"`
	RefundAmount int64  `bun:"refund_amount"`
	// ProviderRefundAmount and ProviderRefundCurrency are what the
	// provider refunded, in its currency (RefundAmount is in Currency,
	// the booking's); RefundedBy is GATEWAY, CREDIT_LINE or PROVIDER once
	// the refund is decided, "" before.
	ProviderRefundAmount   int64      `bun:"provider_refund_amount"`
	ProviderRefundCurrency string     `bun:"provider_refund_currency"`
	RefundedBy             string     `bun:"refunded_by"`
	RefundStatus           string     `bun:"refund_status"`
	RefundRef              string     `bun:"refund_ref"`
	IdempotencyKey         string     `bun:"idempotency_key"`
	Failure                string     `bun:"failure"`
	Attempts               int        `bun:"attempts"`
	ExpiresAt              time.Time  `bun:"expires_at"`
	NextAt                 *time.Time `bun:"next_at"`
	CreatedAt              time.Time  `bun:"created_at"`
	UpdatedAt              time.Time  `bun:"updated_at"`
}

// Cancellations stores booking cancellations.
type Cancellations struct{}

// InsertQuote stores a new quote of its booking as the latest one (Seq
// one above the booking's highest), retrying when a concurrent quote took
// the number.
func (Cancellations) InsertQuote(ctx context.Context, idb bun.IDB, row *CancellationRow) error {
	for range 5 {
		var top sql.NullInt64
		if err := idb.NewSelect().Model((*CancellationRow)(nil)).ColumnExpr("MAX(seq)").Where("booking_id = ?", row.BookingID).Scan(ctx, &top); err != nil {
			return fmt.Errorf("db: insert quote: %w", err)
		}
		row.Seq = int(top.Int64) + 1
		_, err := idb.NewInsert().Model(row).Exec(ctx)
		if err == nil {
			return nil
		}
		if !isUnique(err) {
			return fmt.Errorf("db: insert quote: %w", err)
		}
	}
	return fmt.Errorf("db: insert quote of %s: %w", row.BookingID, ErrConflict)
}

// nextSeq is one above the highest Seq of booking bookingID's
// cancellations.
func nextSeq(ctx context.Context, idb bun.IDB, bookingID string) (int, error) {
	var top sql.NullInt64
	if err := idb.NewSelect().Model((*CancellationRow)(nil)).ColumnExpr("MAX(seq)").Where("booking_id = ?", bookingID).Scan(ctx, &top); err != nil {
		return 0, err
	}
	return int(top.Int64) + 1, nil
}

// Get returns the tenant's cancellation id, or ErrNotFound.
func (Cancellations) Get(ctx context.Context, idb bun.IDB, tenantID, id string) (*CancellationRow, error) {
	return selectOne[CancellationRow](ctx, idb, "read cancellation", "id = ? AND tenant_id = ?", id, tenantID)
}

// OfBooking returns a booking's cancellations, latest first.
func (Cancellations) OfBooking(ctx context.Context, idb bun.IDB, bookingID string) ([]CancellationRow, error) {
	var rows []CancellationRow
	if err := idb.NewSelect().Model(&rows).Where("booking_id = ?", bookingID).Order("seq DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: cancellations of %s: %w", bookingID, err)
	}
	return rows, nil
}

// Confirm moves quote id from QUOTED to status in one conditional UPDATE,
// only if it is its booking's latest quote, not expired at now, and no
// other cancellation of the booking is in one of active. It reports
// whether it did; the row's Version is raised.
func (Cancellations) Confirm(ctx context.Context, idb bun.IDB, row *CancellationRow, status string, active []string, now time.Time) (bool, error) {
	res, err := idb.NewUpdate().Model((*CancellationRow)(nil)).
		Set("status = ?", status).Set("version = version + 1").Set("idempotency_key = ?", row.IdempotencyKey).
		Set("next_at = ?", row.NextAt).Set("updated_at = ?", now.UTC()).
		Where("id = ? AND status = 'QUOTED' AND expires_at > ?", row.ID, now.UTC()).
		Where("seq = (SELECT MAX(o.seq) FROM booking_cancellations o WHERE o.booking_id = ?)", row.BookingID).
		Where("NOT EXISTS (SELECT 1 FROM booking_cancellations o WHERE o.booking_id = ? AND o.status IN (?))", row.BookingID, bun.In(active)).
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: confirm cancellation %s: %w", row.ID, err)
	}
	n, _ := res.RowsAffected()
	if n == 1 {
		row.Version++
		row.Status = status
	}
	return n == 1, nil
}

// Update writes row if it is still at version from, in one conditional
// UPDATE, raising its version. It reports false when another writer
// changed it first.
// A cancellation completed with a refund is told to the tenant
// (refund.succeeded) in the same transaction.
func (Cancellations) Update(ctx context.Context, idb bun.IDB, row *CancellationRow, now time.Time) (bool, error) {
	from := row.Version
	row.Version, row.UpdatedAt = from+1, now.UTC()
	ok := false
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(row).WherePK().Where("version = ?", from).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		ok = true
		if row.Status != "COMPLETED" || row.RefundAmount == 0 {
			return nil
		}
		return emit(ctx, tx, row.TenantID, EventRefundSucceeded, row.BookingID, map[string]any{"bookingId": row.BookingID,
			"cancellationId": row.ID, "amount": row.RefundAmount, "currency": row.Currency, "refundId": row.RefundRef, "refundedBy": row.RefundedBy,
			"providerAmount": row.ProviderRefundAmount, "providerCurrency": row.ProviderRefundCurrency}, now)
	})
	if err != nil || !ok {
		row.Version = from
	}
	if err != nil {
		return false, fmt.Errorf("db: update cancellation %s: %w", row.ID, err)
	}
	return ok, nil
}

// Due returns up to limit cancellations in one of statuses whose follow-up
// is due at now.
func (Cancellations) Due(ctx context.Context, idb bun.IDB, statuses []string, now time.Time, limit int) ([]CancellationRow, error) {
	var rows []CancellationRow
	err := idb.NewSelect().Model(&rows).Where("status IN (?) AND next_at IS NOT NULL AND next_at <= ?", bun.In(statuses), now.UTC()).
		Order("next_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: cancellations due: %w", err)
	}
	return rows, nil
}

// RestoreCredit gives amount back to the credit line that paid session
// sessionID, as the refund of cancellation row, in one transaction with
// writing row (its refund recorded): the credit is restored exactly once,
// however often it is called. It reports false when another writer
// changed row first.
func (c Cancellations) RestoreCredit(ctx context.Context, idb bun.IDB, row *CancellationRow, sessionID string, amount int64, now time.Time) (bool, error) {
	var ok bool
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if ok, err = c.Update(ctx, tx, row, now); err != nil || !ok {
			return err
		}
		r := new(creditRow)
		err = tx.NewSelect().Model(r).Where("session_id = ?", sessionID).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("db: restore credit: session %s has no credit reservation", sessionID)
		}
		if err != nil {
			return fmt.Errorf("db: restore credit: %w", err)
		}
		if r.Status != "SETTLED" || r.Amount < amount {
			return fmt.Errorf("db: restore credit: the reservation of %s is %s for %d, cannot give back %d", sessionID, r.Status, r.Amount, amount)
		}
		if _, err := tx.NewUpdate().Model(r).Set("amount = amount - ?", amount).Set("updated_at = ?", now.UTC()).
			Where("session_id = ?", sessionID).Exec(ctx); err != nil {
			return fmt.Errorf("db: restore credit: %w", err)
		}
		_, err = tx.NewUpdate().Model((*TenantRow)(nil)).Set("credit_used = credit_used - ?", amount).Where("id = ?", r.TenantID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: restore credit: %w", err)
		}
		return nil
	})
	if err != nil {
		ok = false
	}
	return ok, err
}

// ByKey returns the tenant's cancellation confirmed with idempotency key
// key, or nil.
func (Cancellations) ByKey(ctx context.Context, idb bun.IDB, tenantID, key string) (*CancellationRow, error) {
	row, err := selectOne[CancellationRow](ctx, idb, "read cancellation by key", "tenant_id = ? AND idempotency_key = ?", tenantID, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return row, err
}
