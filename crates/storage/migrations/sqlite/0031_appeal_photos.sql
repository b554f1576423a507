-- Photos a citizen sends with an appeal (issue 20): JPEG or PNG, the camera's metadata (GPS
-- positions) removed before they are kept, read only by those who may see the work order.
CREATE TABLE appeal_photos (
    id INTEGER PRIMARY KEY,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX appeal_photos_of ON appeal_photos(appeal_id);
