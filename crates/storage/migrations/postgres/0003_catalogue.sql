-- 权责清单: each unit's duties as keywords, edited by the county; used to suggest owner units
-- for draft tasks (文件分解) and, when history is thin, for citizens' appeals.
CREATE TABLE responsibilities (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id),
    keywords TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
