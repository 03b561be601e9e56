package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// OutboxRow is one event of the outbox: a state change worth telling a
// tenant, written in the transaction of the change. Data is the event's
// JSON object.
type OutboxRow struct {
	bun.BaseModel `bun:"table:outbox_events"`

	Seq       int64     `bun:"seq,pk,autoincrement"`
	ID        string    `bun:"id"`
	TenantID  string    `bun:"tenant_id"`
	Type      string    `bun:"type"`
	SubjectID string    `bun:"subject_id"`
	Data      string    `bun:"data"`
	CreatedAt time.Time `bun:"created_at"`
	FannedOut bool      `bun:"fanned_out"`
}

// Event types of the outbox.
const (
	// EventSessionPrefix + the lower-case status: checkout_session.booked.
	EventSessionPrefix    = "checkout_session."
	EventBookingConfirmed = "booking.confirmed"
	EventBookingCanceled  = "booking.canceled"
	EventBookingChanged   = "booking.schedule_changed"
	EventBookingStatus    = "booking.status_changed"
	EventBookingLocators  = "booking.locators_changed"
	EventRefundSucceeded  = "refund.succeeded"
	eventIDRandomBytes    = 12
)

// SessionStatuses are the statuses of a checkout session, in the
// schema's order (CheckoutSessionStatus): each change of status is the
// event EventSessionPrefix + the status in lower case. Package checkout's
// tests keep this list equal to its statuses.
var SessionStatuses = []string{
	"OPEN", "HELD", "PAYMENT_PENDING", "AUTHORIZED", "PRICE_CHANGED", "BOOKING", "BOOKED",
	"PARTIALLY_BOOKED", "FAILED", "EXPIRED", "CANCELED", "NEEDS_ATTENTION",
}

// EventTypes is every event type the outbox holds: the one list that
// webhook endpoint validation (package events), the README's table and
// the emitters share.
func EventTypes() []string {
	out := make([]string, 0, len(SessionStatuses)+6)
	for _, st := range SessionStatuses {
		out = append(out, EventSessionPrefix+strings.ToLower(st))
	}
	return append(out, EventBookingConfirmed, EventBookingCanceled, EventBookingChanged,
		EventBookingStatus, EventBookingLocators, EventRefundSucceeded)
}

var eventTypes = EventTypes()

// emit writes an event of type typ about subject into the outbox, in idb
// (the transaction of the change it tells), and on Postgres notifies
// OutboxChannel with subject in the same transaction, so that listeners
// are woken when it commits: one statement on Postgres (see writes).
func emit(ctx context.Context, idb bun.IDB, tenantID, typ, subject string, data map[string]any, at time.Time) error {
	var w writes
	if err := w.emit(idb, tenantID, typ, subject, data, at); err != nil {
		return err
	}
	if err := w.exec(ctx, idb); err != nil {
		return fmt.Errorf("db: write event %s of %s: %w", typ, subject, err)
	}
	return nil
}

// emit adds to w the outbox event of type typ about subject and its
// notification (see the function emit).
func (w *writes) emit(idb bun.IDB, tenantID, typ, subject string, data map[string]any, at time.Time) error {
	if !slices.Contains(eventTypes, typ) {
		// One list of names for emitters, webhook validation and the
		// README: an event outside it could not be subscribed to.
		return fmt.Errorf("db: event type %q is not in EventTypes", typ)
	}
	var b [eventIDRandomBytes]byte
	_, _ = rand.Read(b[:])
	body, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("db: encode event %s: %w", typ, err)
	}
	row := &OutboxRow{ID: "evt_" + hex.EncodeToString(b[:]), TenantID: tenantID, Type: typ, SubjectID: subject, Data: string(body), CreatedAt: at.UTC()}
	w.inserts = append(w.inserts, idb.NewInsert().Model(row))
	if !slices.Contains(w.notify, subject) {
		w.notify = append(w.notify, subject)
	}
	return nil
}

// Outbox reads the outbox.
type Outbox struct{}

// After returns up to limit of the tenant's events after seq, oldest
// first; subject, when set, keeps only the events about it.
func (Outbox) After(ctx context.Context, idb bun.IDB, tenantID, subject string, seq int64, limit int) ([]OutboxRow, error) {
	var rows []OutboxRow
	q := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND seq > ?", tenantID, seq)
	if subject != "" {
		q = q.Where("subject_id = ?", subject)
	}
	if err := q.Order("seq ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: events after %d: %w", seq, err)
	}
	return rows, nil
}

// Last returns the seq of the latest event, 0 when none.
func (Outbox) Last(ctx context.Context, idb bun.IDB) (int64, error) {
	var seq int64
	if err := idb.NewSelect().Model((*OutboxRow)(nil)).ColumnExpr("COALESCE(MAX(seq), 0)").Scan(ctx, &seq); err != nil {
		return 0, fmt.Errorf("db: last event: %w", err)
	}
	return seq, nil
}

// Get returns the tenant's event id, or ErrNotFound.
func (Outbox) Get(ctx context.Context, idb bun.IDB, tenantID, id string) (*OutboxRow, error) {
	return selectOne[OutboxRow](ctx, idb, "read event", "tenant_id = ? AND id = ?", tenantID, id)
}
