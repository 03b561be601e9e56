ALTER TABLE checkout_sessions RESET (toast_tuple_target);

--bun:split

ALTER TABLE idempotency_keys RESET (toast_tuple_target);
