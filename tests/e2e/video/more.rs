//! Video beyond the first wall: a snapshot URL as a slow stream, H.264 access units in order,
//! layouts and tours that survive a restart.

use super::*;

/// A camera that offers only a snapshot URL (one JPEG a request) plays too: asked again four
/// times a second, live, its pictures the camera's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_url_plays_as_a_slow_stream() {
    let service = citywall_sim::video::serve(0, 0)
        .await
        .expect("the sim's video");
    let hub = citywall_engine::video::Hub::new();
    let rx = hub.watch(
        &format!("http://{}/video/CAM-9/snapshot.jpg", service.addr),
        None,
    );
    wait_for("the snapshot live", Duration::from_secs(10), async || {
        let live = rx.borrow().clone();
        (live.state == citywall_engine::video::StreamState::Live).then_some(())
    })
    .await;
    let first = rx.borrow().frame.as_ref().map_or(0, |f| f.seq);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let live = rx.borrow().clone();
    let frame = live.frame.expect("a picture");
    let pictures = frame.seq - first;
    eprintln!(
        "snapshot URL: {pictures} pictures in 3 s, {:.1} fps",
        live.fps
    );
    // Four a second; a loaded machine may ask less often, never more.
    assert!((6..=14).contains(&pictures), "{pictures} pictures in 3 s");
    let picture = citywall_engine::video::Picture::from_jpeg(frame.jpeg()).expect("a JPEG");
    assert_eq!((picture.width, picture.height), (320, 180));
    let _ = service.stop.send(());
}

/// A wall that decodes H.264 itself (Chromium's WebCodecs) gets an H.264 camera's access units
/// as they came: each tile from a key frame with its parameter sets, every unit in order (each
/// decodes, here with openh264), at the camera's rate; an MJPEG camera's tile still gets JPEGs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_h264_wall_gets_every_access_unit_in_order_from_a_key_frame() {
    let city = start_city_with("video-h264", 60.0, 0.5, Some((200, 100))).await;
    let by_codec: HashMap<String, Vec<String>> =
        wait_for("cameras ingested", Duration::from_secs(30), async || {
            let near = city.api.cameras_nearest(118.28, 33.96, 16).ok()?;
            let mut by_codec: HashMap<String, Vec<String>> = HashMap::new();
            for c in &near {
                let codec = c["properties"]["codec"].as_str().unwrap_or("").to_string();
                let id = c["id"].as_str().unwrap_or("").to_string();
                by_codec.entry(codec).or_default().push(id);
            }
            let enough = by_codec.get("h264").is_some_and(|c| c.len() >= 2)
                && by_codec.get("mjpeg").is_some_and(|c| !c.is_empty());
            enough.then_some(by_codec)
        })
        .await;
    let (h264, mjpeg) = (&by_codec["h264"], &by_codec["mjpeg"]);
    let addr = serve_loopback(citywall_server::router(city.api.clone(), None)).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/video"))
        .await
        .expect("video socket");
    let tiles = serde_json::json!({"type": "tiles", "reason": "operator", "h264": true, "tiles": [
        {"tile": 0, "camera": h264[0]},
        {"tile": 1, "camera": h264[1]},
        {"tile": 2, "camera": mjpeg[0]},
    ]});
    socket
        .send(Message::Text(tiles.to_string().into()))
        .await
        .expect("send tiles");
    // Until each H.264 tile's first unit, then 5 s of units.
    let mut units: HashMap<u8, Vec<(bool, String, Vec<u8>)>> = HashMap::new();
    let mut jpegs: HashMap<u8, usize> = HashMap::new();
    let mut playing_since: Option<Instant> = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while playing_since.is_none_or(|at| at.elapsed() < Duration::from_secs(5)) {
        assert!(
            Instant::now() < deadline,
            "no units within 30 s: {:?}",
            units.keys()
        );
        let Ok(Some(Ok(message))) =
            tokio::time::timeout(Duration::from_secs(1), socket.next()).await
        else {
            continue;
        };
        let Message::Binary(bytes) = message else {
            continue;
        };
        if bytes[0] & 0x80 != 0 && bytes[0] != 255 {
            let codec_len = usize::from(bytes[10]);
            let codec = String::from_utf8_lossy(&bytes[11..11 + codec_len]).into_owned();
            let data = bytes[11 + codec_len..].to_vec();
            units
                .entry(bytes[0] & 0x7f)
                .or_default()
                .push((bytes[9] == 1, codec, data));
            if units.len() == 2 && playing_since.is_none() {
                playing_since = Some(Instant::now());
            }
        } else {
            assert!(bytes[13..].starts_with(&[0xFF, 0xD8]), "a JPEG");
            *jpegs.entry(bytes[0]).or_insert(0) += 1;
        }
    }
    assert!(
        jpegs.get(&2).is_some_and(|&n| n >= 20),
        "the MJPEG tile: {jpegs:?}"
    );
    assert!(
        !jpegs.contains_key(&0) && !jpegs.contains_key(&1),
        "{jpegs:?}"
    );
    for tile in [0u8, 1] {
        let tile_units = &units[&tile];
        let (key, codec, _) = &tile_units[0];
        assert!(*key, "tile {tile} starts at a key frame");
        assert!(codec.starts_with("avc1.42"), "tile {tile}: {codec}");
        let mut decoder = openh264::decoder::Decoder::new().expect("openh264");
        let mut pictures = 0;
        for (n, (_, _, data)) in tile_units.iter().enumerate() {
            match decoder.decode(data) {
                Ok(Some(_)) => pictures += 1,
                Ok(None) => {}
                Err(e) => panic!(
                    "tile {tile}: unit {n} of {} does not decode: {e}",
                    tile_units.len()
                ),
            }
        }
        let keys = tile_units.iter().filter(|u| u.0).count();
        eprintln!(
            "tile {tile}: {} units ({keys} key frames, {codec}), {pictures} pictures",
            tile_units.len()
        );
        assert!(
            pictures >= 40,
            "tile {tile}: {pictures} pictures in about 5 s"
        );
    }
    city.engine.shutdown();
}

