-- What the provider refunded, in its own currency (the currency the part
-- was bought in; refund_amount is in the booking's, what the traveller
-- paid), and who gives the traveller the money back: GATEWAY, CREDIT_LINE
-- or PROVIDER ('' before the refund).
ALTER TABLE booking_cancellations ADD COLUMN provider_refund_amount BIGINT NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE booking_cancellations ADD COLUMN provider_refund_currency TEXT NOT NULL DEFAULT '';

--bun:split

ALTER TABLE booking_cancellations ADD COLUMN refunded_by TEXT NOT NULL DEFAULT '';
