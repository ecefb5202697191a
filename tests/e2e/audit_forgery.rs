//! Attacks on the audit log by someone with the store file but not the audit key, each through
//! `citywall audit verify` as an auditor runs it: rows cut from the end (caught against a kept
//! checkpoint), a row rewritten and the rest re-chained, a forged row appended, a checkpoint
//! made up — each fails verification; the untouched log passes and says what it proves.

use std::path::{Path, PathBuf};

use citywall_e2e::scratch_dir;
use citywall_engine::store::audit::{AuditEntry, AuditRecord};
use citywall_engine::store::audit_key::AuditKey;
use citywall_engine::store::prelude::*;
use citywall_engine::store::SqliteStore;
use sqlx::Connection;

/// A store with five signed rows, its key file beside it (as `[audit] key_file` would be).
async fn signed_log(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch_dir(name);
    let (db, key_file) = (dir.join("wall.db"), dir.join("audit.key"));
    let key = AuditKey::load(&key_file, true).expect("key");
    let store = SqliteStore::open(&db)
        .await
        .expect("store")
        .with_audit_key(key);
    for i in 1..=5 {
        let entry = AuditEntry {
            actor: "值班员 张伟".into(),
            action: "warning.acknowledge".into(),
            target: format!("W{i:06}"),
            detail: serde_json::json!({}),
        };
        store
            .append_audit(&entry, 1_700_000_000_000 + i)
            .await
            .expect("row");
    }
    (db, key_file)
}

/// `citywall audit verify` on `db` with `key`, and `checkpoints` when given.
fn verify(db: &Path, key: &Path, checkpoints: Option<&Path>) -> (bool, String) {
    let binary = citywall_e2e::citywall_binary();
    let mut command = std::process::Command::new(&binary);
    command
        .args(["audit", "verify", "--store"])
        .arg(db)
        .arg("--key-file")
        .arg(key)
        .env_remove("CITYWALL_AUDIT_KEY");
    if let Some(file) = checkpoints {
        command.arg("--checkpoints").arg(file);
    }
    let out = command.output().expect("citywall runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// Runs `sql` on the store past its append-only triggers, as the file's owner can.
async fn tamper(db: &Path, sql: &[String]) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open");
    for guard in ["audit_no_update", "audit_no_delete"] {
        sqlx::query(&format!("DROP TRIGGER IF EXISTS {guard}"))
            .execute(&mut conn)
            .await
            .expect("drop the guard");
    }
    for statement in sql {
        sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect("tamper");
    }
    conn.close().await.expect("close");
}

/// Every row as stored.
async fn rows(db: &Path) -> Vec<AuditRecord> {
    let store = SqliteStore::open(db).await.expect("store");
    store.audit(0, 100).await.expect("rows")
}

fn update(r: &AuditRecord) -> String {
    format!(
        "UPDATE audit SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
        r.actor, r.prev_hash, r.hash, r.seq
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_untouched_log_passes_and_keeps_a_checkpoint() {
    let (db, key) = signed_log("forgery-intact").await;
    let (ok, said) = verify(&db, &key, None);
    assert!(ok, "{said}");
    assert!(said.contains("intact — 5 row(s)"), "{said}");
    assert!(
        said.contains("5 row(s) signed with the audit key"),
        "{said}"
    );
    assert!(
        said.contains("leave no trace"),
        "it says what it cannot prove: {said}"
    );
    assert!(
        said.contains("citywall-audit-checkpoint v1 seq=5"),
        "{said}"
    );
    // Without the key it does not pretend.
    let (ok, said) = verify(&db, &db.with_file_name("no-such.key"), None);
    assert!(!ok && said.contains("NOT CHECKED"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_cut_from_the_end_fail_against_a_kept_checkpoint() {
    let (db, key) = signed_log("forgery-truncated").await;
    let (_, said) = verify(&db, &key, None);
    let kept = db.with_file_name("checkpoints.log");
    // The checkpoint line as the log carried it, with the log's own prefix.
    let line = said.lines().last().expect("a checkpoint line");
    std::fs::write(&kept, format!("2026-12-07T10:00:00Z INFO {line}\n")).expect("keep");
    assert!(verify(&db, &key, Some(&kept)).0, "holds before the cut");

    tamper(&db, &["DELETE FROM audit WHERE seq > 3".to_string()]).await;
    let (ok, said) = verify(&db, &key, Some(&kept));
    assert!(!ok, "{said}");
    assert!(said.contains("cut from its end"), "{said}");
    // A made-up checkpoint claiming the log was always three rows is refused too.
    let made_up = line.replace("seq=5", "seq=3");
    std::fs::write(&kept, format!("{made_up}\n")).expect("write");
    let (ok, said) = verify(&db, &key, Some(&kept));
    assert!(
        !ok && said.contains("not signed with this audit key"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_rewritten_and_the_rest_rechained_fails() {
    let (db, key) = signed_log("forgery-rewritten").await;
    // The forger changes row 2's actor and re-chains 2..5 as best they can: without the key,
    // with plain SHA-256 (or any key of their own).
    let mut all = rows(&db).await;
    let forger = AuditKey::new(b"the forger's own key, not the centre's");
    let mut statements = Vec::new();
    for i in 1..all.len() {
        if i == 1 {
            all[i].actor = "someone else".into();
        }
        all[i].prev_hash = all[i - 1].hash.clone();
        all[i].hash = all[i].compute_hash(&forger);
        statements.push(update(&all[i]));
    }
    tamper(&db, &statements).await;
    let (ok, said) = verify(&db, &key, None);
    assert!(!ok, "{said}");
    assert!(said.contains("BROKEN at row 2"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_row_appended_fails() {
    let (db, key) = signed_log("forgery-appended").await;
    let all = rows(&db).await;
    let last = all.last().expect("rows");
    let mut forged = AuditRecord {
        seq: last.seq + 1,
        at: last.at + 1,
        actor: "管理员".into(),
        action: "audit.export".into(),
        target: "audit".into(),
        detail: "{}".into(),
        prev_hash: last.hash.clone(),
        hash: String::new(),
    };
    forged.hash = forged.compute_hash(&AuditKey::default());
    tamper(
        &db,
        &[format!(
            "INSERT INTO audit (seq, at, actor, action, target, detail, prev_hash, hash) \
             VALUES ({}, {}, '{}', '{}', '{}', '{}', '{}', '{}')",
            forged.seq,
            forged.at,
            forged.actor,
            forged.action,
            forged.target,
            forged.detail,
            forged.prev_hash,
            forged.hash
        )],
    )
    .await;
    let (ok, said) = verify(&db, &key, None);
    assert!(!ok, "{said}");
    assert!(said.contains("BROKEN at row 6"), "{said}");
}
