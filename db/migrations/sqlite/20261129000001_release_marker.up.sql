-- The "payment to release" marker gets a column of its own; until now it
-- was the lease (busy_op 'release', due at busy_until).
ALTER TABLE checkout_sessions ADD COLUMN release_due_at TIMESTAMP;

--bun:split

UPDATE checkout_sessions SET release_due_at = busy_until, busy_op = '', busy_until = NULL WHERE busy_op = 'release';

--bun:split

CREATE INDEX IF NOT EXISTS checkout_sessions_release_due ON checkout_sessions (release_due_at);
