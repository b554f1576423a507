-- 安全生产 statistics kept as each hazard changes (issue 14: no page counts every hazard): the
-- number of hazards per month found, township, regulating department, industry, grade and
-- state, moved by every writer in its transaction; `luoshi hazards recount` rebuilds it from
-- the hazards and says whether it held. Small and written with each change: on the coordinator.
CREATE TABLE hazard_counts (
    month TEXT NOT NULL,
    township_id BIGINT NOT NULL,
    regulator_unit_id BIGINT NOT NULL,
    industry TEXT NOT NULL,
    grade TEXT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, township_id, regulator_unit_id, industry, grade, state)
);
