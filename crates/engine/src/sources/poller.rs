//! One polling task per source: fetch over HTTP with the source's timeout, parse by kind, ingest,
//! record health; on failure retry with exponential backoff and jitter, capped by the source's
//! `max_backoff`, and recover by itself when the subsystem answers again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tracing::{info, warn};

use super::{geojson, Batch, SourceError};
use crate::config::{SourceConfig, SourceKind};
use crate::crs::Crs;
use crate::engine::Engine;

pub async fn run(engine: Arc<Engine>, source: SourceConfig, mut shutdown: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(source.timeout)
        .connect_timeout(source.timeout)
        .no_proxy()
        .user_agent(concat!("CityWall/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            engine.health.record_failure(
                &source.id,
                Duration::ZERO,
                format!("cannot create an HTTP client: {e}"),
            );
            engine.publish_health();
            return;
        }
    };
    let mut failures: u32 = 0;
    let mut jitter = Jitter::new(&source.id);
    loop {
        let started = Instant::now();
        let outcome = match fetch(&client, &source).await {
            Ok(body) => parse(&source, &body),
            Err(e) => Err(e),
        };
        let latency = started.elapsed();
        match outcome {
            Ok(batch) => {
                let received = batch.records.len() + batch.rejected.len();
                match engine.ingest(&source, batch).await {
                    Ok(report) => {
                        if failures > 0 {
                            info!(source = %source.id, "source recovered");
                        }
                        failures = 0;
                        engine.health.record_success(
                            &source.id,
                            latency,
                            received,
                            report.rejected,
                            report.count,
                            report.first_rejection.as_deref(),
                        );
                    }
                    Err(e) => {
                        failures += 1;
                        engine.health.record_failure(
                            &source.id,
                            latency,
                            format!("storing the batch failed: {e}"),
                        );
                    }
                }
            }
            Err(e) => {
                failures += 1;
                warn!(source = %source.id, error = %e, "poll failed");
                engine
                    .health
                    .record_failure(&source.id, latency, e.to_string());
            }
        }
        engine.publish_health();

        let wait = if failures == 0 {
            source.interval
        } else {
            let doubled = source.interval.as_secs_f64()
                * 2f64.powi(failures.saturating_sub(1).min(16) as i32);
            let capped = doubled.min(source.max_backoff.as_secs_f64()).max(
                source
                    .interval
                    .as_secs_f64()
                    .min(source.max_backoff.as_secs_f64()),
            );
            Duration::from_secs_f64(capped * jitter.factor())
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

/// Parses by kind, then converts every record to WGS84 from the source's declared system.
fn parse(source: &SourceConfig, body: &[u8]) -> Result<Batch, SourceError> {
    let mut batch = match source.kind {
        SourceKind::Geojson => geojson::parse(body)?,
    };
    if source.crs != Crs::Wgs84 {
        for r in &mut batch.records {
            (r.lon, r.lat) = source.crs.to_wgs84(r.lon, r.lat);
        }
    }
    Ok(batch)
}

async fn fetch(client: &reqwest::Client, source: &SourceConfig) -> Result<Vec<u8>, SourceError> {
    let url = &source.url;
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|e| classify(e, source))?;
    let status = response.status();
    if !status.is_success() {
        return Err(SourceError::Status {
            url: url.clone(),
            status: status.to_string(),
        });
    }
    let cap = source.max_body_bytes;
    if response.content_length().is_some_and(|n| n > cap) {
        return Err(SourceError::TooLarge {
            url: url.clone(),
            cap,
        });
    }
    // Read chunk by chunk so an oversized or decompression-bomb answer stops at the cap.
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| classify(e, source))? {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(SourceError::TooLarge {
                url: url.clone(),
                cap,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn classify(e: reqwest::Error, source: &SourceConfig) -> SourceError {
    let url = source.url.clone();
    let reason = root_cause(&e);
    if e.is_timeout() {
        SourceError::Timeout {
            url,
            seconds: source.timeout.as_secs_f64(),
        }
    } else if e.is_connect() {
        SourceError::Connect { url, reason }
    } else if e.is_redirect() || reason.contains("redirect") {
        // reqwest does not always flag a redirect loop as a redirect error; its message does.
        SourceError::Redirect { url, reason }
    } else {
        SourceError::Body { url, reason }
    }
}

/// The innermost error message: "Connection refused (os error 111)" rather than reqwest's
/// "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
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
