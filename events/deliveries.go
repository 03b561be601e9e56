package events

import (
	"context"
	"errors"
	"time"

	"github.com/faregraph/faregraph/db"
)

// Delivery is one event's delivery to one endpoint: its attempts so far
// and where it stands.
type Delivery struct {
	// Seq orders deliveries (the event's sequence number).
	Seq       int64
	EventID   string
	Type      string
	Status    string // PENDING, DELIVERED, FAILED
	Attempts  int
	LastError string
	// StatusCode is the HTTP status the endpoint answered on the last
	// attempt; 0 before the first attempt or when it got no answer.
	StatusCode  int
	NextAt      *time.Time
	DeliveredAt *time.Time
	CreatedAt   time.Time
}

// Deliveries lists up to limit deliveries to the tenant's endpoint id
// (deleted or not), newest event first, of events before sequence number
// before (0: from the newest), and how many there are in all. An endpoint
// the tenant does not have is ErrNotFound.
func (s *Service) Deliveries(ctx context.Context, tenantID, id string, before int64, limit int) ([]Delivery, int, error) {
	ep, err := s.out.Endpoint(ctx, s.cfg.DB, id)
	if errors.Is(err, db.ErrNotFound) || err == nil && ep.TenantID != tenantID {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.out.EndpointDeliveries(ctx, s.cfg.DB, id, before, limit)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.out.CountEndpointDeliveries(ctx, s.cfg.DB, id)
	if err != nil {
		return nil, 0, err
	}
	seqs := make([]int64, len(rows))
	for i, r := range rows {
		seqs[i] = r.EventSeq
	}
	evs, err := s.out.EventsBySeq(ctx, s.cfg.DB, seqs)
	if err != nil {
		return nil, 0, err
	}
	bySeq := make(map[int64]db.OutboxRow, len(evs))
	for _, e := range evs {
		bySeq[e.Seq] = e
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		ev := bySeq[r.EventSeq]
		out[i] = Delivery{Seq: r.EventSeq, EventID: ev.ID, Type: ev.Type, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError, StatusCode: r.StatusCode,
			NextAt: utc(r.NextAt), DeliveredAt: utc(r.DeliveredAt), CreatedAt: r.CreatedAt.UTC()}
	}
	return out, n, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
