-- Let a session's updates be HOT (heap-only: the new row version on the
-- same page, no index written) when they change no indexed column (issue
-- 14). The index on (status, updated_at) made every update write every
-- index, since each update sets updated_at: it becomes an index on status
-- alone (the sweeper's look-ups all filter on a status; each status but
-- the final ones holds only the sessions under way, whose updated_at
-- order is a sort of a few rows). payment_ref and release_due_at are
-- indexed only where set, as their only readers (SessionByPaymentRef,
-- SessionsToRelease) ask. A fillfactor leaves room on each page for a
-- new version of a 2–5 KB session document and of an idempotency answer.
CREATE INDEX IF NOT EXISTS checkout_sessions_status_only ON checkout_sessions (status);

--bun:split

DROP INDEX IF EXISTS checkout_sessions_status;

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_payment_ref_set ON checkout_sessions (payment_ref) WHERE payment_ref <> '';

--bun:split

DROP INDEX IF EXISTS checkout_sessions_payment_ref;

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_release_due_set ON checkout_sessions (release_due_at) WHERE release_due_at IS NOT NULL;

--bun:split

DROP INDEX IF EXISTS checkout_sessions_release_due;

--bun:split

ALTER TABLE checkout_sessions SET (fillfactor = 50);

--bun:split

ALTER TABLE idempotency_keys SET (fillfactor = 70);
