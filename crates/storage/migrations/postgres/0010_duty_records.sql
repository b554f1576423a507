-- 办理事项总表 (the record of duties): one row per duty of every kind, in the core's one shape —
-- kind, owner unit, state, the core's phase, when its limit runs out (µs), light, a title to
-- show, and a version that moves with every change — kept in the same transaction as each
-- change (tasks by the trigger below; appeals by their two writers in `storage::appeals`).
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
);
-- a unit's 待办 reads its open duties' light and limit from this index alone
CREATE INDEX duty_records_owner ON duty_records(owner_unit_id, phase, light, due_at);
CREATE INDEX duty_records_phase_due ON duty_records(phase, due_at);

CREATE FUNCTION duty_task_phase(state TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE state WHEN 'draft' THEN 'drafted' WHEN 'closure_requested' THEN 'under_review' WHEN 'closed' THEN 'done' ELSE 'running' END
$$;
-- A task's limit runs out at the midnight after its deadline, Beijing time (UTC+8).
CREATE FUNCTION duty_task_due_at(due TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN due = '9999-12-31' THEN NULL ELSE (EXTRACT(EPOCH FROM due::date)::BIGINT + 57600) * 1000000 END
$$;

INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at)
    SELECT 'task', id, owner_unit_id, state, duty_task_phase(state), duty_task_due_at(due), light, title, 1, updated_at FROM duties;
INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at)
    SELECT 'appeal', a.id, a.owner_unit_id, a.state,
        CASE a.state WHEN 'received' THEN 'drafted' WHEN 'returned' THEN 'waiting' WHEN 'replied' THEN 'under_review'
            WHEN 'closed' THEN 'done' WHEN 'rejected' THEN 'cancelled' ELSE 'running' END,
        a.due_at,
        CASE a.state WHEN 'received' THEN 'none' WHEN 'closed' THEN 'done' WHEN 'rejected' THEN 'done' ELSE 'green' END,
        COALESCE(c.name, a.category) || ' ' || a.code, 1, a.updated_at
    FROM appeals a LEFT JOIN appeal_categories c ON c.code = a.category;

CREATE FUNCTION duty_records_of_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO duty_records (kind, ref_id, owner_unit_id, state, phase, due_at, light, title, version, updated_at)
            VALUES ('task', NEW.id, NEW.owner_unit_id, NEW.state, duty_task_phase(NEW.state), duty_task_due_at(NEW.due), NEW.light, NEW.title, 1, NEW.updated_at);
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM duty_records WHERE kind = 'task' AND ref_id = OLD.id;
    ELSIF OLD.owner_unit_id IS DISTINCT FROM NEW.owner_unit_id OR OLD.state IS DISTINCT FROM NEW.state OR OLD.due IS DISTINCT FROM NEW.due
        OR OLD.light IS DISTINCT FROM NEW.light OR OLD.title IS DISTINCT FROM NEW.title THEN
        UPDATE duty_records SET owner_unit_id = NEW.owner_unit_id, state = NEW.state, phase = duty_task_phase(NEW.state),
            due_at = duty_task_due_at(NEW.due), light = NEW.light, title = NEW.title, version = version + 1, updated_at = NEW.updated_at
        WHERE kind = 'task' AND ref_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER duty_records_task AFTER INSERT OR UPDATE OR DELETE ON duties FOR EACH ROW EXECUTE FUNCTION duty_records_of_task();
