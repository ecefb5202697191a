//! `citywall user add | list | disable | enable | remove`: the wall's local accounts, kept in its
//! store; each change audited and signed with the audit key. The password comes
//! from `$CITYWALL_PASSWORD` or the first line on stdin, never from the command line (where the
//! shell's history and `ps` would keep it).

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use citywall_engine::access::Role;
use citywall_engine::store::prelude::*;
use citywall_engine::store::SqliteStore;
use clap::Subcommand;

use crate::audit_cli::Located;

/// Who the audit log says changed an account from the command line.
const ACTOR: &str = "citywall user";

/// What a change to `name` did, or that there is no such account (exit 1).
fn done(found: bool, path: &Path, name: &str, what: &str) -> anyhow::Result<ExitCode> {
    if found {
        println!("{}: account `{name}` {what}", path.display());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{}: no account `{name}`", path.display());
        Ok(ExitCode::FAILURE)
    }
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account, or set a new password and role on an existing one (its sessions end).
    Add {
        name: String,
        /// duty (值班员), leader (领导), admin (管理员) or wall (大屏, view only).
        #[arg(long)]
        role: String,
        /// The centre it works for (an id of `[[centres]]`): it sees and acts on what that
        /// centre and those under it own. Default: the city's, which sees everything. An id
        /// the config does not have sees nothing.
        #[arg(long)]
        centre: Option<String>,
    },
    /// Every account, its role and whether it is disabled.
    List,
    /// Stop an account from logging in and end its sessions; `enable` undoes it.
    Disable { name: String },
    /// Let a disabled account log in again.
    Enable { name: String },
    /// Delete an account and its sessions (its audit rows stay).
    Remove { name: String },
}

pub fn run(command: UserCommand, at: &Located) -> anyhow::Result<ExitCode> {
    let path = &at.path;
    let writes = !matches!(command, UserCommand::List);
    // A row written without the key would break the log's chain of signatures.
    anyhow::ensure!(
        !writes || at.key.is_set(),
        "no audit key to sign the change with: give --config, --key-file or ${}",
        citywall_engine::store::audit_key::KEY_ENV
    );
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let store = SqliteStore::open(path)
            .await?
            .with_audit_key(at.key.clone());
        let now = citywall_engine::model::now_ms();
        match command {
            UserCommand::Add { name, role, centre } => {
                if let Some(c) = &centre {
                    anyhow::ensure!(
                        citywall_engine::sources::spec::valid_id(c),
                        "--centre `{c}` is not an id: letters, digits, `-` and `_`"
                    );
                }
                let role = Role::parse(&role)
                    .with_context(|| format!("--role `{role}`: use duty, leader, admin or wall"))?;
                anyhow::ensure!(
                    !name.trim().is_empty() && name.chars().count() <= 64,
                    "the name must be 1 to 64 characters"
                );
                let password = match std::env::var("CITYWALL_PASSWORD") {
                    Ok(p) => p,
                    Err(_) => {
                        let mut line = String::new();
                        std::io::stdin()
                            .lock()
                            .read_line(&mut line)
                            .context("reading the password from stdin")?;
                        line.trim_end_matches(['\r', '\n']).to_string()
                    }
                };
                anyhow::ensure!(
                    password.chars().count() >= 10,
                    "the password must be at least 10 characters"
                );
                store
                    .put_user(name.trim(), role, &password, "citywall user add", now)
                    .await?;
                store
                    .set_centre(name.trim(), centre.as_deref(), "citywall user add", now)
                    .await?;
                println!(
                    "{}: account `{}` ({role}, centre {}) saved",
                    path.display(),
                    name.trim(),
                    centre.as_deref().unwrap_or("of the city")
                );
            }
            UserCommand::List => {
                for (name, role, disabled) in store.accounts().await? {
                    let state = if disabled { "\tdisabled" } else { "" };
                    println!("{name}\t{role}{state}");
                }
            }
            UserCommand::Disable { name } => {
                let found = store.set_disabled(&name, true, ACTOR, now).await?;
                return done(found, path, &name, "disabled; its sessions ended");
            }
            UserCommand::Enable { name } => {
                let found = store.set_disabled(&name, false, ACTOR, now).await?;
                return done(found, path, &name, "enabled");
            }
            UserCommand::Remove { name } => {
                let found = store.remove_user(&name, ACTOR, now).await?;
                return done(found, path, &name, "removed; its sessions ended");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
