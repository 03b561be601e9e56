CREATE TABLE IF NOT EXISTS settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

--bun:split

CREATE TABLE IF NOT EXISTS offer_searches (
	id         TEXT PRIMARY KEY,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	body       BLOB NOT NULL
);

--bun:split

CREATE INDEX IF NOT EXISTS offer_searches_expires_at ON offer_searches (expires_at);
