-- The check of an ended session for authorizations its gateway's card
-- form made by itself (checkout.ReleaseStrayAuthorizations, Gr4vy Embed):
-- how many times it was looked up, and when it is looked up next (the
-- wait doubles after each look-up, until the gateway's intent lapses).
ALTER TABLE checkout_sessions ADD COLUMN stray_checks INTEGER NOT NULL DEFAULT 0;

--bun:split

ALTER TABLE checkout_sessions ADD COLUMN stray_check_at TIMESTAMPTZ;
