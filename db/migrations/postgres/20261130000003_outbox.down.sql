DROP TABLE IF EXISTS webhook_deliveries;

--bun:split

DROP TABLE IF EXISTS webhook_endpoints;

--bun:split

DROP TABLE IF EXISTS outbox_events;
