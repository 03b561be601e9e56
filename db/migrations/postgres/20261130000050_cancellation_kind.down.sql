ALTER TABLE booking_cancellations DROP COLUMN kind;
