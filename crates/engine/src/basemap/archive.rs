//! A basemap archive on disk: PMTiles (v3, what planetiler and tilemaker 3 write; memory-mapped)
//! or MBTiles (SQLite, what Debian's tilemaker 2 writes; read-only). Tiles come out decompressed,
//! so the wall's map gets plain MVT or images whichever transport carries them.

use std::io::Read;
use std::path::Path;

use pmtiles::{AsyncPmTilesReader, HashMapCache, MmapBackend, TileCoord, TileType};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row;

use super::{BasemapError, Tile};
use crate::model::Bbox;

/// A tile of an archive may be at most this big once decompressed: a basemap tile is well under
/// 1 MB, and a hostile archive cannot make the engine inflate gigabytes.
const MAX_TILE_BYTES: u64 = 16 << 20;

/// What the archive says of itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveMeta {
    /// Vector tiles (MVT); otherwise images.
    pub vector: bool,
    pub content_type: &'static str,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub attribution: Option<String>,
    /// Where its tiles are (west, south, east, north in WGS84), where it says.
    pub bounds: Option<Bbox>,
}

/// A bounds the archive states, if it is a real one (not the whole world's placeholder of
/// zeros, not swapped or past the poles).
fn stated(west: f64, south: f64, east: f64, north: f64) -> Option<Bbox> {
    let sane = [west, south, east, north].iter().all(|v| v.is_finite())
        && west < east
        && south < north
        && (-180.0..=180.0).contains(&west)
        && (-180.0..=180.0).contains(&east)
        && (-90.0..=90.0).contains(&south)
        && (-90.0..=90.0).contains(&north);
    sane.then_some(Bbox {
        west,
        south,
        east,
        north,
    })
}

enum Reader {
    PmTiles(Box<AsyncPmTilesReader<MmapBackend, HashMapCache>>),
    MbTiles(SqlitePool),
}

pub struct Archive {
    path: String,
    reader: Reader,
    meta: ArchiveMeta,
}

impl Archive {
    pub async fn open(path: &Path) -> Result<Archive, BasemapError> {
        let shown = path.display().to_string();
        let fail = |reason: String| BasemapError::Archive {
            path: shown.clone(),
            reason,
        };
        let mut head = [0u8; 16];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut head))
            .map_err(|e| fail(format!("cannot be read: {e}")))?;
        if head.starts_with(b"PMTiles") {
            Self::open_pmtiles(path, shown.clone()).await
        } else if head.starts_with(b"SQLite format 3") {
            Self::open_mbtiles(path, shown.clone()).await
        } else {
            Err(fail(
                "is neither a PMTiles archive nor an MBTiles (SQLite) file".into(),
            ))
        }
    }

    async fn open_pmtiles(path: &Path, shown: String) -> Result<Archive, BasemapError> {
        let fail = |reason: String| BasemapError::Archive {
            path: shown.clone(),
            reason,
        };
        let reader = AsyncPmTilesReader::new_with_cached_path(HashMapCache::default(), path)
            .await
            .map_err(|e| fail(format!("is not a readable PMTiles v3 archive: {e}")))?;
        let header = reader.get_header();
        let (vector, content_type) = match header.tile_type {
            TileType::Mvt => (true, "application/x-protobuf"),
            TileType::Png => (false, "image/png"),
            TileType::Jpeg => (false, "image/jpeg"),
            TileType::Webp => (false, "image/webp"),
            other => return Err(fail(format!("holds {other:?} tiles, not MVT or images"))),
        };
        let attribution = reader
            .get_metadata()
            .await
            .ok()
            .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
            .and_then(|m| m.get("attribution")?.as_str().map(str::to_string));
        let meta = ArchiveMeta {
            vector,
            content_type,
            min_zoom: header.min_zoom,
            max_zoom: header.max_zoom,
            attribution,
            bounds: stated(
                header.min_longitude,
                header.min_latitude,
                header.max_longitude,
                header.max_latitude,
            ),
        };
        Ok(Archive {
            path: shown,
            reader: Reader::PmTiles(Box::new(reader)),
            meta,
        })
    }

    async fn open_mbtiles(path: &Path, shown: String) -> Result<Archive, BasemapError> {
        let fail = |reason: String| BasemapError::Archive {
            path: shown.clone(),
            reason,
        };
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(|e| fail(format!("cannot be opened: {e}")))?;
        let rows = sqlx::query("SELECT name, value FROM metadata")
            .fetch_all(&pool)
            .await
            .map_err(|e| fail(format!("has no MBTiles metadata table: {e}")))?;
        let value = |key: &str| {
            rows.iter().find_map(|r| {
                let name: String = r.try_get(0).ok()?;
                (name == key)
                    .then(|| r.try_get::<String, _>(1).ok())
                    .flatten()
            })
        };
        let format = value("format").unwrap_or_else(|| "pbf".into());
        let (vector, content_type) = match format.as_str() {
            "pbf" | "mvt" => (true, "application/x-protobuf"),
            "png" => (false, "image/png"),
            "jpg" | "jpeg" => (false, "image/jpeg"),
            "webp" => (false, "image/webp"),
            other => return Err(fail(format!("holds `{other}` tiles, not pbf or images"))),
        };
        let zoom = |key: &str, default: u8| {
            value(key)
                .and_then(|v| v.trim().parse::<u8>().ok())
                .unwrap_or(default)
        };
        let meta = ArchiveMeta {
            vector,
            content_type,
            min_zoom: zoom("minzoom", 0),
            max_zoom: zoom("maxzoom", 14),
            attribution: value("attribution").filter(|a| !a.trim().is_empty()),
            bounds: value("bounds").and_then(|b| {
                let v: Vec<f64> = b.split(',').filter_map(|x| x.trim().parse().ok()).collect();
                match v[..] {
                    [w, s, e, n] => stated(w, s, e, n),
                    _ => None,
                }
            }),
        };
        Ok(Archive {
            path: shown,
            reader: Reader::MbTiles(pool),
            meta,
        })
    }

    pub fn meta(&self) -> &ArchiveMeta {
        &self.meta
    }

    /// The tile at z/x/y (XYZ rows), decompressed; `None` where the archive has none.
    pub async fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Tile>, BasemapError> {
        let fail = |reason: String| BasemapError::Archive {
            path: self.path.clone(),
            reason,
        };
        let bytes: Option<Vec<u8>> = match &self.reader {
            Reader::PmTiles(reader) => {
                let Ok(coord) = TileCoord::new(z, x, y) else {
                    return Err(BasemapError::OutOfRange { z, x, y });
                };
                reader
                    .get_tile(coord)
                    .await
                    .map_err(|e| fail(format!("tile {z}/{x}/{y}: {e}")))?
                    .map(|b| b.to_vec())
            }
            Reader::MbTiles(pool) => {
                // MBTiles numbers rows from the south (TMS).
                let tms_row = (1u64 << z) - 1 - u64::from(y);
                sqlx::query(
                    "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                )
                .bind(i64::from(z))
                .bind(i64::from(x))
                .bind(tms_row as i64)
                .fetch_optional(pool)
                .await
                .map_err(|e| fail(format!("tile {z}/{x}/{y}: {e}")))?
                .map(|r| r.try_get::<Vec<u8>, _>(0))
                .transpose()
                .map_err(|e| fail(format!("tile {z}/{x}/{y}: {e}")))?
            }
        };
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let bytes = inflate(bytes).map_err(|e| fail(format!("tile {z}/{x}/{y}: {e}")))?;
        Ok(Some(Tile {
            bytes: bytes.into(),
            content_type: self.meta.content_type.to_string(),
        }))
    }
}

