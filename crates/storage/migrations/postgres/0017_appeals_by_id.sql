-- Work orders on the shard of their id (issue 12): a work order, its line in the record of
-- duties, its trail and its extensions sit together. A tracking code is unique across shards
-- only through a table keyed by the code itself, which also makes a citizen's lookup by code a
-- one-shard query. The duplicate an order points at is checked by the application in the same
-- transaction (a key between two rows of a sharded table cannot be).
CREATE TABLE appeal_codes (
    code TEXT PRIMARY KEY,
    appeal_id BIGINT NOT NULL
);
INSERT INTO appeal_codes (code, appeal_id) SELECT code, id FROM appeals;
ALTER TABLE appeals DROP CONSTRAINT appeals_code_key;
ALTER TABLE appeals DROP CONSTRAINT appeals_duplicate_of_fkey;
