//! The audit log's checkpoints on a schedule: at start and every `[audit] checkpoint_minutes`,
//! the head row's number and hash, signed with the audit key, go to the log (the journal, which
//! a centre ships to its log server) and to `[audit] checkpoint_file` when set — places the
//! store's owner cannot quietly rewrite. `citywall audit verify --checkpoints FILE` holds the
//! log to them: rows cut from the end show there and nowhere else.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::Engine;

pub(super) async fn run(engine: Arc<Engine>, mut shutdown: watch::Receiver<bool>) {
    let every = Duration::from_secs(engine.config.audit.checkpoint_minutes.max(1) * 60);
    let mut tick = tokio::time::interval(every);
    let mut last_seq = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        let store = engine.store();
        let checkpoint = match store.audit_checkpoint(crate::model::now_ms()).await {
            Ok(Some(c)) => c,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!("audit checkpoint: reading the log's head: {e}");
                continue;
            }
        };
        // Nothing new since the last one: no new line to keep.
        if last_seq == Some(checkpoint.seq) {
            continue;
        }
        last_seq = Some(checkpoint.seq);
        let line = checkpoint.line(store.audit_key());
        tracing::info!("{line}");
        if let Some(path) = &engine.config.audit.checkpoint_file {
            if let Err(e) = append_line(path, &line) {
                tracing::warn!("audit checkpoint: writing {}: {e}", path.display());
            }
        }
    }
}

fn append_line(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{line}")
}
