//! `citywall user add | list`: the wall's local accounts, kept in its store. The password comes
//! from `$CITYWALL_PASSWORD` or the first line on stdin, never from the command line (where the
//! shell's history and `ps` would keep it).

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use citywall_engine::access::Role;
use citywall_engine::store::Store;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account, or set a new password and role on an existing one (its sessions end).
    Add {
        name: String,
        /// duty (值班员), leader (领导), admin (管理员) or wall (大屏, view only).
        #[arg(long)]
        role: String,
    },
    /// Every account and its role.
    List,
}

pub fn run(command: UserCommand, path: &Path) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let store = Store::open(path).await?;
        match command {
            UserCommand::Add { name, role } => {
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
                    .put_user(
                        name.trim(),
                        role,
                        &password,
                        "citywall user add",
                        citywall_engine::model::now_ms(),
                    )
                    .await?;
                println!(
                    "{}: account `{}` ({role}) saved",
                    path.display(),
                    name.trim()
                );
            }
            UserCommand::List => {
                for (name, role) in store.users().await? {
                    println!("{name}\t{role}");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
