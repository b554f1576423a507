-- Directives and the duty core (tasks first), SQLite dialect. Keep in step with ../postgres/0002_duties.sql.

CREATE TABLE directives (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issuer TEXT NOT NULL,
    doc_no TEXT,
    source_text TEXT,
    created_by TEXT NOT NULL,
    -- kept by triggers on duties
    task_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE duties (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    directive_id BIGINT REFERENCES directives(id),
    parent_id BIGINT REFERENCES duties(id),
    seq TEXT,
    title TEXT NOT NULL,
    measures TEXT,
    lead_leader_id BIGINT REFERENCES users(id),
    owner_unit_id BIGINT NOT NULL REFERENCES units(id),
    state TEXT NOT NULL,
    deadline TEXT,
    -- the deadline, or '9999-12-31' while there is none: lists sort on it through an index
    due TEXT NOT NULL DEFAULT '9999-12-31',
    original_deadline TEXT,
    deadline_working_days BIGINT,
    term TEXT NOT NULL,
    weight REAL NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    planned REAL NOT NULL DEFAULT 0,
    light TEXT NOT NULL,
    assigned_on TEXT,
    closed_on TEXT,
    returned_count BIGINT NOT NULL DEFAULT 0,
    extension_count BIGINT NOT NULL DEFAULT 0,
    -- 评价 after closure: excellent, good, fair or poor, with a note
    evaluation TEXT,
    evaluation_note TEXT,
    remarks TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX duties_owner_state ON duties(owner_unit_id, state);
CREATE INDEX duties_light ON duties(light, due, id);
CREATE INDEX duties_due ON duties(due, id);
CREATE INDEX duties_directive ON duties(directive_id, id);
CREATE INDEX duties_owner_due ON duties(owner_unit_id, due, id);
CREATE INDEX duties_leader ON duties(lead_leader_id, due, id);
-- index-only counts of a leader's lights and directives
CREATE INDEX duties_leader_light ON duties(lead_leader_id, light);
CREATE INDEX duties_leader_directive ON duties(lead_leader_id, directive_id);
CREATE INDEX duties_parent ON duties(parent_id);
CREATE INDEX duties_state_deadline ON duties(state, deadline);

CREATE TABLE duty_units (
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    sub_report TEXT,
    sub_percent REAL,
    updated_at BIGINT,
    PRIMARY KEY (duty_id, unit_id)
);
CREATE INDEX duty_units_unit ON duty_units(unit_id);

CREATE TABLE duty_milestones (
    id INTEGER PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    due TEXT NOT NULL,
    percent REAL NOT NULL,
    title TEXT
);
CREATE INDEX duty_milestones_duty ON duty_milestones(duty_id);

CREATE TABLE duty_reports (
    id INTEGER PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    period TEXT NOT NULL,
    text TEXT NOT NULL,
    percent REAL NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX duty_reports_duty ON duty_reports(duty_id, at);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX attachments_duty ON attachments(duty_id, id);

CREATE TABLE duty_events (
    id INTEGER PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    unit_id BIGINT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT,
    data_json TEXT
);
CREATE INDEX duty_events_duty ON duty_events(duty_id, id);
CREATE INDEX duty_events_action_at ON duty_events(action, at);
CREATE TRIGGER duty_events_no_update BEFORE UPDATE ON duty_events
BEGIN SELECT RAISE(ABORT, 'duty_events is append-only'); END;
CREATE TRIGGER duty_events_no_delete BEFORE DELETE ON duty_events
BEGIN SELECT RAISE(ABORT, 'duty_events is append-only'); END;

CREATE TABLE duty_extensions (
    id INTEGER PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    requester TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    old_deadline TEXT NOT NULL,
    new_deadline TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    decision_note TEXT
);
CREATE INDEX duty_extensions_duty ON duty_extensions(duty_id);
CREATE INDEX duty_extensions_state ON duty_extensions(state);

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    level TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    deadline TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    read_at BIGINT,
    UNIQUE (duty_id, level, deadline)
);
CREATE INDEX notices_unit ON notices(unit_id, raised_at);
CREATE INDEX notices_level_raised ON notices(level, raised_on);

CREATE TABLE exemptions (
    id INTEGER PRIMARY KEY,
    duty_id BIGINT NOT NULL REFERENCES duties(id),
    notice_id BIGINT REFERENCES notices(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    applicant TEXT NOT NULL,
    reason TEXT NOT NULL,
    conditions_json TEXT NOT NULL,
    state TEXT NOT NULL,
    decision_note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX exemptions_duty ON exemptions(duty_id);
CREATE INDEX exemptions_state ON exemptions(state);

CREATE TABLE incentives (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    user_id BIGINT REFERENCES users(id),
    duty_id BIGINT REFERENCES duties(id),
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_actor TEXT NOT NULL
);
CREATE INDEX incentives_unit ON incentives(unit_id, at);

-- Light totals of all duties, kept by triggers in the same transaction as every change, so the
-- supervision board's counts read six rows instead of counting every duty.
CREATE TABLE duty_light_totals (
    light TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO duty_light_totals (light, n) VALUES ('green', 0), ('blue', 0), ('yellow', 0), ('red', 0), ('done', 0), ('none', 0);
CREATE TRIGGER duties_light_insert AFTER INSERT ON duties
BEGIN UPDATE duty_light_totals SET n = n + 1 WHERE light = NEW.light; END;
CREATE TRIGGER duties_light_update AFTER UPDATE OF light ON duties WHEN OLD.light <> NEW.light
BEGIN
    UPDATE duty_light_totals SET n = n - 1 WHERE light = OLD.light;
    UPDATE duty_light_totals SET n = n + 1 WHERE light = NEW.light;
END;
CREATE TRIGGER duties_light_delete AFTER DELETE ON duties
BEGIN UPDATE duty_light_totals SET n = n - 1 WHERE light = OLD.light; END;
CREATE TRIGGER duties_directive_count_insert AFTER INSERT ON duties WHEN NEW.directive_id IS NOT NULL
BEGIN UPDATE directives SET task_count = task_count + 1 WHERE id = NEW.directive_id; END;
CREATE TRIGGER duties_directive_count_delete AFTER DELETE ON duties WHEN OLD.directive_id IS NOT NULL
BEGIN UPDATE directives SET task_count = task_count - 1 WHERE id = OLD.directive_id; END;