/// Layouts (预案) and tours are kept in the store: saved by a duty officer, refused to a kiosk,
/// a tour only over saved layouts, and all of it there again after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layouts_and_tours_survive_a_restart() {
    use citywall_engine::access::{Principal, Role};
    use citywall_engine::api::VideoLayout;
    use citywall_engine::{Api, Config};

    let dir = citywall_e2e::scratch_dir("video-layouts");
    let config =
        || Config::parse("[store]\npath = \"wall.db\"\n", "wall.toml", &dir).expect("config");
    let duty = Principal {
        name: "值班员 张伟".into(),
        role: Role::Duty,
        via: "session",
        centre: None,
    };
    let kiosk = Principal {
        name: "大屏".into(),
        role: Role::Wall,
        via: "token",
        centre: None,
    };
    let layout = |name: &str, cameras: &[&str], tour: &[&str], dwell_s: Option<u32>| VideoLayout {
        name: name.into(),
        split: 4,
        cameras: cameras.iter().map(|c| c.to_string()).collect(),
        tour: tour.iter().map(|c| c.to_string()).collect(),
        dwell_s,
        spans: Vec::new(),
        groups: Vec::new(),
    };
    let engine = citywall_e2e::start_engine(config()).await.expect("engine");
    let api = Api::new(engine.clone());
    api.save_video_layout(&duty, layout("黄河路", &["c1", "c2"], &[], None))
        .await
        .expect("a layout");
    api.save_video_layout(&duty, layout("解放路", &["c3"], &[], None))
        .await
        .expect("a second layout");
    api.save_video_layout(&duty, layout("巡检", &[], &["黄河路", "解放路"], Some(20)))
        .await
        .expect("a tour");
    let refused = api
        .save_video_layout(&duty, layout("坏", &[], &["没有"], Some(20)))
        .await
        .expect_err("a tour over an unknown layout");
    assert!(refused.to_string().contains("没有"), "{refused}");
    assert!(api
        .save_video_layout(&kiosk, layout("大屏的", &["c1"], &[], None))
        .await
        .is_err());
    assert!(api
        .save_video_layout(&duty, layout("太多", &["a", "b", "c", "d", "e"], &[], None))
        .await
        .is_err());
    // Custom spans: a 9-split whose first tile covers 2×2 cells holds six cameras.
    let spanned = VideoLayout {
        split: 9,
        spans: vec![0],
        ..layout("大屏合并", &["c1", "c2", "c3", "c4", "c5", "c6"], &[], None)
    };
    api.save_video_layout(&duty, spanned.clone())
        .await
        .expect("a layout with a span");
    let too_many = api
        .save_video_layout(
            &duty,
            VideoLayout {
                spans: vec![0, 1],
                ..spanned.clone()
            },
        )
        .await
        .expect_err("six cameras do not fit two spans of a 9-split");
    assert!(too_many.to_string().contains("spans"), "{too_many}");
    // A tile group tours its own cameras: tiles 2 and 3 step through six, 10 s each.
    let touring = VideoLayout {
        groups: vec![citywall_engine::api::TileGroup {
            tiles: vec![2, 3],
            cameras: ["g1", "g2", "g3", "g4", "g5", "g6"]
                .map(String::from)
                .to_vec(),
            dwell_s: 10,
        }],
        ..layout("分组轮巡", &["c1", "c2"], &[], None)
    };
    api.save_video_layout(&duty, touring.clone())
        .await
        .expect("a layout with a touring tile group");
    let outside = api
        .save_video_layout(
            &duty,
            VideoLayout {
                groups: vec![citywall_engine::api::TileGroup {
                    tiles: vec![3, 4],
                    ..touring.groups[0].clone()
                }],
                ..touring.clone()
            },
        )
        .await
        .expect_err("tile 4 is past a 4-split");
    assert!(outside.to_string().contains("tile group 1"), "{outside}");
    engine.shutdown();
    drop(api);
    drop(engine);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let engine = citywall_e2e::start_engine(config())
        .await
        .expect("engine again");
    let api = Api::new(engine.clone());
    let kept = api.video_layouts().await.expect("layouts");
    let names: Vec<&str> = kept.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["分组轮巡", "大屏合并", "巡检", "解放路", "黄河路"]);
    assert_eq!(kept[0].groups, touring.groups);
    assert_eq!((kept[1].split, kept[1].spans.as_slice()), (9, &[0u8][..]));
    let tour = &kept[2];
    assert_eq!((tour.tour.len(), tour.dwell_s), (2, Some(20)));
    assert_eq!(kept[4].cameras, ["c1", "c2"]);
    api.delete_video_layout(&duty, "解放路")
        .await
        .expect("delete");
    let log = engine.store().audit(0, 100).await.expect("audit");
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "video.layout.save")
            .count(),
        5
    );
    assert!(actions.contains(&"video.layout.delete"));
    engine.shutdown();
}
