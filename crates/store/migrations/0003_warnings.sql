-- Warnings and their lifecycle. `body` is the whole warning as the API shows it; the columns
-- beside it are what queries filter and sort on.
CREATE TABLE warnings (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    state TEXT NOT NULL,
    layer TEXT NOT NULL,
    subject TEXT NOT NULL,
    raised_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX warnings_open ON warnings (state) WHERE state != 'cleared';
CREATE INDEX warnings_updated ON warnings (updated_at);

-- Every transition (raised, escalated, acknowledged, cleared), for the audit trail and replay.
CREATE TABLE warning_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    id TEXT NOT NULL,
    state TEXT NOT NULL,
    level TEXT NOT NULL
);
CREATE INDEX warning_log_id ON warning_log (id);
