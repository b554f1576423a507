-- Notices that reach people (issue 23). Each person's contact points on the account; the
-- county's channels (SMS gateway, work-messenger robot, email), their secret kept apart and
-- never read back; the outbox, written in the transaction that raises the notice (a crash never
-- loses a message, a rolled-back change never sends one), sent by a worker with retries, each
-- attempt and the provider's answer kept (phone numbers masked).
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN messenger_id TEXT NOT NULL DEFAULT '';
-- The channels a person turned off (comma-separated); emergencies reach them all the same.
ALTER TABLE users ADD COLUMN notify_off TEXT NOT NULL DEFAULT '';
CREATE TABLE notify_channels (
    name TEXT PRIMARY KEY,
    enabled BIGINT NOT NULL,
    config TEXT NOT NULL,
    secret TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE notify_outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    user_id BIGINT,
    person TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    level TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    urgent BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    batch TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notify_outbox_due ON notify_outbox(state, next_at);
CREATE INDEX notify_outbox_duty ON notify_outbox(kind, ref_id);
CREATE TABLE notify_attempts (
    id INTEGER PRIMARY KEY,
    batch TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    answer TEXT NOT NULL
);
CREATE INDEX notify_attempts_batch ON notify_attempts(batch);
