//! The tree built from the config's `[[centres]]` and the regions' polygons: each centre's area
//! found, and the areas checked against each other — a child's inside its parent's, siblings'
//! apart (a place has one owner). What a parent's children leave uncovered is the parent's own,
//! and said so.

use geo::{BooleanOps, ChamberlainDuquetteArea, Geometry, Intersects, MultiPolygon, Point};

use super::spec::{CentreSpec, Jurisdiction};
use super::{Centre, Centres};
use crate::regions::Regions;

/// Why the tree cannot be built: every problem, each naming the centre.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`[[centres]]`: {}", .0.join("; "))]
pub struct BuildError(pub Vec<String>);

/// A centre's area and its box, for a quick no.
#[derive(Debug, Clone)]
pub(super) struct Area {
    shape: MultiPolygon<f64>,
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl Area {
    fn new(shape: MultiPolygon<f64>) -> Option<Area> {
        use geo::BoundingRect;
        let rect = shape.bounding_rect()?;
        Some(Area {
            west: rect.min().x,
            south: rect.min().y,
            east: rect.max().x,
            north: rect.max().y,
            shape,
        })
    }

    pub(super) fn bbox(&self) -> crate::model::Bbox {
        crate::model::Bbox {
            west: self.west,
            south: self.south,
            east: self.east,
            north: self.north,
        }
    }

    /// The area as a GeoJSON MultiPolygon.
    pub(super) fn geojson(&self) -> serde_json::Value {
        let ring = |r: &geo::LineString<f64>| -> Vec<[f64; 2]> {
            r.0.iter().map(|c| [c.x, c.y]).collect()
        };
        let polygons: Vec<Vec<Vec<[f64; 2]>>> = self
            .shape
            .0
            .iter()
            .map(|p| {
                std::iter::once(ring(p.exterior()))
                    .chain(p.interiors().iter().map(ring))
                    .collect()
            })
            .collect();
        serde_json::json!({ "type": "MultiPolygon", "coordinates": polygons })
    }

    pub(super) fn contains(&self, lon: f64, lat: f64) -> bool {
        lon >= self.west
            && lon <= self.east
            && lat >= self.south
            && lat <= self.north
            && self.shape.intersects(&Point::new(lon, lat))
    }

    fn km2(shape: &MultiPolygon<f64>) -> f64 {
        shape.chamberlain_duquette_unsigned_area() / 1.0e6
    }
}

/// Less than this share of an area is a drawing's slack, not an overlap or a gap.
const SLACK: f64 = 0.001;

/// What a parent's children may leave uncovered before the notes say so.
const UNCOVERED_NOTED: f64 = 0.01;

impl Centres {
    /// Builds the tree (`specs` already checked by [`super::problems`]): the root first, each
    /// centre's children in the config's order. The root's names default to the header's.
    /// Answers the tree and notes on what no child covers.
    pub fn build(
        specs: &[CentreSpec],
        regions: &Regions,
        header: (&str, &str),
    ) -> Result<(Centres, Vec<String>), BuildError> {
        let Some(root) = specs.iter().position(|c| c.parent.is_none()) else {
            return Ok((Centres::single(header.0, header.1), Vec::new()));
        };
        let mut problems = Vec::new();
        // The root first, then breadth first, so a parent always comes before its children.
        let mut order = vec![root];
        let mut next = 0;
        while next < order.len() {
            let parent = &specs[order[next]].id;
            order.extend(
                (0..specs.len()).filter(|&i| specs[i].parent.as_deref() == Some(parent.as_str())),
            );
            next += 1;
        }
        let mut centres: Vec<Centre> = Vec::with_capacity(order.len());
        for &i in &order {
            let spec = &specs[i];
            let area = match &spec.jurisdiction {
                None => None,
                Some(j) => match area_of(j, regions) {
                    Ok(area) => Some(area),
                    Err(e) => {
                        problems.push(format!("`{}`: {e}", spec.id));
                        None
                    }
                },
            };
            let parent = spec
                .parent
                .as_ref()
                .and_then(|p| centres.iter().position(|c| &c.id == p));
            let at = centres.len();
            if let Some(p) = parent {
                centres[p].children.push(at);
            }
            let (zh, en) = if spec.parent.is_none() {
                header
            } else {
                (spec.id.as_str(), spec.id.as_str())
            };
            centres.push(Centre {
                id: spec.id.clone(),
                name_zh: spec.name_zh.clone().unwrap_or_else(|| zh.to_string()),
                name_en: spec.name_en.clone().unwrap_or_else(|| en.to_string()),
                parent,
                children: Vec::new(),
                area,
                departments: spec.departments.clone(),
                duty: spec.duty_minutes().and_then(Result::ok),
                ack_limit_min: spec.ack_limit_min(),
            });
        }
        let centres = Centres { centres };
        problems.extend(centres.misfits());
        if !problems.is_empty() {
            return Err(BuildError(problems));
        }
        let notes = centres.uncovered();
        Ok((centres, notes))
    }

