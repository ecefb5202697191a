-- Lines and polygons: the feature's GeoJSON geometry as text. NULL for a point, which is its
-- lon/lat alone; for a shape, lon/lat is its anchor (a point on it or inside it).
ALTER TABLE features ADD COLUMN geometry TEXT;
ALTER TABLE feature_history ADD COLUMN geometry TEXT;
