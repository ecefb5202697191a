//! The spatial index: per layer, an R-tree (rstar) of feature positions beside the features
//! themselves, updated incrementally as batches land; the packed static index and the cluster
//! pyramid live in their own files. Lines and polygons also sit in a second R-tree of their
//! boxes, so a viewport finds every shape that crosses it, not only those whose anchor lies in
//! it; point layers never touch that tree and cost what they did.

pub mod cluster;
pub mod packed;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::model::{Bbox, Feature};
use cluster::{ClusterInput, ClusterOptions, ClusterPyramid};

type Entry = GeomWithData<[f64; 2], String>;
type ShapeEntry = GeomWithData<Rectangle<[f64; 2]>, String>;

fn shape_entry(f: &Feature) -> Option<ShapeEntry> {
    let b = f.shape.as_ref()?.bbox();
    Some(ShapeEntry::new(
        Rectangle::from_corners([b.west, b.south], [b.east, b.north]),
        f.id.clone(),
    ))
}

fn shape_tree<'a>(features: impl Iterator<Item = &'a Feature>) -> RTree<ShapeEntry> {
    RTree::bulk_load(features.filter_map(shape_entry).collect())
}

/// A layer's cluster pyramid and, for lone points, which feature each point is.
pub struct LayerPyramid {
    pub pyramid: ClusterPyramid,
    pub ids: Vec<String>,
}

/// The points of a big first load, copied out so their R-tree can be bulk-loaded on another
/// thread while the features themselves are being stored.
pub struct TreeInputs(Vec<Entry>);

/// An R-tree built from [`TreeInputs`], waiting for [`LayerIndex::install_first_load`].
pub struct StagedTree(RTree<Entry>);

impl TreeInputs {
    pub fn of(features: &[Feature]) -> TreeInputs {
        TreeInputs(
            features
                .iter()
                .map(|f| Entry::new([f.lon, f.lat], f.id.clone()))
                .collect(),
        )
    }

    pub fn build(self) -> StagedTree {
        StagedTree(RTree::bulk_load(self.0))
    }
}

/// A layer's features by id. Each is boxed: a table's slots run at about half full, and an
/// empty slot then costs a pointer, not a whole feature.
pub type Keyed = HashMap<String, Box<Feature>>;

#[derive(Default)]
pub struct LayerIndex {
    /// Every feature's point (a shape's anchor).
    tree: RTree<Entry>,
    /// The boxes of the features that are lines or polygons.
    shapes: RTree<ShapeEntry>,
    features: Keyed,
    /// Bumped by every change, so a cached pyramid knows when it is out of date.
    generation: u64,
    /// Built on the first zoomed-out query after a change, then shared until the next change.
    pyramid: Mutex<Option<(u64, Arc<LayerPyramid>)>>,
}

