package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrConflict is returned when a row that must be unique exists already.
var ErrConflict = errors.New("db: conflict")

// SessionRow is a checkout session. The columns the database filters on
// are columns; everything else (offer, travellers, cart, holds, payment)
// is the JSON document Data, owned by package checkout.
type SessionRow struct {
	bun.BaseModel `bun:"table:checkout_sessions"`

	ID       string `bun:"id,pk"`
	TenantID string `bun:"tenant_id"`
	Status   string `bun:"status"`
	Version  int64  `bun:"version"`
	// BusyOp and BusyUntil are the lease of the saga step under way.
	BusyOp    string     `bun:"busy_op"`
	BusyUntil *time.Time `bun:"busy_until"`
	// ReleaseDueAt is set while a final session's payment is still to be
	// released, from when it is due.
	ReleaseDueAt *time.Time `bun:"release_due_at"`
	// ReconcileAttempts counts the reconciler's lookups of a session whose
	// booking outcome is unknown; ReconcileAt is when it looks next.
	ReconcileAttempts int        `bun:"reconcile_attempts"`
	ReconcileAt       *time.Time `bun:"reconcile_at"`
	OfferID           string     `bun:"offer_id"`
	// PaymentRef is the payment gateway's id of the session's payment.
	PaymentRef string `bun:"payment_ref"`
	// PaymentGateway names the gateway the card payment is made through
	// (payments.Gateway.Name: "stripe", "gr4vy", "sandbox"); '' for none.
	// The sweeper's look-ups take a gateway and skip sessions paid
	// through another (see OfGateway).
	PaymentGateway string `bun:"payment_gateway"`
	// StrayChecks and StrayCheckAt are the look-ups of an ended session
	// for authorizations its gateway's card form made by itself, and when
	// the next is due (see StrayCandidates); written only by
	// ScheduleStrayCheck.
	StrayChecks     int        `bun:"stray_checks"`
	StrayCheckAt    *time.Time `bun:"stray_check_at"`
	Data            string     `bun:"data"`
	TotalAmount     int64      `bun:"total_amount"`
	Currency        string     `bun:"currency"`
	GroupIdentifier string     `bun:"group_identifier"`
	ExpiresAt       time.Time  `bun:"expires_at"`
	HoldExpiresAt   *time.Time `bun:"hold_expires_at"`
	CreatedAt       time.Time  `bun:"created_at"`
	UpdatedAt       time.Time  `bun:"updated_at"`
}

// EventRow is one state change of a session, in the order they happened.
type EventRow struct {
	bun.BaseModel `bun:"table:checkout_events"`

	ID         int64     `bun:"id,pk,autoincrement"`
	SessionID  string    `bun:"session_id"`
	Version    int64     `bun:"version"`
	FromStatus string    `bun:"from_status"`
	ToStatus   string    `bun:"to_status"`
	Event      string    `bun:"event"`
	Detail     string    `bun:"detail"`
	At         time.Time `bun:"at"`
}

// BookingRow is one provider booking made by a session (one per part).
type BookingRow struct {
	bun.BaseModel `bun:"table:bookings"`

	ID                string    `bun:"id,pk"`
	TenantID          string    `bun:"tenant_id"`
	SessionID         string    `bun:"session_id"`
	PartIndex         int       `bun:"part_index"`
	Reference         string    `bun:"reference"`
	Provider          string    `bun:"provider"`
	ProviderReference string    `bun:"provider_reference"`
	Status            string    `bun:"status"`
	Amount            int64     `bun:"amount"`
	Currency          string    `bun:"currency"`
	GroupIdentifier   string    `bun:"group_identifier"`
	Data              string    `bun:"data"`
	CreatedAt         time.Time `bun:"created_at"`
	UpdatedAt         time.Time `bun:"updated_at"`
	// DepartsAt is the booking's first departure; CheckedAt is when its
	// status was last read from the provider.
	DepartsAt *time.Time `bun:"departs_at"`
	CheckedAt *time.Time `bun:"checked_at"`
	// RefreshAt is when the sweeper reads it from its provider next;
	// Schedule its flights as last read (see the migration).
	RefreshAt *time.Time `bun:"refresh_at"`
	Schedule  string     `bun:"schedule"`
}

