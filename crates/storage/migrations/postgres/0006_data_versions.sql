-- Versions of the reference data every node caches for intake and routing (the unit tree, the
-- appeal taxonomy, the 权责清单, the routing model, the Open311 keys). Triggers bump a table's
-- version in the same transaction as any change to it, so a node checks its cache with one
-- read of this table and no node serves from stale data after the change commits.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO data_versions (name, n) VALUES ('units', 0), ('appeal_categories', 0), ('responsibilities', 0), ('route_models', 0), ('open311_keys', 0);
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET n = n + 1 WHERE name = TG_TABLE_NAME;
    RETURN NULL;
END
$$;
CREATE TRIGGER units_version AFTER INSERT OR UPDATE OR DELETE ON units FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER appeal_categories_version AFTER INSERT OR UPDATE OR DELETE ON appeal_categories FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER responsibilities_version AFTER INSERT OR UPDATE OR DELETE ON responsibilities FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER route_models_version AFTER INSERT OR UPDATE OR DELETE ON route_models FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER open311_keys_version AFTER INSERT OR UPDATE OR DELETE ON open311_keys FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
