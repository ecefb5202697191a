//! The sim's video platform: every camera as an MJPEG stream over HTTP, as many NVRs and
//! encoders offer one — `/video/{camera}/sub.mjpeg` (320×180, for wall tiles) and
//! `/video/{camera}/main.mjpeg` (960×540, for a maximised tile). The frames are synthetic: the
//! camera's own tint, a sweeping bar and a clock, so a stale or frozen picture is plain to see.
//! Bounded in CPU: a frame is drawn and encoded only for a connection that is watching, at 12
//! frames a second.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Frames a second each stream sends.
pub const FPS: u64 = 12;

const BOUNDARY: &str = "citywallframe";

/// A running video service: dropping `stop` (or sending on it) ends it and its streams.
pub struct VideoService {
    pub addr: SocketAddr,
    pub stop: oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Serves the camera streams on loopback `port` (0: the OS picks).
pub async fn serve(port: u16) -> std::io::Result<VideoService> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let (halt_tx, halt_rx) = tokio::sync::watch::channel(false);
    let app = Router::new().route(
        "/video/{camera}/{stream}",
        get(move |Path((camera, stream)): Path<(String, String)>| {
            let halt = halt_rx.clone();
            async move { mjpeg(camera, stream, halt) }
        }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
                // Streams never end by themselves: tell them to, so the port goes dark at once.
                let _ = halt_tx.send(true);
            })
            .await;
    });
    Ok(VideoService { addr, stop, task })
}

fn mjpeg(camera: String, stream: String, halt: tokio::sync::watch::Receiver<bool>) -> Response {
    let (width, height) = match stream.as_str() {
        "sub.mjpeg" => (320, 180),
        "main.mjpeg" => (960, 540),
        _ => return (StatusCode::NOT_FOUND, "sub.mjpeg or main.mjpeg").into_response(),
    };
    let tint = tint(&camera);
    let frames = futures_util::stream::unfold(
        (
            tokio::time::interval(Duration::from_millis(1000 / FPS)),
            0u64,
            halt,
        ),
        move |(mut tick, n, mut halt)| async move {
            tokio::select! {
                _ = tick.tick() => {}
                _ = halt.changed() => return None,
            }
            let jpeg = frame(width, height, tint, n);
            let mut part = format!(
                "--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
                jpeg.len()
            )
            .into_bytes();
            part.extend_from_slice(&jpeg);
            part.extend_from_slice(b"\r\n");
            Some((
                Ok::<Bytes, std::io::Error>(Bytes::from(part)),
                (tick, n + 1, halt),
            ))
        },
    );
    (
        [
            (
                header::CONTENT_TYPE,
                format!("multipart/x-mixed-replace; boundary={BOUNDARY}"),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(frames),
    )
        .into_response()
}

/// A camera's colour, from its id: each tile of a wall looks its own.
fn tint(camera: &str) -> [u8; 3] {
    let h = camera
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    [
        40 + (h & 0x3f) as u8,
        60 + ((h >> 8) & 0x3f) as u8,
        80 + ((h >> 16) & 0x3f) as u8,
    ]
}

/// Segments a–g of each digit, as a bit mask (a = 1, b = 2, … g = 64).
const DIGITS: [u8; 10] = [63, 6, 91, 79, 102, 109, 125, 7, 127, 111];

/// Frame `n` of a stream: a tinted street scene, a sweeping bar, the clock (UTC+8) and the
/// frame number, as a JPEG.
fn frame(width: usize, height: usize, tint: [u8; 3], n: u64) -> Vec<u8> {
    let mut rgb = vec![0u8; width * height * 3];
    let horizon = height * 3 / 5;
    let sweep = (n as usize * width / (FPS as usize * 4)) % width;
    for y in 0..height {
        for x in 0..width {
            let i = (y * width + x) * 3;
            let shade = if y < horizon {
                (y * 60 / horizon) as u8
            } else {
                70 + ((y - horizon) * 50 / (height - horizon)) as u8
            };
            let bar = x.abs_diff(sweep) < width / 40;
            for c in 0..3 {
                let base = tint[c] / 2 + shade;
                rgb[i + c] = if bar { base.saturating_add(90) } else { base };
            }
        }
    }
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    let clock = now.format("%H%M%S").to_string();
    let scale = height / 18;
    let mut x = scale;
    for (k, d) in clock.bytes().enumerate() {
        digit(&mut rgb, width, x, scale, scale, d - b'0');
        x += scale * 3 + if k % 2 == 1 { scale * 2 } else { scale / 2 };
    }
    let count = format!("{:04}", n % 10_000);
    let small = (scale / 2).max(2);
    let mut x = width - small * 4 * 4 - small;
    for d in count.bytes() {
        digit(&mut rgb, width, x, height - small * 6, small, d - b'0');
        x += small * 4;
    }
    let mut out = Vec::with_capacity(width * height / 8);
    let encoder = jpeg_encoder::Encoder::new(&mut out, 70);
    if encoder
        .encode(
            &rgb,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .is_err()
    {
        return Vec::new();
    }
    out
}

/// A seven-segment digit `d`, `s` pixels a stroke unit, its top-left at (`x`, `y`).
fn digit(rgb: &mut [u8], width: usize, x: usize, y: usize, s: usize, d: u8) {
    let mask = DIGITS[(d % 10) as usize];
    let t = (s / 3).max(1);
    // (x, y, w, h) of each segment, in stroke units of s: a, b, c, d, e, f, g.
    let segments = [
        (0, 0, 2 * s, t),
        (2 * s, 0, t, 2 * s),
        (2 * s, 2 * s, t, 2 * s),
        (0, 4 * s, 2 * s, t),
        (0, 2 * s, t, 2 * s),
        (0, 0, t, 2 * s),
        (0, 2 * s, 2 * s, t),
    ];
    for (bit, (sx, sy, w, h)) in segments.into_iter().enumerate() {
        if mask & (1 << bit) == 0 {
            continue;
        }
        for yy in y + sy..(y + sy + h).min(rgb.len() / 3 / width) {
            for xx in x + sx..(x + sx + w).min(width) {
                let i = (yy * width + xx) * 3;
                rgb[i..i + 3].copy_from_slice(&[235, 240, 250]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_jpegs_that_change_each_time() {
        let a = frame(320, 180, tint("CAM-1"), 0);
        let b = frame(320, 180, tint("CAM-1"), 1);
        assert!(a.starts_with(&[0xFF, 0xD8]) && a.ends_with(&[0xFF, 0xD9]));
        assert_ne!(a, b);
        assert!(a.len() < 40_000, "{} bytes", a.len());
    }
}
