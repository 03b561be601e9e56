-- The gateway a session's card payment is made through ('' for none:
-- no payment yet, a credit line, or every part paid to its provider).
-- Captures, voids, refunds and resumed steps go through that gateway
-- only, so the sweeper of a replica configured with another one leaves
-- the session to a replica that has it. Set when the payment intent is
-- about to be created; filled here from the session document (whose
-- payment records its gateway) for sessions paid before.
ALTER TABLE checkout_sessions ADD COLUMN payment_gateway TEXT NOT NULL DEFAULT '';

--bun:split

UPDATE checkout_sessions SET payment_gateway = COALESCE(json_extract(data, '$.payment.gateway'), '') WHERE payment_ref <> '';

