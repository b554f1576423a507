-- 办理事项总表 (the record of duties): one row per duty of every kind, in the core's one shape —
-- kind, owner unit, state, the core's phase, when its limit runs out (µs), light, a title to
-- show, and a version that moves with every change — kept in the same transaction as each
-- change (tasks by the triggers below; appeals by their two writers in `storage::appeals`).
-- Each kind's own fields stay in its own table. Boards, inboxes, counts and the supervision
-- run of every kind are to read this (issue 11); the tests prove it equal to the kinds' tables.
CREATE TABLE duty_records (
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    owner_unit_id BIGINT,
    state TEXT NOT NULL,
    phase TEXT NOT NULL,
    due_at BIGINT,
    light TEXT NOT NULL,
    title TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, ref_id)
) WITHOUT ROWID;
-- a unit's 待办 reads its open duties' light and limit from this index alone
CREATE INDEX duty_records_owner ON duty_records(owner_unit_id, phase, light, due_at);
CREATE INDEX duty_records_phase_due ON duty_records(phase, due_at);

INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at)
    SELECT 'task', id, owner_unit_id, state,
        CASE state WHEN 'draft' THEN 'drafted' WHEN 'closure_requested' THEN 'under_review' WHEN 'closed' THEN 'done' ELSE 'running' END,
        CASE WHEN due = '9999-12-31' THEN NULL ELSE (CAST(strftime('%s', due) AS INTEGER) + 57600) * 1000000 END,
        light, title, 1, updated_at
    FROM duties;
INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at)
    SELECT 'appeal', a.id, a.owner_unit_id, a.state,
        CASE a.state WHEN 'received' THEN 'drafted' WHEN 'returned' THEN 'waiting' WHEN 'replied' THEN 'under_review'
            WHEN 'closed' THEN 'done' WHEN 'rejected' THEN 'cancelled' ELSE 'running' END,
        a.due_at,
        CASE a.state WHEN 'received' THEN 'none' WHEN 'closed' THEN 'done' WHEN 'rejected' THEN 'done' ELSE 'green' END,
        COALESCE(c.name, a.category) || ' ' || a.code, 1, a.updated_at
    FROM appeals a LEFT JOIN appeal_categories c ON c.code = a.category;

CREATE TRIGGER duty_records_task_insert AFTER INSERT ON duties
BEGIN
    INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at) VALUES ('task', NEW.id, NEW.owner_unit_id, NEW.state,
        CASE NEW.state WHEN 'draft' THEN 'drafted' WHEN 'closure_requested' THEN 'under_review' WHEN 'closed' THEN 'done' ELSE 'running' END,
        CASE WHEN NEW.due = '9999-12-31' THEN NULL ELSE (CAST(strftime('%s', NEW.due) AS INTEGER) + 57600) * 1000000 END,
        NEW.light, NEW.title, 1, NEW.updated_at);
END;
CREATE TRIGGER duty_records_task_update AFTER UPDATE OF owner_unit_id, state, due, light, title ON duties
    WHEN OLD.owner_unit_id <> NEW.owner_unit_id OR OLD.state <> NEW.state OR OLD.due <> NEW.due OR OLD.light <> NEW.light OR OLD.title <> NEW.title
BEGIN
    UPDATE duty_records SET owner_unit_id = NEW.owner_unit_id, state = NEW.state,
        phase = CASE NEW.state WHEN 'draft' THEN 'drafted' WHEN 'closure_requested' THEN 'under_review' WHEN 'closed' THEN 'done' ELSE 'running' END,
        due_at = CASE WHEN NEW.due = '9999-12-31' THEN NULL ELSE (CAST(strftime('%s', NEW.due) AS INTEGER) + 57600) * 1000000 END,
        light = NEW.light, title = NEW.title, version = version + 1, updated_at = NEW.updated_at
    WHERE kind = 'task' AND ref_id = NEW.id;
END;
CREATE TRIGGER duty_records_task_delete AFTER DELETE ON duties
BEGIN
    DELETE FROM duty_records WHERE kind = 'task' AND ref_id = OLD.id;
END;
