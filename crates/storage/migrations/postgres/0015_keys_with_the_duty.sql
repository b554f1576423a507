-- Keys that include the duty (issue 12): a distributed engine keeps a table's rows of one duty
-- on one shard and checks uniqueness there, so the core's tables of many rows per duty (the
-- trail, the extensions) are keyed by the duty's id first. Ids stay unique (one sequence).
ALTER TABLE duty_trail DROP CONSTRAINT duty_trail_pkey;
ALTER TABLE duty_trail ADD PRIMARY KEY (ref_id, id);
ALTER TABLE duty_extensions DROP CONSTRAINT duty_extensions_pkey;
ALTER TABLE duty_extensions ADD PRIMARY KEY (ref_id, id);
