-- The store on PostgreSQL + PostGIS: the tables SQLite's migrations 0001–0012 leave, in one
-- step, with places as PostGIS points (GiST-indexed) beside the plain coordinates.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE features (
    layer       TEXT             NOT NULL,
    id          TEXT             NOT NULL,
    source      TEXT             NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    geometry    TEXT,
    properties  TEXT             NOT NULL,
    updated_at  BIGINT           NOT NULL,
    place       geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    PRIMARY KEY (layer, id)
);
CREATE INDEX features_place ON features USING GIST (place);

CREATE TABLE feature_history (
    seq         BIGSERIAL PRIMARY KEY,
    at          BIGINT           NOT NULL,
    layer       TEXT             NOT NULL,
    id          TEXT             NOT NULL,
    source      TEXT             NOT NULL,
    lon         DOUBLE PRECISION,
    lat         DOUBLE PRECISION,
    geometry    TEXT,
    properties  TEXT
);
CREATE INDEX feature_history_at ON feature_history (at);
CREATE INDEX feature_history_feature ON feature_history (layer, id, at);

CREATE TABLE rejected (
    seq          BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    source       TEXT   NOT NULL,
    record_index BIGINT NOT NULL,
    reason       TEXT   NOT NULL,
    excerpt      TEXT   NOT NULL
);
CREATE INDEX rejected_source ON rejected (source, at);

CREATE TABLE warnings (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    state TEXT NOT NULL,
    layer TEXT NOT NULL,
    subject TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX warnings_open ON warnings (state) WHERE state <> 'cleared';
CREATE INDEX warnings_updated ON warnings (updated_at);

CREATE TABLE warning_log (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    id TEXT NOT NULL,
    state TEXT NOT NULL,
    level TEXT NOT NULL,
    body TEXT
);
CREATE INDEX warning_log_id ON warning_log (id);
CREATE INDEX warning_log_at ON warning_log (at);

CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_action_target ON audit (action, target);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW
    EXECUTE FUNCTION refuse_change('the audit log is append-only: rows cannot be changed');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW
    EXECUTE FUNCTION refuse_change('the audit log is append-only: rows cannot be deleted');

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL,
    failed BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    centre TEXT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE cases (
    n BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deadline_at BIGINT,
    closed_at BIGINT,
    on_time BIGINT,
    body TEXT NOT NULL,
    lon DOUBLE PRECISION GENERATED ALWAYS AS (((body::jsonb) ->> 'lon')::double precision) STORED,
    lat DOUBLE PRECISION GENERATED ALWAYS AS (((body::jsonb) ->> 'lat')::double precision) STORED,
    centre TEXT GENERATED ALWAYS AS ((body::jsonb) ->> 'centre') STORED,
    reported_by TEXT GENERATED ALWAYS AS ((body::jsonb) ->> 'reported_by') STORED
);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_centre ON cases (centre);

CREATE TABLE case_steps (
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TRIGGER case_steps_no_update BEFORE UPDATE ON case_steps FOR EACH ROW
    EXECUTE FUNCTION refuse_change('a case step is never changed once written');

CREATE TABLE media (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    bytes BYTEA NOT NULL
);
CREATE TRIGGER media_no_update BEFORE UPDATE ON media FOR EACH ROW
    EXECUTE FUNCTION refuse_change('a photo is never changed once written');

CREATE TABLE video_layouts (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
