-- No triggers (issue 12): a distributed engine refuses them on distributed tables, and a trigger
-- that writes a shared table from a shard cannot run there. What they kept is now kept by the
-- application in the same transaction (data_versions by each writer of a cached table, a
-- directive's task count by the task writers) or counted when read (light totals, from the
-- record of duties by kind and light).
DROP TRIGGER units_version ON units;
DROP TRIGGER appeal_categories_version ON appeal_categories;
DROP TRIGGER responsibilities_version ON responsibilities;
DROP TRIGGER route_models_version ON route_models;
DROP TRIGGER open311_keys_version ON open311_keys;
DROP FUNCTION data_version_bump();
DROP TRIGGER duties_light_insert ON duties;
DROP TRIGGER duties_light_update ON duties;
DROP TRIGGER duties_light_delete ON duties;
DROP FUNCTION duties_light_totals();
DROP TRIGGER duties_directive_count ON duties;
DROP FUNCTION duties_directive_count();
DROP TABLE duty_light_totals;
-- the county's light counts of a kind, from this index alone
CREATE INDEX duty_records_kind_light ON duty_records(kind, light);
