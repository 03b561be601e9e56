-- How each tenant's parts settle with each provider by default (MERCHANT,
-- PROVIDER_INTENT or CARD_FORWARD), set by operators with
-- "faregraph tenant settlement set"; a provider without a row settles as
-- MERCHANT. A session's explicit settlements override it.
CREATE TABLE IF NOT EXISTS tenant_settlements (
	tenant_id  TEXT NOT NULL REFERENCES tenants (id),
	provider   TEXT NOT NULL,
	mode       TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, provider)
);

--bun:split

-- Our booking references, given to each part of a session when it is
-- created (so a one-step checkout answers them) and kept by the part's
-- booking: one row per reference ever handed out, so that none is given
-- twice. The references of bookings made before are taken over.
CREATE TABLE IF NOT EXISTS booking_references (
	reference  TEXT PRIMARY KEY,
	session_id TEXT NOT NULL,
	part_index INTEGER NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (session_id, part_index)
);

--bun:split

INSERT INTO booking_references (reference, session_id, part_index, created_at)
SELECT reference, session_id, part_index, created_at FROM bookings WHERE TRUE
ON CONFLICT DO NOTHING;
