DROP TABLE IF EXISTS sandbox_payment_intents;
