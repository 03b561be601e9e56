-- Every state change worth telling a tenant, written in the same
-- transaction as the change (the outbox): webhooks and subscriptions read
-- it, on every replica. seq orders it; id is the event's public id.
CREATE TABLE IF NOT EXISTS outbox_events (
	seq          BIGSERIAL PRIMARY KEY,
	id           TEXT NOT NULL UNIQUE,
	tenant_id    TEXT NOT NULL,
	type         TEXT NOT NULL,
	subject_id   TEXT NOT NULL,
	data         TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	fanned_out   BOOLEAN NOT NULL DEFAULT FALSE
);

--bun:split

CREATE INDEX IF NOT EXISTS outbox_events_subject ON outbox_events (subject_id, seq);

--bun:split

CREATE INDEX IF NOT EXISTS outbox_events_fan ON outbox_events (fanned_out, seq);

--bun:split

-- A tenant's webhook endpoints: deliveries are signed with secret.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
	id          TEXT PRIMARY KEY,
	tenant_id   TEXT NOT NULL REFERENCES tenants (id),
	url         TEXT NOT NULL,
	secret      TEXT NOT NULL,
	events      TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	deleted_at  TIMESTAMPTZ
);

--bun:split

-- One event's delivery to one endpoint, retried with backoff until
-- delivered or given up.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
	event_seq    BIGINT NOT NULL REFERENCES outbox_events (seq),
	endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints (id),
	status       TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      TIMESTAMPTZ,
	last_error   TEXT NOT NULL DEFAULT '',
	delivered_at TIMESTAMPTZ,
	created_at   TIMESTAMPTZ NOT NULL,
	version      BIGINT NOT NULL DEFAULT 1,
	PRIMARY KEY (event_seq, endpoint_id)
);

--bun:split

CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_at);
