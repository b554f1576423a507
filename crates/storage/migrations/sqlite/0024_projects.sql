-- 重大项目 (issue 16). A project is a duty of its lead unit (its clock the next target date),
-- on the shard of its id with everything that is only its own: its funding sources, annual
-- plans, stage log (dwell per stage), deviations with their reasons, monthly reports and the
-- problems raised for coordination (each a task, named by id). Each approval item is a duty of
-- the approving unit on the shard of its own id (no key to the project: not co-located), with
-- its visits (each submission to its decision or return) and paused intervals beside it.
-- Money is exact: BIGINT 元. Land is BIGINT hundredths of a 亩.
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    code TEXT,
    code_warning TEXT,
    name TEXT NOT NULL,
    investor TEXT NOT NULL,
    investment TEXT NOT NULL,
    route TEXT NOT NULL,
    template TEXT NOT NULL,
    industry TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    total_yuan BIGINT NOT NULL,
    land_mu BIGINT NOT NULL DEFAULT 0,
    township_id BIGINT REFERENCES units(id),
    leader_user_id BIGINT REFERENCES users(id),
    lead_unit_id BIGINT NOT NULL REFERENCES units(id),
    stage TEXT NOT NULL,
    reached TEXT NOT NULL,
    paused_from TEXT,
    stage_since TEXT NOT NULL,
    planned_sign_on TEXT,
    planned_start_on TEXT,
    planned_complete_on TEXT,
    signed_on TEXT,
    landed_on TEXT,
    started_on TEXT,
    completed_on TEXT,
    end_reason TEXT,
    in_library BIGINT NOT NULL DEFAULT 0,
    light TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_code ON projects(code);
CREATE INDEX projects_ledger ON projects(stage, id);
CREATE INDEX projects_lead ON projects(lead_unit_id, id);
CREATE INDEX projects_leader ON projects(leader_user_id, id);
CREATE INDEX projects_township ON projects(township_id, id);
CREATE TABLE project_funds (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    seq BIGINT NOT NULL,
    source TEXT NOT NULL,
    planned_yuan BIGINT NOT NULL,
    in_place_yuan BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, seq)
);
CREATE TABLE project_plans (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    year BIGINT NOT NULL,
    planned_yuan BIGINT NOT NULL,
    PRIMARY KEY (project_id, year)
);
CREATE TABLE project_stages (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    seq BIGINT NOT NULL,
    stage TEXT NOT NULL,
    entered_on TEXT NOT NULL,
    left_on TEXT,
    reason TEXT,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (project_id, seq)
);
CREATE TABLE project_changes (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (project_id, seq)
);
CREATE TABLE project_reports (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    month TEXT NOT NULL,
    invested_yuan BIGINT NOT NULL,
    in_place_yuan BIGINT NOT NULL DEFAULT 0,
    progress TEXT NOT NULL,
    problems TEXT NOT NULL DEFAULT '',
    reporter TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, month)
);
CREATE INDEX project_reports_month ON project_reports(month, project_id);
CREATE TABLE project_problems (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    due_on TEXT NOT NULL,
    task_id BIGINT,
    raised_by TEXT NOT NULL,
    raised_at BIGINT NOT NULL
);
CREATE INDEX project_problems_of ON project_problems(project_id, id);
CREATE TABLE project_approvals (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    stage BIGINT NOT NULL,
    item TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    limit_days BIGINT NOT NULL,
    extension_days BIGINT NOT NULL,
    extended BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    visits BIGINT NOT NULL DEFAULT 0,
    visit_started_at BIGINT,
    due_at BIGINT,
    decided_at BIGINT,
    last_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
CREATE INDEX project_approvals_of ON project_approvals(project_id, seq);
CREATE TABLE approval_visits (
    approval_id BIGINT NOT NULL REFERENCES project_approvals(id),
    visit BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    template TEXT NOT NULL,
    stage BIGINT NOT NULL,
    item TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    started_on TEXT NOT NULL,
    ended_at BIGINT,
    ended_on TEXT,
    ended_by TEXT,
    PRIMARY KEY (approval_id, visit)
);
CREATE TABLE approval_pauses (
    approval_id BIGINT NOT NULL REFERENCES project_approvals(id),
    seq BIGINT NOT NULL,
    visit BIGINT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    from_at BIGINT NOT NULL,
    to_at BIGINT,
    PRIMARY KEY (approval_id, seq)
);
