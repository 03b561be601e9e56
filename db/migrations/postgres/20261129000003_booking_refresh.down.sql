DROP INDEX IF EXISTS bookings_departs;

--bun:split

ALTER TABLE bookings DROP COLUMN checked_at;

--bun:split

ALTER TABLE bookings DROP COLUMN departs_at;
