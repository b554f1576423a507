-- 应急协同 (issue 15). Plans (预案) with their response levels, responsibility matrix and the
-- lower plans activated with them (few, read with every activation: reference tables on a
-- distributed engine); the duty roster by unit and day; incidents with their activations,
-- the assignments every activation hands out (a kind of duty on the shard of its id, no key
-- to the incident: they are not co-located) and the incident's log (态势), on the incident's
-- shard; warnings as the CAP messages issued or received, with their chain and whether each
-- was pushed to the configured upstream (an outbox: retried until it is); resources and
-- their movements.
CREATE TABLE emergency_plans (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    event_type TEXT NOT NULL DEFAULT '',
    owner_unit_id BIGINT NOT NULL REFERENCES units(id),
    parent_plan_id BIGINT,
    doc_no TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    state TEXT NOT NULL,
    published_on TEXT,
    last_drill_on TEXT,
    drill_interval_months BIGINT NOT NULL,
    revision_trigger TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX emergency_plans_owner ON emergency_plans(owner_unit_id);
CREATE TABLE plan_levels (
    plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    level TEXT NOT NULL,
    lead TEXT NOT NULL,
    command TEXT NOT NULL,
    command_unit_id BIGINT NOT NULL REFERENCES units(id),
    conditions TEXT NOT NULL,
    PRIMARY KEY (plan_id, level)
);
CREATE TABLE plan_matrix (
    id INTEGER PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    level TEXT NOT NULL,
    seq BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    task TEXT NOT NULL,
    first_report_minutes BIGINT NOT NULL,
    followup_minutes BIGINT NOT NULL
);
CREATE INDEX plan_matrix_plan ON plan_matrix(plan_id, level, seq);
CREATE TABLE plan_links (
    plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    level TEXT NOT NULL,
    child_plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    PRIMARY KEY (plan_id, level, child_plan_id)
);
CREATE TABLE duty_roster (
    unit_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    seq BIGINT NOT NULL,
    person TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    post TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (unit_id, day, seq)
);
CREATE INDEX duty_roster_day ON duty_roster(day, unit_id);
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    event_type TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    township_id BIGINT REFERENCES units(id),
    village_id BIGINT REFERENCES units(id),
    place TEXT NOT NULL,
    facts TEXT NOT NULL,
    deaths BIGINT NOT NULL DEFAULT 0,
    injured BIGINT NOT NULL DEFAULT 0,
    missing BIGINT NOT NULL DEFAULT 0,
    level TEXT,
    lead TEXT,
    state TEXT NOT NULL,
    command_unit_id BIGINT NOT NULL REFERENCES units(id),
    reporter TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    source_ref TEXT,
    due_at BIGINT,
    reported_up_at BIGINT,
    reports_up BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_received ON incidents(received_at);
CREATE INDEX incidents_source ON incidents(source, source_ref);
CREATE TABLE incident_activations (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    plan_id BIGINT NOT NULL,
    level TEXT NOT NULL,
    parent_id BIGINT,
    activated_at BIGINT NOT NULL,
    activated_by TEXT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT
);
CREATE INDEX incident_activations_of ON incident_activations(incident_id);
CREATE TABLE emergency_assignments (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    activation_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    plan_id BIGINT NOT NULL,
    parent_unit_id BIGINT,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    task TEXT NOT NULL,
    addressee TEXT NOT NULL DEFAULT '',
    addressee_phone TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    sign_minutes BIGINT NOT NULL,
    first_report_minutes BIGINT NOT NULL,
    followup_minutes BIGINT NOT NULL,
    assigned_at BIGINT NOT NULL,
    due_at BIGINT,
    signed_at BIGINT,
    last_report_at BIGINT,
    reports BIGINT NOT NULL DEFAULT 0,
    last_report TEXT,
    end_reason TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX emergency_assignments_incident ON emergency_assignments(incident_id, unit_id);
CREATE INDEX emergency_assignments_urgent ON emergency_assignments(incident_id, state, due_at);
CREATE TABLE incident_log (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    unit_id BIGINT,
    assignment_id BIGINT,
    text TEXT
);
CREATE INDEX incident_log_of ON incident_log(incident_id, at);
CREATE TABLE cap_alerts (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL,
    sender TEXT NOT NULL,
    identifier TEXT NOT NULL,
    sent TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    msg_type TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    colour TEXT,
    event TEXT NOT NULL,
    headline TEXT NOT NULL,
    expires_at BIGINT,
    original_id BIGINT,
    replaced_by BIGINT,
    incident_id BIGINT,
    body TEXT NOT NULL,
    xml TEXT,
    created_by TEXT NOT NULL,
    approved_by TEXT,
    published_at BIGINT,
    cancelled_at BIGINT,
    pushed_at BIGINT,
    push_tries BIGINT NOT NULL DEFAULT 0,
    push_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (sender, identifier)
);
CREATE INDEX cap_alerts_state ON cap_alerts(state, sent_at);
CREATE TABLE emergency_resources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    township_id BIGINT REFERENCES units(id),
    place TEXT NOT NULL DEFAULT '',
    quantity BIGINT NOT NULL,
    measure TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE resource_moves (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    resource_id BIGINT NOT NULL,
    assignment_id BIGINT,
    delta BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT
);
CREATE INDEX resource_moves_of ON resource_moves(incident_id, at);