// Sessions stores checkout sessions, their events and their bookings.
type Sessions struct{}

// Also is a write made in the transaction of a session's insert or
// conditional update: first, before it (an idempotency key claimed with
// the mutation's first write, Idempotency.ClaimIn; its error rolls all
// back), and last, only when it applied (the stored answer of the
// mutation whose final write it is, Idempotency.Finish), so that the
// state change and the idempotency record commit together.
type Also func(ctx context.Context, tx bun.Tx) error

// InsertSession stores a new session (version 1) and its first event.
func (s Sessions) InsertSession(ctx context.Context, idb bun.IDB, row *SessionRow, event string) error {
	return s.InsertSessionAlso(ctx, idb, row, event, nil, nil)
}

// InsertSessionAlso is InsertSession, with first and last (each when not
// nil) written in the same transaction, before and after it.
func (Sessions) InsertSessionAlso(ctx context.Context, idb bun.IDB, row *SessionRow, event string, first, also Also) error {
	return idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if first != nil {
			if err := first(ctx, tx); err != nil {
				return err
			}
		}
		row.Version = 1
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if isUnique(err) {
				return ErrConflict
			}
			return fmt.Errorf("db: insert session %s: %w", row.ID, err)
		}
		var w writes
		if err := w.event(tx, row, "", event, ""); err != nil {
			return err
		}
		if err := w.exec(ctx, tx); err != nil {
			return fmt.Errorf("db: insert the event of %s: %w", row.ID, err)
		}
		if also != nil {
			return also(ctx, tx)
		}
		return nil
	})
}

// GetSession returns the tenant's session id, or ErrNotFound (also for
// another tenant's session).
func (Sessions) GetSession(ctx context.Context, idb bun.IDB, tenantID, id string) (*SessionRow, error) {
	return selectOne[SessionRow](ctx, idb, "get session "+id, "id = ? AND tenant_id = ?", id, tenantID)
}

// UpdateSession writes row if the stored session still has fromStatus and
// row.Version: one conditional UPDATE, so that of two concurrent writers
// only one applies. It bumps row.Version, appends the event when the
// status changes (or event is named), records steps (the saga's calls to
// the outside world, see StepRow) in the same transaction, and reports
// whether it applied; false means someone else moved the session first
// and nothing was written.
func (s Sessions) UpdateSession(ctx context.Context, idb bun.IDB, row *SessionRow, fromStatus, event, detail string, steps ...StepRow) (bool, error) {
	return s.UpdateSessionAlso(ctx, idb, row, fromStatus, event, detail, nil, nil, steps...)
}

// UpdateSessionAlso is UpdateSession, with first (when not nil) written
// in the same transaction before the update, and also (when not nil)
// after it, when it applies.
func (Sessions) UpdateSessionAlso(ctx context.Context, idb bun.IDB, row *SessionRow, fromStatus, event, detail string, first, also Also, steps ...StepRow) (bool, error) {
	applied := false
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if first != nil {
			if err := first(ctx, tx); err != nil {
				return err
			}
		}
		from := row.Version
		res, err := tx.NewUpdate().Model(row).
			Column("status", "busy_op", "busy_until", "release_due_at", "reconcile_attempts", "reconcile_at", "payment_ref", "payment_gateway", "data", "total_amount", "currency", "expires_at", "hold_expires_at", "updated_at").
			Set("version = ?", from+1).
			Where("id = ? AND status = ? AND version = ?", row.ID, fromStatus, from).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: update session %s: %w", row.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		row.Version = from + 1
		// The steps, the event and its outbox event: one statement.
		var w writes
		w.writeSteps(tx, steps)
		if event != "" || fromStatus != row.Status {
			if err := w.event(tx, row, fromStatus, event, detail); err != nil {
				return err
			}
		}
		if err := w.exec(ctx, tx); err != nil {
			return fmt.Errorf("db: record the steps and event of %s: %w", row.ID, err)
		}
		if also != nil {
			if err := also(ctx, tx); err != nil {
				return err
			}
		}
		applied = true
		return nil
	})
	if err != nil {
		applied = false
	}
	return applied, err
}

