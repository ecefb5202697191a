//! A layer's points — its features without a shape — held compactly. A whole [`Feature`] costs
//! about half a kilobyte (three strings, a property map with its own hash table, a slot keyed by
//! a copy of its id, an R-tree leaf keyed by another), which a 548k-component census cannot
//! afford. Here a point is one 64-byte row: its id, its position, its properties as JSON text
//! shared by every point that has the same, its source as a number. Rows are found by id
//! through a table of row numbers, and by place through a packed KD-tree of the rows as they
//! stood at the last pack plus a small R-tree of the rows placed since; the R-tree is folded
//! into the packed tree once it grows past an eighth of the layer. Reads hand out whole
//! features, made on the way out.

use std::sync::Arc;

use hashbrown::HashTable;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use serde_json::{Map, Value};

use super::packed::PackedIndex;
use super::texts::{hash, SharedTexts};
use crate::model::{Bbox, Feature};

/// A row placed since the last pack: its position and its row number.
type Placed = GeomWithData<[f64; 2], u32>;

/// Rows placed since the last pack stay in the R-tree until they pass this many and an eighth
/// of the layer; then the layer is packed again.
const REPACK_FROM: usize = 4_096;

struct Row {
    /// Empty on a free row (see `live`).
    id: Box<str>,
    lon: f64,
    lat: f64,
    /// The properties as a JSON object, shared by every row with the same text.
    properties: Arc<str>,
    updated_at: i64,
    /// Index into the table's source ids.
    source: u32,
    /// Where the index finds the row: in `recent` (placed since the last pack), else in
    /// `packed`, which may still hold an old position of this row number and is then ignored.
    recent: bool,
    live: bool,
}

#[derive(Default)]
pub struct PointTable {
    /// The layer's id, for the features handed out.
    layer: String,
    rows: Vec<Row>,
    /// Row numbers free for reuse, after removals.
    free: Vec<u32>,
    /// Row numbers by the hash of their id.
    by_id: HashTable<u32>,
    sources: Vec<Box<str>>,
    /// Every distinct property text the rows hold, by its hash.
    texts: SharedTexts,
    packed: PackedIndex,
    packed_extent: Option<Bbox>,
    recent: RTree<Placed>,
    live: usize,
}

/// The properties as the rows keep them. Written with the map's own order, so the same
/// properties from the same source give the same text.
fn properties_text(properties: &Map<String, Value>) -> String {
    serde_json::to_string(properties).unwrap_or_else(|_| "{}".into())
}

impl PointTable {
    /// A table holding the point features of `features` (shapes are left out); where one id
    /// comes twice, the later wins.
    pub fn build(features: &[Feature]) -> PointTable {
        let mut table = PointTable::default();
        let points = features.iter().filter(|f| f.shape.is_none()).count();
        table.rows.reserve_exact(points);
        table.by_id.reserve(points, |_| 0);
        for f in features.iter().filter(|f| f.shape.is_none()) {
            table.place(f, false);
        }
        table.repack();
        table
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn row_of(&self, id: &str) -> Option<u32> {
        let rows = &self.rows;
        self.by_id
            .find(hash(id), |&r| &*rows[r as usize].id == id)
            .copied()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.row_of(id).is_some()
    }

    pub fn get(&self, id: &str) -> Option<Feature> {
        self.row_of(id).map(|r| self.feature(r))
    }

    /// The source a point came from.
    pub fn source_of(&self, id: &str) -> Option<&str> {
        let r = self.row_of(id)?;
        self.sources
            .get(self.rows[r as usize].source as usize)
            .map(|s| &**s)
    }

    /// Whether `f` says what the table already holds for its id (position and properties; not
    /// `updated_at`); `None` when the table has no such point.
    pub fn unchanged(&self, f: &Feature) -> Option<bool> {
        let row = &self.rows[self.row_of(&f.id)? as usize];
        Some(
            f.shape.is_none()
                && row.lon == f.lon
                && row.lat == f.lat
                && *row.properties == *properties_text(&f.properties),
        )
    }

    /// The whole feature of row `r`.
    fn feature(&self, r: u32) -> Feature {
        let row = &self.rows[r as usize];
        Feature {
            layer: self.layer.clone(),
            id: row.id.to_string(),
            source: self
                .sources
                .get(row.source as usize)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            lon: row.lon,
            lat: row.lat,
            shape: None,
            properties: serde_json::from_str(&row.properties).unwrap_or_default(),
            updated_at: row.updated_at,
        }
    }

    /// Every point as it is held, without making it whole: for scans that read a few fields of
    /// each of a big layer (clusters, search, aggregates).
    pub fn scan(&self) -> impl Iterator<Item = PointRow<'_>> + '_ {
        (0..self.rows.len() as u32)
            .filter(|&r| self.rows[r as usize].live)
            .map(|r| PointRow {
                table: self,
                row: r,
            })
    }

    /// Every point, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = Feature> + '_ {
        (0..self.rows.len() as u32)
            .filter(|&r| self.rows[r as usize].live)
            .map(|r| self.feature(r))
    }

