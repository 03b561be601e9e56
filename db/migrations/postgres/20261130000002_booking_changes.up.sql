-- When the sweeper reads a booking from its provider next (sooner as its
-- departure nears), and its flights as last read (one line per segment:
-- "<carrier><number> <departure> <arrival>", RFC 3339 UTC, joined by "; "),
-- to notice schedule changes.
ALTER TABLE bookings ADD COLUMN refresh_at TIMESTAMPTZ;

--bun:split

ALTER TABLE bookings ADD COLUMN schedule TEXT NOT NULL DEFAULT '';

--bun:split

CREATE INDEX IF NOT EXISTS bookings_refresh ON bookings (refresh_at);

--bun:split

-- What changed in a booking since it was made, as read from its provider:
-- its status (cancelled by the airline), its flights' times, its locators.
CREATE TABLE IF NOT EXISTS booking_changes (
	id          BIGSERIAL PRIMARY KEY,
	booking_id  TEXT NOT NULL REFERENCES bookings (id),
	kind        TEXT NOT NULL,
	before      TEXT NOT NULL,
	after       TEXT NOT NULL,
	detected_at TIMESTAMPTZ NOT NULL
);

--bun:split

CREATE INDEX IF NOT EXISTS booking_changes_booking ON booking_changes (booking_id, id);
