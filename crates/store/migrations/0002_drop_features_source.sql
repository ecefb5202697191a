-- Nothing reads features by source through SQL (the spatial index answers that), and the extra
-- index cost a fifth of the write time on large batches.
DROP INDEX IF EXISTS features_source;
