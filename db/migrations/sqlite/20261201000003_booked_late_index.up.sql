-- `faregraph sessions list --booked-late` (db.Sessions.SessionsWithEvent)
-- finds the sessions with a booked_late event: a partial index holds only
-- those rows, so the listing no longer reads every session event and
-- other events' inserts do not grow it.
CREATE INDEX IF NOT EXISTS checkout_events_booked_late ON checkout_events (session_id) WHERE event = 'booked_late';