// event adds to w the event of row's change from status from (its
// version already bumped), and when the status changed, the outbox event
// that tells the tenant.
func (w *writes) event(idb bun.IDB, row *SessionRow, from, event, detail string) error {
	if event == "" {
		event = strings.ToLower(from + "_to_" + row.Status)
	}
	ev := &EventRow{SessionID: row.ID, Version: row.Version, FromStatus: from, ToStatus: row.Status, Event: event, Detail: detail, At: row.UpdatedAt}
	w.inserts = append(w.inserts, idb.NewInsert().Model(ev))
	if from == row.Status {
		return nil
	}
	// A change of status is told to the tenant (webhooks, subscriptions).
	return w.emit(idb, row.TenantID, EventSessionPrefix+strings.ToLower(row.Status), row.ID,
		map[string]any{"checkoutSessionId": row.ID, "status": row.Status, "previousStatus": from, "version": row.Version}, row.UpdatedAt)
}

// SessionByID returns the session id whatever its tenant (for operators
// and the reconciler), or ErrNotFound.
func (Sessions) SessionByID(ctx context.Context, idb bun.IDB, id string) (*SessionRow, error) {
	row := new(SessionRow)
	err := idb.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: session %s: %w", id, err)
	}
	return row, nil
}

// OfGateway restricts q (a select of checkout_sessions) to the sessions
// whose payment is made through gateway, or that have no card payment:
// what a replica configured with gateway may settle. An empty gateway
// restricts nothing.
func OfGateway(q *bun.SelectQuery, gateway string) *bun.SelectQuery {
	if gateway == "" {
		return q
	}
	return q.Where("payment_gateway IN ('', ?)", gateway)
}

// DueForReconcile returns up to limit sessions in status whose next
// reconciliation (reconcile_at) is due at now, or was never scheduled,
// of those gateway may settle (OfGateway).
func (Sessions) DueForReconcile(ctx context.Context, idb bun.IDB, status, gateway string, now time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := OfGateway(idb.NewSelect().Model(&rows), gateway).Where("status = ?", status).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("reconcile_at IS NULL").WhereOr("reconcile_at <= ?", now.UTC())
		}).
		Order("updated_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions due for reconciliation: %w", err)
	}
	return rows, nil
}

// FollowUpsDue returns up to limit sessions in status whose next look
// (reconcile_at) is set and due: for PAYMENT_PENDING, those whose payment
// waits on the buyer or the gateway. Sessions without one are never
// listed, so they cannot crowd out those due. Only sessions gateway may
// settle (OfGateway) are listed.
func (Sessions) FollowUpsDue(ctx context.Context, idb bun.IDB, status, gateway string, now time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := OfGateway(idb.NewSelect().Model(&rows), gateway).Where("status = ?", status).Where("reconcile_at <= ?", now.UTC()).
		Order("reconcile_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions due for a follow-up: %w", err)
	}
	return rows, nil
}

// SessionByPaymentRef returns the session whose payment has the gateway
// id ref, whatever its tenant (webhooks carry no tenant), or ErrNotFound.
func (Sessions) SessionByPaymentRef(ctx context.Context, idb bun.IDB, ref string) (*SessionRow, error) {
	row := new(SessionRow)
	err := idb.NewSelect().Model(row).Where("payment_ref = ? AND payment_ref <> ''", ref).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: session of payment %s: %w", ref, err)
	}
	return row, nil
}

// Events returns a session's events, oldest first.
func (Sessions) Events(ctx context.Context, idb bun.IDB, sessionID string) ([]EventRow, error) {
	var evs []EventRow
	if err := idb.NewSelect().Model(&evs).Where("session_id = ?", sessionID).Order("version ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: events of %s: %w", sessionID, err)
	}
	return evs, nil
}

// ExpiredSessions returns up to limit sessions in one of statuses whose
// expiry is at or before now.
func (Sessions) ExpiredSessions(ctx context.Context, idb bun.IDB, statuses []string, now time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := idb.NewSelect().Model(&rows).Where("status IN (?)", bun.In(statuses)).
		Where("expires_at <= ?", now.UTC()).
		Order("updated_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: expired sessions: %w", err)
	}
	return rows, nil
}

