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

// LoadSearch returns the body of a search that has not expired at now, or ErrNotFound.
func (s *Searches) LoadSearch(ctx context.Context, id string, now time.Time) ([]byte, error) {
	row := new(searchRow)
	err := s.db.NewSelect().Model(row).Where("id = ?", id).Where("expires_at > ?", now.UTC()).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: load search %s: %w", id, err)
	}
	return row.Body, nil
}

// DeleteExpiredSearches removes searches that expired before now and
// returns how many it removed.
func (s *Searches) DeleteExpiredSearches(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*searchRow)(nil)).Where("expires_at <= ?", now.UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: delete expired searches: %w", err)
	}
	return res.RowsAffected()
}
