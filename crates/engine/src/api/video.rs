//! The video wall's layouts (预案) and tours through the façade: a layout is a split and the
//! camera on each tile; a tour cycles through other layouts, `dwell_s` seconds each. Saved in
//! the store, so they survive a restart; every save and delete is audited. And the focus an
//! operator sends to every video screen (a warning or an incident chosen on the wall).

use serde::{Deserialize, Serialize};

use super::{Api, ApiError};
use crate::access::Principal;
use crate::store::audit::AuditEntry;

/// The splits a video screen offers.
pub const SPLITS: [u8; 9] = [1, 4, 6, 8, 9, 13, 16, 25, 36];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoLayout {
    pub name: String,
    /// How many tiles (one of [`SPLITS`]).
    #[serde(default = "nine")]
    pub split: u8,
    /// The camera on each tile, in order.
    #[serde(default)]
    pub cameras: Vec<String>,
    /// A tour: the layouts it cycles through, in order.
    #[serde(default)]
    pub tour: Vec<String>,
    /// A tour's dwell on each layout, seconds (5 to 3600).
    #[serde(default)]
    pub dwell_s: Option<u32>,
    /// Custom spans: the tiles drawn over 2×2 cells of the split's grid, by tile number; each
    /// takes the place of three tiles.
    #[serde(default)]
    pub spans: Vec<u8>,
    /// Tours per tile group: each group of tiles steps through its cameras, a dwell each.
    #[serde(default)]
    pub groups: Vec<TileGroup>,
}

/// A group of tiles touring a camera sequence: every `dwell_s` seconds its tiles show the next
/// cameras of the sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TileGroup {
    pub tiles: Vec<u8>,
    pub cameras: Vec<String>,
    pub dwell_s: u32,
}

fn nine() -> u8 {
    9
}

impl VideoLayout {
    fn check(&self) -> Result<(), ApiError> {
        let bad = |m: String| Err(ApiError::BadRequest(m));
        let n = self.name.trim().chars().count();
        if n == 0 || n > 40 {
            return bad(format!("`name` is {n} characters: 1 to 40"));
        }
        if !SPLITS.contains(&self.split) {
            return bad(format!("`split` {} is not one of {SPLITS:?}", self.split));
        }
        let tiles = (self.split as usize).saturating_sub(3 * self.spans.len());
        if self.spans.len() * 3 >= self.split as usize
            || self.spans.iter().any(|t| *t as usize >= tiles)
            || (1..self.spans.len()).any(|i| self.spans[..i].contains(&self.spans[i]))
        {
            return bad(format!(
                "`spans` {:?} do not fit a {}-split: each a different tile, each taking three others' place",
                self.spans, self.split
            ));
        }
        let mut grouped: Vec<u8> = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            let why = if g.tiles.is_empty() || g.cameras.is_empty() || g.cameras.len() > 64 {
                Some("needs tiles and 1 to 64 cameras")
            } else if !(5..=3600).contains(&g.dwell_s) {
                Some("needs `dwell_s` from 5 to 3600")
            } else if g.tiles.iter().enumerate().any(|(j, t)| {
                *t as usize >= tiles || grouped.contains(t) || g.tiles[..j].contains(t)
            }) {
                Some("names a tile past the split's, or one another group has")
            } else if g.cameras.iter().any(|c| c.is_empty() || c.len() > 128) {
                Some("has a camera id empty or longer than 128 characters")
            } else {
                None
            };
            if let Some(why) = why {
                return bad(format!("tile group {} {why}", i + 1));
            }
            grouped.extend(&g.tiles);
        }
        if self.groups.len() > 8 {
            return bad("at most 8 tile groups".into());
        }
        if self.cameras.len() > tiles {
            return bad(format!(
                "{} cameras do not fit a {}-split with {} spans",
                self.cameras.len(),
                self.split,
                self.spans.len()
            ));
        }
        if self.cameras.iter().any(|c| c.is_empty() || c.len() > 128) {
            return bad("a camera id is empty or longer than 128 characters".into());
        }
        match (self.tour.is_empty(), self.dwell_s) {
            (true, None) => Ok(()),
            (false, Some(d)) if (5..=3600).contains(&d) && self.tour.len() <= 50 => Ok(()),
            (false, _) => {
                bad("a tour needs `dwell_s` from 5 to 3600 and at most 50 layouts".into())
            }
            (true, Some(_)) => bad("`dwell_s` is for a tour: give `tour` too".into()),
        }
    }
}

