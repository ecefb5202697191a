//! The basemap of 示范市 as vector tiles in one PMTiles file: water, waterways, parks, roads by
//! class, buildings with heights, district and street boundaries, and place labels. Generated from
//! the same geometry the scenario uses, so every gauge, station and incident sits on its road.

use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::io::{Seek, Write};

use citywall_model::display::MapDatum;
use citywall_model::mvt::{encode_tile, Geometry, Layer, Value, EXTENT};
use pmtiles::{Compression, PmTilesWriter, TileCoord, TileId, TileType};

use crate::city::{City, RoadClass};
use crate::geo::{centroid, to_lonlat, P};

pub const MIN_ZOOM: u8 = 9;
pub const MAX_ZOOM: u8 = 15;
const BUFFER: f64 = 64.0;

#[derive(Debug, thiserror::Error)]
pub enum BasemapError {
    #[error("writing the PMTiles archive failed: {0}")]
    Write(#[from] pmtiles::PmtError),
    #[error("tile {z}/{x}/{y} is outside the tile pyramid")]
    Coord { z: u8, x: u32, y: u32 },
}

enum Shape {
    Line(Vec<[f64; 2]>),
    Polygon(Vec<[f64; 2]>),
    Point([f64; 2]),
}

struct Item {
    layer: &'static str,
    min_zoom: u8,
    shape: Shape,
    props: Vec<(&'static str, Value<'static>)>,
}

/// The OpenMapTiles schema's layers this archive fills (what tilemaker and planetiler write, so
/// the wall's one dark style serves the demo and a real city's archive alike).
const LAYERS: [&str; 10] = [
    "water",
    "park",
    "boundary",
    "waterway",
    "transportation",
    "building",
    "transportation_name",
    "water_name",
    "place",
    "poi",
];

/// Web Mercator in [0, 1] × [0, 1], y down, of a point drawn in `datum`.
fn mercator(p: P, datum: MapDatum) -> [f64; 2] {
    let [lon, lat] = to_lonlat(p);
    let (lon, lat) = datum.out(lon, lat);
    let x = (lon + 180.0) / 360.0;
    let s = lat.to_radians().sin();
    let y = 0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * PI);
    [x, y]
}

fn items(city: &City, datum: MapDatum) -> Vec<Item> {
    let m = |pts: &[P]| pts.iter().map(|p| mercator(*p, datum)).collect::<Vec<_>>();
    let mercator = |p: P| mercator(p, datum);
    let text = |s: &str| Value::String(s.to_string().into());
    let label = |name: &str, class: &str| vec![("name", text(name)), ("class", text(class))];
    let mut items = Vec::new();
    for w in &city.water {
        let lake = w.name.ends_with('湖');
        let class = if lake { "lake" } else { "river" };
        items.push(Item {
            layer: "water",
            min_zoom: 0,
            shape: Shape::Polygon(m(&w.ring)),
            props: vec![("class", text(class))],
        });
        if lake {
            items.push(Item {
                layer: "water_name",
                min_zoom: 12,
                shape: Shape::Point(mercator(centroid(&w.ring))),
                props: label(&w.name, "lake"),
            });
        }
    }
    for w in &city.waterways {
        items.push(Item {
            layer: "waterway",
            min_zoom: 10,
            shape: Shape::Line(m(&w.line)),
            props: label(&w.name, "river"),
        });
    }
    for p in &city.parks {
        items.push(Item {
            layer: "park",
            min_zoom: 10,
            shape: Shape::Polygon(m(&p.ring)),
            props: vec![("class", text("park"))],
        });
        if !p.name.is_empty() {
            items.push(Item {
                layer: "park",
                min_zoom: 13,
                shape: Shape::Point(mercator(centroid(&p.ring))),
                props: label(&p.name, "park"),
            });
        }
    }
    for r in &city.roads {
        let min_zoom = match r.class {
            RoadClass::Motorway | RoadClass::Trunk | RoadClass::Primary => 0,
            RoadClass::Secondary => 11,
            RoadClass::Minor => 12,
        };
        let class = r.class.as_str();
        items.push(Item {
            layer: "transportation",
            min_zoom,
            shape: Shape::Line(m(&r.line)),
            props: vec![("class", text(class))],
        });
        if !r.name.is_empty() {
            items.push(Item {
                layer: "transportation_name",
                min_zoom: min_zoom.max(12),
                shape: Shape::Line(m(&r.line)),
                props: label(&r.name, class),
            });
        }
    }
    for b in &city.buildings {
        items.push(Item {
            layer: "building",
            min_zoom: 13,
            shape: Shape::Polygon(m(&b.ring)),
            props: vec![
                ("render_height", Value::Double(b.height)),
                ("render_min_height", Value::Double(0.0)),
            ],
        });
    }
    // 区 and 街道 are admin levels 6 and 8, labelled as OSM labels them: suburb and quarter.
    for d in &city.districts {
        items.push(Item {
            layer: "boundary",
            min_zoom: 0,
            shape: Shape::Line(m(&d.ring)),
            props: vec![("admin_level", Value::Int(6))],
        });
        items.push(Item {
            layer: "place",
            min_zoom: 0,
            shape: Shape::Point(mercator(d.centre)),
            props: label(&d.name, "suburb"),
        });
    }
    for s in &city.streets {
        items.push(Item {
            layer: "boundary",
            min_zoom: 12,
            shape: Shape::Line(m(&s.ring)),
            props: vec![("admin_level", Value::Int(8))],
        });
        items.push(Item {
            layer: "place",
            min_zoom: 13,
            shape: Shape::Point(mercator(s.centre)),
            props: label(&s.name, "quarter"),
        });
    }
    for p in &city.places {
        if p.kind == "poi" {
            items.push(Item {
                layer: "poi",
                min_zoom: 12,
                shape: Shape::Point(mercator(p.p)),
                props: label(&p.name, "attraction"),
            });
        }
    }
    items
}

