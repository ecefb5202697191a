//! The sim's video platform, as NVRs and encoders offer their channels: every camera over RTSP
//! in H.264 or MJPEG (`rtsp://…/video/{camera}/{sub|main}.{h264|mjpeg}`, [`rtsp`]) and as an
//! MJPEG stream over HTTP (`http://…/video/{camera}/{sub|main}.mjpeg`), or one picture a request
//! (`…/snapshot.jpg`). The sub-stream is
//! 320×180 for wall tiles, the main stream 960×540 for a maximised tile. The frames are
//! synthetic ([`picture`]): the camera's own tint, a sweeping bar and a clock, so a stale or
//! frozen picture is plain to see. Bounded in CPU: a frame is drawn and encoded only for a
//! connection that is watching, at 12 frames a second.

pub mod h264;
pub mod picture;
pub mod rtp;
pub mod rtsp;

pub use picture::FPS;

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

const BOUNDARY: &str = "citywallframe";

/// A running video service: dropping `stop` (or sending on it) ends it and its streams.
pub struct VideoService {
    /// HTTP (MJPEG).
    pub addr: SocketAddr,
    pub rtsp_addr: SocketAddr,
    pub stop: oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Serves the camera streams on loopback: HTTP on `port`, RTSP on `rtsp_port` (0: the OS
/// picks).
pub async fn serve(port: u16, rtsp_port: u16) -> std::io::Result<VideoService> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let rtsp_listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], rtsp_port))).await?;
    let rtsp_addr = rtsp_listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let (halt_tx, halt_rx) = tokio::sync::watch::channel(false);
    let app = Router::new().route(
        "/video/{camera}/{stream}",
        get(move |Path((camera, stream)): Path<(String, String)>| {
            let halt = halt_rx.clone();
            async move { mjpeg(camera, stream, halt) }
        }),
    );
    let rtsp = tokio::spawn(rtsp::serve(rtsp_listener, halt_tx.subscribe()));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
                // Streams never end by themselves: tell them to, so the port goes dark at once.
                let _ = halt_tx.send(true);
            })
            .await;
        let _ = rtsp.await;
    });
    Ok(VideoService {
        addr,
        rtsp_addr,
        stop,
        task,
    })
}

fn mjpeg(camera: String, stream: String, halt: tokio::sync::watch::Receiver<bool>) -> Response {
    let (width, height) = match stream.as_str() {
        "sub.mjpeg" => (320, 180),
        "main.mjpeg" => (960, 540),
        // One picture a request, as older cameras and many platforms offer.
        "snapshot.jpg" => {
            let n = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64 * FPS / 1000);
            let jpeg = picture::jpeg(&picture::rgb(320, 180, &camera, n), 320, 180);
            return (
                [
                    (header::CONTENT_TYPE, "image/jpeg"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                jpeg,
            )
                .into_response();
        }
        _ => {
            return (
                StatusCode::NOT_FOUND,
                "sub.mjpeg, main.mjpeg or snapshot.jpg",
            )
                .into_response()
        }
    };
    let camera = std::sync::Arc::new(camera);
    let frames = futures_util::stream::unfold(
        (
            tokio::time::interval(Duration::from_millis(1000 / FPS)),
            0u64,
            halt,
        ),
        move |(mut tick, n, mut halt)| {
            let camera = camera.clone();
            async move {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = halt.changed() => return None,
                }
                let jpeg = picture::jpeg(&picture::rgb(width, height, &camera, n), width, height);
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
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_jpegs_that_change_each_time() {
        let frame = |n| picture::jpeg(&picture::rgb(320, 180, "CAM-1", n), 320, 180);
        let (a, b) = (frame(0), frame(1));
        assert!(a.starts_with(&[0xFF, 0xD8]) && a.ends_with(&[0xFF, 0xD9]));
        assert_ne!(a, b);
        assert!(a.len() < 40_000, "{} bytes", a.len());
    }
}
