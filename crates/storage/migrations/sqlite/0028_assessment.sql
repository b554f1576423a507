-- 考核 (issue 19). A scheme per year and kind of unit, every change a new version (the body is
-- the scheme as data: parts, indicators with their formulas, rules, bands); the adjustments
-- (加扣分) the supervision office enters with evidence under a scheme's rule; a unit's
-- objections (申诉) against a figure, decided with a reason. A few hundred rows a year: copied
-- to every node.
CREATE TABLE assessment_schemes (
    year BIGINT NOT NULL,
    unit_kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (year, unit_kind, version)
);
CREATE TABLE assessment_adjustments (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    rule_code TEXT NOT NULL,
    points REAL NOT NULL,
    evidence TEXT NOT NULL,
    objection_id BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX assessment_adjustments_year ON assessment_adjustments(year, unit_id);
CREATE TABLE assessment_objections (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    indicator_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    decision TEXT,
    points REAL,
    decided_by TEXT,
    decided_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX assessment_objections_year ON assessment_objections(year, unit_id);
