DROP INDEX IF EXISTS checkout_events_booked_late;
