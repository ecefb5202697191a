//! The `mqtt` source kind: push, not poll. A task per source subscribes to its topics on the
//! broker and lands what arrives in small batches (every 200 ms), upserting — a message says
//! what changed, never what was removed. Each message is a GeoJSON Feature or a flat record
//! mapped by `fields`. Broker outages show as `failing` with the reason; the client reconnects
//! and resubscribes by itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::Value;
use tokio::sync::watch;
use tracing::warn;

use super::sink::{Attempt, IngestMode, Sink};
use super::{excerpt, geojson, json_records, sanitize_json, Batch, Rejected};
use crate::spec::{broker, Auth, RecordMapping, SourceConfig, SourceKind};

/// One message's payload as a record, or why not.
pub fn parse_message(payload: &[u8], source: &SourceConfig, index: usize) -> Batch {
    let mut batch = Batch::default();
    let (text, lossy) = sanitize_json(payload);
    let reject = |reason: String, excerpt: String| Rejected {
        index,
        reason,
        excerpt,
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let shown: String = text.chars().take(200).collect();
            batch
                .rejected
                .push(reject(format!("the message is not valid JSON: {e}"), shown));
            return batch;
        }
    };
    if lossy {
        batch.rejected.push(reject(
            "the message holds bytes that are not valid UTF-8".into(),
            excerpt(&value),
        ));
        return batch;
    }
    let record = if value.get("type").and_then(Value::as_str) == Some("Feature") {
        geojson::parse_feature(&value)
    } else {
        match source.kind.records() {
            Some(mapping) => json_records::map_record(&value, mapping),
            None => json_records::map_record(&value, &RecordMapping::default()),
        }
    };
    match record {
        Ok(r) => batch.records.push(r),
        Err(reason) => batch.rejected.push(reject(reason, excerpt(&value))),
    }
    batch
}

pub async fn run<S: Sink>(sink: Arc<S>, source: SourceConfig, mut shutdown: watch::Receiver<bool>) {
    let Some((host, port)) = broker(&source.url) else {
        sink.attempted(
            &source.id,
            Attempt::Failed {
                latency: Duration::ZERO,
                error: format!("`{}` is not an mqtt://host:port URL", source.url),
            },
        );
        return;
    };
    let mut options = MqttOptions::new(
        format!("citywall-{}-{}", source.id, std::process::id()),
        host,
        port,
    );
    options.set_keep_alive(Duration::from_secs(5));
    options.set_clean_session(true);
    if let Some(Auth::Basic {
        user_env,
        password_env,
    }) = &source.auth
    {
        match (
            crate::secrets::read_env(user_env),
            crate::secrets::read_env(password_env),
        ) {
            (Ok(user), Ok(password)) => {
                options.set_credentials(user, password);
            }
            _ => {
                sink.attempted(&source.id, Attempt::Failed { latency: Duration::ZERO, error: format!("the credential variables `{user_env}` / `{password_env}` named in the config are not set") });
                return;
            }
        }
    }
    let (client, mut eventloop) = AsyncClient::new(options, 256);
    let mut pending: Vec<Batch> = Vec::new();
    let mut received = 0usize;
    let mut flush = tokio::time::interval(Duration::from_millis(200));
    let mut failures: u32 = 0;
    loop {
        tokio::select! {
            event = eventloop.poll() => match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    for topic in topics(&source) {
                        if let Err(e) = client.subscribe(topic.clone(), QoS::AtLeastOnce).await {
                            warn!(source = %source.id, error = %crate::secrets::redact(&e.to_string()), "subscribe failed");
                        }
                    }
                    failures = 0;
                    sink.attempted(&source.id, Attempt::Alive { latency: Duration::ZERO });
                }
                Ok(Event::Incoming(Packet::Publish(message))) => {
                    pending.push(parse_message(&message.payload, &source, received));
                    received += 1;
                }
                Ok(_) => {}
                Err(e) => {
                    failures += 1;
                    sink.attempted(&source.id, Attempt::Failed { latency: Duration::ZERO, error: format!("MQTT broker {}: {e}", source.url) });
                    let wait = (source.interval.as_secs_f64() * 2f64.powi(failures.min(8) as i32 - 1)).min(source.max_backoff.as_secs_f64());
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs_f64(wait.max(0.2))) => {}
                        _ = shutdown.changed() => return,
                    }
                }
            },
            _ = flush.tick() => {
                if pending.is_empty() {
                    continue;
                }
                let started = Instant::now();
                let mut batch = Batch::default();
                for b in pending.drain(..) {
                    batch.records.extend(b.records);
                    batch.rejected.extend(b.rejected);
                }
                let batch = batch.into_wgs84(source.crs);
                let messages = batch.records.len() + batch.rejected.len();
                match sink.ingest(&source, batch, IngestMode::Upsert).await {
                    Ok(report) => sink.attempted(&source.id, Attempt::Delivered { latency: started.elapsed(), received: messages, report: &report }),
                    Err(e) => sink.attempted(&source.id, Attempt::Failed { latency: started.elapsed(), error: format!("storing the messages failed: {e}") }),
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// The topic filters an mqtt source subscribes to (none for any other kind).
fn topics(source: &SourceConfig) -> &[String] {
    match &source.kind {
        SourceKind::Mqtt(options) => &options.topics,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::SourceKind;

    #[test]
    fn broker_urls_and_messages_parse() {
        assert_eq!(
            broker("mqtt://127.0.0.1:1884"),
            Some(("127.0.0.1".into(), 1884))
        );
        assert_eq!(broker("mqtt://broker"), Some(("broker".into(), 1883)));
        assert_eq!(broker("http://x"), None);
        let mut options = crate::spec::MqttOptions::default();
        options.records.fields = [("id", "gauge"), ("lon", "lng"), ("lat", "lat")]
            .into_iter()
            .map(|(a, b)| (a.into(), b.into()))
            .collect();
        let source = SourceConfig::new("m", "flood", SourceKind::Mqtt(options), "mqtt://127.0.0.1");
        let ok = parse_message(
            br#"{"gauge":"g1","lng":118.2,"lat":33.9,"level_m":0.3}"#,
            &source,
            0,
        );
        assert_eq!(ok.records[0].properties["level_m"], 0.3);
        let bad = parse_message(b"level=0.3", &source, 1);
        assert!(bad.rejected[0].reason.contains("not valid JSON"));
    }
}
