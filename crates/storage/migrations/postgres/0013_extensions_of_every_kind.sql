-- 延期 (extensions) of every kind of duty, in the core's one table: a request names its duty by
-- kind and id, carries the limits as shown (old and new deadline) and in µs, and is decided once.
-- The tasks' requests are kept with their ids; an appeal's pending request moves in from the two
-- columns that held it (which stay, empty, for the release before this one).
ALTER TABLE duty_extensions DROP CONSTRAINT IF EXISTS duty_extensions_duty_id_fkey;
ALTER TABLE duty_extensions RENAME COLUMN duty_id TO ref_id;
ALTER TABLE duty_extensions ADD COLUMN kind TEXT NOT NULL DEFAULT 'task';
ALTER TABLE duty_extensions ADD COLUMN old_due_at BIGINT;
ALTER TABLE duty_extensions ADD COLUMN new_due_at BIGINT;
UPDATE duty_extensions SET
    old_due_at = CASE WHEN old_deadline = '' THEN NULL ELSE (EXTRACT(EPOCH FROM old_deadline::date)::BIGINT + 57600) * 1000000 END,
    new_due_at = (EXTRACT(EPOCH FROM new_deadline::date)::BIGINT + 57600) * 1000000;
DROP INDEX duty_extensions_duty;
DROP INDEX duty_extensions_state;
CREATE INDEX duty_extensions_ref ON duty_extensions(kind, ref_id, state);
CREATE INDEX duty_extensions_pending ON duty_extensions(kind, state, requested_at);
INSERT INTO duty_extensions (ref_id, requester, requested_at, reason, old_deadline, new_deadline, state, kind, old_due_at, new_due_at)
    SELECT id, '', updated_at, COALESCE(ext_reason, ''),
        COALESCE(to_char(to_timestamp((due_at - 1) / 1000000.0) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), ''),
        to_char(to_timestamp((ext_due - 1) / 1000000.0) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), 'pending', 'appeal', due_at, ext_due
    FROM appeals WHERE ext_due IS NOT NULL;
UPDATE appeals SET ext_due = NULL, ext_reason = NULL WHERE ext_due IS NOT NULL;
