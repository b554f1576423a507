-- An audit chain that scales (issue 12): CHAINS chains instead of one, each with its head row,
-- so writers on different records never queue on one row and a distributed engine keeps a
-- chain and its head on one shard. The single chain of earlier releases becomes chain 0 as it
-- is; the other chains get their head at their first write. Anchors chain the heads.
ALTER TABLE audit_log ADD COLUMN chain BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (chain, seq);
CREATE INDEX audit_log_at ON audit_log(at);
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
CREATE TRIGGER audit_anchors_no_change BEFORE UPDATE OR DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
