ALTER TABLE checkout_sessions DROP COLUMN payment_gateway;
