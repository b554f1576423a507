-- 安全生产 (issue 14), the rest of the loop: 停产停业 and its 复产 review on a hazard, the
-- inspection that found it; campaigns (大检查, 百日攻坚, 专项整治, 回头看) with their scope,
-- period, lead and checking units; inspection records with their photos, made idempotent by
-- the phone's own key (a hazard names its inspection and campaign: a campaign's progress
-- is summed from the hazards alone); and each enterprise's risk points (风险分级管控, 红橙黄蓝).
ALTER TABLE hazards ADD COLUMN resumed_on TEXT;
ALTER TABLE hazards ADD COLUMN inspection_id BIGINT;
ALTER TABLE hazards ADD COLUMN campaign_id BIGINT;
CREATE INDEX hazards_inspection ON hazards(inspection_id);
CREATE INDEX hazards_campaign ON hazards(campaign_id, state);
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    industries TEXT NOT NULL DEFAULT '',
    township_id BIGINT REFERENCES units(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    lead_unit_id BIGINT NOT NULL REFERENCES units(id),
    checking_units TEXT NOT NULL DEFAULT '',
    closed_from TEXT,
    closed_to TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT REFERENCES campaigns(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    inspector TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    checklist TEXT,
    checked TEXT NOT NULL DEFAULT '',
    findings BIGINT NOT NULL DEFAULT 0,
    photos BIGINT NOT NULL DEFAULT 0,
    note TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX inspections_campaign ON inspections(campaign_id, enterprise_id);
CREATE INDEX inspections_enterprise ON inspections(enterprise_id, inspected_on);
CREATE TABLE inspection_keys (
    client_key TEXT PRIMARY KEY,
    inspection_id BIGINT NOT NULL
);
CREATE TABLE inspection_photos (
    id INTEGER PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX inspection_photos_of ON inspection_photos(inspection_id);
CREATE TABLE risk_points (
    id INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    measures TEXT NOT NULL,
    responsible_level TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX risk_points_enterprise ON risk_points(enterprise_id);
CREATE INDEX risk_points_level ON risk_points(level);
-- Hazards found per enterprise and month (not cancelled), moved by every hazard writer as the
-- statistics' counts are: hazards per enterprise and the enterprises that reported none, by
-- township, department and industry, without reading the hazards.
CREATE TABLE enterprise_findings (
    enterprise_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, month)
);
CREATE INDEX enterprise_findings_month ON enterprise_findings(month, enterprise_id, n);
-- The months of a year in which an enterprise had a hazard found (bit 0 for January), with the
-- enterprise's township (0 for none), department and industry: the enterprises that reported
-- something in a period, by those three, are one index range summed in the database.
CREATE TABLE enterprise_years (
    enterprise_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    months BIGINT NOT NULL,
    township_id BIGINT NOT NULL,
    regulator_unit_id BIGINT NOT NULL,
    industry TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);
CREATE INDEX enterprise_years_dims ON enterprise_years(year, township_id, regulator_unit_id, industry, months, enterprise_id);
-- Nodes keep the number of enterprises by township, department and industry for the
-- statistics while this version stands.
INSERT INTO data_versions (name, n) VALUES ('enterprises', 0);
