//! A raster basemap on the LAN: tiles of the configured XYZ/WMTS template fetched by the engine,
//! kept in a bounded memory cache, and handed to the wall over the same façade as everything else
//! — the desktop app's strict CSP and a browser on another machine both reach only the engine.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::{BasemapError, Tile};
use crate::config::BasemapConfig;

/// Tiles kept, by their bytes (a city view at 4K is ~200 tiles of ~30 KB).
const CACHE_BYTES: usize = 64 << 20;
/// A tile bigger than this is refused: no basemap tile is, and the cache stays bounded.
const MAX_TILE_BYTES: usize = 4 << 20;

pub struct BasemapProxy {
    config: BasemapConfig,
    client: reqwest::Client,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    tiles: HashMap<(u8, u32, u32), Tile>,
    order: VecDeque<(u8, u32, u32)>,
    bytes: usize,
}

impl Cache {
    fn put(&mut self, key: (u8, u32, u32), tile: Tile) {
        self.bytes += tile.bytes.len();
        if let Some(old) = self.tiles.insert(key, tile) {
            self.bytes -= old.bytes.len();
        } else {
            self.order.push_back(key);
        }
        while self.bytes > CACHE_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(t) = self.tiles.remove(&oldest) {
                self.bytes -= t.bytes.len();
            }
        }
    }
}

impl BasemapProxy {
    pub fn new(config: BasemapConfig) -> Result<BasemapProxy, BasemapError> {
        let client = super::lan_client().map_err(|reason| BasemapError::Upstream {
            url: config.raster.clone().unwrap_or_default(),
            reason,
        })?;
        Ok(BasemapProxy {
            config,
            client,
            cache: Mutex::new(Cache::default()),
        })
    }

    pub async fn tile(&self, z: u8, x: u32, y: u32) -> Result<Tile, BasemapError> {
        let key = (z, x, y);
        if let Some(t) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tiles
            .get(&key)
        {
            return Ok(t.clone());
        }
        let url = self.config.tile_url(z, x, y);
        let failed = |reason: String| BasemapError::Upstream {
            url: url.clone(),
            reason,
        };
        let response = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(failed(format!("HTTP {status}")));
        }
        // An answer that says it is not a picture (a JSON error, a login page) is not served
        // to the wall as one.
        let content_type = match response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default())
        {
            None => "image/png".to_string(),
            Some(t) if t.starts_with("image/") => t.to_string(),
            Some(t) => return Err(failed(format!("answered `{t}`, not an image"))),
        };
        if response
            .content_length()
            .is_some_and(|n| n as usize > MAX_TILE_BYTES)
        {
            return Err(failed(format!("a tile over {} MB", MAX_TILE_BYTES >> 20)));
        }
        let bytes = response.bytes().await.map_err(|e| failed(e.to_string()))?;
        if bytes.len() > MAX_TILE_BYTES {
            return Err(failed(format!("a tile over {} MB", MAX_TILE_BYTES >> 20)));
        }
        let tile = Tile {
            bytes,
            content_type,
        };
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(key, tile.clone());
        Ok(tile)
    }
}
