//! `citywall audit verify | export`: the operators' audit log read straight from a store file —
//! the chain checked row by row, or every row written out as CSV or JSON lines for the centre's
//! records. Works on a stopped wall's store as on a running one's (SQLite WAL readers).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use citywall_engine::store::audit_key::{self, AuditKey, Checkpoint};
use citywall_engine::store::prelude::*;
use citywall_engine::store::SqliteStore;
use citywall_engine::Config;
use clap::{Subcommand, ValueEnum};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the chain and each row's signature (and the kept checkpoints): exit 0 when
    /// intact, 1 naming the first broken row or checkpoint, or when it could not check.
    Verify {
        /// A file of kept checkpoint lines (the log's `citywall-audit-checkpoint` lines, or
        /// `[audit] checkpoint_file`): the log must still hold each one's row as it was.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
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

/// The store to work on, the centre's time zone and the audit key.
pub struct Located {
    pub path: PathBuf,
    pub zone: jiff::tz::TimeZone,
    pub key: AuditKey,
}

/// The store file (`--store`, else the one `--config` names), the time zone (`--config`'s
/// `[centre] time_zone`, else the machine's) and the audit key (`$CITYWALL_AUDIT_KEY`, else
/// `--key-file`, else `--config`'s `[audit] key_file`; none when none is named). `make_key`:
/// make the key file when it is missing (a command that writes rows).
pub fn locate(
    store: Option<PathBuf>,
    key_file: Option<PathBuf>,
    config: Option<&Path>,
    make_key: bool,
) -> anyhow::Result<Located> {
    let loaded = match config {
        Some(file) => Some(Config::load(file).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    let zone = loaded
        .as_ref()
        .map_or_else(jiff::tz::TimeZone::system, |c| c.centre.zone());
    let key_file = key_file.or_else(|| loaded.as_ref().map(|c| c.audit.key_file.clone()));
    let key = match (&key_file, std::env::var_os(audit_key::KEY_ENV)) {
        (Some(file), _) => AuditKey::load(file, make_key)?,
        (None, Some(_)) => AuditKey::load(Path::new(""), false)?,
        (None, None) => AuditKey::default(),
    };
    let path = match (store, loaded) {
        (Some(path), _) => path,
        (None, Some(c)) => c.store_path,
        (None, None) => {
            anyhow::bail!("name the store: --store <file.db> or --config <wall.toml>")
        }
    };
    Ok(Located { path, zone, key })
}

/// `zone`: the centre's time zone (`[centre] time_zone` of `--config`, else the machine's), for
/// the export's times.
pub fn run(command: AuditCommand, at: &Located) -> anyhow::Result<ExitCode> {
    let path = &at.path;
    anyhow::ensure!(path.exists(), "no store at {}", path.display());
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let store = SqliteStore::open(path)
            .await?
            .with_audit_key(at.key.clone());
        match command {
            AuditCommand::Verify { checkpoints } => {
                verify(&store, path, checkpoints.as_deref()).await
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
                        let csv = matches!(format, Format::Csv);
                        writeln!(out, "{}", r.export_row(&at.zone, csv))?;
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

/// `audit verify`: what the log proves and what it cannot, in words an auditor keeps.
async fn verify(
    store: &SqliteStore,
    path: &Path,
    checkpoints: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let shown = path.display();
    let check = store.verify_audit().await?;
    if let Some((seq, reason)) = &check.broken {
        println!("{shown}: audit log BROKEN at row {seq}: {reason}");
        return Ok(ExitCode::FAILURE);
    }
    let key = store.audit_key();
    let mut kept = Vec::new();
    if let Some(file) = checkpoints {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("reading the checkpoints {}", file.display()))?;
        for (n, line) in text.lines().enumerate() {
            // A log file holds other lines too: only checkpoint lines count.
            let Some(start) = line.find("citywall-audit-checkpoint") else {
                continue;
            };
            match Checkpoint::parse(&line[start..], key) {
                Ok(c) => kept.push(c),
                Err(why) => {
                    println!(
                        "{shown}: audit log NOT PROVEN: {} line {}: {why}",
                        file.display(),
                        n + 1
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    for checkpoint in &kept {
        if let Some(why) = store.audit_holds(checkpoint).await? {
            println!("{shown}: audit log BROKEN: {why}");
            return Ok(ExitCode::FAILURE);
        }
    }
    if check.unchecked > 0 {
        println!(
            "{shown}: audit log NOT CHECKED — {} of {} row(s) are signed and there is no audit \
             key to check them with: give --config, --key-file or ${}",
            check.unchecked,
            check.rows,
            audit_key::KEY_ENV
        );
        return Ok(ExitCode::FAILURE);
    }
    println!("{shown}: audit log intact — {} row(s)", check.rows);
    if check.keyed > 0 {
        println!(
            "  {} row(s) signed with the audit key: nobody without the key changed, removed, \
             inserted or added any of them",
            check.keyed
        );
    }
    if check.unkeyed > 0 {
        println!(
            "  rows 1–{} were written before the log had a key: they chain, but anyone with the \
             file could have rewritten them",
            check.unkeyed
        );
    }
    match kept.iter().map(|c| c.seq).max() {
        Some(last) => println!(
            "  {} checkpoint(s) hold, the last at row {last}: rows after it could still have \
             been cut from the end without trace",
            kept.len()
        ),
        None => println!(
            "  no checkpoint given: rows cut from the end leave no trace in the log itself; \
             keep the line below (or [audit] checkpoint_file) and pass it with --checkpoints"
        ),
    }
    if key.is_set() {
        if let Some(head) = store
            .audit_checkpoint(citywall_engine::model::now_ms())
            .await?
        {
            println!("{}", head.line(key));
        }
    }
    Ok(ExitCode::SUCCESS)
}
