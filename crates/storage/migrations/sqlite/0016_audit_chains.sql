-- An audit chain that scales (issue 12): CHAINS chains instead of one, each with its head row.
-- The single chain of earlier releases becomes chain 0 as it is; the other chains get their
-- head at their first write. Anchors chain the heads. SQLite cannot change a key in place: the
-- log is copied into its new shape (dropping a table fires no row trigger).
CREATE TABLE audit_log_chains (
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    chain BIGINT NOT NULL,
    PRIMARY KEY (chain, seq)
);
INSERT INTO audit_log_chains (seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash, chain)
    SELECT seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash, 0 FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_chains RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE audit_heads (
    chain BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_heads (chain, seq, hash) SELECT 0, seq, hash FROM audit_head;
DROP TABLE audit_head;
CREATE TABLE audit_anchors (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    heads TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;
