-- The HTTP status code the endpoint answered on a delivery's last attempt;
-- NULL before the first attempt and when the attempt got no answer
-- (connection refused, timeout).
ALTER TABLE webhook_deliveries ADD COLUMN status_code INTEGER;
