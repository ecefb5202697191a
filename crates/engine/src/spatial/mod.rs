//! The spatial index: per layer, an R-tree (rstar) of feature positions beside the features
//! themselves, updated incrementally as batches land; the packed static index and the cluster
//! pyramid live in their own files.

pub mod cluster;
pub mod packed;

use std::collections::HashMap;

use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::model::{Bbox, Feature};

type Entry = GeomWithData<[f64; 2], String>;

#[derive(Default)]
pub struct LayerIndex {
    tree: RTree<Entry>,
    features: HashMap<String, Feature>,
}

impl LayerIndex {
    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Feature> {
        self.features.get(id)
    }

    pub fn upsert(&mut self, feature: Feature) {
        if let Some(old) = self.features.get(&feature.id) {
            self.tree
                .remove(&Entry::new([old.lon, old.lat], old.id.clone()));
        }
        self.tree
            .insert(Entry::new([feature.lon, feature.lat], feature.id.clone()));
        self.features.insert(feature.id.clone(), feature);
    }

    /// How many features of this layer came from `source`.
    pub fn count_source(&self, source: &str) -> usize {
        self.features
            .values()
            .filter(|f| f.source == source)
            .count()
    }

    /// Upserts many features; a batch that rewrites much of the layer rebuilds the tree in one
    /// bulk load instead of inserting point by point.
    pub fn upsert_many(&mut self, features: impl ExactSizeIterator<Item = Feature>) {
        if features.len() > 1_000 && features.len() * 2 > self.features.len() {
            for f in features {
                self.features.insert(f.id.clone(), f);
            }
            let entries = self
                .features
                .values()
                .map(|f| Entry::new([f.lon, f.lat], f.id.clone()))
                .collect();
            self.tree = RTree::bulk_load(entries);
        } else {
            for f in features {
                self.upsert(f);
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<Feature> {
        let old = self.features.remove(id)?;
        self.tree
            .remove(&Entry::new([old.lon, old.lat], old.id.clone()));
        Some(old)
    }

    /// Features inside the box, in no particular order.
    pub fn in_bbox(&self, bbox: &Bbox) -> impl Iterator<Item = &Feature> {
        let envelope = AABB::from_corners([bbox.west, bbox.south], [bbox.east, bbox.north]);
        self.tree
            .locate_in_envelope(&envelope)
            .filter_map(|e| self.features.get(&e.data))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Feature> {
        self.features.values()
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
                let features = features.into_iter().map(|f| (f.id.clone(), f)).collect();
                (layer, LayerIndex { tree, features })
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
            properties: Default::default(),
            updated_at: 0,
        }
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
