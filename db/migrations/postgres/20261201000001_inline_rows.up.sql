-- Keep checkout sessions and idempotency answers inline: a session's
-- document (2–5 KB) and a stored answer were compressed and moved to
-- TOAST on every update once a row passed the default 2 KB target, which
-- cost about half of each update's time (issue 14, measured with
-- pg_stat_statements under `go run ./cmd/bench -scenarios saga`). Rows up
-- to a page (8160 bytes) are now stored as they are.
ALTER TABLE checkout_sessions SET (toast_tuple_target = 8160);

--bun:split

ALTER TABLE idempotency_keys SET (toast_tuple_target = 8160);
