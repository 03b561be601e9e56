CREATE TABLE IF NOT EXISTS tenants (
	id              TEXT PRIMARY KEY,
	name            TEXT NOT NULL UNIQUE,
	credit_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
	credit_limit    BIGINT NOT NULL DEFAULT 0,
	credit_currency TEXT NOT NULL DEFAULT '',
	credit_used     BIGINT NOT NULL DEFAULT 0,
	created_at      TIMESTAMPTZ NOT NULL,
	CHECK (credit_used >= 0)
);

--bun:split

CREATE TABLE IF NOT EXISTS api_keys (
	id         TEXT PRIMARY KEY,
	tenant_id  TEXT NOT NULL REFERENCES tenants (id),
	hash       TEXT NOT NULL,
	scopes     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ
);

--bun:split

CREATE TABLE IF NOT EXISTS credit_reservations (
	session_id TEXT PRIMARY KEY,
	tenant_id  TEXT NOT NULL REFERENCES tenants (id),
	amount     BIGINT NOT NULL,
	currency   TEXT NOT NULL,
	status     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

--bun:split

CREATE TABLE IF NOT EXISTS checkout_sessions (
	id               TEXT PRIMARY KEY,
	tenant_id        TEXT NOT NULL REFERENCES tenants (id),
	status           TEXT NOT NULL,
	version          BIGINT NOT NULL,
	busy_op          TEXT NOT NULL DEFAULT '',
	busy_until       TIMESTAMPTZ,
	offer_id         TEXT NOT NULL,
	payment_ref      TEXT NOT NULL DEFAULT '',
	data             TEXT NOT NULL,
	total_amount     BIGINT NOT NULL,
	currency         TEXT NOT NULL,
	group_identifier TEXT NOT NULL,
	expires_at       TIMESTAMPTZ NOT NULL,
	hold_expires_at  TIMESTAMPTZ,
	created_at       TIMESTAMPTZ NOT NULL,
	updated_at       TIMESTAMPTZ NOT NULL
);

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_tenant ON checkout_sessions (tenant_id, created_at);

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_status ON checkout_sessions (status, updated_at);

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_payment_ref ON checkout_sessions (payment_ref);

--bun:split

CREATE TABLE IF NOT EXISTS checkout_events (
	id          BIGSERIAL PRIMARY KEY,
	session_id  TEXT NOT NULL REFERENCES checkout_sessions (id),
	version     BIGINT NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	event       TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT '',
	at          TIMESTAMPTZ NOT NULL,
	UNIQUE (session_id, version)
);

--bun:split

CREATE TABLE IF NOT EXISTS bookings (
	id                 TEXT PRIMARY KEY,
	tenant_id          TEXT NOT NULL REFERENCES tenants (id),
	session_id         TEXT NOT NULL REFERENCES checkout_sessions (id),
	part_index         INTEGER NOT NULL,
	reference          TEXT NOT NULL UNIQUE,
	provider           TEXT NOT NULL,
	provider_reference TEXT NOT NULL,
	status             TEXT NOT NULL,
	amount             BIGINT NOT NULL,
	currency           TEXT NOT NULL,
	group_identifier   TEXT NOT NULL,
	data               TEXT NOT NULL DEFAULT '',
	created_at         TIMESTAMPTZ NOT NULL,
	updated_at         TIMESTAMPTZ NOT NULL,
	UNIQUE (session_id, part_index)
);

--bun:split

CREATE INDEX IF NOT EXISTS bookings_tenant ON bookings (tenant_id, created_at, id);

--bun:split

CREATE TABLE IF NOT EXISTS idempotency_keys (
	tenant_id    TEXT NOT NULL,
	key          TEXT NOT NULL,
	operation    TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	state        TEXT NOT NULL,
	response     TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, key)
);

--bun:split

CREATE TABLE IF NOT EXISTS webhook_events (
	id          TEXT PRIMARY KEY,
	source      TEXT NOT NULL,
	type        TEXT NOT NULL,
	received_at TIMESTAMPTZ NOT NULL
);
