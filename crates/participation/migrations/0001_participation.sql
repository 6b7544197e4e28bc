-- Proposals and initiatives. The author is kept to tell them of answers and
-- is never shown; when the account is erased the proposal stays, anonymous.
CREATE TABLE participation_proposals (
    id TEXT PRIMARY KEY,
    author_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    area TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    place TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    status TEXT NOT NULL,
    answers BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX participation_proposals_list ON participation_proposals (area, status, id);
CREATE INDEX participation_proposals_author ON participation_proposals (author_id, created_at);

-- The public answers, in order (n = 1, 2, …): each sets the status.
CREATE TABLE participation_proposal_answers (
    proposal_id TEXT NOT NULL REFERENCES participation_proposals (id) ON DELETE CASCADE,
    n BIGINT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    department TEXT,
    answered_by TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, n)
);

-- Surveys; the title, description and questions are JSON (texts per language).
CREATE TABLE participation_surveys (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    questions TEXT NOT NULL,
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    public_results BIGINT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX participation_surveys_closes ON participation_surveys (closes_at);

-- One response per identity and survey. The respondent is a keyed hash of
-- the survey and the account, not the account id: the answers cannot be
-- joined to a person without the server's key, and the UNIQUE constraint
-- lets only one of two concurrent submissions in.
CREATE TABLE participation_responses (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES participation_surveys (id) ON DELETE CASCADE,
    respondent TEXT NOT NULL,
    answers TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (survey_id, respondent)
);

-- Questions to the municipality: public once answered.
CREATE TABLE participation_questions (
    id TEXT PRIMARY KEY,
    author_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    demo BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX participation_questions_status ON participation_questions (status, answered_at);
CREATE INDEX participation_questions_author ON participation_questions (author_id, created_at);

-- The inverted index of answered questions: each stem once per question, with
-- its ASCII form (č/š/ž → c/s/z) and the weight of the best field it is in.
CREATE TABLE participation_terms (
    question_id TEXT NOT NULL REFERENCES participation_questions (id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    folded TEXT NOT NULL,
    weight BIGINT NOT NULL,
    PRIMARY KEY (question_id, term)
);
CREATE INDEX participation_terms_term ON participation_terms (term);
CREATE INDEX participation_terms_folded ON participation_terms (folded);
