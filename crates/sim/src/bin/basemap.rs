//! `citywall-basemap OUT.pmtiles [--seed N]`: writes the sim city's basemap.

use std::fs::File;
use std::io::BufWriter;

use anyhow::Context;
use citywall_sim::{basemap, City};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .context("usage: citywall-basemap OUT.pmtiles [--seed N]")?;
    let mut seed = 42u64;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                seed = args
                    .next()
                    .context("--seed needs a number")?
                    .parse()
                    .context("--seed needs a number")?
            }
            other => anyhow::bail!("unknown argument `{other}`"),
        }
    }
    let city = City::generate(seed);
    let file = File::create(&out).with_context(|| format!("cannot create {out}"))?;
    let tiles =
        basemap::write_pmtiles(&city, BufWriter::new(file)).context("writing the basemap")?;
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
