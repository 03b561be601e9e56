ALTER TABLE checkout_sessions DROP COLUMN stray_check_at;

--bun:split

ALTER TABLE checkout_sessions DROP COLUMN stray_checks;
