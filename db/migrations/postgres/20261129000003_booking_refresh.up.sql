-- When a booking's first flight leaves, and when its status was last read
-- from the provider: the sweeper re-reads upcoming bookings.
ALTER TABLE bookings ADD COLUMN departs_at TIMESTAMPTZ;

--bun:split

ALTER TABLE bookings ADD COLUMN checked_at TIMESTAMPTZ;

--bun:split

CREATE INDEX IF NOT EXISTS bookings_departs ON bookings (departs_at);