    /// Children reaching outside their parent, and siblings that overlap.
    fn misfits(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for parent in &self.centres {
            let kids: Vec<&Centre> = parent.children.iter().map(|&i| &self.centres[i]).collect();
            for (k, kid) in kids.iter().enumerate() {
                let Some(area) = &kid.area else { continue };
                if let Some(outer) = &parent.area {
                    let outside = area.shape.difference(&outer.shape);
                    let (out, all) = (Area::km2(&outside), Area::km2(&area.shape));
                    if out > SLACK * all {
                        problems.push(format!(
                            "`{}` reaches {out:.2} km² outside its parent `{}`'s area",
                            kid.id, parent.id
                        ));
                    }
                }
                for other in &kids[k + 1..] {
                    let Some(theirs) = &other.area else { continue };
                    let both = Area::km2(&area.shape.intersection(&theirs.shape));
                    let smaller = Area::km2(&area.shape).min(Area::km2(&theirs.shape));
                    if both > SLACK * smaller {
                        problems.push(format!(
                            "`{}` and `{}` overlap over {both:.2} km²: a place has one owner",
                            kid.id, other.id
                        ));
                    }
                }
            }
        }
        problems
    }

    /// What each parent's children leave uncovered, where it is more than a sliver.
    fn uncovered(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for parent in &self.centres {
            let Some(outer) = &parent.area else { continue };
            if parent.children.is_empty() {
                continue;
            }
            let covered = parent
                .children
                .iter()
                .filter_map(|&i| self.centres[i].area.as_ref())
                .fold(MultiPolygon::new(Vec::new()), |all, a| all.union(&a.shape));
            let left = Area::km2(&outer.shape.difference(&covered));
            let all = Area::km2(&outer.shape);
            if all > 0.0 && left > UNCOVERED_NOTED * all {
                notes.push(format!(
                    "{left:.1} km² ({:.0}%) of `{}`'s area is in no child's: `{}` owns what happens there",
                    100.0 * left / all,
                    parent.id,
                    parent.id
                ));
            }
        }
        notes
    }
}

/// A jurisdiction's polygon(s).
fn area_of(jurisdiction: &Jurisdiction, regions: &Regions) -> Result<Area, String> {
    let shape = match jurisdiction {
        Jurisdiction::Polygon { polygon } => {
            let mut ring: Vec<(f64, f64)> = polygon.iter().map(|[x, y]| (*x, *y)).collect();
            if ring.first() != ring.last() {
                if let Some(first) = ring.first().copied() {
                    ring.push(first);
                }
            }
            MultiPolygon::new(vec![geo::Polygon::new(ring.into(), Vec::new())])
        }
        Jurisdiction::Region { level, region } => {
            let found = regions.level(level).ok_or_else(|| {
                format!(
                    "no `[[regions]]` level `{level}` (there are: {})",
                    regions.names().join(", ")
                )
            })?;
            let r = found
                .regions
                .iter()
                .find(|r| r.name == *region || r.id == *region)
                .ok_or_else(|| format!("level `{level}` has no region `{region}`"))?;
            let located = crate::geometry::parse(r.geometry())
                .map_err(|e| format!("region `{region}`: {e}"))?;
            match located.shape.as_ref().map(|s| s.geometry()) {
                Some(Geometry::Polygon(p)) => MultiPolygon::new(vec![p.clone()]),
                Some(Geometry::MultiPolygon(m)) => m.clone(),
                _ => return Err(format!("region `{region}` is not a polygon")),
            }
        }
    };
    Area::new(shape).ok_or_else(|| "its area is empty".to_string())
}
