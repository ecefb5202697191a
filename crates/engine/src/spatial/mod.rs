//! The spatial index: per layer, an R-tree (rstar) of feature positions beside the features
//! themselves, updated incrementally as batches land; the packed static index and the cluster
//! pyramid live in their own files. Lines and polygons also sit in a second R-tree of their
//! boxes, so a viewport finds every shape that crosses it, not only those whose anchor lies in
//! it; point layers never touch that tree and cost what they did.

pub mod cluster;
pub mod packed;
pub mod points;
mod scan;
mod texts;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::model::{Bbox, Feature};
use cluster::{ClusterInput, ClusterOptions, ClusterPyramid};
use points::PointTable;
pub use scan::Scanned;

type Entry = GeomWithData<[f64; 2], String>;
type ShapeEntry = GeomWithData<Rectangle<[f64; 2]>, String>;

fn shape_entry(f: &Feature) -> Option<ShapeEntry> {
    let b = f.shape.as_ref()?.bbox();
    Some(ShapeEntry::new(
        Rectangle::from_corners([b.west, b.south], [b.east, b.north]),
        f.id.clone(),
    ))
}

fn anchor_entry(f: &Feature) -> Entry {
    Entry::new([f.lon, f.lat], f.id.clone())
}

/// Ranks a feature's severity by its properties (0 = mildest).
pub type Ranking<'a> = dyn Fn(&serde_json::Map<String, serde_json::Value>) -> Option<u8> + 'a;

/// A layer's cluster pyramid and, for lone points, which feature each point is.
pub struct LayerPyramid {
    pub pyramid: ClusterPyramid,
    pub ids: Vec<String>,
}

/// The points of a big first load, built into their table on another thread while the
/// features themselves are being stored; waits for [`LayerIndex::install_first_load`].
pub struct StagedPoints(PointTable);

impl StagedPoints {
    pub fn build(features: &[Feature]) -> StagedPoints {
        StagedPoints(PointTable::build(features))
    }
}

/// A layer's lines and polygons by id, whole. Each is boxed: a table's slots run at about half
/// full, and an empty slot then costs a pointer, not a whole feature.
pub type Keyed = HashMap<String, Box<Feature>>;

/// One layer's features and their indexes: points in a compact table of their own
/// ([`points`]), lines and polygons whole, with an R-tree of their boxes (so a viewport finds
/// every shape that crosses it, not only those whose anchor lies in it) and one of their anchor
/// points (for nearest). Reads hand out a point as a feature made for the caller
/// (`Cow::Owned`) and a shape as a borrow.
#[derive(Default)]
pub struct LayerIndex {
    points: PointTable,
    shaped: Keyed,
    /// Each line's or polygon's anchor point.
    anchors: RTree<Entry>,
    /// Each line's or polygon's box.
    shapes: RTree<ShapeEntry>,
    /// Bumped by every change, so a cached pyramid knows when it is out of date.
    generation: u64,
    /// Built on the first zoomed-out query after a change, then shared until the next change.
    pyramid: Mutex<Option<(u64, Arc<LayerPyramid>)>>,
}

impl LayerIndex {
    /// The layer's cluster pyramid, rebuilt when the layer changed since the last one.
    pub fn pyramid(&self, severity: Option<&Ranking>) -> Arc<LayerPyramid> {
        let mut cache = self.pyramid.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((generation, pyramid)) = cache.as_ref() {
            if *generation == self.generation {
                return pyramid.clone();
            }
        }
        let (generation, built) = self.build_pyramid(severity);
        *cache = Some((generation, built.clone()));
        built
    }

    /// The cached pyramid whatever its age, and whether it is current.
    pub fn cached_pyramid(&self) -> Option<(Arc<LayerPyramid>, bool)> {
        let cache = self.pyramid.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .as_ref()
            .map(|(generation, p)| (p.clone(), *generation == self.generation))
    }

    /// Keeps a pyramid built elsewhere (off the lock) unless a newer one is already cached.
    pub fn install_pyramid(&self, generation: u64, pyramid: Arc<LayerPyramid>) {
        let mut cache = self.pyramid.lock().unwrap_or_else(|p| p.into_inner());
        if cache.as_ref().is_none_or(|(g, _)| *g < generation) {
            *cache = Some((generation, pyramid));
        }
    }

