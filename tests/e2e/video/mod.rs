//! Live video through the real path: the sim's video platform serves every camera as MJPEG over
//! HTTP; the engine reads each stream once and sends the frames of all a wall's tiles over one
//! WebSocket. Four tiles play; each stream is read once however many tiles show it; a stopped
//! platform shows as offline within seconds and the tiles recover by themselves when it returns.
//! The same tiles as one mosaic (a weak client's path); the cameras on the wall are known (for
//! the map) until the wall closes.

mod more;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use citywall_e2e::{serve_loopback, start_city_with, wait_for};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads the socket for `span`: frames counted per tile, and the last status of each tile.
async fn watch(socket: &mut Socket, span: Duration) -> (HashMap<u8, usize>, HashMap<u8, String>) {
    let mut frames = HashMap::new();
    let mut states = HashMap::new();
    let until = Instant::now() + span;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(
        until.saturating_duration_since(Instant::now()),
        socket.next(),
    )
    .await
    {
        match message {
            Message::Binary(bytes) => {
                // A tile's frame: 13 bytes of header; a mosaic (255): 21.
                let header = if bytes.first() == Some(&255) { 21 } else { 13 };
                assert!(
                    bytes.len() > header && bytes[header..].starts_with(&[0xFF, 0xD8]),
                    "a JPEG"
                );
                *frames.entry(bytes[0]).or_insert(0) += 1;
            }
            Message::Text(text) => {
                let status: serde_json::Value = serde_json::from_str(&text).expect("json");
                for t in status["tiles"].as_array().into_iter().flatten() {
                    let tile = t["tile"].as_u64().unwrap_or(99) as u8;
                    states.insert(tile, t["state"].as_str().unwrap_or("").to_string());
                }
            }
            _ => {}
        }
    }
    (frames, states)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiles_play_go_offline_with_their_stream_and_recover() {
    let mut p = a_video_wall_connected_to_the_city().await;
    four_tiles_two_of_one_camera_read_its_stream_once(&mut p).await;
    the_push_is_in_the_audit_log(&mut p).await;
    the_map_marks_the_cameras_on_the_wall_each_once(&mut p).await;
    the_same_tiles_come_as_one_mosaic_to_a_weak_client(&mut p).await;
    the_platform_stops_and_every_tile_says_offline(&mut p).await;
    it_returns_and_the_tiles_play_again(&mut p).await;
    the_wall_closes_and_the_readers_stop(p).await;
}

/// The sim city's cameras, a wall's video socket to it, the change feed, and the tiles asked.
struct Played {
    city: citywall_e2e::Running,
    cameras: Vec<String>,
    socket: Socket,
    feed: tokio::sync::broadcast::Receiver<std::sync::Arc<citywall_engine::feed::Delta>>,
    tiles: serde_json::Value,
}

async fn a_video_wall_connected_to_the_city() -> Played {
    let city = start_city_with("video", 60.0, 0.5, Some((200, 100))).await;
    let cameras: Vec<String> = wait_for("cameras ingested", Duration::from_secs(30), async || {
        let near = city.api.cameras_nearest(118.28, 33.96, 3).ok()?;
        (near.len() == 3).then(|| {
            near.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_string))
                .collect()
        })
    })
    .await;
    let addr = serve_loopback(citywall_server::router(city.api.clone(), None)).await;
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/video"))
        .await
        .expect("video socket");
    let feed = city.api.subscribe();
    // Four tiles, two of them the same camera: its stream is read once.
    let tiles = serde_json::json!({"type": "tiles", "reason": "operator", "tiles": [
        {"tile": 0, "camera": cameras[0]},
        {"tile": 1, "camera": cameras[1]},
        {"tile": 2, "camera": cameras[2]},
        {"tile": 3, "camera": cameras[0]},
        {"tile": 4, "camera": "no-such-camera"},
    ]});
    Played {
        city,
        cameras,
        socket,
        feed,
        tiles,
    }
}

async fn four_tiles_two_of_one_camera_read_its_stream_once(p: &mut Played) {
    let Played {
        city,
        socket,
        tiles,
        ..
    } = p;
    socket
        .send(Message::Text(tiles.to_string().into()))
        .await
        .expect("send tiles");
    let (_, states) = watch(socket, Duration::from_secs(2)).await;
    assert_eq!(states.get(&4).map(String::as_str), Some("unavailable"));
    let span = Duration::from_secs(5);
    let (frames, states) = watch(socket, span).await;
    for tile in 0..4u8 {
        let n = frames.get(&tile).copied().unwrap_or(0);
        let fps = n as f64 / span.as_secs_f64();
        eprintln!("tile {tile}: {n} frames in 5 s ({fps:.1} fps)");
        assert!(fps >= 8.0, "tile {tile} played {fps:.1} fps");
        assert_eq!(states.get(&tile).map(String::as_str), Some("live"));
    }
    assert_eq!(city.api.video_streams(), 3, "one reader per stream");
}

async fn the_push_is_in_the_audit_log(p: &mut Played) {
    let Played { city, cameras, .. } = p;
    // The push is in the audit log: who, which camera on which tile, why.
    let log = city.engine.store().audit(0, 1000).await.expect("audit");
    let push = log
        .iter()
        .find(|r| r.action == "video.push")
        .expect("the push is audited");
    assert_eq!(push.actor, "本机值班");
    assert!(push.target.starts_with(&cameras[0]), "{}", push.target);
    assert!(
        push.detail.contains("\"reason\":\"operator\""),
        "{}",
        push.detail
    );
}

