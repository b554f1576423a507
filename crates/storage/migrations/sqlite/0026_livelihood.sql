-- 民生实事 (issue 18). A proposal is a duty on the shard of its id (its department's 论证 runs
-- against a deadline), with the citizens' ratings of it beside it. A year's settings and the
-- vote and rating sessions (candidates, counts, who voted, the tellers' signatures) are small
-- and read with every page of the year: copied to every node. A secret session keeps who voted
-- apart from the counts: no row anywhere links a deputy to a choice.
CREATE TABLE livelihood_years (
    year BIGINT NOT NULL PRIMARY KEY,
    collect_from TEXT NOT NULL,
    collect_to TEXT NOT NULL,
    capacity_fen BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE livelihood_proposals (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    area TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    citizen_name TEXT,
    citizen_phone TEXT,
    proposer_user_id BIGINT,
    proposer_unit_id BIGINT,
    appeal_id BIGINT,
    merged_into BIGINT,
    state TEXT NOT NULL,
    unit_id BIGINT,
    due_at BIGINT,
    assessment TEXT,
    cost_fen BIGINT NOT NULL DEFAULT 0,
    county_fen BIGINT NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    task_id BIGINT,
    rating TEXT,
    spent_fen BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX livelihood_proposals_year ON livelihood_proposals(year, state, id);
CREATE INDEX livelihood_proposals_appeal ON livelihood_proposals(appeal_id);
CREATE TABLE livelihood_public_ratings (
    proposal_id BIGINT NOT NULL REFERENCES livelihood_proposals(id),
    phone_key TEXT NOT NULL,
    rating TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, phone_key)
);
CREATE TABLE livelihood_sessions (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    members BIGINT NOT NULL,
    present BIGINT NOT NULL DEFAULT 0,
    mode TEXT NOT NULL,
    max_choices BIGINT NOT NULL,
    rule TEXT NOT NULL,
    tie TEXT NOT NULL,
    budget_fen BIGINT NOT NULL,
    secret BIGINT NOT NULL,
    tellers_needed BIGINT NOT NULL,
    state TEXT NOT NULL,
    electronic BIGINT NOT NULL DEFAULT 0,
    paper BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE livelihood_candidates (
    session_id BIGINT NOT NULL REFERENCES livelihood_sessions(id),
    proposal_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    county_fen BIGINT NOT NULL,
    e_a BIGINT NOT NULL DEFAULT 0,
    e_b BIGINT NOT NULL DEFAULT 0,
    e_c BIGINT NOT NULL DEFAULT 0,
    p_a BIGINT NOT NULL DEFAULT 0,
    p_b BIGINT NOT NULL DEFAULT 0,
    p_c BIGINT NOT NULL DEFAULT 0,
    rank BIGINT,
    outcome TEXT,
    PRIMARY KEY (session_id, proposal_id)
);
-- Who voted (never how): a second ballot is refused by the key.
CREATE TABLE livelihood_voters (
    session_id BIGINT NOT NULL REFERENCES livelihood_sessions(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (session_id, user_id)
);
-- An open (not secret) session's ballots, each with its deputy.
CREATE TABLE livelihood_open_ballots (
    session_id BIGINT NOT NULL REFERENCES livelihood_sessions(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    proposal_id BIGINT NOT NULL,
    choice TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id, proposal_id)
);
CREATE TABLE livelihood_signatures (
    session_id BIGINT NOT NULL REFERENCES livelihood_sessions(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