// HoldsDue returns up to limit sessions in one of statuses whose earliest
// hold lapses at or before due and whose own expiry is after now.
func (Sessions) HoldsDue(ctx context.Context, idb bun.IDB, statuses []string, due, now time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := idb.NewSelect().Model(&rows).Where("status IN (?)", bun.In(statuses)).
		Where("hold_expires_at <= ?", due.UTC()).Where("expires_at > ?", now.UTC()).
		Order("hold_expires_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: holds due: %w", err)
	}
	return rows, nil
}

// LeaseLapsed returns up to limit sessions in status whose step lease
// (busy_until) lapsed at or before now, or that have none, of those
// gateway may settle (OfGateway).
func (Sessions) LeaseLapsed(ctx context.Context, idb bun.IDB, status, gateway string, now time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := OfGateway(idb.NewSelect().Model(&rows), gateway).Where("status = ?", status).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("busy_until IS NULL").WhereOr("busy_until <= ?", now.UTC())
		}).
		Order("updated_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions whose lease lapsed: %w", err)
	}
	return rows, nil
}

// SessionsToRelease returns up to limit sessions marked to have their
// payment released whose marker (release_due_at) is due, of those
// gateway may settle (OfGateway).
func (Sessions) SessionsToRelease(ctx context.Context, idb bun.IDB, gateway string, now time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := OfGateway(idb.NewSelect().Model(&rows), gateway).Where("release_due_at <= ?", now.UTC()).
		Order("updated_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions to release: %w", err)
	}
	return rows, nil
}

// StaleSessions returns up to limit sessions in one of statuses that
// have not changed since before.
func (Sessions) StaleSessions(ctx context.Context, idb bun.IDB, statuses []string, before time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := idb.NewSelect().Model(&rows).Where("status IN (?)", bun.In(statuses)).
		Where("updated_at <= ?", before.UTC()).
		Order("updated_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: stale sessions: %w", err)
	}
	return rows, nil
}

// SessionsWithEvent returns up to limit sessions that have an event
// named event, whatever their tenant, oldest change first.
func (Sessions) SessionsWithEvent(ctx context.Context, idb bun.IDB, event string, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := idb.NewSelect().Model(&rows).
		Where("id IN (?)", idb.NewSelect().Table("checkout_events").Column("session_id").Where("event = ?", event)).
		Order("updated_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions with event %s: %w", event, err)
	}
	return rows, nil
}

// InsertBooking stores a booking; a second booking of the same session
// part is ErrConflict.
func (Sessions) InsertBooking(ctx context.Context, idb bun.IDB, row *BookingRow) error {
	return idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			if isUnique(err) {
				return ErrConflict
			}
			return fmt.Errorf("db: insert booking %s: %w", row.ID, err)
		}
		return emit(ctx, tx, row.TenantID, EventBookingConfirmed, row.ID, bookingEvent(row, nil), row.CreatedAt)
	})
}

// bookingEvent is the data of a booking's event.
func bookingEvent(row *BookingRow, extra map[string]any) map[string]any {
	m := map[string]any{"bookingId": row.ID, "reference": row.Reference, "checkoutSessionId": row.SessionID,
		"provider": row.Provider, "status": row.Status}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// BookingsToRefresh returns up to limit bookings, not canceled (in either
// spelling rows have used), whose first flight leaves after now and whose
// next read from the provider (refresh_at) is due at now, the soonest
// departures first.
func (Sessions) BookingsToRefresh(ctx context.Context, idb bun.IDB, now time.Time, limit int) ([]BookingRow, error) {
	var rows []BookingRow
	err := idb.NewSelect().Model(&rows).Where("status NOT IN ('CANCELED', 'CANCELLED')").
		Where("departs_at > ?", now.UTC()).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("refresh_at IS NULL").WhereOr("refresh_at <= ?", now.UTC())
		}).
		Order("departs_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: bookings to refresh: %w", err)
	}
	return rows, nil
}

// BookingChangeRow is one change of a booking seen at its provider.
type BookingChangeRow struct {
	bun.BaseModel `bun:"table:booking_changes"`

	ID         int64     `bun:"id,pk,autoincrement"`
	BookingID  string    `bun:"booking_id"`
	Kind       string    `bun:"kind"`
	Before     string    `bun:"before"`
	After      string    `bun:"after"`
	DetectedAt time.Time `bun:"detected_at"`
	// BeforeSegments and AfterSegments are a SCHEDULE change's flights as
	// JSON lists ({flight, origin, destination, departureAt, arrivalAt},
	// local times with their offset); "" otherwise and in older rows.
	BeforeSegments string `bun:"before_segments"`
	AfterSegments  string `bun:"after_segments"`
}