/// Gzip- or zlib-compressed bytes inflated (what both formats usually hold); others as they are.
fn inflate(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let read = if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(&bytes[..])
            .take(MAX_TILE_BYTES + 1)
            .read_to_end(&mut out)
    } else if bytes.first() == Some(&0x78)
        && matches!(bytes.get(1), Some(0x01 | 0x5e | 0x9c | 0xda))
    {
        flate2::read::ZlibDecoder::new(&bytes[..])
            .take(MAX_TILE_BYTES + 1)
            .read_to_end(&mut out)
    } else {
        return Ok(bytes);
    };
    read.map_err(|e| format!("cannot be decompressed: {e}"))?;
    if out.len() as u64 > MAX_TILE_BYTES {
        return Err(format!(
            "inflates past {} MB; no basemap tile is that big",
            MAX_TILE_BYTES >> 20
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_tiles_are_inflated_and_bombs_refused() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"\x1a\x02hi").unwrap();
        let packed = gz.finish().unwrap();
        assert_eq!(inflate(packed).unwrap(), b"\x1a\x02hi");
        assert_eq!(
            inflate(b"\x1a\x02plain".to_vec()).unwrap(),
            b"\x1a\x02plain"
        );
        let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        bomb.write_all(&vec![0u8; (MAX_TILE_BYTES + 10) as usize])
            .unwrap();
        let err = inflate(bomb.finish().unwrap()).unwrap_err();
        assert!(err.contains("inflates past"), "{err}");
    }

    #[tokio::test]
    async fn a_basemap_of_another_place_is_named_before_the_wall_opens() {
        let archive =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/basemap/city.pmtiles");
        let config: crate::config::BasemapConfig =
            toml::from_str(&format!("archive = {:?}", archive.display().to_string()))
                .expect("a basemap section");
        let mut basemap = crate::basemap::Basemap::open(&config).await;
        let bounds = basemap
            .info()
            .bounds
            .expect("the demo archive states its bounds");
        assert!(bounds.contains(118.3, 33.95), "{bounds:?}");
        let city = Bbox {
            west: 118.2,
            south: 33.9,
            east: 118.4,
            north: 34.0,
        };
        basemap.check_extent(Some(city));
        assert_eq!(basemap.info().mismatch, None);
        let helsinki = Bbox {
            west: 24.8,
            south: 60.1,
            east: 25.1,
            north: 60.3,
        };
        basemap.check_extent(Some(helsinki));
        let mismatch = basemap.info().mismatch.clone().unwrap_or_default();
        assert!(mismatch.contains("misses the wall's extent"), "{mismatch}");
        assert_eq!(stated(0.0, 0.0, 0.0, 0.0), None);
        assert_eq!(stated(33.9, 118.2, 34.0, 118.4), None);
    }
}