async fn the_map_marks_the_cameras_on_the_wall_each_once(p: &mut Played) {
    let Played {
        city,
        cameras,
        feed,
        ..
    } = p;
    // The map can mark the cameras on the wall: each once, and the walls were told.
    let mut expected: Vec<String> = cameras.clone();
    expected.sort();
    let on_wall: Vec<String> = city
        .api
        .cameras_on_wall()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(on_wall, expected);
    let told = wait_for("an onwall delta", Duration::from_secs(5), async || {
        while let Ok(delta) = feed.try_recv() {
            if let citywall_engine::feed::Change::OnWall { cameras } = &delta.change {
                return Some(cameras.len());
            }
        }
        None
    })
    .await;
    assert_eq!(told, 3);
}

async fn the_same_tiles_come_as_one_mosaic_to_a_weak_client(p: &mut Played) {
    let Played {
        city,
        socket,
        tiles,
        ..
    } = p;
    // The same tiles as one mosaic, as a weak client asks: 255-tagged pictures of the grid's
    // size, each naming the tiles it painted anew; the same cameras are no new push.
    let pushes = |log: &[citywall_engine::store::audit::AuditRecord]| {
        log.iter().filter(|r| r.action == "video.push").count()
    };
    let before = pushes(&city.engine.store().audit(0, 1000).await.expect("audit"));
    let mut mosaic = tiles.clone();
    mosaic["mosaic"] = serde_json::json!({"width": 640, "height": 360, "rects": [
        [0, 0, 320, 180], [320, 0, 320, 180], [0, 180, 320, 180], [320, 180, 320, 180], [0, 0, 2, 2],
    ]});
    socket
        .send(Message::Text(mosaic.to_string().into()))
        .await
        .expect("send the mosaic");
    let started = Instant::now();
    let (mut painted, mut count, mut last) = (0u64, 0usize, Vec::new());
    while started.elapsed() < Duration::from_secs(3) {
        let Ok(Some(Ok(Message::Binary(bytes)))) =
            tokio::time::timeout(Duration::from_secs(1), socket.next()).await
        else {
            continue;
        };
        if bytes.first() == Some(&255) && bytes.len() > 21 {
            painted |= u64::from_be_bytes(bytes[13..21].try_into().expect("8 bytes"));
            count += 1;
            last = bytes[21..].to_vec();
        }
    }
    eprintln!("mosaic: {count} pictures in 3 s");
    assert!(count >= 24, "{count} mosaics in 3 s");
    assert_eq!(painted & 0b1111, 0b1111, "every live tile painted");
    let picture = citywall_engine::video::Picture::from_jpeg(&last).expect("the mosaic decodes");
    assert_eq!((picture.width, picture.height), (640, 360));
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-output");
    let _ = std::fs::create_dir_all(&out);
    std::fs::write(out.join("video-mosaic.jpg"), &last).expect("mosaic saved");
    let after = pushes(&city.engine.store().audit(0, 1000).await.expect("audit"));
    assert_eq!(before, after, "the same cameras again are no new push");
    socket
        .send(Message::Text(tiles.to_string().into()))
        .await
        .expect("back to tiles");
}

async fn the_platform_stops_and_every_tile_says_offline(p: &mut Played) {
    let Played { city, socket, .. } = p;
    // The video platform stops: every tile says offline within 3 s (the status comes each
    // second), and no frame arrives labelled live.
    city.sim.stop_video().await;
    let stopped = Instant::now();
    let offline = loop {
        let (_, states) = watch(socket, Duration::from_millis(500)).await;
        if (0..4u8).all(|t| states.get(&t).map(String::as_str) == Some("offline")) {
            break stopped.elapsed();
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(6),
            "still {states:?}"
        );
    };
    eprintln!(
        "offline shown {:.1} s after the platform stopped",
        offline.as_secs_f64()
    );
    assert!(
        offline <= Duration::from_millis(4_500),
        "offline after {offline:?}"
    );
}

async fn it_returns_and_the_tiles_play_again(p: &mut Played) {
    let Played { city, socket, .. } = p;
    // It returns on the same port: the tiles play again by themselves.
    city.sim.start_video(0).await.expect("video restarts");
    let restarted = Instant::now();
    loop {
        let (frames, states) = watch(socket, Duration::from_millis(500)).await;
        if (0..4u8).all(|t| states.get(&t).map(String::as_str) == Some("live")) && frames.len() >= 3
        {
            break;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(15),
            "not back: {states:?}"
        );
    }
    eprintln!(
        "live again {:.1} s after the platform returned",
        restarted.elapsed().as_secs_f64()
    );
}

async fn the_wall_closes_and_the_readers_stop(p: Played) {
    let Played { city, socket, .. } = p;
    // The wall closes: the readers stop when nobody watches, and no camera is on a wall.
    drop(socket);
    wait_for("readers stopped", Duration::from_secs(10), async || {
        (city.api.video_streams() == 0).then_some(())
    })
    .await;
    wait_for("nothing on the wall", Duration::from_secs(5), async || {
        city.api.cameras_on_wall().is_empty().then_some(())
    })
    .await;
    city.engine.shutdown();
}
