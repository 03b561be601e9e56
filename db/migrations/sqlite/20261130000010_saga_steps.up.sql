-- Durable saga steps: every call of a saga step to the outside world
-- (provider hold and book, gateway create, confirm, capture and cancel) is
-- recorded as INTENT before the call and as DONE or FAILED after it, in the
-- same transaction as the session's conditional UPDATE. The sweeper
-- resumes or compensates the INTENT steps a stopped process left behind.
CREATE TABLE IF NOT EXISTS saga_steps (
    session_id TEXT NOT NULL,
    step TEXT NOT NULL,
    part INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, step, part)
);

--bun:split

CREATE INDEX IF NOT EXISTS saga_steps_state ON saga_steps (state, updated_at);