impl Api {
    /// Every saved layout and tour, by name.
    pub async fn video_layouts(&self) -> Result<Vec<VideoLayout>, ApiError> {
        Ok(self
            .engine
            .store
            .video_layouts()
            .await?
            .into_iter()
            .filter_map(|(_, body)| serde_json::from_str(&body).ok())
            .collect())
    }

    /// Saves a layout or tour (replacing one of the same name); a tour's layouts must exist.
    pub async fn save_video_layout(
        &self,
        who: &Principal,
        layout: VideoLayout,
    ) -> Result<VideoLayout, ApiError> {
        self.access.check(who, "video.operate")?;
        let mut layout = layout;
        layout.name = layout.name.trim().to_string();
        layout.check()?;
        if !layout.tour.is_empty() {
            let known: Vec<String> = self
                .video_layouts()
                .await?
                .into_iter()
                .map(|l| l.name)
                .collect();
            if let Some(missing) = layout.tour.iter().find(|n| !known.contains(n)) {
                return Err(ApiError::BadRequest(format!(
                    "the tour names `{missing}`, which is not a saved layout"
                )));
            }
        }
        let body =
            serde_json::to_string(&layout).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let audit = AuditEntry {
            actor: who.name.clone(),
            action: "video.layout.save".into(),
            target: layout.name.clone(),
            detail: serde_json::json!({ "split": layout.split, "cameras": layout.cameras, "tour": layout.tour, "dwell_s": layout.dwell_s, "via": who.via }),
        };
        self.engine
            .save_layout(&layout.name, Some(&body), &audit)
            .await?;
        Ok(layout)
    }

    /// Deletes layout or tour `name`.
    pub async fn delete_video_layout(&self, who: &Principal, name: &str) -> Result<(), ApiError> {
        self.access.check(who, "video.operate")?;
        let audit = AuditEntry {
            actor: who.name.clone(),
            action: "video.layout.delete".into(),
            target: name.to_string(),
            detail: serde_json::json!({ "via": who.via }),
        };
        let deleted = self.engine.save_layout(name, None, &audit).await?;
        if deleted {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("no layout `{name}`")))
        }
    }
}

impl Api {
    /// Asks every video screen to show the cameras best placed to see `focus` (a warning or an
    /// incident chosen on the wall): a duty officer's act, audited, sent to every wall on the
    /// change feed.
    pub async fn focus_video(
        &self,
        who: &Principal,
        mut focus: crate::feed::Focus,
    ) -> Result<(), ApiError> {
        self.access.check(who, "video.operate")?;
        super::lonlat_in_range(focus.lon, focus.lat)?;
        focus.title = focus.title.chars().take(200).collect();
        focus.by = who.name.clone();
        match &focus.camera {
            Some(camera) => {
                self.camera(camera)?;
            }
            None if focus.placed => {
                return Err(ApiError::BadRequest(
                    "`placed` says which handed camera was placed: `camera` is missing".into(),
                ))
            }
            None => {}
        }
        let entry = AuditEntry {
            actor: who.name.clone(),
            action: "video.focus".into(),
            target: focus.title.clone(),
            detail: serde_json::json!({
                "lon": focus.lon, "lat": focus.lat, "camera": focus.camera, "placed": focus.placed,
                "via": who.via,
            }),
        };
        self.engine
            .record(&entry, Some(crate::feed::Change::Focus { focus }))
            .await?;
        Ok(())
    }
}
