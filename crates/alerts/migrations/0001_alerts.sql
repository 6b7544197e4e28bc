-- Every CAP message published, as published: the document itself, its
-- envelope for lists and references, and its content (JSON) for updates.
-- A message is never changed, only superseded by a later one of its thread.
CREATE TABLE alerts_messages (
    identifier TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    sent TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    thread TEXT NOT NULL,
    refs TEXT,
    superseded_by TEXT,
    expires_at BIGINT NOT NULL,
    content TEXT NOT NULL,
    note TEXT,
    xml TEXT NOT NULL,
    notice_id TEXT,
    created_by TEXT,
    demo INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_messages_thread ON alerts_messages (thread, sent_at);
CREATE INDEX alerts_messages_sent ON alerts_messages (sent_at);
