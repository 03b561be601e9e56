ALTER TABLE booking_cancellations DROP COLUMN refunded_by;

--bun:split

ALTER TABLE booking_cancellations DROP COLUMN provider_refund_currency;

--bun:split

ALTER TABLE booking_cancellations DROP COLUMN provider_refund_amount;
