-- 驾驶舱 figures that are amounts, not counts (issue 19): what a kind keeps on its records in
-- 元 — a project's investment completed by month (`invested`, period YYYY-MM) and planned by
-- year (`planned`, period YYYY), a maturity's sum due (`due`, period ''). The core's writer
-- adds each change to the duty counters (event `sum:<measure>`, n the sum) in the same
-- transaction; `luoshi assess verify` recomputes them from here.
CREATE TABLE duty_amounts (
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    measure TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (kind, ref_id, period, measure)
);
