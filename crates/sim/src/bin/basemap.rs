//! `citywall-basemap OUT.pmtiles [--seed N] [--gcj02] [--landmarks OUT.geojson]`: writes the
//! sim city's basemap (in GCJ-02 with `--gcj02`, as a Chinese web map's dump would be), and its
//! landmarks in WGS84.

use std::fs::File;
use std::io::BufWriter;

use anyhow::Context;
use citywall_model::crs::Crs;
use citywall_model::display::MapDatum;
use citywall_sim::{basemap, City};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().context(
        "usage: citywall-basemap OUT.pmtiles [--seed N] [--gcj02] [--landmarks OUT.geojson]",
    )?;
    let mut seed = 42u64;
    let mut datum = MapDatum::default();
    let mut landmarks = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                seed = args
                    .next()
                    .context("--seed needs a number")?
                    .parse()
                    .context("--seed needs a number")?
            }
            "--gcj02" => datum = MapDatum::of(Crs::Gcj02),
            "--landmarks" => landmarks = Some(args.next().context("--landmarks needs a file")?),
            other => anyhow::bail!("unknown argument `{other}`"),
        }
    }
    let city = City::generate(seed);
    let file = File::create(&out).with_context(|| format!("cannot create {out}"))?;
    let tiles = basemap::write_pmtiles_in(&city, datum, BufWriter::new(file))
        .context("writing the basemap")?;
    if let Some(path) = landmarks {
        std::fs::write(&path, basemap::landmarks_geojson(&city).to_string())
            .with_context(|| format!("cannot write {path}"))?;
    }
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{out}: {tiles} tiles, {:.1} MB; {} buildings, {} roads, {} parks, {} grid cells",
        size as f64 / 1e6,
        city.buildings.len(),
        city.roads.len(),
        city.parks.len(),
        city.grids.len()
    );
    Ok(())
}
