ALTER TABLE idempotency_keys RESET (fillfactor);

--bun:split

ALTER TABLE checkout_sessions RESET (fillfactor);

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_release_due ON checkout_sessions (release_due_at);

--bun:split

DROP INDEX IF EXISTS checkout_sessions_release_due_set;

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_payment_ref ON checkout_sessions (payment_ref);

--bun:split

DROP INDEX IF EXISTS checkout_sessions_payment_ref_set;

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_status ON checkout_sessions (status, updated_at);

--bun:split

DROP INDEX IF EXISTS checkout_sessions_status_only;
