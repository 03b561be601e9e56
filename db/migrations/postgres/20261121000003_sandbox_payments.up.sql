-- Payment intents of the sandbox gateway (payments/sandbox), the embedded
-- default that stands in for Stripe. Kept in the database so that every
-- replica sees the same intents. Every state change is a conditional UPDATE
-- on (id, status, version).
CREATE TABLE IF NOT EXISTS sandbox_payment_intents (
	id                TEXT PRIMARY KEY,
	key               TEXT NOT NULL UNIQUE,
	status            TEXT NOT NULL,
	amount            BIGINT NOT NULL,
	currency          TEXT NOT NULL,
	amount_capturable BIGINT NOT NULL DEFAULT 0,
	amount_captured   BIGINT NOT NULL DEFAULT 0,
	client_secret     TEXT NOT NULL,
	customer_id       TEXT NOT NULL,
	ephemeral_key     TEXT NOT NULL,
	email             TEXT NOT NULL DEFAULT '',
	name              TEXT NOT NULL DEFAULT '',
	description       TEXT NOT NULL DEFAULT '',
	metadata          JSONB,
	card              JSONB,
	failure_code      TEXT NOT NULL DEFAULT '',
	failure_message   TEXT NOT NULL DEFAULT '',
	version           BIGINT NOT NULL DEFAULT 1,
	created_at        TIMESTAMPTZ NOT NULL,
	updated_at        TIMESTAMPTZ NOT NULL
);
