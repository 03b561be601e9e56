package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

type settingRow struct {
	bun.BaseModel `bun:"table:settings"`

	Key   string `bun:"key,pk"`
	Value string `bun:"value"`
}

// DevelopmentSecret returns the signing secret kept in the database,
// generating and storing one on first use. Every process on the same
// database gets the same secret, so ids survive restarts. Production
// configures FAREGRAPH_SECRET instead.
func DevelopmentSecret(ctx context.Context, db bun.IDB) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	row := &settingRow{Key: "development_secret", Value: hex.EncodeToString(b[:])}
	if _, err := db.NewInsert().Model(row).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return "", fmt.Errorf("db: store development secret: %w", err)
	}
	got := new(settingRow)
	err := db.NewSelect().Model(got).Where("key = ?", row.Key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("db: load development secret: %w", err)
	}
	return got.Value, nil
}
