ALTER TABLE checkout_sessions DROP COLUMN reconcile_at;

--bun:split

ALTER TABLE checkout_sessions DROP COLUMN reconcile_attempts;
