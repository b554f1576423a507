-- 债务风险 (issue 17). Borrowers, the year's 限额 and 综合财力, and the grants of sight are small
-- and read with every figure: copied to every node. An instrument is on the shard of its id
-- with its schedule and its transactions (balances are derived from them, never typed). A
-- large maturity's 资金接续 and a warning are duties on the shard of their id; both ids are
-- derived from what they are (instrument × schedule row; year × indicator), so a second node's
-- run finds the row instead of adding one. Money is exact: BIGINT 分; rates BIGINT ppm.
CREATE TABLE debt_borrowers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    uscc TEXT,
    owner TEXT NOT NULL DEFAULT '',
    exited_on TEXT,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
CREATE TABLE debt_instruments (
    id INTEGER PRIMARY KEY,
    borrower_id BIGINT NOT NULL REFERENCES debt_borrowers(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    lender TEXT NOT NULL,
    principal_fen BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    rate_ppm BIGINT NOT NULL,
    rate_reference TEXT NOT NULL DEFAULT '',
    spread_bp BIGINT NOT NULL DEFAULT 0,
    fees_fen BIGINT NOT NULL DEFAULT 0,
    day_count TEXT NOT NULL,
    start_on TEXT NOT NULL,
    maturity_on TEXT NOT NULL,
    amortisation TEXT NOT NULL,
    every_months BIGINT NOT NULL,
    guarantee TEXT NOT NULL DEFAULT '',
    collateral TEXT NOT NULL DEFAULT '',
    project TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX debt_instruments_code ON debt_instruments(code);
CREATE INDEX debt_instruments_borrower ON debt_instruments(borrower_id, id);
CREATE TABLE debt_schedule (
    instrument_id BIGINT NOT NULL REFERENCES debt_instruments(id),
    seq BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    principal_fen BIGINT NOT NULL,
    interest_fen BIGINT NOT NULL,
    PRIMARY KEY (instrument_id, seq)
);
CREATE TABLE debt_transactions (
    id INTEGER PRIMARY KEY,
    instrument_id BIGINT NOT NULL REFERENCES debt_instruments(id),
    happened_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    counterpart_id BIGINT,
    over_limit BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX debt_transactions_of ON debt_transactions(instrument_id, happened_on);
CREATE TABLE debt_limits (
    year BIGINT NOT NULL,
    category TEXT NOT NULL,
    limit_fen BIGINT NOT NULL,
    PRIMARY KEY (year, category)
);
CREATE TABLE debt_capacity (
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (year, seq)
);
CREATE TABLE debt_grants (
    user_id BIGINT NOT NULL REFERENCES users(id),
    granted_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id)
);
CREATE TABLE debt_maturities (
    id BIGINT NOT NULL,
    instrument_id BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    principal_fen BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    plan_due_on TEXT NOT NULL,
    due_at BIGINT,
    text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE debt_warnings (
    id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    level TEXT NOT NULL,
    value BIGINT NOT NULL,
    threshold BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    state TEXT NOT NULL,
    due_at BIGINT,
    text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    raised_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE debt_scenarios (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    input TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- Moves with every write of the book: figures computed from it are kept per version.
CREATE TABLE debt_book (
    id BIGINT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO debt_book (id, version) VALUES (1, 1);
