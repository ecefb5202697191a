//! Which cameras the walls' video tiles show now, for the map to mark them: each video
//! connection says its cameras when they change and leaves when it closes; the union, each
//! camera once with its place and name, goes to every wall on the change feed when it changes,
//! and is asked for when a map opens.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::Api;
use crate::feed::{Change, OnWallCamera};

/// The cameras of each video connection.
#[derive(Default)]
pub struct OnWall {
    by_session: Mutex<HashMap<u64, Vec<OnWallCamera>>>,
    next: AtomicU64,
}

impl OnWall {
    /// A number for a new video connection.
    pub fn session(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Every camera on a wall, once each, by id.
    fn union(by_session: &HashMap<u64, Vec<OnWallCamera>>) -> Vec<OnWallCamera> {
        let mut cameras = BTreeMap::new();
        for c in by_session.values().flatten() {
            cameras.entry(c.id.clone()).or_insert_with(|| c.clone());
        }
        cameras.into_values().collect()
    }
}

impl Api {
    /// Video connection `session` now shows `cameras` (none: it left); the walls hear of it when
    /// that changes what is on the walls.
    pub fn show_on_wall(&self, session: u64, cameras: &[String]) {
        let placed: Vec<OnWallCamera> = match &self.engine.config.cameras {
            Some(config) => {
                let index = self.engine.index();
                let layer = index.layer(&config.layer);
                cameras
                    .iter()
                    .filter_map(|id| layer.and_then(|l| l.get(id)))
                    .map(|f| {
                        let (lon, lat) = self.engine.display.out(f.lon, f.lat);
                        let name = f.properties.get("name").and_then(|v| v.as_str());
                        OnWallCamera {
                            id: f.id.clone(),
                            name: name.unwrap_or(&f.id).to_string(),
                            lon,
                            lat,
                        }
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let mut by_session = self
            .on_wall
            .by_session
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let before = OnWall::union(&by_session);
        if placed.is_empty() {
            by_session.remove(&session);
        } else {
            by_session.insert(session, placed);
        }
        let after = OnWall::union(&by_session);
        drop(by_session);
        if after != before {
            self.engine.feed.publish(Change::OnWall { cameras: after });
        }
    }

    /// Every camera on a wall's video tiles now.
    pub fn cameras_on_wall(&self) -> Vec<OnWallCamera> {
        let by_session = self
            .on_wall
            .by_session
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        OnWall::union(&by_session)
    }
}
