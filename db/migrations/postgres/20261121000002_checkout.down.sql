DROP TABLE IF EXISTS webhook_events;

--bun:split

DROP TABLE IF EXISTS idempotency_keys;

--bun:split

DROP TABLE IF EXISTS bookings;

--bun:split

DROP TABLE IF EXISTS checkout_events;

--bun:split

DROP TABLE IF EXISTS checkout_sessions;

--bun:split

DROP TABLE IF EXISTS credit_reservations;

--bun:split

DROP TABLE IF EXISTS api_keys;

--bun:split

DROP TABLE IF EXISTS tenants;
