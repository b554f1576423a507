-- Versions of the reference data every node caches for intake and routing (the unit tree, the
-- appeal taxonomy, the 权责清单, the routing model, the Open311 keys). Triggers bump a table's
-- version in the same transaction as any change to it, so a node checks its cache with one
-- read of this table and no node serves from stale data after the change commits.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO data_versions (name, n) VALUES ('units', 0), ('appeal_categories', 0), ('responsibilities', 0), ('route_models', 0), ('open311_keys', 0);
CREATE TRIGGER units_version_insert AFTER INSERT ON units
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'units'; END;
CREATE TRIGGER units_version_update AFTER UPDATE ON units
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'units'; END;
CREATE TRIGGER units_version_delete AFTER DELETE ON units
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'units'; END;
CREATE TRIGGER appeal_categories_version_insert AFTER INSERT ON appeal_categories
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'appeal_categories'; END;
CREATE TRIGGER appeal_categories_version_update AFTER UPDATE ON appeal_categories
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'appeal_categories'; END;
CREATE TRIGGER appeal_categories_version_delete AFTER DELETE ON appeal_categories
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'appeal_categories'; END;
CREATE TRIGGER responsibilities_version_insert AFTER INSERT ON responsibilities
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'responsibilities'; END;
CREATE TRIGGER responsibilities_version_update AFTER UPDATE ON responsibilities
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'responsibilities'; END;
CREATE TRIGGER responsibilities_version_delete AFTER DELETE ON responsibilities
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'responsibilities'; END;
CREATE TRIGGER route_models_version_insert AFTER INSERT ON route_models
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'route_models'; END;
CREATE TRIGGER route_models_version_update AFTER UPDATE ON route_models
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'route_models'; END;
CREATE TRIGGER route_models_version_delete AFTER DELETE ON route_models
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'route_models'; END;
CREATE TRIGGER open311_keys_version_insert AFTER INSERT ON open311_keys
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'open311_keys'; END;
CREATE TRIGGER open311_keys_version_update AFTER UPDATE ON open311_keys
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'open311_keys'; END;
CREATE TRIGGER open311_keys_version_delete AFTER DELETE ON open311_keys
BEGIN UPDATE data_versions SET n = n + 1 WHERE name = 'open311_keys'; END;
