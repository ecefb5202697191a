//! Live camera streams: one reader per stream URL however many tiles and walls show it (MJPEG
//! over HTTP, [`super::mjpeg`]; RTSP in H.264 or MJPEG, [`super::rtsp`]), started
//! when the first watcher comes and stopped when the last goes. Each reader keeps only the
//! latest frame (a `watch` channel), so a slow watcher skips frames instead of falling behind.
//! A stream that sends no frame for [`STALL`] shows as offline with the reason, and is retried
//! with backoff until it returns.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

use super::gop::{codec_of, AccessUnit, Gop};

/// No frame for this long: the stream is offline.
pub const STALL: Duration = Duration::from_secs(3);
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A camera's user name and password, read from the environment when its stream starts.
#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// One frame as it arrived.
#[derive(Debug)]
pub struct Frame {
    /// As the camera sent it (MJPEG), or encoded from `picture` when a wall first asks for it:
    /// a mosaic client never needs it, and no frame is encoded twice.
    jpeg: OnceLock<Vec<u8>>,
    /// The decoded picture, where the reader decoded it anyway (H.264): a mosaic then paints
    /// it without decoding a JPEG.
    pub picture: Option<Arc<super::Picture>>,
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

/// JPEG quality of re-encoded pictures.
const JPEG_QUALITY: u8 = 70;

impl Frame {
    /// A frame that arrived as a JPEG.
    pub fn from_jpeg(jpeg: Vec<u8>, at: i64, seq: u64) -> Frame {
        Frame {
            jpeg: OnceLock::from(jpeg),
            picture: None,
            at,
            seq,
        }
    }

    /// A frame that arrived but was not decoded (nobody wanted its picture): it still counts
    /// for the stream's rate and says it is live.
    pub fn bare(at: i64, seq: u64) -> Frame {
        Frame {
            jpeg: OnceLock::new(),
            picture: None,
            at,
            seq,
        }
    }

    /// A frame the reader decoded.
    pub fn from_picture(picture: super::Picture, at: i64, seq: u64) -> Frame {
        Frame {
            jpeg: OnceLock::new(),
            picture: Some(Arc::new(picture)),
            at,
            seq,
        }
    }

    /// The frame as a JPEG (encoded on the first call where it came decoded: a few
    /// milliseconds, to be called off the async threads). A picture that cannot be encoded
    /// gives no bytes, and the wall skips it.
    pub fn jpeg(&self) -> &[u8] {
        self.jpeg.get_or_init(|| {
            self.picture
                .as_ref()
                .and_then(|p| p.jpeg(JPEG_QUALITY).ok())
                .unwrap_or_default()
        })
    }
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
    /// An H.264 stream's access units since its last key frame, as they came.
    pub gop: Option<Arc<Gop>>,
    /// The watchers that take the units, not the pictures.
    pub unit_watchers: UnitWatchers,
}

/// How many of a stream's watchers take its H.264 units and no pictures: when that is all of
/// them, the reader decodes nothing.
#[derive(Debug, Clone, Default)]
pub struct UnitWatchers(Arc<AtomicUsize>);

impl UnitWatchers {
    /// Counts one more watcher that takes units only, until the guard drops.
    pub fn join(&self) -> UnitWatcher {
        self.0.fetch_add(1, Ordering::Relaxed);
        UnitWatcher(self.0.clone())
    }

    fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// One watcher that takes a stream's units only (see [`UnitWatchers::join`]).
#[derive(Debug)]
pub struct UnitWatcher(Arc<AtomicUsize>);

impl Drop for UnitWatcher {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
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
    /// `credentials` sign in to the camera (HTTP basic or RTSP digest/basic).
    pub fn watch(&self, url: &str, credentials: Option<Credentials>) -> watch::Receiver<Live> {
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
            credentials,
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

/// Publishes a stream's frames to its watchers: counts them, measures the frame rate, and
/// notices when nobody watches any more.
pub(super) struct Publisher {
    url: String,
    tx: watch::Sender<Live>,
    streams: Weak<Mutex<Streams>>,
    seq: u64,
    arrivals: VecDeque<Instant>,
    /// GOPs started since the reader started.
    gops: u64,
    unit_watchers: UnitWatchers,
}

impl Publisher {
    /// An H.264 access unit as it came (Annex B, parameter sets before a key frame), for walls
    /// that decode H.264 themselves. Units before the first key frame with its parameter sets
    /// are dropped: no decoder could start from them.
    pub(super) fn unit(&mut self, unit: Arc<AccessUnit>) {
        let current = self.tx.borrow().gop.clone();
        let next = if unit.key {
            let codec = codec_of(&unit.data).or_else(|| current.as_ref().map(|g| g.codec.clone()));
            let Some(codec) = codec else { return };
            self.gops += 1;
            Gop::keyed(self.gops, current.map(|g| g.id()), codec, unit)
        } else {
            let Some(current) = current else { return };
            match current.push(unit) {
                Ok(()) => return,
                Err(unit) => {
                    self.gops += 1;
                    current.successor(self.gops, unit)
                }
            }
        };
        let next = Arc::new(next);
        self.tx.send_modify(|live| live.gop = Some(next));
    }

    /// A new frame arrived as a JPEG.
    pub(super) fn jpeg(&mut self, jpeg: Vec<u8>) {
        let (at, seq) = self.count();
        self.publish(Frame::from_jpeg(jpeg, at, seq));
    }

    /// A new frame arrived and was not decoded.
    pub(super) fn bare(&mut self) {
        let (at, seq) = self.count();
        self.publish(Frame::bare(at, seq));
    }

    /// Whether any watcher wants pictures (not only the H.264 units): else nothing is decoded.
    pub(super) fn wants_pictures(&self) -> bool {
        // The hub's own map holds one receiver.
        self.tx.receiver_count().saturating_sub(1) > self.unit_watchers.count()
    }

    /// The units a decoder that joins now decodes first: the current GOP from its key frame.
    pub(super) fn catch_up(&self) -> Option<Vec<Arc<AccessUnit>>> {
        self.tx.borrow().gop.as_ref()?.since_key_frame()
    }

    /// A new frame arrived and was decoded.
    pub(super) fn picture(&mut self, picture: super::Picture) {
        let (at, seq) = self.count();
        self.publish(Frame::from_picture(picture, at, seq));
    }

    /// Counts a new frame: its time and seq.
    fn count(&mut self) -> (i64, u64) {
        let now = Instant::now();
        self.seq += 1;
        self.arrivals.push_back(now);
        while self
            .arrivals
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(2))
        {
            self.arrivals.pop_front();
        }
        (crate::model::now_ms(), self.seq)
    }

    fn publish(&mut self, frame: Frame) {
        let frame = Arc::new(frame);
        let fps = self.arrivals.len() as f32 / 2.0;
        self.tx.send_modify(|live| {
            live.frame = Some(frame);
            live.state = StreamState::Live;
            live.fps = fps;
            live.error = None;
        });
    }

    /// Whether nobody watches: then the reader ends.
    pub(super) fn unwatched(&self) -> bool {
        unwatched(&self.streams, &self.url, &self.tx)
    }

    fn offline(&mut self, why: String) {
        self.arrivals.clear();
        self.tx.send_modify(|live| {
            live.state = StreamState::Offline;
            live.fps = 0.0;
            live.error = Some(why);
            live.gop = None;
        });
    }
}

/// Reads one stream until nobody watches it: each session runs until the stream breaks or
/// stalls, then the stream shows offline with the reason and is retried with backoff.
async fn read(
    client: reqwest::Client,
    url: String,
    credentials: Option<Credentials>,
    tx: watch::Sender<Live>,
    streams: Weak<Mutex<Streams>>,
) {
    let unit_watchers = tx.borrow().unit_watchers.clone();
    let mut backoff = Duration::from_millis(500);
    let mut publisher = Publisher {
        url: url.clone(),
        tx,
        streams,
        seq: 0,
        arrivals: VecDeque::new(),
        gops: 0,
        unit_watchers,
    };
    loop {
        if publisher.unwatched() {
            return;
        }
        let before = publisher.seq;
        let why = if url.starts_with("rtsp://") || url.starts_with("rtsps://") {
            super::rtsp::play(&url, credentials.as_ref(), &mut publisher).await
        } else {
            super::mjpeg::play(&client, &url, credentials.as_ref(), &mut publisher).await
        };
        let Some(why) = why else { return };
        if publisher.seq > before {
            backoff = Duration::from_millis(500);
        }
        publisher.offline(why);
        // Wait out the backoff, leaving early when nobody watches any more.
        let until = Instant::now() + backoff;
        while Instant::now() < until {
            if publisher.unwatched() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// A reqwest error without the URL it names: a camera URL may carry credentials, which never
/// go to the wall or the log.
pub(super) fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "the camera");
    }
    text
}
