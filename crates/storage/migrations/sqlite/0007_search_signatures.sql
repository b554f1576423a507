-- 检索签名 (search signatures): 256 bits per appeal over its content and address (see
-- luoshi_domain::appeal::signature), carried in the two indexes searches walk, newest first:
-- everyone's, and each unit's. A search tests them in the index and reads only the appeals
-- that pass. All bits set (-1) means "not computed yet" and always passes; `luoshi appeals
-- reindex` computes them for appeals written before this migration.
ALTER TABLE appeals ADD COLUMN sig0 BIGINT NOT NULL DEFAULT -1;
ALTER TABLE appeals ADD COLUMN sig1 BIGINT NOT NULL DEFAULT -1;
ALTER TABLE appeals ADD COLUMN sig2 BIGINT NOT NULL DEFAULT -1;
ALTER TABLE appeals ADD COLUMN sig3 BIGINT NOT NULL DEFAULT -1;
DROP INDEX appeals_created;
CREATE INDEX appeals_created ON appeals(created_at, id, sig0, sig1, sig2, sig3);
CREATE INDEX appeals_owner_created ON appeals(owner_unit_id, created_at, id, sig0, sig1, sig2, sig3);
