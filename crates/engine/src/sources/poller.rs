//! One polling task per source: fetch over HTTP with the source's timeout, parse by kind, ingest,
//! record health; on failure retry with exponential backoff and jitter, capped by the source's
//! `max_backoff`, and recover by itself when the subsystem answers again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tracing::{info, warn};

use super::{geojson, json_records, Batch, SourceError};
use crate::config::{Auth, SourceConfig, SourceKind};
use crate::crs::Crs;
use crate::engine::{Engine, IngestMode};

/// What a source's task remembers between polls.
#[derive(Default)]
struct PollState {
    /// Validators of the last answer, for conditional GET.
    etag: Option<String>,
    last_modified: Option<String>,
    /// The incremental cursor: the largest `cursor_field` value seen so far.
    cursor: Option<serde_json::Value>,
}

/// What one fetch brought back.
enum Fetched {
    Body(Vec<u8>),
    /// 304 Not Modified: nothing changed since the last answer.
    NotModified,
}

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
        let outcome = match fetch(&client, &source, &mut state).await {
            Ok(Fetched::Body(body)) => parse(&source, &body).map(Some),
            Ok(Fetched::NotModified) => Ok(None),
            Err(e) => Err(e),
        };
        let latency = started.elapsed();
        match outcome {
            Ok(None) => {
                failures = 0;
                let count = engine
                    .health
                    .all()
                    .iter()
                    .find(|s| s.id == source.id)
                    .map(|s| s.count)
                    .unwrap_or(0);
                engine
                    .health
                    .record_success(&source.id, latency, 0, 0, count, None);
            }
            Ok(Some(batch)) => {
                let received = batch.records.len() + batch.rejected.len();
                let next_cursor = source
                    .cursor_field
                    .as_deref()
                    .and_then(|field| max_cursor(&batch, field));
                match engine.ingest(&source, batch, mode).await {
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

/// Parses by kind, then converts every record to WGS84 from the source's declared system.
fn parse(source: &SourceConfig, body: &[u8]) -> Result<Batch, SourceError> {
    let mut batch = match source.kind {
        SourceKind::Geojson => geojson::parse(body)?,
        SourceKind::JsonRecords => json_records::parse(body, &source.records)?,
    };
    if source.crs != Crs::Wgs84 {
        for r in &mut batch.records {
            (r.lon, r.lat) = source.crs.to_wgs84(r.lon, r.lat);
        }
    }
    Ok(batch)
}

async fn fetch(
    client: &reqwest::Client,
    source: &SourceConfig,
    state: &mut PollState,
) -> Result<Fetched, SourceError> {
    let url = &source.url;
    let mut request = client.get(url);
    if let (Some(param), Some(cursor)) = (&source.since_param, &state.cursor) {
        let value = cursor
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| cursor.to_string());
        request = request.query(&[(param.as_str(), value)]);
    }
    if let Some(etag) = &state.etag {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    if let Some(modified) = &state.last_modified {
        request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
    }
    request = authorize(request, source)?;
    let mut response = request.send().await.map_err(|e| classify(e, source))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        return Err(SourceError::Status {
            url: url.clone(),
            status: status.to_string(),
        });
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let (etag, last_modified) = (
        header(reqwest::header::ETAG),
        header(reqwest::header::LAST_MODIFIED),
    );
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
    // Remember the validators only once the whole answer arrived.
    state.etag = etag;
    state.last_modified = last_modified;
    Ok(Fetched::Body(body))
}

/// Adds the source's credentials, read from the environment now; the value never leaves this
/// request (reqwest marks these headers sensitive so they are not logged either).
fn authorize(
    request: reqwest::RequestBuilder,
    source: &SourceConfig,
) -> Result<reqwest::RequestBuilder, SourceError> {
    let var = |name: &str| {
        std::env::var(name).map_err(|_| SourceError::Credentials {
            variable: name.to_string(),
        })
    };
    Ok(match &source.auth {
        None => request,
        Some(Auth::Bearer { token_env }) => request.bearer_auth(var(token_env)?),
        Some(Auth::Basic {
            user_env,
            password_env,
        }) => request.basic_auth(var(user_env)?, Some(var(password_env)?)),
        Some(Auth::Header { name, value_env }) => {
            let mut value =
                reqwest::header::HeaderValue::from_str(&var(value_env)?).map_err(|_| {
                    SourceError::Credentials {
                        variable: value_env.clone(),
                    }
                })?;
            value.set_sensitive(true);
            request.header(name.as_str(), value)
        }
    })
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
