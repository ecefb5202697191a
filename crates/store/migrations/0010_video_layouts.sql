-- The video wall's saved layouts (预案): a split and the camera on each tile, or a tour that
-- cycles through other layouts with a dwell time. Kept by name; who saved each, when.
CREATE TABLE video_layouts (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
