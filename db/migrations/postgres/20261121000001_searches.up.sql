CREATE TABLE IF NOT EXISTS settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

--bun:split

CREATE TABLE IF NOT EXISTS offer_searches (
	id         TEXT PRIMARY KEY,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	body       BYTEA NOT NULL
);

--bun:split

CREATE INDEX IF NOT EXISTS offer_searches_expires_at ON offer_searches (expires_at);
