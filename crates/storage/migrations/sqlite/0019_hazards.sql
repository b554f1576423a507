-- 安全生产 (issue 14): the county's enterprises (生产经营单位), a reference table on a
-- distributed engine (read with every hazard, written by the ledger's import), and hazards
-- (事故隐患), a kind of duty sharded by its id beside its record line, trail and notices.
CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    credit_code TEXT,
    industry TEXT NOT NULL,
    regulator_unit_id BIGINT NOT NULL REFERENCES units(id),
    township_id BIGINT REFERENCES units(id),
    address TEXT,
    size TEXT,
    flags TEXT NOT NULL DEFAULT '',
    hazard_source_level BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX enterprises_credit_code ON enterprises(credit_code);
CREATE INDEX enterprises_regulator ON enterprises(regulator_unit_id);
CREATE INDEX enterprises_township ON enterprises(township_id);
CREATE TABLE hazards (
    id INTEGER PRIMARY KEY,
    enterprise_id BIGINT REFERENCES enterprises(id),
    place TEXT,
    owner_unit_id BIGINT NOT NULL REFERENCES units(id),
    regulator_unit_id BIGINT NOT NULL REFERENCES units(id),
    township_id BIGINT REFERENCES units(id),
    description TEXT NOT NULL,
    found_on TEXT NOT NULL,
    found_by TEXT NOT NULL,
    grade TEXT,
    state TEXT NOT NULL,
    basis_catalogue TEXT,
    basis_article TEXT,
    basis_item TEXT,
    five_json TEXT,
    control_measures TEXT,
    stop_production BIGINT NOT NULL DEFAULT 0,
    deadline TEXT,
    due_at BIGINT,
    accepted_by_unit_id BIGINT REFERENCES units(id),
    evidence TEXT,
    closed_on TEXT,
    reopen_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX hazards_enterprise ON hazards(enterprise_id);
CREATE INDEX hazards_state ON hazards(state, grade);
CREATE INDEX hazards_township ON hazards(township_id, state);
