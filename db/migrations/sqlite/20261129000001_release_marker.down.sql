UPDATE checkout_sessions SET busy_op = 'release', busy_until = release_due_at WHERE release_due_at IS NOT NULL;

--bun:split

DROP INDEX IF EXISTS checkout_sessions_release_due;

--bun:split

ALTER TABLE checkout_sessions DROP COLUMN release_due_at;
