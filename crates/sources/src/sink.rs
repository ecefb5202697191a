//! The one way a source's task hands over what it fetched: a [`Sink`]. The engine implements it;
//! the sources never see the engine, so fetching and parsing sit below it in the layering.

use std::future::Future;
use std::time::Duration;

use super::Batch;
use crate::spec::SourceConfig;

/// How a batch relates to what its source held before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestMode {
    /// The batch is everything the source holds now: what it no longer lists is removed.
    Snapshot,
    /// The batch holds only changes (incremental polls, pushed messages): nothing is removed.
    Upsert,
}

/// What one ingested batch changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Why the first rejected record was refused, for the health sentence.
    pub first_rejection: Option<String>,
    pub upserted: usize,
    pub removed: usize,
    pub rejected: usize,
    /// Features the source holds after the batch.
    pub count: usize,
}

/// What a source's task learnt about its subsystem on one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt<'a> {
    /// It answered and nothing changed since the last poll.
    Alive { latency: Duration },
    /// It answered with `received` records, and the batch was stored as `report` says.
    Delivered {
        latency: Duration,
        received: usize,
        report: &'a IngestReport,
    },
    /// It could not be reached, answered garbage, or the batch could not be stored.
    Failed { latency: Duration, error: String },
}

/// Where sources deliver: stores a batch (then applies and publishes it), and takes each
/// attempt's outcome for the source's health.
pub trait Sink: Send + Sync + 'static {
    type Error: std::fmt::Display + Send;

    fn ingest(
        &self,
        source: &SourceConfig,
        batch: Batch,
        mode: IngestMode,
    ) -> impl Future<Output = Result<IngestReport, Self::Error>> + Send;

    /// Records one attempt on `source` and publishes the health it changed.
    fn attempted(&self, source: &str, attempt: Attempt<'_>);
}
