-- Participatory budget: one cycle a year, its areas with their budgets, the
-- project ideas and their review, the ballots and the one-per-identity markers.
CREATE TABLE budget_cycles (
    id TEXT PRIMARY KEY,
    year BIGINT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    phase TEXT NOT NULL,
    submission_from TEXT,
    submission_to TEXT,
    review_to TEXT,
    voting_from TEXT,
    voting_to TEXT,
    results_on TEXT,
    ballot_kind TEXT NOT NULL,
    min_projects BIGINT NOT NULL,
    max_projects BIGINT NOT NULL,
    total_points BIGINT NOT NULL,
    max_points_per_project BIGINT NOT NULL,
    rule TEXT NOT NULL,
    threshold BIGINT,
    min_age BIGINT NOT NULL,
    resident_postcodes TEXT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE budget_areas (
    id TEXT PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES budget_cycles (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    budget_cents BIGINT NOT NULL,
    eligible_voters BIGINT,
    position BIGINT NOT NULL,
    UNIQUE (cycle_id, name)
);

-- A project idea. submitted_by is the proposer's account (for the KPI and
-- their own list; never shown publicly); it is cleared when the account goes.
CREATE TABLE budget_projects (
    id TEXT PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES budget_cycles (id) ON DELETE CASCADE,
    area_id TEXT NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT,
    estimated_cents BIGINT NOT NULL,
    cost_cents BIGINT,
    review TEXT NOT NULL,
    review_reason TEXT,
    reviewed_at BIGINT,
    submitted_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    submitted_at BIGINT NOT NULL,
    UNIQUE (cycle_id, number)
);
CREATE INDEX budget_projects_area ON budget_projects (area_id);

-- Ballot contents only: a random id, no voter, no time. Who voted is in
-- budget_voters, which holds keyed markers and nothing about the ballot.
CREATE TABLE budget_ballots (
    id TEXT PRIMARY KEY,
    cycle_id TEXT NOT NULL REFERENCES budget_cycles (id) ON DELETE CASCADE,
    area_id TEXT NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    vote TEXT NOT NULL,
    points TEXT
);
CREATE INDEX budget_ballots_area ON budget_ballots (area_id);

-- "Has voted": HMAC markers of the account and of the EMŠO, one row each.
-- The primary key is what makes a second ballot of one identity impossible.
CREATE TABLE budget_voters (
    cycle_id TEXT NOT NULL REFERENCES budget_cycles (id) ON DELETE CASCADE,
    marker TEXT NOT NULL,
    PRIMARY KEY (cycle_id, marker)
);

-- The council's decisions that change a computed outcome.
CREATE TABLE budget_overrides (
    project_id TEXT PRIMARY KEY REFERENCES budget_projects (id) ON DELETE CASCADE,
    funded BIGINT NOT NULL,
    reason TEXT NOT NULL,
    -- Who decided, as published (e.g. the city council and its session).
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    -- The staff account that entered it (audited as well).
    entered_by TEXT NOT NULL
);
