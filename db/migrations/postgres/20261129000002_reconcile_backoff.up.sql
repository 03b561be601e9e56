-- How often the reconciler has asked the providers about a session whose
-- booking outcome is unknown, and when it asks next.
ALTER TABLE checkout_sessions ADD COLUMN reconcile_attempts INTEGER NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE checkout_sessions ADD COLUMN reconcile_at TIMESTAMPTZ;
