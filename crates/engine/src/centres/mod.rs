//! The centres of a "1+N+N" city: a tree (the city's centre, its districts' or counties', their
//! streets' or townships') each answering for an area — its jurisdiction, a region of a
//! configured level or its own polygon. Here: the tree as built from `[[centres]]`
//! ([`Centres::build`], which checks the areas against each other), who owns a place (the
//! deepest centre whose area holds it) and whether a centre's scope holds another's (its own and
//! its descendants'). Without `[[centres]]` the city is one centre and everything is its own.

mod build;
mod spec;
#[cfg(test)]
mod tests;

use schemars::JsonSchema;
use serde::Serialize;

pub use build::BuildError;
pub use spec::{problems, CentreSpec, Jurisdiction, DEFAULT_ACK_LIMIT_MIN};

/// The root's id when the config names no centres.
pub const ONLY_CENTRE: &str = "city";

/// One centre as built: its place in the tree and its area.
#[derive(Debug, Clone)]
pub struct Centre {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Its area; `None` for a root that answers for the whole city.
    area: Option<build::Area>,
    pub departments: Vec<String>,
    /// Minutes of the day it is staffed (start, end); `None`: around the clock.
    pub duty: Option<(u32, u32)>,
    pub ack_limit_min: u32,
}

/// The tree, its root first.
#[derive(Debug, Clone)]
pub struct Centres {
    centres: Vec<Centre>,
}

/// A centre and those under it, as `/api/v1/meta` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "CentreNode")]
pub struct CentreNode {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Minutes a red warning may stay unacknowledged before the parent is told.
    pub ack_limit_min: u32,
    /// The box of its area (none for a root that answers for the whole city): where a parent's
    /// wall flies when it steps into this centre's view.
    pub extent: Option<crate::model::Bbox>,
    /// Its area as a GeoJSON MultiPolygon (none for a root that answers for the whole city):
    /// what its own wall leaves undimmed.
    #[schemars(extend("x-ts" = "GeoJSON.MultiPolygon | null"))]
    pub area: Option<serde_json::Value>,
    pub children: Vec<CentreNode>,
}

impl Centres {
    /// One centre for the whole city, named as the header is.
    pub fn single(name_zh: &str, name_en: &str) -> Centres {
        Centres {
            centres: vec![Centre {
                id: ONLY_CENTRE.into(),
                name_zh: name_zh.into(),
                name_en: name_en.into(),
                parent: None,
                children: Vec::new(),
                area: None,
                departments: Vec::new(),
                duty: None,
                ack_limit_min: DEFAULT_ACK_LIMIT_MIN,
            }],
        }
    }

    /// The root: the city's centre.
    pub fn root(&self) -> &Centre {
        &self.centres[0]
    }

    pub fn get(&self, id: &str) -> Option<&Centre> {
        self.centres.iter().find(|c| c.id == id)
    }

    /// Where `id` stands in the tree (what [`Centres::at`] takes).
    pub fn index(&self, id: &str) -> Option<usize> {
        self.centres.iter().position(|c| c.id == id)
    }

    /// The centre at `index` in the tree (as [`Centre::children`] names them).
    pub fn at(&self, index: usize) -> Option<&Centre> {
        self.centres.get(index)
    }

    pub fn len(&self) -> usize {
        self.centres.len()
    }

    pub fn is_empty(&self) -> bool {
        self.centres.is_empty()
    }

    /// The id of `id`'s parent (none for the root or an unknown id).
    pub fn parent_of(&self, id: &str) -> Option<&str> {
        let parent = self.get(id)?.parent?;
        Some(&self.centres[parent].id)
    }

    /// Who owns a place: the deepest centre whose area holds it (the root where no child's
    /// does).
    pub fn owner(&self, lon: f64, lat: f64) -> &str {
        let mut at = 0;
        'down: loop {
            for &child in &self.centres[at].children {
                if self.centres[child]
                    .area
                    .as_ref()
                    .is_some_and(|a| a.contains(lon, lat))
                {
                    at = child;
                    continue 'down;
                }
            }
            return &self.centres[at].id;
        }
    }

    /// Whether `scope`'s centre sees and acts on what `owner`'s owns: its own and its
    /// descendants'. An owner the tree does not know (a centre since removed from the config)
    /// is the root's.
    pub fn holds(&self, scope: &str, owner: &str) -> bool {
        let Some(scope) = self.index(scope) else {
            return false;
        };
        let mut at = self.index(owner).unwrap_or(0);
        loop {
            if at == scope {
                return true;
            }
            match self.centres[at].parent {
                Some(up) => at = up,
                None => return false,
            }
        }
    }

    /// The ids `scope` holds: itself and every descendant.
    pub fn scope(&self, scope: &str) -> Vec<String> {
        let Some(start) = self.index(scope) else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            ids.push(self.centres[i].id.clone());
            stack.extend(self.centres[i].children.iter().rev());
        }
        ids
    }

    /// Whether `centre` is staffed at minute `minute` of the day (its `duty_hours`; an end before
    /// the start runs past midnight). A centre without duty hours always is.
    pub fn on_duty(centre: &Centre, minute: u32) -> bool {
        match centre.duty {
            None => true,
            Some((start, end)) if start < end => (start..end).contains(&minute),
            Some((start, end)) => minute >= start || minute < end,
        }
    }

    /// The minute of the day (0–1439) that data-clock instant `now_ms` is in the centre's time
    /// zone: what duty hours are read against.
    pub fn minute_of_day(now_ms: i64, zone: &jiff::tz::TimeZone) -> u32 {
        jiff::Timestamp::from_millisecond(now_ms)
            .map(|t| t.to_zoned(zone.clone()))
            .map_or(0, |z| {
                u32::try_from(i32::from(z.hour()) * 60 + i32::from(z.minute())).unwrap_or(0)
            })
    }

    /// The nearest centre above `index` that is on duty at `minute` (the root when none is:
    /// someone has to hear it); `None` for the root itself.
    pub fn on_duty_above(&self, index: usize, minute: u32) -> Option<&Centre> {
        let mut at = self.centres.get(index)?.parent?;
        loop {
            let centre = self.centres.get(at)?;
            match centre.parent {
                Some(up) if !Self::on_duty(centre, minute) => at = up,
                _ => return Some(centre),
            }
        }
    }

    /// The tree as the wall reads it.
    pub fn tree(&self) -> CentreNode {
        self.node(0)
    }

    fn node(&self, i: usize) -> CentreNode {
        let c = &self.centres[i];
        CentreNode {
            id: c.id.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            ack_limit_min: c.ack_limit_min,
            extent: c.area.as_ref().map(build::Area::bbox),
            area: c.area.as_ref().map(build::Area::geojson),
            children: c.children.iter().map(|&j| self.node(j)).collect(),
        }
    }
}