/// The basemap's landmarks (its labelled points of interest) in WGS84, as GeoJSON: with an
/// archive drawn in GCJ-02, the known pair a test puts on one pixel.
pub fn landmarks_geojson(city: &City) -> serde_json::Value {
    let features: Vec<serde_json::Value> = city
        .places
        .iter()
        .filter(|p| p.kind == "poi")
        .enumerate()
        .map(|(i, p)| {
            let [lon, lat] = to_lonlat(p.p);
            serde_json::json!({
                "type": "Feature",
                "id": format!("L{i}"),
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"name": p.name},
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

fn bounds(shape: &Shape) -> [f64; 4] {
    let pts: &[[f64; 2]] = match shape {
        Shape::Line(v) | Shape::Polygon(v) => v,
        Shape::Point(p) => std::slice::from_ref(p),
    };
    pts.iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        })
}

/// Sutherland–Hodgman against the buffered tile square.
fn clip_polygon(ring: &[[f64; 2]], lo: f64, hi: f64) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = ring.to_vec();
    for edge in 0..4 {
        let inside = |p: &[f64; 2]| match edge {
            0 => p[0] >= lo,
            1 => p[0] <= hi,
            2 => p[1] >= lo,
            _ => p[1] <= hi,
        };
        let cross = |a: &[f64; 2], b: &[f64; 2]| {
            let t = match edge {
                0 => (lo - a[0]) / (b[0] - a[0]),
                1 => (hi - a[0]) / (b[0] - a[0]),
                2 => (lo - a[1]) / (b[1] - a[1]),
                _ => (hi - a[1]) / (b[1] - a[1]),
            };
            [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
        };
        let input = std::mem::take(&mut out);
        if input.is_empty() {
            break;
        }
        for i in 0..input.len() {
            let (a, b) = (&input[i], &input[(i + 1) % input.len()]);
            match (inside(a), inside(b)) {
                (true, true) => out.push(*b),
                (true, false) => out.push(cross(a, b)),
                (false, true) => {
                    out.push(cross(a, b));
                    out.push(*b);
                }
                (false, false) => {}
            }
        }
    }
    out
}

/// Liang–Barsky per segment; consecutive visible segments join into one run.
fn clip_line(line: &[[f64; 2]], lo: f64, hi: f64) -> Vec<Vec<[f64; 2]>> {
    let mut runs: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let mut visible = true;
        for (p, q) in [
            (-dx, a[0] - lo),
            (dx, hi - a[0]),
            (-dy, a[1] - lo),
            (dy, hi - a[1]),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    visible = false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        if !visible || t0 > t1 {
            if current.len() > 1 {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        let start = [a[0] + t0 * dx, a[1] + t0 * dy];
        let end = [a[0] + t1 * dx, a[1] + t1 * dy];
        if current.is_empty() {
            current.push(start);
        }
        current.push(end);
        if t1 < 1.0 {
            runs.push(std::mem::take(&mut current));
        }
    }
    if current.len() > 1 {
        runs.push(current);
    }
    runs
}

fn to_tile(pts: &[[f64; 2]], scale: f64, x: u32, y: u32) -> Vec<[f64; 2]> {
    pts.iter()
        .map(|p| {
            [
                (p[0] * scale - x as f64) * EXTENT as f64,
                (p[1] * scale - y as f64) * EXTENT as f64,
            ]
        })
        .collect()
}

fn round(pts: &[[f64; 2]]) -> Vec<[i32; 2]> {
    pts.iter()
        .map(|p| [p[0].round() as i32, p[1].round() as i32])
        .collect()
}

/// Every tile of the basemap drawn in `datum`, keyed by PMTiles tile id (the order the archive
/// wants).
pub fn tiles(
    city: &City,
    datum: MapDatum,
) -> Result<BTreeMap<u64, (TileCoord, Vec<u8>)>, BasemapError> {
    let items = items(city, datum);
    let boxes: Vec<[f64; 4]> = items.iter().map(|i| bounds(&i.shape)).collect();
    let mut out = BTreeMap::new();
    let (lo, hi) = (-BUFFER, EXTENT as f64 + BUFFER);
    for z in MIN_ZOOM..=MAX_ZOOM {
        let scale = (1u64 << z) as f64;
        let pad = BUFFER / EXTENT as f64 / scale;
        let mut buckets: BTreeMap<(u32, u32), Vec<usize>> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            if item.min_zoom > z {
                continue;
            }
            let b = boxes[i];
            let (x0, y0) = (
                ((b[0] - pad) * scale).floor().max(0.0) as u32,
                ((b[1] - pad) * scale).floor().max(0.0) as u32,
            );
            let (x1, y1) = (
                ((b[2] + pad) * scale).floor() as u32,
                ((b[3] + pad) * scale).floor() as u32,
            );
            for x in x0..=x1 {
                for y in y0..=y1 {
                    buckets.entry((x, y)).or_default().push(i);
                }
            }
        }
        for ((x, y), members) in buckets {
            let mut layers: Vec<Layer> = LAYERS.iter().map(|n| Layer::new(n)).collect();
            for i in members {
                let item = &items[i];
                let geometry = match &item.shape {
                    Shape::Point(p) => {
                        let t = to_tile(std::slice::from_ref(p), scale, x, y)[0];
                        if t[0] < 0.0
                            || t[1] < 0.0
                            || t[0] >= EXTENT as f64
                            || t[1] >= EXTENT as f64
                        {
                            continue;
                        }
                        Geometry::Points(round(&[t]))
                    }
                    Shape::Line(line) => {
                        let runs = clip_line(&to_tile(line, scale, x, y), lo, hi);
                        if runs.is_empty() {
                            continue;
                        }
                        Geometry::Lines(runs.iter().map(|r| round(r)).collect())
                    }
                    Shape::Polygon(ring) => {
                        let clipped = clip_polygon(&to_tile(ring, scale, x, y), lo, hi);
                        if clipped.len() < 3 {
                            continue;
                        }
                        Geometry::Polygon(vec![round(&clipped)])
                    }
                };
                let slot = LAYERS.iter().position(|l| *l == item.layer).unwrap_or(0);
                layers[slot].add(Some(i as u64 + 1), &item.props, &geometry);
            }
            let bytes = encode_tile(&layers);
            if bytes.is_empty() {
                continue;
            }
            let coord = TileCoord::new(z, x, y).map_err(|_| BasemapError::Coord { z, x, y })?;
            out.insert(TileId::from(coord).value(), (coord, bytes));
        }
    }
    Ok(out)
}

/// Writes the basemap archive; returns the number of tiles.
pub fn write_pmtiles<W: Write + Seek>(city: &City, out: W) -> Result<usize, BasemapError> {
    write_pmtiles_in(city, MapDatum::default(), out)
}

/// Writes the basemap archive with every vertex in `datum`: GCJ-02 makes the kind of archive a
/// dump of a Chinese web map is. Returns the number of tiles.
pub fn write_pmtiles_in<W: Write + Seek>(
    city: &City,
    datum: MapDatum,
    out: W,
) -> Result<usize, BasemapError> {
    let tiles = tiles(city, datum)?;
    let shifted = |p: P| {
        let [lon, lat] = to_lonlat(p);
        let (lon, lat) = datum.out(lon, lat);
        [lon, lat]
    };
    let all: Vec<[f64; 2]> = city
        .roads
        .iter()
        .flat_map(|r| r.line.iter().map(|p| shifted(*p)))
        .collect();
    let b = all
        .iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        });
    let centre = shifted([0.0, 0.0]);
    let metadata = serde_json::json!({
        "name": "示范市 basemap",
        "attribution": "示范市 (simulated city) · CityWall",
        "vector_layers": LAYERS.iter().map(|id| serde_json::json!({"id": id, "fields": {}})).collect::<Vec<_>>(),
    });
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .tile_compression(Compression::None)
        .internal_compression(Compression::None)
        .min_zoom(MIN_ZOOM)
        .max_zoom(MAX_ZOOM)
        .bounds(b[0], b[1], b[2], b[3])
        .center(centre[0], centre[1])
        .center_zoom(11)
        .metadata(metadata.to_string())
        .create(out)?;
    let count = tiles.len();
    for (_, (coord, bytes)) in tiles {
        writer.add_tile(coord, &bytes)?;
    }
    writer.finalize()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_what_is_inside() {
        let square = vec![[-10.0, -10.0], [10.0, -10.0], [10.0, 10.0], [-10.0, 10.0]];
        let clipped = clip_polygon(&square, 0.0, 5.0);
        assert!(clipped
            .iter()
            .all(|p| p[0] >= 0.0 && p[0] <= 5.0 && p[1] >= 0.0 && p[1] <= 5.0));
        assert_eq!(clipped.len(), 4);
        let runs = clip_line(
            &[[-5.0, 1.0], [3.0, 1.0], [3.0, 9.0], [4.0, 9.0], [4.0, 2.0]],
            0.0,
            5.0,
        );
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0], vec![[0.0, 1.0], [3.0, 1.0], [3.0, 5.0]]);
    }
}
