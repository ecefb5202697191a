//! One polling task per source: fetch over HTTP with the source's timeout, parse by kind, ingest,
//! record health; on failure retry with exponential backoff and jitter, capped by the source's
//! `max_backoff`, and recover by itself when the subsystem answers again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tracing::{info, warn};

use super::http::{self, Fetched, PollState};
use super::sink::{Attempt, IngestMode, Sink};
use super::{geojson, json_records, ogc_features, sensorthings, Batch, SourceError};
use crate::spec::{SourceConfig, SourceKind};

pub async fn run<S: Sink>(sink: Arc<S>, source: SourceConfig, mut shutdown: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(source.timeout)
        .connect_timeout(source.timeout)
        .no_proxy()
        .user_agent(concat!("CityWall/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            sink.attempted(
                &source.id,
                Attempt::Failed {
                    latency: Duration::ZERO,
                    error: format!("cannot create an HTTP client: {e}"),
                },
            );
            return;
        }
    };
    let mode = if source.since_param.is_some() {
        IngestMode::Upsert
    } else {
        IngestMode::Snapshot
    };
    let mut state = PollState::default();
    let mut failures: u32 = 0;
    let mut jitter = Jitter::new(&source.id);
    loop {
        let started = Instant::now();
        let outcome = fetch_batch(&client, &source, &mut state).await;
        let latency = started.elapsed();
        match outcome {
            Ok(None) => {
                failures = 0;
                sink.attempted(&source.id, Attempt::Alive { latency });
            }
            Ok(Some(batch)) => {
                let received = batch.records.len() + batch.rejected.len();
                let next_cursor = source
                    .cursor_field
                    .as_deref()
                    .and_then(|field| max_cursor(&batch, field));
                match sink.ingest(&source, batch, mode).await {
                    Ok(report) => {
                        if failures > 0 {
                            info!(source = %source.id, "source recovered");
                        }
                        failures = 0;
                        if let Some(c) = next_cursor {
                            if state.cursor.as_ref().is_none_or(|old| cursor_less(old, &c)) {
                                state.cursor = Some(c);
                            }
                        }
                        sink.attempted(
                            &source.id,
                            Attempt::Delivered {
                                latency,
                                received,
                                report: &report,
                            },
                        );
                    }
                    Err(e) => {
                        failures += 1;
                        sink.attempted(
                            &source.id,
                            Attempt::Failed {
                                latency,
                                error: format!("storing the batch failed: {e}"),
                            },
                        );
                    }
                }
            }
            Err(e) => {
                failures += 1;
                let error = crate::secrets::redact(&e.to_string());
                warn!(source = %source.id, error = %error, "poll failed");
                sink.attempted(
                    &source.id,
                    Attempt::Failed {
                        latency,
                        error: e.to_string(),
                    },
                );
            }
        }

        let wait = if failures == 0 {
            source.interval
        } else {
            let doubled = source.interval.as_secs_f64()
                * 2f64.powi(failures.saturating_sub(1).min(16) as i32);
            let floor = source
                .interval
                .as_secs_f64()
                .min(source.max_backoff.as_secs_f64());
            Duration::from_secs_f64(
                doubled.min(source.max_backoff.as_secs_f64()).max(floor) * jitter.factor(),
            )
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// The largest value of `field` among the batch's records (numbers, or strings such as ISO
/// timestamps, compared as such).
fn max_cursor(batch: &Batch, field: &str) -> Option<serde_json::Value> {
    batch
        .records
        .iter()
        .filter_map(|r| r.properties.get(field))
        .filter(|v| v.is_number() || v.is_string())
        .cloned()
        .reduce(|a, b| if cursor_less(&a, &b) { b } else { a })
}

fn cursor_less(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64(), a.as_str(), b.as_str()) {
        (Some(x), Some(y), _, _) => x < y,
        (_, _, Some(x), Some(y)) => x < y,
        _ => false,
    }
}

/// One poll of any kind: `None` when the subsystem says nothing changed (304).
async fn fetch_batch(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &mut PollState,
) -> Result<Option<Batch>, SourceError> {
    let batch = match &source.kind {
        SourceKind::OgcFeatures(ogc) => ogc_features::fetch_all(client, source, ogc).await?,
        SourceKind::SensorThings(sta) => sensorthings::fetch_all(client, source, sta).await?,
        // Pushed, not polled: `mqtt::run` serves these sources.
        SourceKind::Mqtt(_) => return Ok(None),
        SourceKind::Geojson | SourceKind::JsonRecords(_) => {
            let Fetched::Body(body) = http::fetch(client, source, state).await? else {
                return Ok(None);
            };
            match &source.kind {
                SourceKind::JsonRecords(mapping) => json_records::parse(&body, mapping)?,
                _ => geojson::parse(&body)?,
            }
        }
    };
    // Everything inside is WGS84: convert from the system the source declared.
    Ok(Some(batch.into_wgs84(source.crs)))
}

/// Spreads retries of many failing sources so they do not hit a recovering subsystem at once:
/// a factor in [0.8, 1.2) from a per-source xorshift sequence.
struct Jitter(u64);

impl Jitter {
    fn new(seed: &str) -> Self {
        let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
        for b in seed.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x1000_0000_01B3);
        }
        Jitter(h | 1)
    }

    fn factor(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        0.8 + 0.4 * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
}
