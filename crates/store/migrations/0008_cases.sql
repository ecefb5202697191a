-- The incident loop's cases and every step each took. A case is kept as its JSON body with the
-- columns the wall counts by (state, when it closed, whether on time) beside it; a step is never
-- changed once written (the audit log holds the same steps, hash-chained).
CREATE TABLE cases (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deadline_at INTEGER,
    closed_at INTEGER,
    on_time INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX cases_state ON cases (state);

CREATE TABLE case_steps (
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TRIGGER case_steps_no_update BEFORE UPDATE ON case_steps
BEGIN
    SELECT RAISE(ABORT, 'a case step is never changed once written');
END;
