-- Photos attached to cases and their steps (an inspector's picture of the fault, the crew's of
-- the fix). Kept by the SHA-256 of their bytes, so the same photo sent twice is stored once; a
-- photo is never changed once written.
CREATE TABLE media (
    id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    bytes BLOB NOT NULL
);

CREATE TRIGGER media_no_update BEFORE UPDATE ON media
BEGIN
    SELECT RAISE(ABORT, 'a photo is never changed once written');
END;
