DROP TABLE IF EXISTS booking_references;

--bun:split

DROP TABLE IF EXISTS tenant_settlements;
