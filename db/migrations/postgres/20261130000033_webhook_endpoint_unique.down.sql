DROP INDEX IF EXISTS webhook_endpoints_live_unique;
