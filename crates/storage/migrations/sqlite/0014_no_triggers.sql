-- No triggers (issue 12): a distributed engine refuses them on distributed tables, and a trigger
-- that writes a shared table from a shard cannot run there. What they kept is now kept by the
-- application in the same transaction (data_versions by each writer of a cached table, a
-- directive's task count by the task writers) or counted when read (light totals, from the
-- record of duties by kind and light).
DROP TRIGGER units_version_insert;
DROP TRIGGER units_version_update;
DROP TRIGGER units_version_delete;
DROP TRIGGER appeal_categories_version_insert;
DROP TRIGGER appeal_categories_version_update;
DROP TRIGGER appeal_categories_version_delete;
DROP TRIGGER responsibilities_version_insert;
DROP TRIGGER responsibilities_version_update;
DROP TRIGGER responsibilities_version_delete;
DROP TRIGGER route_models_version_insert;
DROP TRIGGER route_models_version_update;
DROP TRIGGER route_models_version_delete;
DROP TRIGGER open311_keys_version_insert;
DROP TRIGGER open311_keys_version_update;
DROP TRIGGER open311_keys_version_delete;
DROP TRIGGER duties_light_insert;
DROP TRIGGER duties_light_update;
DROP TRIGGER duties_light_delete;
DROP TRIGGER duties_directive_count_insert;
DROP TRIGGER duties_directive_count_delete;
DROP TABLE duty_light_totals;
-- the county's light counts of a kind, from this index alone
CREATE INDEX duty_records_kind_light ON duty_records(kind, light);
