DROP TABLE IF EXISTS sandbox_refunds;

--bun:split

DROP TABLE IF EXISTS booking_cancellations;
