//! Live camera streams: one reader per stream URL however many tiles and walls show it, started
//! when the first watcher comes and stopped when the last goes. Each reader keeps only the
//! latest frame (a `watch` channel), so a slow watcher skips frames instead of falling behind.
//! A stream that sends no frame for [`STALL`] shows as offline with the reason, and is retried
//! with backoff until it returns.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

use super::mjpeg::MjpegReader;

/// No frame for this long: the stream is offline.
pub const STALL: Duration = Duration::from_secs(3);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// One frame as it arrived.
#[derive(Debug)]
pub struct Frame {
    pub jpeg: Vec<u8>,
    /// Unix milliseconds when it arrived.
    pub at: i64,
    /// Counts frames of this stream since the reader started.
    pub seq: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StreamState {
    #[default]
    Connecting,
    Live,
    Offline,
}

/// What a watcher sees of a stream.
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub frame: Option<Arc<Frame>>,
    pub state: StreamState,
    /// Frames a second over the last two seconds.
    pub fps: f32,
    /// Why it is offline.
    pub error: Option<String>,
}

#[derive(Default)]
struct Streams {
    by_url: HashMap<String, watch::Receiver<Live>>,
}

/// The streams being read.
pub struct Hub {
    client: reqwest::Client,
    streams: Arc<Mutex<Streams>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    pub fn new() -> Hub {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .unwrap_or_default();
        Hub {
            client,
            streams: Arc::new(Mutex::new(Streams::default())),
        }
    }

    /// Watches the stream at `url`, starting its reader if nobody watches it yet.
    pub fn watch(&self, url: &str) -> watch::Receiver<Live> {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rx) = streams.by_url.get(url) {
            // A reader that ended leaves a closed channel: start a fresh one.
            if rx.has_changed().is_ok() {
                return rx.clone();
            }
        }
        let (tx, rx) = watch::channel(Live::default());
        streams.by_url.insert(url.to_string(), rx.clone());
        tokio::spawn(read(
            self.client.clone(),
            url.to_string(),
            tx,
            Arc::downgrade(&self.streams),
        ));
        rx
    }

    /// How many streams are being read.
    pub fn streams(&self) -> usize {
        self.streams
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_url
            .len()
    }
}

/// Whether nobody but the hub's own map watches: then the reader leaves the map and ends.
fn unwatched(streams: &Weak<Mutex<Streams>>, url: &str, tx: &watch::Sender<Live>) -> bool {
    let Some(streams) = streams.upgrade() else {
        return true;
    };
    let mut streams = streams.lock().unwrap_or_else(|p| p.into_inner());
    if tx.receiver_count() <= 1 {
        streams.by_url.remove(url);
        true
    } else {
        false
    }
}

async fn read(
    client: reqwest::Client,
    url: String,
    tx: watch::Sender<Live>,
    streams: Weak<Mutex<Streams>>,
) {
    let mut backoff = Duration::from_millis(500);
    let mut seq = 0u64;
    let mut arrivals: VecDeque<Instant> = VecDeque::new();
    loop {
        if unwatched(&streams, &url, &tx) {
            return;
        }
        let why = match tokio::time::timeout(CONNECT_TIMEOUT, client.get(&url).send()).await {
            Err(_) => "no answer within 5 s".to_string(),
            Ok(Err(e)) => format!("cannot connect: {}", without_url(&e)),
            Ok(Ok(response)) if !response.status().is_success() => {
                format!("the camera answered {}", response.status())
            }
            Ok(Ok(mut response)) => {
                let mut reader = MjpegReader::default();
                let mut last_frame = Instant::now();
                loop {
                    let chunk = tokio::time::timeout(STALL, response.chunk()).await;
                    let bytes = match chunk {
                        Err(_) => break "no frame for 3 s".to_string(),
                        Ok(Err(e)) => break format!("the stream broke: {}", without_url(&e)),
                        Ok(Ok(None)) => break "the stream ended".to_string(),
                        Ok(Ok(Some(bytes))) => bytes,
                    };
                    let now = Instant::now();
                    for jpeg in reader.push(&bytes) {
                        seq += 1;
                        last_frame = now;
                        arrivals.push_back(now);
                        while arrivals
                            .front()
                            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(2))
                        {
                            arrivals.pop_front();
                        }
                        let frame = Arc::new(Frame {
                            jpeg,
                            at: crate::model::now_ms(),
                            seq,
                        });
                        let fps = arrivals.len() as f32 / 2.0;
                        tx.send_modify(|live| {
                            live.frame = Some(frame);
                            live.state = StreamState::Live;
                            live.fps = fps;
                            live.error = None;
                        });
                        backoff = Duration::from_millis(500);
                    }
                    if now.duration_since(last_frame) > STALL {
                        break "no frame for 3 s".to_string();
                    }
                    if unwatched(&streams, &url, &tx) {
                        return;
                    }
                }
            }
        };
        arrivals.clear();
        tx.send_modify(|live| {
            live.state = StreamState::Offline;
            live.fps = 0.0;
            live.error = Some(why);
        });
        // Wait out the backoff, leaving early when nobody watches any more.
        let until = Instant::now() + backoff;
        while Instant::now() < until {
            if unwatched(&streams, &url, &tx) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// A reqwest error without the URL it names: a camera URL may carry credentials, which never
/// go to the wall or the log.
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "the camera");
    }
    text
}