// BookingRead records what booking row was read as from its provider at
// now: its status, schedule and data as row now holds them, the next
// read due at row.RefreshAt, and the changes found, in one transaction
// and only if the stored status, schedule and data (its locators) are
// still from, fromSchedule and fromData (a concurrent read recorded the
// same changes first). involuntary, when set, is the airline's
// cancellation the read found, written in the same transaction (its Seq
// set), so that its refund is due even if the process stops next. It
// reports whether it wrote.
func (Sessions) BookingRead(ctx context.Context, idb bun.IDB, row *BookingRow, from, fromSchedule, fromData string, changes []BookingChangeRow, involuntary *CancellationRow, now time.Time) (bool, error) {
	var ok bool
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*BookingRow)(nil)).Set("status = ?", row.Status).Set("schedule = ?", row.Schedule).
			Set("data = ?", row.Data).Set("checked_at = ?", now.UTC()).Set("refresh_at = ?", row.RefreshAt).Set("updated_at = ?", now.UTC()).
			Where("id = ? AND status = ? AND schedule = ? AND data = ?", row.ID, from, fromSchedule, fromData)
		if slices.ContainsFunc(changes, func(c BookingChangeRow) bool { return c.Kind == "STATUS" && c.After == "CANCELED" }) {
			// The airline canceled it only if we did not: a cancellation
			// of ours confirmed meanwhile makes this read stale.
			q = q.Where("NOT EXISTS (SELECT 1 FROM booking_cancellations AS c WHERE c.booking_id = ? AND c.status IN (?))", row.ID, bun.In(OwnCancellationStatuses))
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		ok = true
		if involuntary != nil {
			if involuntary.Seq, err = nextSeq(ctx, tx, row.ID); err != nil {
				return err
			}
			if _, err := tx.NewInsert().Model(involuntary).Exec(ctx); err != nil {
				return err
			}
		}
		for i := range changes {
			ch := &changes[i]
			if _, err := tx.NewInsert().Model(ch).Exec(ctx); err != nil {
				return err
			}
			typ := map[string]string{"SCHEDULE": EventBookingChanged, "LOCATORS": EventBookingLocators}[ch.Kind]
			if ch.Kind == "STATUS" {
				typ = EventBookingStatus
				if ch.After == "CANCELED" {
					typ = EventBookingCanceled
				}
			}
			extra := map[string]any{"change": ch.Kind, "before": ch.Before, "after": ch.After}
			if ch.BeforeSegments != "" && ch.AfterSegments != "" {
				extra["scheduleBefore"], extra["scheduleAfter"] = json.RawMessage(ch.BeforeSegments), json.RawMessage(ch.AfterSegments)
			}
			if err := emit(ctx, tx, row.TenantID, typ, row.ID, bookingEvent(row, extra), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("db: record read of booking %s: %w", row.ID, err)
	}
	return ok, nil
}

// OwnCancellationStatuses are the statuses of a cancellation of ours that
// was confirmed and did not fail: while one exists, a booking the
// provider shows canceled was canceled by us, not by the airline.
var OwnCancellationStatuses = []string{"CANCELING", "PENDING", "REFUNDING", "COMPLETED", "REFUND_FAILED"}

// BookingChanges returns a booking's changes, oldest first.
func (Sessions) BookingChanges(ctx context.Context, idb bun.IDB, bookingID string) ([]BookingChangeRow, error) {
	var rows []BookingChangeRow
	if err := idb.NewSelect().Model(&rows).Where("booking_id = ?", bookingID).Order("id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: changes of booking %s: %w", bookingID, err)
	}
	return rows, nil
}