    /// A snapshot of what a pyramid is built from, cheap enough to take under the index lock.
    /// `severity` ranks a feature by its properties; without it none are parsed.
    pub fn pyramid_inputs(
        &self,
        severity: Option<&Ranking<'_>>,
    ) -> (u64, Vec<String>, Vec<ClusterInput>) {
        let mut ids = Vec::with_capacity(self.len());
        let mut points = Vec::with_capacity(self.len());
        for f in self.scan() {
            let (lon, lat) = f.lon_lat();
            points.push(ClusterInput {
                lon,
                lat,
                severity: severity.and_then(|rank| rank(&f.properties())),
            });
            ids.push(f.id().to_string());
        }
        (self.generation, ids, points)
    }

    fn build_pyramid(&self, severity: Option<&Ranking>) -> (u64, Arc<LayerPyramid>) {
        let (generation, ids, points) = self.pyramid_inputs(severity);
        let pyramid = ClusterPyramid::build(&points, ClusterOptions::default());
        (generation, Arc::new(LayerPyramid { pyramid, ids }))
    }

    pub fn len(&self) -> usize {
        self.points.len() + self.shaped.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, id: &str) -> Option<Cow<'_, Feature>> {
        match self.shaped.get(id) {
            Some(f) => Some(Cow::Borrowed(&**f)),
            None => self.points.get(id).map(Cow::Owned),
        }
    }

    /// The source a feature came from.
    pub fn source_of(&self, id: &str) -> Option<&str> {
        match self.shaped.get(id) {
            Some(f) => Some(f.source.as_str()),
            None => self.points.source_of(id),
        }
    }

    /// Whether `f` says what the layer already holds for its id (geometry and properties;
    /// `updated_at` is bookkeeping); `None` when the layer has no feature of that id.
    pub fn unchanged(&self, f: &Feature) -> Option<bool> {
        match self.shaped.get(&f.id) {
            Some(old) => Some(old.same_content(f)),
            None => self.points.unchanged(f),
        }
    }

    fn remove_shaped(&mut self, id: &str) -> Option<Feature> {
        let old = *self.shaped.remove(id)?;
        self.anchors.remove(&anchor_entry(&old));
        if let Some(entry) = shape_entry(&old) {
            self.shapes.remove(&entry);
        }
        Some(old)
    }

    fn insert_shaped(&mut self, feature: Feature) {
        self.anchors.insert(anchor_entry(&feature));
        if let Some(entry) = shape_entry(&feature) {
            self.shapes.insert(entry);
        }
        self.shaped.insert(feature.id.clone(), Box::new(feature));
    }

    pub fn upsert(&mut self, feature: Feature) {
        self.generation += 1;
        if feature.shape.is_some() {
            self.points.remove(&feature.id);
            self.remove_shaped(&feature.id);
            self.insert_shaped(feature);
        } else {
            self.remove_shaped(&feature.id);
            self.points.upsert(&feature);
        }
    }

    /// The ids of the features that came from `source`.
    pub fn ids_from<'a>(&'a self, source: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.points.ids_from(source).chain(
            self.shaped
                .values()
                .filter(move |f| f.source == source)
                .map(|f| f.id.as_str()),
        )
    }

    /// How many features of this layer came from `source`.
    pub fn count_source(&self, source: &str) -> usize {
        self.points.count_source(source)
            + self.shaped.values().filter(|f| f.source == source).count()
    }

    /// Takes a first load whose points were tabled off the index lock, and its lines and
    /// polygons (`shaped`; any point among them is ignored). A layer that is no longer empty
    /// (another source landed meanwhile) takes the load through the ordinary bulk upsert.
    pub fn install_first_load(&mut self, staged: StagedPoints, shaped: Vec<Feature>) {
        let shaped: Vec<Feature> = shaped.into_iter().filter(|f| f.shape.is_some()).collect();
        if !self.is_empty() {
            let points: Vec<Feature> = staged.0.iter().collect();
            self.upsert_many(
                points
                    .into_iter()
                    .chain(shaped)
                    .collect::<Vec<_>>()
                    .into_iter(),
            );
            return;
        }
        self.generation += 1;
        self.points = staged.0;
        self.bulk_shapes(shaped);
    }

    /// Lines and polygons into an empty or rewritten layer, their trees bulk-loaded.
    fn bulk_shapes(&mut self, features: Vec<Feature>) {
        for f in features {
            self.points.remove(&f.id);
            self.shaped.insert(f.id.clone(), Box::new(f));
        }
        self.anchors = RTree::bulk_load(self.shaped.values().map(|f| anchor_entry(f)).collect());
        self.shapes = RTree::bulk_load(
            self.shaped
                .values()
                .filter_map(|f| shape_entry(f))
                .collect(),
        );
    }

    /// Upserts many features; a batch that rewrites much of the layer rebuilds the trees in one
    /// bulk load instead of inserting feature by feature.
    pub fn upsert_many(&mut self, features: impl ExactSizeIterator<Item = Feature>) {
        self.generation += 1;
        let (shaped, points): (Vec<Feature>, Vec<Feature>) =
            features.partition(|f| f.shape.is_some());
        for f in &points {
            self.remove_shaped(&f.id);
        }
        self.points.upsert_many(points.iter());
        if shaped.len() > 1_000 && shaped.len() * 2 > self.shaped.len() {
            self.bulk_shapes(shaped);
        } else {
            for f in shaped {
                self.points.remove(&f.id);
                self.remove_shaped(&f.id);
                self.insert_shaped(f);
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<Feature> {
        let old = self.remove_shaped(id).or_else(|| self.points.remove(id))?;
        self.generation += 1;
        Some(old)
    }

    /// Features inside the box (a line or polygon when its box crosses it), in no particular
    /// order.
    pub fn in_bbox(&self, bbox: &Bbox) -> impl Iterator<Item = Cow<'_, Feature>> {
        let envelope = AABB::from_corners([bbox.west, bbox.south], [bbox.east, bbox.north]);
        let shapes = self
            .shapes
            .locate_in_envelope_intersecting(&envelope)
            .filter_map(|e| self.shaped.get(&e.data))
            .map(|f| Cow::Borrowed(&**f));
        self.points.in_bbox(bbox).map(Cow::Owned).chain(shapes)
    }

    /// Every feature as it is held: a point is not made whole until asked ([`Scanned`]).
    pub fn scan(&self) -> impl Iterator<Item = Scanned<'_>> {
        self.points
            .scan()
            .map(Scanned::Point)
            .chain(self.shaped.values().map(|f| Scanned::Whole(f)))
    }

    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, Feature>> {
        self.points
            .iter()
            .map(Cow::Owned)
            .chain(self.shaped.values().map(|f| Cow::Borrowed(&**f)))
    }

    /// The box of every feature of the layer; `None` when empty.
    pub fn extent(&self) -> Option<Bbox> {
        let shapes = (self.shapes.size() > 0).then(|| {
            let e = self.shapes.root().envelope();
            Bbox::from_corners(e.lower(), e.upper())
        });
        crate::model::union_all(self.points.extent().into_iter().chain(shapes))
    }

    /// The `k` features nearest (lon, lat) in degrees, nearest first (a line or polygon by its
    /// anchor).
    pub fn nearest(&self, lon: f64, lat: f64, k: usize) -> Vec<Cow<'_, Feature>> {
        let mut best: Vec<(f64, Cow<'_, Feature>)> = self
            .points
            .nearest(lon, lat, k)
            .into_iter()
            .map(|(d2, f)| (d2, Cow::Owned(f)))
            .collect();
        best.extend(
            self.anchors
                .nearest_neighbor_iter_with_distance_2(&[lon, lat])
                .take(k)
                .filter_map(|(e, d2)| Some((d2, Cow::Borrowed(&**self.shaped.get(&e.data)?)))),
        );
        best.sort_by(|a, b| a.0.total_cmp(&b.0));
        best.into_iter().take(k).map(|(_, f)| f).collect()
    }
}

#[derive(Default)]
pub struct SpatialIndex {
    layers: HashMap<String, LayerIndex>,
}

impl SpatialIndex {
    pub fn layer(&self, id: &str) -> Option<&LayerIndex> {
        self.layers.get(id)
    }

    /// The box of every feature of every layer; `None` while nothing has landed.
    pub fn extent(&self) -> Option<Bbox> {
        crate::model::union_all(self.layers.values().filter_map(LayerIndex::extent))
    }

    pub fn layer_mut(&mut self, id: &str) -> &mut LayerIndex {
        self.layers.entry(id.to_string()).or_default()
    }

    /// Bulk-loads features (at start, from the store).
    pub fn load(features: Vec<Feature>) -> SpatialIndex {
        let mut by_layer: HashMap<String, Vec<Feature>> = HashMap::new();
        for f in features {
            by_layer.entry(f.layer.clone()).or_default().push(f);
        }
        let layers = by_layer
            .into_iter()
            .map(|(layer, features)| {
                let mut index = LayerIndex::default();
                index.install_first_load(StagedPoints::build(&features), features);
                (layer, index)
            })
            .collect();
        SpatialIndex { layers }
    }
}

#[cfg(test)]
mod tests;
