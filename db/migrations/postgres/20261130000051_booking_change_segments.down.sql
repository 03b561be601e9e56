ALTER TABLE booking_changes DROP COLUMN after_segments;

--bun:split

ALTER TABLE booking_changes DROP COLUMN before_segments;
