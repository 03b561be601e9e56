-- A tenant has at most one live endpoint per URL and set of event types
-- (events is stored sorted and without repeats). Older exact duplicates
-- are retired first (the oldest of each is kept): they received every
-- event twice.
UPDATE webhook_endpoints SET deleted_at = created_at
WHERE deleted_at IS NULL AND EXISTS (
	SELECT 1 FROM webhook_endpoints o
	WHERE o.tenant_id = webhook_endpoints.tenant_id AND o.url = webhook_endpoints.url
	AND o.events = webhook_endpoints.events AND o.deleted_at IS NULL
	AND (o.created_at < webhook_endpoints.created_at OR (o.created_at = webhook_endpoints.created_at AND o.id < webhook_endpoints.id)));

--bun:split

CREATE UNIQUE INDEX IF NOT EXISTS webhook_endpoints_live_unique ON webhook_endpoints (tenant_id, url, events) WHERE deleted_at IS NULL;
