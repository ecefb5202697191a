-- A case's centre and reporter as columns of their own (read from its body), so listings by
-- centre are indexed and written the same way on SQLite and PostgreSQL.
ALTER TABLE cases ADD COLUMN centre TEXT GENERATED ALWAYS AS (json_extract(body, '$.centre')) VIRTUAL;
ALTER TABLE cases ADD COLUMN reported_by TEXT GENERATED ALWAYS AS (json_extract(body, '$.reported_by')) VIRTUAL;
CREATE INDEX cases_centre ON cases (centre);
