package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// WebhookEndpointRow is a tenant's webhook endpoint. Events is the
// comma-separated list of event types it receives ("*" for all).
type WebhookEndpointRow struct {
	bun.BaseModel `bun:"table:webhook_endpoints"`

	ID        string     `bun:"id,pk"`
	TenantID  string     `bun:"tenant_id"`
	URL       string     `bun:"url"`
	Secret    string     `bun:"secret"`
	Events    string     `bun:"events"`
	CreatedAt time.Time  `bun:"created_at"`
	DeletedAt *time.Time `bun:"deleted_at"`
}

// DeliveryRow is one event's delivery to one endpoint.
type DeliveryRow struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`

	EventSeq   int64      `bun:"event_seq,pk"`
	EndpointID string     `bun:"endpoint_id,pk"`
	Status     string     `bun:"status"` // PENDING, DELIVERED, FAILED
	Attempts   int        `bun:"attempts"`
	NextAt     *time.Time `bun:"next_at"`
	LastError  string     `bun:"last_error"`
	// StatusCode is the HTTP status the endpoint answered on the last
	// attempt; 0 (NULL) before the first attempt and when the attempt got
	// no answer (connection refused, timeout).
	StatusCode  int        `bun:"status_code,nullzero"`
	DeliveredAt *time.Time `bun:"delivered_at"`
	CreatedAt   time.Time  `bun:"created_at"`
	Version     int64      `bun:"version"`
}

// WebhooksOut stores webhook endpoints and deliveries.
type WebhooksOut struct{}

// CreateEndpoint stores an endpoint.
func (WebhooksOut) CreateEndpoint(ctx context.Context, idb bun.IDB, row *WebhookEndpointRow) error {
	if _, err := idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("db: create webhook endpoint: %w", err)
	}
	return nil
}

// CreateEndpointUnless stores endpoint row unless same, given the
// tenant's live endpoints at row's URL, names one that row would
// duplicate: then it stores nothing and returns that one's id. The check
// and the insert are one transaction, serialized per tenant and URL (on
// Postgres an advisory lock; SQLite has one writer), so that of two
// concurrent duplicates one is stored.
func (WebhooksOut) CreateEndpointUnless(ctx context.Context, idb bun.IDB, row *WebhookEndpointRow, same func(live []WebhookEndpointRow) string) (string, error) {
	var dup string
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// SQLite: one connection, transactions BEGIN IMMEDIATE.
		if tx.Dialect().Name() == dialect.PG {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", "webhook_endpoint:"+row.TenantID+" "+row.URL); err != nil {
				return err
			}
		}
		var live []WebhookEndpointRow
		if err := tx.NewSelect().Model(&live).Where("tenant_id = ? AND url = ? AND deleted_at IS NULL", row.TenantID, row.URL).
			Order("created_at ASC").Scan(ctx); err != nil {
			return err
		}
		if dup = same(live); dup != "" {
			return nil
		}
		_, err := tx.NewInsert().Model(row).Exec(ctx)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("db: create webhook endpoint: %w", err)
	}
	return dup, nil
}

// LiveEndpoint returns the id of the tenant's endpoint not deleted with
// url and events, "" when there is none.
func (WebhooksOut) LiveEndpoint(ctx context.Context, idb bun.IDB, tenantID, url, events string) (string, error) {
	var ids []string
	err := idb.NewSelect().Model((*WebhookEndpointRow)(nil)).Column("id").
		Where("tenant_id = ? AND url = ? AND events = ? AND deleted_at IS NULL", tenantID, url, events).Limit(1).Scan(ctx, &ids)
	if err != nil {
		return "", fmt.Errorf("db: find webhook endpoint: %w", err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}

// Endpoints returns the tenant's endpoints not deleted, oldest first.
func (WebhooksOut) Endpoints(ctx context.Context, idb bun.IDB, tenantID string) ([]WebhookEndpointRow, error) {
	var rows []WebhookEndpointRow
	err := idb.NewSelect().Model(&rows).Where("tenant_id = ? AND deleted_at IS NULL", tenantID).Order("created_at ASC", "id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: webhook endpoints: %w", err)
	}
	return rows, nil
}

// Endpoint returns endpoint id, deleted or not, or ErrNotFound.
func (WebhooksOut) Endpoint(ctx context.Context, idb bun.IDB, id string) (*WebhookEndpointRow, error) {
	return selectOne[WebhookEndpointRow](ctx, idb, "read webhook endpoint", "id = ?", id)
}

// DeleteEndpoint marks the tenant's endpoint deleted; its pending
// deliveries stop. It reports whether there was one.
func (WebhooksOut) DeleteEndpoint(ctx context.Context, idb bun.IDB, tenantID, id string, now time.Time) (bool, error) {
	res, err := idb.NewUpdate().Model((*WebhookEndpointRow)(nil)).Set("deleted_at = ?", now.UTC()).
		Where("id = ? AND tenant_id = ? AND deleted_at IS NULL", id, tenantID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: delete webhook endpoint: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FanOut gives up to limit events not fanned out yet a PENDING delivery
// to each endpoint of their tenant that existed when it was written and
// takes their type, and marks them fanned out. Safe on several replicas:
// deliveries are inserted ON CONFLICT DO NOTHING.
func (WebhooksOut) FanOut(ctx context.Context, idb bun.IDB, match func(events, typ string) bool, now time.Time, limit int) (int, error) {
	var evs []OutboxRow
	if err := idb.NewSelect().Model(&evs).Where("fanned_out = ?", false).Order("seq ASC").Limit(int64(limit)).Scan(ctx); err != nil {
		return 0, fmt.Errorf("db: events to fan out: %w", err)
	}
	for _, ev := range evs {
		err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var eps []WebhookEndpointRow
			if err := tx.NewSelect().Model(&eps).Where("tenant_id = ? AND deleted_at IS NULL AND created_at <= ?", ev.TenantID, ev.CreatedAt).Scan(ctx); err != nil {
				return err
			}
			for _, ep := range eps {
				if !match(ep.Events, ev.Type) {
					continue
				}
				d := &DeliveryRow{EventSeq: ev.Seq, EndpointID: ep.ID, Status: "PENDING", NextAt: &now, CreatedAt: now.UTC(), Version: 1}
				if _, err := tx.NewInsert().Model(d).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
					return err
				}
			}
			_, err := tx.NewUpdate().Model((*OutboxRow)(nil)).Set("fanned_out = ?", true).Where("seq = ?", ev.Seq).Exec(ctx)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("db: fan out event %s: %w", ev.ID, err)
		}
	}
	return len(evs), nil
}

// DueDeliveries returns up to limit PENDING deliveries due at now, oldest
// due first, at most perEndpoint of any one endpoint and none of the
// endpoints in skip (those this process already sends perEndpoint
// deliveries to): an endpoint with a backlog cannot fill the page and
// hold back the others'. A delivery being sent is not due: its claim
// moved next_at to the end of its lease.
func (WebhooksOut) DueDeliveries(ctx context.Context, idb bun.IDB, now time.Time, limit, perEndpoint int, skip []string) ([]DeliveryRow, error) {
	var rows []DeliveryRow
	inner := idb.NewSelect().Model((*DeliveryRow)(nil)).Column("event_seq", "endpoint_id").
		ColumnExpr("ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY next_at ASC, event_seq ASC) AS rn").
		Where("status = 'PENDING' AND next_at <= ?", now.UTC())
	if len(skip) > 0 {
		inner = inner.Where("endpoint_id NOT IN (?)", bun.In(skip))
	}
	err := idb.NewSelect().Model(&rows).
		Join("JOIN (?) AS due ON due.event_seq = delivery_row.event_seq AND due.endpoint_id = delivery_row.endpoint_id", inner).
		Where("due.rn <= ?", perEndpoint).
		Order("delivery_row.next_at ASC", "delivery_row.event_seq ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: due deliveries: %w", err)
	}
	return rows, nil
}

// UpdateDelivery writes row if it is still at its version, raising it; it
// reports whether it did (false: another replica took it first).
func (WebhooksOut) UpdateDelivery(ctx context.Context, idb bun.IDB, row *DeliveryRow) (bool, error) {
	from := row.Version
	row.Version = from + 1
	res, err := idb.NewUpdate().Model(row).WherePK().Where("version = ?", from).Exec(ctx)
	if err != nil {
		row.Version = from
		return false, fmt.Errorf("db: update delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		row.Version = from
		return false, nil
	}
	return true, nil
}

// Deliveries returns the deliveries of event seq.
func (WebhooksOut) Deliveries(ctx context.Context, idb bun.IDB, seq int64) ([]DeliveryRow, error) {
	var rows []DeliveryRow
	if err := idb.NewSelect().Model(&rows).Where("event_seq = ?", seq).Order("endpoint_id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: deliveries of %d: %w", seq, err)
	}
	return rows, nil
}

// Replay makes every delivery of event seq a new round: PENDING, due at
// now, with no attempt, no last error or status code and no
// delivered_at (what the previous round ended with is not this round's);
// the event keeps its id.
func (WebhooksOut) Replay(ctx context.Context, idb bun.IDB, seq int64, now time.Time) error {
	_, err := idb.NewUpdate().Model((*DeliveryRow)(nil)).Set("status = 'PENDING'").Set("next_at = ?", now.UTC()).
		Set("attempts = 0").Set("last_error = ''").Set("status_code = NULL").Set("delivered_at = NULL").
		Set("version = version + 1").Where("event_seq = ?", seq).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: replay event %d: %w", seq, err)
	}
	return nil
}

// RotateSecret replaces the secret of the tenant's endpoint id (not
// deleted) with secret, in one conditional UPDATE; deliveries made after it
// are signed with the new secret. It reports whether there was one.
func (WebhooksOut) RotateSecret(ctx context.Context, idb bun.IDB, tenantID, id, secret string) (bool, error) {
	res, err := idb.NewUpdate().Model((*WebhookEndpointRow)(nil)).Set("secret = ?", secret).
		Where("id = ? AND tenant_id = ? AND deleted_at IS NULL", id, tenantID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("db: rotate webhook endpoint secret: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// EndpointDeliveries returns up to limit deliveries to endpoint id, newest
// event first, of events older than the one of sequence number before (0:
// from the newest).
func (WebhooksOut) EndpointDeliveries(ctx context.Context, idb bun.IDB, id string, before int64, limit int) ([]DeliveryRow, error) {
	var rows []DeliveryRow
	q := idb.NewSelect().Model(&rows).Where("endpoint_id = ?", id)
	if before > 0 {
		q = q.Where("event_seq < ?", before)
	}
	if err := q.Order("event_seq DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: deliveries to %s: %w", id, err)
	}
	return rows, nil
}

// CountEndpointDeliveries counts the deliveries to endpoint id.
func (WebhooksOut) CountEndpointDeliveries(ctx context.Context, idb bun.IDB, id string) (int, error) {
	n, err := idb.NewSelect().Model((*DeliveryRow)(nil)).Where("endpoint_id = ?", id).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: count deliveries to %s: %w", id, err)
	}
	return int(n), nil
}

// EventsBySeq returns the events of sequence numbers seqs.
func (WebhooksOut) EventsBySeq(ctx context.Context, idb bun.IDB, seqs []int64) ([]OutboxRow, error) {
	var rows []OutboxRow
	if len(seqs) == 0 {
		return rows, nil
	}
	if err := idb.NewSelect().Model(&rows).Where("seq IN (?)", bun.In(seqs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: events by seq: %w", err)
	}
	return rows, nil
}
