ALTER TABLE webhook_deliveries DROP COLUMN status_code;
