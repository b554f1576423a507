-- The one duty core (issue 11): one trail, one sight, and who sees what as data.
-- Kept by the application in the same transaction as each change (no triggers: a distributed
-- engine refuses them on distributed tables, issue 12).

-- 留痕 (the trail): one append-only table for every kind of duty, named by kind and id as the
-- record of duties is. The tasks' and the appeals' trails move in, in their own order.
CREATE TABLE duty_trail (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    unit_id BIGINT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT,
    data_json TEXT
);
INSERT INTO duty_trail (kind, ref_id, at, actor, unit_id, action, from_state, to_state, note, data_json)
    SELECT 'task', duty_id, at, actor, unit_id, action, from_state, to_state, note, data_json FROM duty_events ORDER BY id;
INSERT INTO duty_trail (kind, ref_id, at, actor, unit_id, action, from_state, to_state, note, data_json)
    SELECT 'appeal', appeal_id, at, actor, unit_id, action, from_state, to_state, note, NULL FROM appeal_events ORDER BY id;
DROP TABLE duty_events;
DROP TABLE appeal_events;
CREATE INDEX duty_trail_ref ON duty_trail(kind, ref_id, id);
CREATE TRIGGER duty_trail_no_update BEFORE UPDATE ON duty_trail
BEGIN SELECT RAISE(ABORT, 'duty_trail is append-only'); END;
CREATE TRIGGER duty_trail_no_delete BEFORE DELETE ON duty_trail
BEGIN SELECT RAISE(ABORT, 'duty_trail is append-only'); END;

-- The leader who leads a duty (牵头领导), where its kind has one: a deputy leader sees these.
ALTER TABLE duty_records ADD COLUMN lead_user_id BIGINT;
UPDATE duty_records SET lead_user_id = (SELECT d.lead_leader_id FROM duties d WHERE d.id = duty_records.ref_id) WHERE kind = 'task';
CREATE INDEX duty_records_lead ON duty_records(lead_user_id);
-- the board's counts of open duties by kind and light, from this index alone
CREATE INDEX duty_records_phase_kind_light ON duty_records(phase, kind, light);

-- 视野 (sight): one row per unit that sees a duty of any kind — its owner and each co-unit —
-- with what boards, inboxes and counts filter, sort and count on. `due_at` is the limit in µs,
-- 9000000000000000000 where none runs (one order on both databases).
DROP TRIGGER duty_sight_duty_insert;
DROP TRIGGER duty_sight_duty_update;
DROP TRIGGER duty_sight_owner_update;
DROP TRIGGER duty_sight_duty_delete;
DROP TRIGGER duty_sight_unit_insert;
DROP TRIGGER duty_sight_unit_delete;
DROP TRIGGER duty_records_task_insert;
DROP TRIGGER duty_records_task_update;
DROP TRIGGER duty_records_task_delete;
DROP TABLE duty_sight;
CREATE TABLE duty_sight (
    unit_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    phase TEXT NOT NULL,
    light TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (unit_id, kind, ref_id)
) WITHOUT ROWID;
CREATE INDEX duty_sight_ref ON duty_sight(kind, ref_id);
-- a unit's 待办 reads its open duties' light and limit from this index alone
CREATE INDEX duty_sight_inbox ON duty_sight(unit_id, phase, light, due_at);
-- a unit's board of one kind, in limit order
CREATE INDEX duty_sight_board ON duty_sight(unit_id, kind, due_at, ref_id);
INSERT OR IGNORE INTO duty_sight (unit_id, kind, ref_id, state, phase, light, due_at)
    SELECT owner_unit_id, kind, ref_id, state, phase, light, COALESCE(due_at, 9000000000000000000) FROM duty_records WHERE owner_unit_id IS NOT NULL;
INSERT OR IGNORE INTO duty_sight (unit_id, kind, ref_id, state, phase, light, due_at)
    SELECT du.unit_id, r.kind, r.ref_id, r.state, r.phase, r.light, COALESCE(r.due_at, 9000000000000000000)
    FROM duty_units du JOIN duty_records r ON r.kind = 'task' AND r.ref_id = du.duty_id;

-- Who sees what, as data: the principal county leaders (县委书记, 县长) see the whole county;
-- a deputy leader sees what he leads and the units he oversees (分管单位).
ALTER TABLE users ADD COLUMN principal BIGINT NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN overseer_id BIGINT REFERENCES users(id);
CREATE INDEX units_overseer ON units(overseer_id);
