-- Trust fixes. The citizen's rating credential (评价码): a SHA-256 of a secret handed out with
-- the tracking code at submission, so that the public tracking code (also the Open311
-- service_request_id) no longer lets anyone rate. Appeals received before have none: their
-- rating is taken by the hotline's 回访.
ALTER TABLE appeals ADD COLUMN rate_secret TEXT;
-- The photo or document an Open311 client linked (media_url), published as given.
ALTER TABLE appeals ADD COLUMN media_url TEXT;
-- Secrets every node shares (the key that signs public form tokens); never shown.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