impl LayerIndex {
    /// The layer's cluster pyramid, rebuilt when the layer changed since the last one.
    pub fn pyramid(&self, severity: impl Fn(&Feature) -> Option<u8>) -> Arc<LayerPyramid> {
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
    pub fn pyramid_inputs(
        &self,
        severity: impl Fn(&Feature) -> Option<u8>,
    ) -> (u64, Vec<String>, Vec<ClusterInput>) {
        let mut ids = Vec::with_capacity(self.features.len());
        let mut points = Vec::with_capacity(self.features.len());
        for f in self.iter() {
            ids.push(f.id.clone());
            points.push(ClusterInput {
                lon: f.lon,
                lat: f.lat,
                severity: severity(f),
            });
        }
        (self.generation, ids, points)
    }

    fn build_pyramid(&self, severity: impl Fn(&Feature) -> Option<u8>) -> (u64, Arc<LayerPyramid>) {
        let (generation, ids, points) = self.pyramid_inputs(severity);
        let pyramid = ClusterPyramid::build(&points, ClusterOptions::default());
        (generation, Arc::new(LayerPyramid { pyramid, ids }))
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Feature> {
        self.features.get(id).map(|f| &**f)
    }

    pub fn upsert(&mut self, feature: Feature) {
        self.generation += 1;
        if let Some(old) = self.features.get(&feature.id) {
            self.tree
                .remove(&Entry::new([old.lon, old.lat], old.id.clone()));
            if let Some(entry) = shape_entry(old) {
                self.shapes.remove(&entry);
            }
        }
        self.tree
            .insert(Entry::new([feature.lon, feature.lat], feature.id.clone()));
        if let Some(entry) = shape_entry(&feature) {
            self.shapes.insert(entry);
        }
        self.features.insert(feature.id.clone(), Box::new(feature));
    }

    /// How many features of this layer came from `source`.
    pub fn count_source(&self, source: &str) -> usize {
        self.features
            .values()
            .filter(|f| f.source == source)
            .count()
    }

    /// Takes a first load whose tree was built off the index lock. A layer that is no longer
    /// empty (another source landed meanwhile), or a tree that does not match the features,
    /// falls back to the ordinary bulk upsert.
    pub fn install_first_load(&mut self, features: Keyed, tree: StagedTree) {
        if !self.features.is_empty() || tree.0.size() != features.len() {
            self.upsert_many(features.into_values().map(|f| *f));
            return;
        }
        self.generation += 1;
        self.shapes = shape_tree(features.values().map(|f| &**f));
        self.features = features;
        self.tree = tree.0;
    }

    /// Upserts many features; a batch that rewrites much of the layer rebuilds the tree in one
    /// bulk load instead of inserting point by point.
    pub fn upsert_many(&mut self, features: impl ExactSizeIterator<Item = Feature>) {
        self.generation += 1;
        if features.len() > 1_000 && features.len() * 2 > self.features.len() {
            for f in features {
                self.features.insert(f.id.clone(), Box::new(f));
            }
            let entries = self
                .features
                .values()
                .map(|f| Entry::new([f.lon, f.lat], f.id.clone()))
                .collect();
            self.tree = RTree::bulk_load(entries);
            self.shapes = shape_tree(self.features.values().map(|f| &**f));
        } else {
            for f in features {
                self.upsert(f);
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<Feature> {
        let old = *self.features.remove(id)?;
        self.generation += 1;
        self.tree
            .remove(&Entry::new([old.lon, old.lat], old.id.clone()));
        if let Some(entry) = shape_entry(&old) {
            self.shapes.remove(&entry);
        }
        Some(old)
    }

    /// Features inside the box (a line or polygon when its box crosses it), in no particular
    /// order.
    pub fn in_bbox(&self, bbox: &Bbox) -> impl Iterator<Item = &Feature> {
        let envelope = AABB::from_corners([bbox.west, bbox.south], [bbox.east, bbox.north]);
        // A layer of lines or polygons only has no points to find: its anchors are skipped
        // without a lookup each.
        let all_shapes = self.shapes.size() == self.features.len();
        let points = self
            .tree
            .locate_in_envelope(&envelope)
            .take_while(move |_| !all_shapes)
            .filter_map(|e| self.get(&e.data))
            .filter(|f| f.shape.is_none());
        let shapes = self
            .shapes
            .locate_in_envelope_intersecting(&envelope)
            .filter_map(|e| self.get(&e.data));
        points.chain(shapes)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Feature> {
        self.features.values().map(|f| &**f)
    }

    /// The box of every feature of the layer (the R-tree's root); `None` when empty.
    pub fn extent(&self) -> Option<Bbox> {
        if self.features.is_empty() {
            return None;
        }
        let e = self.tree.root().envelope();
        let points = Bbox::from_corners(e.lower(), e.upper());
        if self.shapes.size() == 0 {
            return Some(points);
        }
        let s = self.shapes.root().envelope();
        Some(points.union(Bbox::from_corners(s.lower(), s.upper())))
    }

    /// Features in order of distance from (lon, lat) in degrees, nearest first (a line or
    /// polygon by its anchor).
    pub fn nearest(&self, lon: f64, lat: f64) -> impl Iterator<Item = &Feature> {
        self.tree
            .nearest_neighbor_iter(&[lon, lat])
            .filter_map(|e| self.get(&e.data))
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
                let tree = RTree::bulk_load(
                    features
                        .iter()
                        .map(|f| Entry::new([f.lon, f.lat], f.id.clone()))
                        .collect(),
                );
                let shapes = shape_tree(features.iter());
                let features = features
                    .into_iter()
                    .map(|f| (f.id.clone(), Box::new(f)))
                    .collect();
                (
                    layer,
                    LayerIndex {
                        tree,
                        shapes,
                        features,
                        ..Default::default()
                    },
                )
            })
            .collect();
        SpatialIndex { layers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(id: &str, lon: f64, lat: f64) -> Feature {
        Feature {
            layer: "l".into(),
            id: id.into(),
            source: "s".into(),
            lon,
            lat,
            shape: None,
            properties: Default::default(),
            updated_at: 0,
        }
    }

    fn keyed(features: &[Feature]) -> Keyed {
        features
            .iter()
            .map(|f| (f.id.clone(), Box::new(f.clone())))
            .collect()
    }

    #[test]
    fn a_first_load_built_off_the_lock_answers_like_an_ordinary_one() {
        let bbox = Bbox {
            west: 0.0,
            south: 0.0,
            east: 2.0,
            north: 2.0,
        };
        let batch = [feature("a", 1.0, 1.0), feature("b", 5.0, 5.0)];
        let mut layer = LayerIndex::default();
        layer.install_first_load(keyed(&batch), TreeInputs::of(&batch).build());
        let inside: Vec<&str> = layer.in_bbox(&bbox).map(|f| f.id.as_str()).collect();
        assert_eq!(inside, ["a"]);
        assert_eq!(layer.len(), 2);

        // Another source landed first: the staged tree is not taken, nothing is lost.
        let mut busy = LayerIndex::default();
        busy.upsert(feature("c", 1.5, 1.5));
        busy.install_first_load(keyed(&batch), TreeInputs::of(&batch).build());
        let mut inside: Vec<&str> = busy.in_bbox(&bbox).map(|f| f.id.as_str()).collect();
        inside.sort();
        assert_eq!(inside, ["a", "c"]);

        // A batch naming one id twice keys one feature: the tree is rebuilt to match it.
        let twice = [feature("a", 1.0, 1.0), feature("a", 5.0, 5.0)];
        let mut layer = LayerIndex::default();
        layer.install_first_load(keyed(&twice), TreeInputs::of(&twice).build());
        assert_eq!(layer.len(), 1);
        assert_eq!(layer.in_bbox(&bbox).count(), 0);
    }

    #[test]
    fn bbox_queries_follow_moves_and_removals() {
        let mut index = SpatialIndex::load(vec![feature("a", 1.0, 1.0), feature("b", 5.0, 5.0)]);
        let layer = index.layer_mut("l");
        let bbox = Bbox {
            west: 0.0,
            south: 0.0,
            east: 2.0,
            north: 2.0,
        };
        let ids = |l: &LayerIndex| {
            let mut v: Vec<String> = l.in_bbox(&bbox).map(|f| f.id.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(ids(layer), ["a"]);
        layer.upsert(feature("b", 1.5, 1.5));
        assert_eq!(ids(layer), ["a", "b"]);
        layer.upsert(feature("a", 9.0, 9.0));
        assert_eq!(ids(layer), ["b"]);
        assert!(layer.remove("b").is_some());
        assert!(ids(layer).is_empty());
        assert_eq!(layer.len(), 1);
        // A big batch takes the bulk-load path and the box query still agrees.
        layer.upsert_many(
            (0..3_000).map(|i| feature(&format!("n{i}"), (i % 100) as f64 * 0.1, 0.5)),
        );
        assert_eq!(layer.len(), 3_001);
        let near = Bbox {
            west: 0.0,
            south: 0.0,
            east: 0.95,
            north: 1.0,
        };
        assert_eq!(layer.in_bbox(&near).count(), 300);
    }
}
