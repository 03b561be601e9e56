DROP TABLE IF EXISTS booking_changes;

--bun:split

DROP INDEX IF EXISTS bookings_refresh;

--bun:split

ALTER TABLE bookings DROP COLUMN schedule;

--bun:split

ALTER TABLE bookings DROP COLUMN refresh_at;
