-- Booking cancellations, quote then confirm (issue 11): one row per quote
-- of a booking, numbered per booking (seq); only the latest may be
-- confirmed. Every change of status is a conditional UPDATE on (id,
-- status, version); the sweeper follows up the ones due (next_at).
CREATE TABLE IF NOT EXISTS booking_cancellations (
	id                 TEXT PRIMARY KEY,
	tenant_id          TEXT NOT NULL REFERENCES tenants (id),
	booking_id         TEXT NOT NULL REFERENCES bookings (id),
	seq                INTEGER NOT NULL,
	status             TEXT NOT NULL,
	version            BIGINT NOT NULL DEFAULT 1,
	refundable         BOOLEAN NOT NULL DEFAULT FALSE,
	voidable           BOOLEAN NOT NULL DEFAULT FALSE,
	quoted_refund      BIGINT NOT NULL DEFAULT 0,
	penalty            BIGINT NOT NULL DEFAULT 0,
	currency           TEXT NOT NULL,
	refund_amount      BIGINT NOT NULL DEFAULT 0,
	refund_status      TEXT NOT NULL DEFAULT '',
	refund_ref         TEXT NOT NULL DEFAULT '',
	idempotency_key    TEXT NOT NULL DEFAULT '',
	failure            TEXT NOT NULL DEFAULT '',
	attempts           INTEGER NOT NULL DEFAULT 0,
	expires_at         TIMESTAMP NOT NULL,
	next_at            TIMESTAMP,
	created_at         TIMESTAMP NOT NULL,
	updated_at         TIMESTAMP NOT NULL,
	UNIQUE (booking_id, seq)
);

--bun:split

CREATE INDEX IF NOT EXISTS booking_cancellations_next ON booking_cancellations (next_at);

--bun:split

-- Refunds of the sandbox gateway, one per our refund key.
CREATE TABLE IF NOT EXISTS sandbox_refunds (
	key        TEXT PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	intent_id  TEXT NOT NULL REFERENCES sandbox_payment_intents (id),
	amount     BIGINT NOT NULL,
	currency   TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
