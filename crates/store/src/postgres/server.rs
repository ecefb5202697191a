//! A throwaway PostgreSQL 15 server for tests: `initdb` into a temporary folder, `pg_ctl`
//! start on a free loopback port (as the `postgres` system user when run as root, which
//! `initdb` refuses), a database per test, all removed when dropped. Debian's `postgresql-15`
//! and `postgresql-15-postgis-3` are what it runs (`scripts/setup.sh` installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian puts PostgreSQL 15's server programs.
const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct TestServer {
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// Why a test server could not start, in words for the test's output.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoServer(String);

impl TestServer {
    /// Whether this machine has the server programs at all.
    pub fn available() -> bool {
        Path::new(BIN).join("initdb").exists()
    }

    /// Starts a server of its own under the temp folder, named after `name`.
    pub fn start(name: &str) -> Result<TestServer, NoServer> {
        if !Self::available() {
            return Err(NoServer(format!(
                "no PostgreSQL 15 at {BIN} (Debian: apt-get install postgresql-15 postgresql-15-postgis-3)"
            )));
        }
        let dir = std::env::temp_dir().join(format!("citywall-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| NoServer(format!("{}: {e}", dir.display())))?;
        // Root runs the server as `postgres`: initdb refuses root.
        let as_postgres = uid() == Some(0);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| NoServer(e.to_string()))?
            .port();
        let server = TestServer {
            dir,
            port,
            as_postgres,
        };
        if as_postgres {
            server.run("chown", &["-R", "postgres:postgres", &server.path("")])?;
        }
        let data = server.path("data");
        server.run(
            &format!("{BIN}/initdb"),
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            server.path("")
        );
        server.run(
            &format!("{BIN}/pg_ctl"),
            &[
                "-D",
                &data,
                "-o",
                &options,
                "-l",
                &server.path("log"),
                "-w",
                "start",
            ],
        )?;
        server.watch_over();
        Ok(server)
    }

    /// A watchdog that stops the server and removes its folder once this process is gone: a
    /// server held in a static (shared by a test binary's tests) is never dropped.
    fn watch_over(&self) {
        let script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; {BIN}/pg_ctl -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            data = self.path("data"),
            dir = self.path(""),
        );
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "sh", "-c", &script]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", &script]);
            c
        };
        let _ = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// Runs `program` (as `postgres` where the server runs as it).
    fn run(&self, program: &str, args: &[&str]) -> Result<(), NoServer> {
        let output = if self.as_postgres && !program.ends_with("chown") {
            Command::new("runuser")
                .args(["-u", "postgres", "--", program])
                .args(args)
                .output()
        } else {
            Command::new(program).args(args).output()
        }
        .map_err(|e| NoServer(format!("{program}: {e}")))?;
        if output.status.success() {
            return Ok(());
        }
        Err(NoServer(format!(
            "{program} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )))
    }

    /// The URL of a new, empty database `name` on this server.
    pub async fn database(&self, name: &str) -> Result<String, NoServer> {
        use sqlx::Connection;
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let mut connection = sqlx::PgConnection::connect(&admin)
            .await
            .map_err(|e| NoServer(e.to_string()))?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut connection)
            .await
            .map_err(|e| NoServer(e.to_string()))?;
        Ok(format!(
            "postgres://postgres@127.0.0.1:{}/{name}",
            self.port
        ))
    }
}

/// The process's user id, read from `/proc` (no `libc` call needed).
fn uid() -> Option<u32> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let data = self.path("data");
        let _ = self.run(
            &format!("{BIN}/pg_ctl"),
            &["-D", &data, "-m", "immediate", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