// SetBookingStatus sets the status of a session part's booking (CANCELED
// after a compensating cancellation, or what the provider says now).
// A booking that becomes CANCELED is told to the tenant, once.
func (Sessions) SetBookingStatus(ctx context.Context, idb bun.IDB, sessionID string, partIndex int, status string, now time.Time) error {
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*BookingRow)(nil)).Set("status = ?", status).Set("updated_at = ?", now.UTC()).
			Where("session_id = ? AND part_index = ? AND status <> ?", sessionID, partIndex, status).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || status != "CANCELED" {
			return nil
		}
		row, err := selectOne[BookingRow](ctx, tx, "read booking", "session_id = ? AND part_index = ?", sessionID, partIndex)
		if err != nil {
			return err
		}
		return emit(ctx, tx, row.TenantID, EventBookingCanceled, row.ID, bookingEvent(row, nil), now)
	})
	if err != nil {
		return fmt.Errorf("db: set status of booking %s/%d: %w", sessionID, partIndex, err)
	}
	return nil
}

// BookingsOf returns a session's bookings by part.
func (Sessions) BookingsOf(ctx context.Context, idb bun.IDB, sessionID string) ([]BookingRow, error) {
	var rows []BookingRow
	if err := idb.NewSelect().Model(&rows).Where("session_id = ?", sessionID).Order("part_index ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: bookings of %s: %w", sessionID, err)
	}
	return rows, nil
}

// GetBooking returns the tenant's booking id, or ErrNotFound.
func (Sessions) GetBooking(ctx context.Context, idb bun.IDB, tenantID, id string) (*BookingRow, error) {
	return selectOne[BookingRow](ctx, idb, "get booking "+id, "id = ? AND tenant_id = ?", id, tenantID)
}

// Window is a keyset page of a list ordered newest first (created_at,
// then id, descending). Forward, it is up to Limit rows older than the
// row (At, ID), or the newest when ID is empty; backward, up to Limit rows
// newer than it, or the oldest. Either way the rows come newest first.
type Window struct {
	At       time.Time
	ID       string
	Backward bool
	Limit    int
}

// list runs q, a select of a model with created_at and id columns, over w.
func (w Window) list(ctx context.Context, q *bun.SelectQuery) error {
	if w.ID != "" {
		cmp := "<"
		if w.Backward {
			cmp = ">"
		}
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("created_at "+cmp+" ?", w.At.UTC()).
				WhereOr("created_at = ? AND id "+cmp+" ?", w.At.UTC(), w.ID)
		})
	}
	if w.Backward {
		q = q.Order("created_at ASC", "id ASC")
	} else {
		q = q.Order("created_at DESC", "id DESC")
	}
	return q.Limit(int64(w.Limit)).Scan(ctx)
}

// newestFirst reverses rows read backward, so that every page is newest first.
func newestFirst[T any](w Window, rows []T) []T {
	if w.Backward {
		slices.Reverse(rows)
	}
	return rows
}

// BookingFilter narrows a list of bookings: every field set must match.
// Statuses are stored statuses; DepartsFrom and DepartsBefore bound the
// first departure (from inclusive, before exclusive).
type BookingFilter struct {
	Statuses      []string
	DepartsFrom   *time.Time
	DepartsBefore *time.Time
	Reference     *string
}

func (f BookingFilter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.In(f.Statuses))
	}
	if f.DepartsFrom != nil {
		q = q.Where("departs_at >= ?", f.DepartsFrom.UTC())
	}
	if f.DepartsBefore != nil {
		q = q.Where("departs_at < ?", f.DepartsBefore.UTC())
	}
	if f.Reference != nil {
		q = q.Where("reference = ?", *f.Reference)
	}
	return q
}

// SessionFilter narrows a list of checkout sessions: every field set must
// match. CreatedFrom and CreatedTo are inclusive.
type SessionFilter struct {
	Statuses    []string
	CreatedFrom *time.Time
	CreatedTo   *time.Time
}

func (f SessionFilter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.In(f.Statuses))
	}
	if f.CreatedFrom != nil {
		q = q.Where("created_at >= ?", f.CreatedFrom.UTC())
	}
	if f.CreatedTo != nil {
		q = q.Where("created_at <= ?", f.CreatedTo.UTC())
	}
	return q
}

