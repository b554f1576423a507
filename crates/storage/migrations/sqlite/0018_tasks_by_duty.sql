-- A task and everything under it on the shard of its id (issue 12) concerns PostgreSQL and a
-- distributed engine only: SQLite keeps one file, its rowid keys and its foreign keys stay.
SELECT 1;