    /// The ids of the points that came from `source`.
    pub fn ids_from(&self, source: &str) -> impl Iterator<Item = &str> + '_ {
        let n = self.sources.iter().position(|s| &**s == source);
        self.rows
            .iter()
            .filter(move |r| r.live && Some(r.source as usize) == n)
            .map(|r| &*r.id)
    }

    /// How many points came from `source`.
    pub fn count_source(&self, source: &str) -> usize {
        self.ids_from(source).count()
    }

    /// Adds or replaces one point.
    pub fn upsert(&mut self, f: &Feature) {
        self.place(f, true);
        if self.recent.size() > REPACK_FROM.max(self.live / 8) {
            self.repack();
        }
    }

    /// Adds or replaces many points; a batch that rewrites much of the table is packed once at
    /// the end instead of placed point by point.
    pub fn upsert_many<'a>(&mut self, features: impl ExactSizeIterator<Item = &'a Feature>) {
        if features.len() > 1_000 && features.len() * 2 > self.live {
            for f in features {
                self.place(f, false);
            }
            self.repack();
        } else {
            for f in features {
                self.upsert(f);
            }
        }
    }

    /// Writes `f` into its row (a new one if its id is new). `index`: also place it in the
    /// R-tree now; a caller that does not will repack before the next query.
    fn place(&mut self, f: &Feature, index: bool) {
        if self.layer.is_empty() {
            self.layer = f.layer.clone();
        }
        let properties = self.texts.intern(properties_text(&f.properties));
        let source = self.source_number(&f.source);
        let r = match self.row_of(&f.id) {
            Some(r) => {
                let row = &mut self.rows[r as usize];
                if row.lon != f.lon || row.lat != f.lat {
                    if index && row.recent {
                        self.recent.remove(&Placed::new([row.lon, row.lat], r));
                    }
                    row.lon = f.lon;
                    row.lat = f.lat;
                    row.recent = true;
                    if index {
                        self.recent.insert(Placed::new([f.lon, f.lat], r));
                    }
                }
                row.updated_at = f.updated_at;
                row.source = source;
                let old = std::mem::replace(&mut row.properties, properties);
                self.texts.release(old);
                return;
            }
            None => self.free.pop().unwrap_or(self.rows.len() as u32),
        };
        let row = Row {
            id: f.id.clone().into_boxed_str(),
            lon: f.lon,
            lat: f.lat,
            properties,
            updated_at: f.updated_at,
            source,
            // A reused row number may still sit in the packed tree at its old place.
            recent: true,
            live: true,
        };
        match self.rows.get_mut(r as usize) {
            Some(slot) => *slot = row,
            None => self.rows.push(row),
        }
        let rows = &self.rows;
        self.by_id
            .insert_unique(hash(&f.id), r, |&x| hash(&rows[x as usize].id));
        if index {
            self.recent.insert(Placed::new([f.lon, f.lat], r));
        }
        self.live += 1;
    }

    /// Takes one point out, handing back its whole feature.
    pub fn remove(&mut self, id: &str) -> Option<Feature> {
        let r = self.row_of(id)?;
        let feature = self.feature(r);
        let rows = &self.rows;
        if let Ok(entry) = self
            .by_id
            .find_entry(hash(id), |&x| &*rows[x as usize].id == id)
        {
            entry.remove();
        }
        let row = &mut self.rows[r as usize];
        if row.recent {
            self.recent.remove(&Placed::new([row.lon, row.lat], r));
        }
        row.live = false;
        row.recent = true;
        row.id = Box::default();
        let old = std::mem::replace(&mut row.properties, Arc::from(""));
        self.texts.release(old);
        self.free.push(r);
        self.live -= 1;
        Some(feature)
    }

    /// Row numbers of the points inside the box.
    fn rows_in(&self, bbox: &Bbox) -> Vec<u32> {
        let mut found = Vec::new();
        let rows = &self.rows;
        self.packed
            .range([bbox.west, bbox.south], [bbox.east, bbox.north], |r| {
                let row = &rows[r as usize];
                if row.live && !row.recent {
                    found.push(r);
                }
            });
        let envelope = AABB::from_corners([bbox.west, bbox.south], [bbox.east, bbox.north]);
        found.extend(self.recent.locate_in_envelope(&envelope).map(|p| p.data));
        found
    }

    /// The points inside the box, in no particular order.
    pub fn in_bbox(&self, bbox: &Bbox) -> impl Iterator<Item = Feature> + '_ {
        self.rows_in(bbox).into_iter().map(|r| self.feature(r))
    }

    /// The `k` points nearest (lon, lat), each with its squared distance in degrees, nearest
    /// first.
    pub fn nearest(&self, lon: f64, lat: f64, k: usize) -> Vec<(f64, Feature)> {
        let rows = &self.rows;
        let mut best: Vec<(f64, u32)> = self
            .packed
            .nearest(lon, lat, k, |r| {
                let row = &rows[r as usize];
                row.live && !row.recent
            })
            .into_iter()
            .map(|(r, d2)| (d2, r))
            .collect();
        best.extend(
            self.recent
                .nearest_neighbor_iter_with_distance_2(&[lon, lat])
                .take(k)
                .map(|(p, d2)| (d2, p.data)),
        );
        best.sort_by(|a, b| a.0.total_cmp(&b.0));
        best.truncate(k);
        best.into_iter()
            .map(|(d2, r)| (d2, self.feature(r)))
            .collect()
    }

    /// The box of every point; it may still hold the place of one removed since the last pack.
    pub fn extent(&self) -> Option<Bbox> {
        let recent = (self.recent.size() > 0).then(|| {
            let e = self.recent.root().envelope();
            Bbox::from_corners(e.lower(), e.upper())
        });
        crate::model::union_all(self.packed_extent.into_iter().chain(recent))
    }

    /// Packs every live row into the KD-tree and empties the R-tree; the rows' vector and the
    /// id table give back their slack.
    fn repack(&mut self) {
        self.packed = PackedIndex::build_with_ids(
            self.rows
                .iter()
                .enumerate()
                .filter(|(_, row)| row.live)
                .map(|(r, row)| ([row.lon, row.lat], r as u32)),
        );
        self.packed_extent = self
            .packed
            .extent()
            .map(|[w, s, e, n]| Bbox::from_corners([w, s], [e, n]));
        self.recent = RTree::new();
        for row in self.rows.iter_mut().filter(|row| row.live) {
            row.recent = false;
        }
        if self.rows.capacity() > self.rows.len() + self.rows.len() / 8 {
            self.rows.shrink_to_fit();
        }
        let rows = &self.rows;
        self.by_id.shrink_to_fit(|&x| hash(&rows[x as usize].id));
    }

    fn source_number(&mut self, source: &str) -> u32 {
        match self.sources.iter().position(|s| &**s == source) {
            Some(n) => n as u32,
            None => {
                self.sources.push(source.into());
                (self.sources.len() - 1) as u32
            }
        }
    }
}

/// One point as the table holds it.
#[derive(Clone, Copy)]
pub struct PointRow<'a> {
    table: &'a PointTable,
    row: u32,
}

impl<'a> PointRow<'a> {
    fn held(&self) -> &'a Row {
        &self.table.rows[self.row as usize]
    }

    pub fn id(&self) -> &'a str {
        &self.held().id
    }

    pub fn lon_lat(&self) -> (f64, f64) {
        (self.held().lon, self.held().lat)
    }

    pub fn updated_at(&self) -> i64 {
        self.held().updated_at
    }

    /// The properties as JSON text (an object).
    pub fn properties_text(&self) -> &'a str {
        &self.held().properties
    }

    pub fn properties(&self) -> Map<String, Value> {
        serde_json::from_str(self.properties_text()).unwrap_or_default()
    }

    pub fn feature(&self) -> Feature {
        self.table.feature(self.row)
    }
}

#[cfg(test)]
mod tests;
