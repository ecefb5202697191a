//! RTSP cameras through the engine's stream hub: the sim's own RTSP server in H.264 and MJPEG,
//! sub- and main stream; and, for interop with code we did not write, GStreamer's RTSP server
//! (Debian gir1.2-gst-rtsp-server-1.0) sending x264's I and P frames and jpegenc's RFC 2435
//! JPEG, behind a password.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use citywall_e2e::{free_port, wait_for};
use citywall_engine::video::{Credentials, Hub, Live, StreamState};
use tokio::sync::watch;

/// The width and height a JPEG's frame header declares.
fn jpeg_size(jpeg: &[u8]) -> Option<(u16, u16)> {
    let at = jpeg.windows(2).position(|w| w == [0xFF, 0xC0])?;
    let h = u16::from_be_bytes([*jpeg.get(at + 5)?, *jpeg.get(at + 6)?]);
    let w = u16::from_be_bytes([*jpeg.get(at + 7)?, *jpeg.get(at + 8)?]);
    Some((w, h))
}

/// Waits until the stream is live, then measures its frame rate over `span`; the last frame.
async fn play(what: &str, rx: &watch::Receiver<Live>, span: Duration) -> (f64, Vec<u8>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let live = rx.borrow().clone();
        if live.state == StreamState::Live && live.frame.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not play within 15 s: {:?} {:?}",
            live.state,
            live.error
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = rx.borrow().frame.as_ref().map_or(0, |f| f.seq);
    let start = Instant::now();
    tokio::time::sleep(span).await;
    let live = rx.borrow().clone();
    let frame = live.frame.expect("a frame");
    let fps = (frame.seq - first) as f64 / start.elapsed().as_secs_f64();
    eprintln!("{what}: {fps:.1} fps, {} bytes a frame", frame.jpeg().len());
    assert_eq!(live.state, StreamState::Live, "{what}: {:?}", live.error);
    (fps, frame.jpeg().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sims_cameras_play_over_rtsp_in_h264_and_mjpeg() {
    let service = citywall_sim::video::serve(0, 0)
        .await
        .expect("the sim's video");
    let base = format!("rtsp://{}/video", service.rtsp_addr);
    let hub = Hub::new();
    let streams = [
        ("CAM-1/sub.h264", 320u16, 180u16),
        ("CAM-2/sub.mjpeg", 320, 184),
        ("CAM-3/main.h264", 960, 540),
    ];
    let watched: Vec<_> = streams
        .iter()
        .map(|(path, _, _)| hub.watch(&format!("{base}/{path}"), None))
        .collect();
    for ((path, w, h), rx) in streams.iter().zip(&watched) {
        let (fps, jpeg) = play(path, rx, Duration::from_secs(3)).await;
        assert!(fps >= 10.0, "{path}: {fps:.1} fps");
        // RTP/JPEG sizes pictures in blocks of 8: 180 rows travel as 184.
        assert_eq!(jpeg_size(&jpeg), Some((*w, *h)), "{path}");
        // What a tile shows, to look at.
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-output");
        let name = path.replace('/', "-");
        let _ = std::fs::create_dir_all(&out);
        let _ = std::fs::write(out.join(format!("rtsp-{name}.jpg")), &jpeg);
    }
    assert_eq!(hub.streams(), 3);

    // A camera that is not there: offline with the server's answer, not a hang.
    let missing = hub.watch(&format!("{base}/CAM-4/side.h264"), None);
    wait_for("the 404 shown", Duration::from_secs(10), async || {
        let live = missing.borrow().clone();
        (live.state == StreamState::Offline).then_some(live.error)
    })
    .await;
    let error = missing.borrow().error.clone().unwrap_or_default();
    assert!(error.contains("404"), "{error}");

    // Nobody watches: every reader ends.
    drop(watched);
    drop(missing);
    wait_for("readers stopped", Duration::from_secs(5), async || {
        (hub.streams() == 0).then_some(())
    })
    .await;
    let _ = service.stop.send(());
}

/// A stream watched only by walls that decode H.264 themselves is not decoded in the engine;
/// when a wall that wants pictures comes, the decoder catches up from the GOP's key frame at
/// once instead of waiting for the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_h264_stream_is_decoded_only_while_someone_wants_its_pictures() {
    let service = citywall_sim::video::serve(0, 0)
        .await
        .expect("the sim's video");
    let hub = Hub::new();
    let rx = hub.watch(
        &format!("rtsp://{}/video/CAM-7/sub.h264", service.rtsp_addr),
        None,
    );
    let units_only = rx.borrow().unit_watchers.join();
    wait_for(
        "units and live frames",
        Duration::from_secs(15),
        async || {
            let live = rx.borrow().clone();
            (live.gop.is_some() && live.state == StreamState::Live).then_some(())
        },
    )
    .await;
    let first = rx.borrow().frame.as_ref().map_or(0, |f| f.seq);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let live = rx.borrow().clone();
    let frame = live.frame.expect("a frame");
    assert!(
        frame.seq >= first + 8,
        "frames still counted: {first} → {}",
        frame.seq
    );
    assert!(
        frame.picture.is_none(),
        "nothing decoded while only units are taken"
    );

    // A wall that wants pictures: the next frame already has one (the decoder caught up).
    drop(units_only);
    let asked = Instant::now();
    wait_for("a decoded picture", Duration::from_secs(5), async || {
        let frame = rx.borrow().frame.clone()?;
        frame.picture.is_some().then_some(())
    })
    .await;
    eprintln!(
        "a picture {} ms after a wall wanted one",
        asked.elapsed().as_millis()
    );
    assert!(
        asked.elapsed() < Duration::from_millis(1_000),
        "no picture until the next key frame: {:?}",
        asked.elapsed()
    );
    let _ = service.stop.send(());
}

/// GStreamer's RTSP server, stopped when the test ends.
struct GstServer(Child);

impl Drop for GstServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_rtsp_server_plays_in_h264_and_mjpeg_with_a_password() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/rtsp/gst_rtsp_server.py");
    let has_gst = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import gi; gi.require_version('GstRtspServer', '1.0')",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !has_gst {
        assert!(
            std::env::var("CITYWALL_REQUIRE_PEERS").map_or(true, |v| v != "1"),
            "GStreamer's RTSP server is not installed (Debian gir1.2-gst-rtsp-server-1.0, \
             gstreamer1.0-plugins-ugly, python3-gi): `make test` installs them"
        );
        eprintln!("skipping: GStreamer's RTSP server is not installed");
        return;
    }
    let port = free_port();
    let _server = GstServer(
        Command::new("/usr/bin/python3")
            .arg(&script)
            .args([&port.to_string(), "gst-s3cret"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs"),
    );
    wait_for(
        "GStreamer's RTSP server",
        Duration::from_secs(20),
        async || {
            std::net::TcpStream::connect(("127.0.0.1", port))
                .ok()
                .map(|_| ())
        },
    )
    .await;
    let hub = Hub::new();
    let url = |path: &str| format!("rtsp://127.0.0.1:{port}/{path}");
    let password = || {
        Some(Credentials {
            username: "duty".into(),
            password: "gst-s3cret".into(),
        })
    };
    let h264 = hub.watch(&url("h264"), password());
    let mjpeg = hub.watch(&url("mjpeg"), password());
    for (what, rx, size) in [
        ("x264 over RTSP", &h264, (320, 180)),
        ("jpegenc over RTSP", &mjpeg, (320, 184)),
    ] {
        let (fps, jpeg) = play(what, rx, Duration::from_secs(3)).await;
        assert!(fps >= 10.0, "{what}: {fps:.1} fps");
        assert_eq!(jpeg_size(&jpeg), Some(size), "{what}");
    }
    // x264's access units are kept for walls that decode H.264, named as WebCodecs names them.
    let codec = h264.borrow().gop.as_ref().map(|g| g.codec.clone());
    eprintln!("x264's units: {codec:?}");
    assert!(codec.is_some_and(|c| c.starts_with("avc1.") && c.len() == 11));
    assert!(mjpeg.borrow().gop.is_none(), "MJPEG has no units");

    // Without the password, or with a wrong one in the URL: the camera's refusal is shown,
    // and the password appears nowhere.
    for (what, url, credentials) in [
        // (Another spelling of the URL: the hub reads each URL once, whoever asks.)
        ("no password", format!("rtsp://localhost:{port}/h264"), None),
        (
            "a wrong password",
            format!("rtsp://duty:not-it@127.0.0.1:{port}/h264"),
            None,
        ),
    ] {
        let refused = hub.watch(&url, credentials);
        wait_for("the refusal shown", Duration::from_secs(10), async || {
            (refused.borrow().state == StreamState::Offline).then_some(())
        })
        .await;
        let error = refused.borrow().error.clone().unwrap_or_default();
        eprintln!("{what}: {error}");
        assert!(error.contains("401"), "{error}");
        assert!(
            !error.contains("not-it") && !error.contains('\n'),
            "{error}"
        );
    }
}
