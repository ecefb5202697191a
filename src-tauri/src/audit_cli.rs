//! `citywall audit verify | export`: the operators' audit log read straight from a store file —
//! the chain checked row by row, or every row written out as CSV or JSON lines for the centre's
//! records. Works on a stopped wall's store as on a running one's (SQLite WAL readers).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use citywall_engine::store::Store;
use citywall_engine::Config;
use clap::{Subcommand, ValueEnum};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first broken row.
    Verify,
    /// Write every row to stdout.
    Export {
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

/// The store file: `--store`, else the one `--config` names.
pub fn store_path(store: Option<PathBuf>, config: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(store_and_zone(store, config)?.0)
}

/// The store file (as [`store_path`]) and the centre's time zone: `--config`'s `[centre]
/// time_zone` when a config is named, else the machine's.
pub fn store_and_zone(
    store: Option<PathBuf>,
    config: Option<&Path>,
) -> anyhow::Result<(PathBuf, jiff::tz::TimeZone)> {
    let loaded = match config {
        Some(file) => Some(Config::load(file).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    let zone = loaded
        .as_ref()
        .map_or_else(jiff::tz::TimeZone::system, |c| c.centre.zone());
    match (store, loaded) {
        (Some(path), _) => Ok((path, zone)),
        (None, Some(c)) => Ok((c.store_path, zone)),
        (None, None) => {
            anyhow::bail!("name the store: --store <file.db> or --config <wall.toml>")
        }
    }
}

/// `zone`: the centre's time zone (`[centre] time_zone` of `--config`, else the machine's), for
/// the export's times.
pub fn run(
    command: AuditCommand,
    path: &Path,
    zone: &jiff::tz::TimeZone,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(path.exists(), "no store at {}", path.display());
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Store::open(path).await?;
        match command {
            AuditCommand::Verify => {
                let check = store.verify_audit().await?;
                match check.broken {
                    None => {
                        println!(
                            "{}: audit log intact — {} row(s)",
                            path.display(),
                            check.rows
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Some((seq, reason)) => {
                        println!(
                            "{}: audit log BROKEN at row {seq}: {reason}",
                            path.display()
                        );
                        Ok(ExitCode::FAILURE)
                    }
                }
            }
            AuditCommand::Export { format } => {
                let mut out = std::io::stdout().lock();
                if matches!(format, Format::Csv) {
                    writeln!(out, "{}", citywall_engine::store::audit::CSV_HEADER)?;
                }
                let mut after = 0;
                loop {
                    let page = store.audit(after, 5_000).await?;
                    let Some(last) = page.last() else { break };
                    after = last.seq;
                    for r in &page {
                        writeln!(out, "{}", r.export_row(zone, matches!(format, Format::Csv)))?;
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