// ListBookings returns the tenant's bookings that match f in the window w,
// newest first.
func (Sessions) ListBookings(ctx context.Context, idb bun.IDB, tenantID string, f BookingFilter, w Window) ([]BookingRow, error) {
	var rows []BookingRow
	if err := w.list(ctx, f.apply(idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID))); err != nil {
		return nil, fmt.Errorf("db: list bookings: %w", err)
	}
	return newestFirst(w, rows), nil
}

// ListSessions returns the tenant's checkout sessions that match f in the
// window w, newest first.
func (Sessions) ListSessions(ctx context.Context, idb bun.IDB, tenantID string, f SessionFilter, w Window) ([]SessionRow, error) {
	var rows []SessionRow
	if err := w.list(ctx, f.apply(idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID))); err != nil {
		return nil, fmt.Errorf("db: list sessions: %w", err)
	}
	return newestFirst(w, rows), nil
}

// CountSessions counts the tenant's checkout sessions that match f.
func (Sessions) CountSessions(ctx context.Context, idb bun.IDB, tenantID string, f SessionFilter) (int, error) {
	n, err := f.apply(idb.NewSelect().Model((*SessionRow)(nil)).Where("tenant_id = ?", tenantID)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: count sessions: %w", err)
	}
	return int(n), nil
}

// BookingsOfSessions returns the bookings of the sessions ids, by session
// and part.
func (Sessions) BookingsOfSessions(ctx context.Context, idb bun.IDB, ids []string) ([]BookingRow, error) {
	var rows []BookingRow
	if len(ids) == 0 {
		return rows, nil
	}
	if err := idb.NewSelect().Model(&rows).Where("session_id IN (?)", bun.In(ids)).Order("session_id ASC", "part_index ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: bookings of %d sessions: %w", len(ids), err)
	}
	return rows, nil
}

// CountBookings counts the tenant's bookings that match f.
func (Sessions) CountBookings(ctx context.Context, idb bun.IDB, tenantID string, f BookingFilter) (int, error) {
	n, err := f.apply(idb.NewSelect().Model((*BookingRow)(nil)).Where("tenant_id = ?", tenantID)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: count bookings: %w", err)
	}
	return int(n), nil
}

// isUnique reports whether err is a unique-constraint violation: SQLSTATE
// 23505 on Postgres, SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY on SQLite.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505" // unique_violation
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// StrayCandidates returns up to limit sessions to look up for
// authorizations a gateway's card form made by itself after they ended:
// sessions in one of statuses (the final ones) whose card payment was
// made through gateway (payment_ref set), that never reached the status
// authorized (no event moved them to it: the authorization would be
// ours, captured or voided by the saga), whose intent was created (step
// payStep last written) at or after since (so it is still open at the
// gateway), and whose next look-up (stray_check_at) is due at now or was
// never scheduled; the earliest due first.
func (Sessions) StrayCandidates(ctx context.Context, idb bun.IDB, statuses []string, gateway, authorized, payStep string, since, now time.Time, limit int) ([]SessionRow, error) {
	var rows []SessionRow
	err := OfGateway(idb.NewSelect().Model(&rows), gateway).Where("status IN (?)", bun.In(statuses)).
		Where("payment_ref <> ''").
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("stray_check_at IS NULL").WhereOr("stray_check_at <= ?", now.UTC())
		}).
		Where("NOT EXISTS (SELECT 1 FROM checkout_events AS e WHERE e.session_id = ?TableAlias.id AND e.to_status = ?)", authorized).
		Where("EXISTS (SELECT 1 FROM saga_steps AS st WHERE st.session_id = ?TableAlias.id AND st.step = ? AND st.updated_at >= ?)", payStep, since.UTC()).
		OrderExpr("COALESCE(stray_check_at, updated_at) ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: sessions to check for stray authorizations: %w", err)
	}
	return rows, nil
}

// ScheduleStrayCheck records that session id was looked up for stray
// authorizations checks times, the next look-up due at next. It leaves
// the session's version alone: no step of the saga races it.
func (Sessions) ScheduleStrayCheck(ctx context.Context, idb bun.IDB, id string, checks int, next time.Time) error {
	if _, err := idb.NewUpdate().Table("checkout_sessions").Set("stray_checks = ?", checks).Set("stray_check_at = ?", next.UTC()).
		Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("db: schedule the stray check of %s: %w", id, err)
	}
	return nil
}
