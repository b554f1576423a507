-- 群众诉求: 12345 work orders, their trail, the taxonomy, Open311 keys and the routing model.
CREATE TABLE appeal_categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    grp TEXT NOT NULL,
    description TEXT NOT NULL,
    keywords TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    active BIGINT NOT NULL DEFAULT 1,
    sort_order BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE open311_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL REFERENCES appeal_categories(code),
    content TEXT NOT NULL,
    address TEXT,
    lat REAL,
    lon REAL,
    township_id BIGINT REFERENCES units(id),
    citizen_name TEXT,
    phone TEXT,
    id_number TEXT,
    confidential BIGINT NOT NULL DEFAULT 0,
    urgency TEXT NOT NULL,
    state TEXT NOT NULL,
    owner_unit_id BIGINT REFERENCES units(id),
    suggested_unit_id BIGINT REFERENCES units(id),
    suggestion TEXT,
    due_at BIGINT,
    dispatched_at BIGINT,
    replied_at BIGINT,
    closed_at BIGINT,
    reply TEXT,
    rating TEXT,
    rating_comment TEXT,
    rework_count BIGINT NOT NULL DEFAULT 0,
    return_reason TEXT,
    reject_reason TEXT,
    ext_due BIGINT,
    ext_reason TEXT,
    extension_count BIGINT NOT NULL DEFAULT 0,
    duplicate_of BIGINT REFERENCES appeals(id),
    open311_key_id BIGINT REFERENCES open311_keys(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX appeals_owner ON appeals(owner_unit_id, state, due_at);
CREATE INDEX appeals_state ON appeals(state, due_at);
CREATE INDEX appeals_created ON appeals(created_at, id);
CREATE INDEX appeals_category ON appeals(category, created_at);
CREATE INDEX appeals_township ON appeals(township_id, created_at);
CREATE INDEX appeals_updated ON appeals(updated_at, id);

CREATE TABLE appeal_events (
    id INTEGER PRIMARY KEY,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    unit_id BIGINT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT
);
CREATE INDEX appeal_events_appeal ON appeal_events(appeal_id, id);

-- 派单模型: the routing model trained on closed appeals, as data every node reads.
CREATE TABLE route_models (
    id INTEGER PRIMARY KEY,
    trained_at BIGINT NOT NULL,
    examples BIGINT NOT NULL,
    accuracy REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TRIGGER appeal_events_no_update BEFORE UPDATE ON appeal_events
BEGIN SELECT RAISE(ABORT, 'appeal_events is append-only'); END;
CREATE TRIGGER appeal_events_no_delete BEFORE DELETE ON appeal_events
BEGIN SELECT RAISE(ABORT, 'appeal_events is append-only'); END;
