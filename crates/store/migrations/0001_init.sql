-- The current state of every feature, one row per (layer, id).
CREATE TABLE features (
    layer       TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    lon         REAL    NOT NULL,
    lat         REAL    NOT NULL,
    properties  TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (layer, id)
);
CREATE INDEX features_source ON features (source);

-- Every change, append-only: what replay and audits read. `properties` NULL means removed.
CREATE TABLE feature_history (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    layer       TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    lon         REAL,
    lat         REAL,
    properties  TEXT
);
CREATE INDEX feature_history_at ON feature_history (at);
CREATE INDEX feature_history_feature ON feature_history (layer, id, at);

-- Records a source sent that could not be used, with why and a capped excerpt.
CREATE TABLE rejected (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    record_index INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    excerpt      TEXT    NOT NULL
);
CREATE INDEX rejected_source ON rejected (source, at);
