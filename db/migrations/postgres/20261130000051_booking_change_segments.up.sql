-- A schedule change's flights before and after, as JSON lists of
-- {flight, origin, destination, departureAt, arrivalAt} (local times with
-- their UTC offset); '' for other changes and for those recorded before.
ALTER TABLE booking_changes ADD COLUMN before_segments TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE booking_changes ADD COLUMN after_segments TEXT NOT NULL DEFAULT '';
