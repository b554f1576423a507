-- Notices (催办, 督办, 通报, 报送提醒) of every kind of duty: a notice names its duty by kind and
-- id, as the record of duties does, and stays unique per duty, level and deadline, so several
-- nodes running the one supervision run raise each once. Existing notices are the tasks'.
-- SQLite rebuilds the table under its own name: the rows are copied aside, the table dropped
-- and made anew, and the rows put back, which satisfies again the 容错免责 applications that
-- name a notice (their foreign key is deferred to the end of the migration).
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE notices_copy AS SELECT id, duty_id, level, unit_id, deadline, raised_on, raised_at, read_at FROM notices;
DROP TABLE notices;
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    ref_id BIGINT NOT NULL,
    level TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    deadline TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    read_at BIGINT,
    kind TEXT NOT NULL DEFAULT 'task',
    UNIQUE (kind, ref_id, level, deadline)
);
INSERT INTO notices (id, ref_id, level, unit_id, deadline, raised_on, raised_at, read_at, kind)
    SELECT id, duty_id, level, unit_id, deadline, raised_on, raised_at, read_at, 'task' FROM notices_copy;
DROP TABLE notices_copy;
CREATE INDEX notices_unit ON notices(unit_id, raised_at);
CREATE INDEX notices_level_raised ON notices(level, raised_on);
