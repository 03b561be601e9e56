package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

type searchRow struct {
	bun.BaseModel `bun:"table:offer_searches"`

	ID        string    `bun:"id,pk"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
	Body      []byte    `bun:"body"`
}

// Searches stores search results for paging across replicas.
type Searches struct {
	db bun.IDB
}

// NewSearches returns a search store on db.
func NewSearches(db bun.IDB) *Searches { return &Searches{db: db} }

// SaveSearch stores a search result; saving the same id twice keeps the first.
func (s *Searches) SaveSearch(ctx context.Context, id string, createdAt, expiresAt time.Time, body []byte) error {
	row := &searchRow{ID: id, CreatedAt: createdAt.UTC(), ExpiresAt: expiresAt.UTC(), Body: body}
	if _, err := s.db.NewInsert().Model(row).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("db: save search %s: %w", id, err)
	}
	return nil
}

// ExpiredSearchKept is how long an expired search's row is kept, without
// its body, so that its id answers "expired" rather than "unknown".
const ExpiredSearchKept = 24 * time.Hour

// LoadSearch returns the body of a search that has not expired at now;
// ErrExpired for one that has (while its row is kept), ErrNotFound for an
// unknown one.
func (s *Searches) LoadSearch(ctx context.Context, id string, now time.Time) ([]byte, error) {
	row := new(searchRow)
	err := s.db.NewSelect().Model(row).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: load search %s: %w", id, err)
	}
	if !now.Before(row.ExpiresAt) {
		return nil, ErrExpired
	}
	return row.Body, nil
}

// DeleteExpiredSearches empties the bodies of searches that expired before
// now and removes the rows of those that expired ExpiredSearchKept before
// it; it returns how many rows it removed.
func (s *Searches) DeleteExpiredSearches(ctx context.Context, now time.Time) (int64, error) {
	if _, err := s.db.NewUpdate().Model((*searchRow)(nil)).Set("body = ?", []byte{}).
		Where("expires_at <= ?", now.UTC()).Where("length(body) > 0").Exec(ctx); err != nil {
		return 0, fmt.Errorf("db: empty expired searches: %w", err)
	}
	res, err := s.db.NewDelete().Model((*searchRow)(nil)).Where("expires_at <= ?", now.Add(-ExpiredSearchKept).UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: delete expired searches: %w", err)
	}
	return res.RowsAffected()
}
