-- Notices (催办, 督办, 通报, 报送提醒) of every kind of duty: a notice names its duty by kind and
-- id, as the record of duties does, and stays unique per duty, level and deadline, so several
-- nodes running the one supervision run raise each once. Existing notices are the tasks'.
ALTER TABLE notices RENAME COLUMN duty_id TO ref_id;
ALTER TABLE notices DROP CONSTRAINT IF EXISTS notices_duty_id_fkey;
ALTER TABLE notices DROP CONSTRAINT IF EXISTS notices_duty_id_level_deadline_key;
ALTER TABLE notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'task';
ALTER TABLE notices ADD CONSTRAINT notices_kind_ref_level_deadline_key UNIQUE (kind, ref_id, level, deadline);
