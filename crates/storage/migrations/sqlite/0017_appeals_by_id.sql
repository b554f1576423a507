-- Work orders on the shard of their id (issue 12). SQLite has no shards, but keeps the same
-- tables: the tracking codes in their own table, keyed by the code, written with each order.
-- The order's own unique code and its key to the duplicate stay (they cost nothing here).
CREATE TABLE appeal_codes (
    code TEXT PRIMARY KEY,
    appeal_id BIGINT NOT NULL
);
INSERT INTO appeal_codes (code, appeal_id) SELECT code, id FROM appeals;
