package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"

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
	got, err := insertOrSelect(ctx, db, row, "key", row.Key, "development secret")
	if err != nil {
		return "", err
	}
	return got.Value, nil
}
