-- Places events happen at (name and WGS84 point). The municipal map of
-- places comes later; until then events keep their own small table.
CREATE TABLE events_places (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    created_at BIGINT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX events_places_name ON events_places (name);

-- Who organises: a person or a legal entity, with the public name the
-- organiser chose. The account is kept to tell them of reviews and is never shown.
CREATE TABLE events_organisers (
    id TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX events_organisers_account ON events_organisers (account_id, kind, name);

-- Events. Title and description are JSON texts per language; accessibility
-- is a comma-framed list of codes (",wheelchair,hearing_loop,").
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    organiser_id TEXT NOT NULL REFERENCES events_organisers (id),
    place_id TEXT NOT NULL REFERENCES events_places (id),
    submitted_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    genre TEXT NOT NULL,
    audience TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents BIGINT,
    accessibility TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    stream_url TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    sequence BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX events_public ON events (status, ends_at, starts_at);
CREATE INDEX events_submitter ON events (submitted_by, created_at);

-- What a person follows: a genre, a place or an organiser.
CREATE TABLE events_follows (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind, target)
);

-- The personal feed: its secret URL is a MAC of the account and the
-- generation; only its blind index is stored, to find the account.
CREATE TABLE events_feeds (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    generation BIGINT NOT NULL,
    token_index TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
