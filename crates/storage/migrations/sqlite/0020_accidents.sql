-- 生产安全事故 (issue 14): an accident's record, its grade by the rules in force (国务院令第493号
-- 第三条) and its reports on an hour clock, a kind of duty sharded by its id.
CREATE TABLE accidents (
    id INTEGER PRIMARY KEY,
    enterprise_id BIGINT REFERENCES enterprises(id),
    place TEXT,
    owner_unit_id BIGINT NOT NULL REFERENCES units(id),
    township_id BIGINT REFERENCES units(id),
    occurred_at BIGINT NOT NULL,
    road_or_fire BIGINT NOT NULL DEFAULT 0,
    deaths BIGINT NOT NULL,
    serious_injuries BIGINT NOT NULL,
    loss_yuan BIGINT NOT NULL,
    grade TEXT NOT NULL,
    description TEXT NOT NULL,
    state TEXT NOT NULL,
    due_at BIGINT,
    supplement_due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accidents_occurred ON accidents(occurred_at);
CREATE INDEX accidents_grade ON accidents(grade, occurred_at);
