package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// OutboxChannel is the Postgres notification channel on which every
// transaction that writes an outbox event also sends pg_notify, with the
// event's subject id (a checkout session or booking id) as the payload.
// The notification is delivered to listeners when, and only if, that
// transaction commits, so a listener that reads the outbox on it sees the
// row.
const OutboxChannel = "faregraph_outbox"

// ErrNoNotifications is returned by Listen on a database that has no
// notifications (SQLite): readers of the outbox poll it instead.
var ErrNoNotifications = errors.New("db: this database has no LISTEN/NOTIFY")

// Listen runs LISTEN on channel on a connection of its own (taken from the
// pool for as long as it listens), calls ready once listening, then fn with
// the payload of each notification, in the order Postgres sends them, until
// ctx ends (it then returns ctx's error) or the connection fails (it
// returns that error; call it again to listen again: notifications sent
// in between are lost, which is why ready is there: read what you may
// have missed when it is called). fn runs on Listen's goroutine and should
// not block. On SQLite it returns ErrNoNotifications at once.
//
// It uses pgx's own connection under database/sql (stdlib.Conn.Conn) and
// its WaitForNotification: the pool is pgx's stdlib driver, so no second
// driver or connection string is needed.
func (d *DB) Listen(ctx context.Context, channel string, ready func(), fn func(payload string)) error {
	if !d.Postgres {
		return ErrNoNotifications
	}
	conn, err := d.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: listen %s: %w", channel, err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db: listen %s: the driver's connection is a %T, not pgx's", channel, dc)
		}
		pc := sc.Conn()
		ident := `"` + channel + `"`
		if _, err := pc.Exec(ctx, "LISTEN "+ident); err != nil {
			return fmt.Errorf("db: listen %s: %w", channel, err)
		}
		defer func() {
			// Leave the connection as the pool lent it: not listening.
			// A connection that broke is discarded by the pool instead.
			if pc.IsClosed() {
				return
			}
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, err := pc.Exec(uctx, "UNLISTEN "+ident); err != nil {
				_ = pc.Close(uctx)
			}
		}()
		ready()
		for {
			n, err := pc.WaitForNotification(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				// A broken connection is closed; the pool (which
				// validates connections with stdlib.Conn.IsValid)
				// discards it when it is given back.
				return fmt.Errorf("db: listen %s: %w", channel, err)
			}
			if n != nil && n.Channel == channel {
				fn(n.Payload)
			}
		}
	})
}
