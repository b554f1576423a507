-- Keys that include the duty (issue 12) concern PostgreSQL and a distributed engine only: SQLite
-- keeps one file on one node, and its rowid keys stay. Nothing to change here.
SELECT 1;
