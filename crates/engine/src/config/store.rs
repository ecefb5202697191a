//! `[store]`: where the engine keeps its truth — a SQLite file (`path`, the default
//! `citywall.db` beside the config) or a PostgreSQL + PostGIS database (`url =
//! "postgres://user@host/db"`, the password from `PGPASSWORD`, never in the file) with a pool
//! of `pool` connections.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    pub(super) path: Option<Spanned<String>>,
    pub(super) url: Option<Spanned<String>>,
    pub(super) pool: Option<Spanned<i64>>,
}

/// Where the store is, as the engine opens it.
pub(super) struct StoreAt {
    pub(super) path: PathBuf,
    pub(super) url: Option<String>,
    pub(super) pool: u32,
}

/// The most connections a store pool may hold.
const MAX_POOL: i64 = 256;

/// The store `raw` names (relative paths from `base`), each mistake told to `problem`.
pub(super) fn store_at(
    raw: Option<&Spanned<RawStore>>,
    base: &Path,
    problem: &mut impl FnMut(Range<usize>, &str, String),
) -> StoreAt {
    let mut at = StoreAt {
        path: base.join("citywall.db"),
        url: None,
        pool: citywall_store::postgres::DEFAULT_POOL,
    };
    let Some(store) = raw.map(Spanned::get_ref) else {
        return at;
    };
    if let Some(path) = &store.path {
        if path.get_ref().trim().is_empty() {
            problem(
                path.span(),
                "store.path",
                "is empty: give a file path for the database".into(),
            );
        }
        at.path = base.join(path.get_ref());
    }
    if let Some(url) = &store.url {
        let text = url.get_ref().trim();
        if store.path.is_some() {
            problem(
                url.span(),
                "store.url",
                "and `path` both given: a store is a SQLite file or a PostgreSQL database".into(),
            );
        } else if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            problem(
                url.span(),
                "store.url",
                "is not a PostgreSQL URL: give `postgres://user@host:5432/db`".into(),
            );
        } else if url::Url::parse(text).is_ok_and(|u| u.password().is_some()) {
            problem(
                url.span(),
                "store.url",
                "holds a password: give it in the environment (`PGPASSWORD`), not in the file"
                    .into(),
            );
        } else {
            at.url = Some(text.to_string());
        }
    }
    if let Some(pool) = &store.pool {
        match u32::try_from(*pool.get_ref()) {
            Ok(n) if (1..=MAX_POOL).contains(pool.get_ref()) => at.pool = n,
            _ => problem(
                pool.span(),
                "store.pool",
                format!("{}: give 1 to {MAX_POOL} connections", pool.get_ref()),
            ),
        }
    }
    at
}
