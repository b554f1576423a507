-- 延期 (extensions) of every kind of duty, in the core's one table: a request names its duty by
-- kind and id, carries the limits as shown (old and new deadline) and in µs, and is decided once.
-- The tasks' requests are kept with their ids; an appeal's pending request moves in from the two
-- columns that held it (which stay, empty, for the release before this one).
-- SQLite rebuilds the table (no foreign key to one kind's table: an id names a duty of its kind).
CREATE TEMP TABLE duty_extensions_copy AS SELECT * FROM duty_extensions;
DROP TABLE duty_extensions;
CREATE TABLE duty_extensions (
    id INTEGER PRIMARY KEY,
    ref_id BIGINT NOT NULL,
    requester TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    old_deadline TEXT NOT NULL,
    new_deadline TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    decision_note TEXT,
    kind TEXT NOT NULL DEFAULT 'task',
    old_due_at BIGINT,
    new_due_at BIGINT
);
INSERT INTO duty_extensions (id, ref_id, requester, requested_at, reason, old_deadline, new_deadline, state, decided_by, decided_at, decision_note, kind, old_due_at, new_due_at)
    SELECT id, duty_id, requester, requested_at, reason, old_deadline, new_deadline, state, decided_by, decided_at, decision_note, 'task',
        CASE WHEN old_deadline = '' THEN NULL ELSE (CAST(strftime('%s', old_deadline) AS INTEGER) + 57600) * 1000000 END,
        (CAST(strftime('%s', new_deadline) AS INTEGER) + 57600) * 1000000
    FROM duty_extensions_copy;
DROP TABLE duty_extensions_copy;
CREATE INDEX duty_extensions_ref ON duty_extensions(kind, ref_id, state);
CREATE INDEX duty_extensions_pending ON duty_extensions(kind, state, requested_at);
INSERT INTO duty_extensions (ref_id, requester, requested_at, reason, old_deadline, new_deadline, state, kind, old_due_at, new_due_at)
    SELECT id, '', updated_at, COALESCE(ext_reason, ''),
        COALESCE(strftime('%Y-%m-%d', (due_at - 1) / 1000000 + 28800, 'unixepoch'), ''),
        strftime('%Y-%m-%d', (ext_due - 1) / 1000000 + 28800, 'unixepoch'), 'pending', 'appeal', due_at, ext_due
    FROM appeals WHERE ext_due IS NOT NULL;
UPDATE appeals SET ext_due = NULL, ext_reason = NULL WHERE ext_due IS NOT NULL;
