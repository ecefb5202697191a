//! RTSP cameras (RFC 2326), read with `retina` (Moonfire NVR's client) over interleaved TCP,
//! which passes firewalls and never loses packets to a busy LAN. MJPEG (RFC 2435) frames go to
//! the wall as they are. H.264 is decoded here, once per stream however many walls watch it
//! (`openh264`), and each picture re-encoded as a JPEG when a wall first asks for it: every
//! client can take that path, including WebKitGTK, which cannot play H.264 without extra system
//! packages. The access units also go out as they came ([`super::gop`]), for walls that decode
//! H.264 themselves; while only such walls watch a stream, it is not decoded here at all.

use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use retina::client::{PlayOptions, Session, SessionOptions, SetupOptions, Transport};
use retina::codec::{CodecItem, FrameFormat};

use super::gop::AccessUnit;
use super::hub::{Credentials, Publisher, CONNECT_TIMEOUT, STALL};
use super::picture::{Picture, MAX_SIDE};

/// Consecutive H.264 access units that fail to decode before the stream counts as broken.
const MAX_DECODE_ERRORS: u32 = 48;

/// Plays an RTSP stream into `publisher` until it breaks or stalls (the reason), or nobody
/// watches (`None`).
pub(super) async fn play(
    url: &str,
    credentials: Option<&Credentials>,
    publisher: &mut Publisher,
) -> Option<String> {
    let mut parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(e) => return Some(format!("the stream URL is not a URL: {e}")),
    };
    // Credentials written into the URL sign in too, and never reach a message.
    let credentials = take_userinfo(&mut parsed).or_else(|| credentials.cloned());
    let secret = credentials.as_ref().map(|c| c.password.clone());
    let tell =
        |e: &dyn std::fmt::Display| redact(&e.to_string(), url, parsed.as_str(), secret.as_deref());
    let options = SessionOptions::default()
        .creds(credentials.map(|c| retina::client::Credentials {
            username: c.username,
            password: c.password,
        }))
        .user_agent("CityWall".into());

    let mut session =
        match tokio::time::timeout(CONNECT_TIMEOUT, Session::describe(parsed.clone(), options))
            .await
        {
            Err(_) => return Some("no answer within 5 s".into()),
            Ok(Err(e)) => return Some(format!("cannot open the stream: {}", tell(&e))),
            Ok(Ok(session)) => session,
        };
    let Some(video) = session.streams().iter().position(|s| s.media() == "video") else {
        return Some("the camera offers no video stream".into());
    };
    let encoding = session.streams()[video]
        .encoding_name()
        .to_ascii_lowercase();
    let mut decoder = match encoding.as_str() {
        "jpeg" => None,
        "h264" => match H264::new() {
            Ok(d) => Some(d),
            Err(e) => return Some(e),
        },
        other => {
            return Some(format!(
                "the camera sends {other}: set its stream to H.264 or MJPEG"
            ))
        }
    };
    let setup = SetupOptions::default()
        .transport(Transport::Tcp(Default::default()))
        .frame_format(FrameFormat::SIMPLE);
    match tokio::time::timeout(CONNECT_TIMEOUT, session.setup(video, setup)).await {
        Err(_) => return Some("no answer to SETUP within 5 s".into()),
        Ok(Err(e)) => return Some(format!("the camera refused SETUP: {}", tell(&e))),
        Ok(Ok(())) => {}
    }
    let playing =
        match tokio::time::timeout(CONNECT_TIMEOUT, session.play(PlayOptions::default())).await {
            Err(_) => return Some("no answer to PLAY within 5 s".into()),
            Ok(Err(e)) => return Some(format!("the camera refused PLAY: {}", tell(&e))),
            Ok(Ok(playing)) => playing,
        };
    let mut frames = match playing.demuxed() {
        Ok(frames) => frames,
        Err(e) => return Some(format!("cannot read the stream: {}", tell(&e))),
    };

    let mut last_frame = Instant::now();
    let mut started = false;
    // Whether the decoder has seen every unit since a key frame.
    let mut in_step = false;
    let mut errors = 0u32;
    loop {
        let item = match tokio::time::timeout(STALL, frames.next()).await {
            Err(_) => return Some("no frame for 3 s".into()),
            Ok(None) => return Some("the stream ended".into()),
            Ok(Some(Err(e))) => return Some(format!("the stream broke: {}", tell(&e))),
            Ok(Some(Ok(item))) => item,
        };
        if publisher.unwatched() {
            return None;
        }
        if last_frame.elapsed() > STALL {
            return Some("no frame for 3 s".into());
        }
        let CodecItem::VideoFrame(frame) = item else {
            continue;
        };
        let Some(mut h264) = decoder.take() else {
            last_frame = Instant::now();
            publisher.jpeg(frame.into_data());
            continue;
        };
        // A decoder starts at a key frame; until the first, there is nothing to show.
        started |= frame.is_random_access_point();
        if !started {
            decoder = Some(h264);
            continue;
        }
        let unit = Arc::new(AccessUnit {
            key: frame.is_random_access_point(),
            data: frame.into_data(),
            at: crate::model::now_ms(),
        });
        publisher.unit(unit.clone());
        // Nobody wants pictures (every wall decodes H.264 itself): nothing is decoded here, and
        // a decoder that joins later catches up from the GOP's key frame.
        if !publisher.wants_pictures() {
            in_step = false;
            last_frame = Instant::now();
            publisher.bare();
            decoder = Some(h264);
            continue;
        }
        let units = if in_step {
            vec![unit]
        } else if let Some(gop) = publisher.catch_up() {
            gop
        } else if unit.key {
            vec![unit]
        } else {
            // Out of step, and no key frame kept to start from: wait for the next one.
            last_frame = Instant::now();
            publisher.bare();
            decoder = Some(h264);
            continue;
        };
        in_step = true;
        let (h264, jpeg) = match tokio::task::spawn_blocking(move || {
            // The picture the last unit completes (the ones before only catch the decoder up).
            let mut last = Ok(None);
            for unit in &units {
                last = h264.decode(&unit.data);
            }
            (h264, last)
        })
        .await
        {
            Ok(done) => done,
            Err(_) => return Some("the H.264 decoder failed".into()),
        };
        decoder = Some(h264);
        match jpeg {
            Ok(Some(picture)) => {
                errors = 0;
                last_frame = Instant::now();
                publisher.picture(picture);
            }
            Ok(None) => {}
            Err(e) => {
                errors += 1;
                if errors >= MAX_DECODE_ERRORS {
                    return Some(format!("the camera's H.264 cannot be decoded: {e}"));
                }
            }
        }
    }
}

/// The user name and password written into `url` (percent-decoded), taken out of it.
fn take_userinfo(url: &mut url::Url) -> Option<Credentials> {
    if url.username().is_empty() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let credentials = Credentials {
        username: decode(url.username()),
        password: decode(url.password().unwrap_or_default()),
    };
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Some(credentials)
}

/// An H.264 decoder that hands out each picture.
struct H264 {
    decoder: openh264::decoder::Decoder,
}

impl H264 {
    fn new() -> Result<H264, String> {
        let decoder = openh264::decoder::Decoder::new()
            .map_err(|e| format!("cannot start the H.264 decoder: {e}"))?;
        Ok(H264 { decoder })
    }

    /// Decodes one access unit (Annex B); the picture it completes.
    fn decode(&mut self, annex_b: &[u8]) -> Result<Option<Picture>, String> {
        use openh264::formats::YUVSource;
        let Some(decoded) = self.decoder.decode(annex_b).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let (width, height) = decoded.dimensions();
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(format!("a {width}×{height} picture is not shown"));
        }
        let picture = Picture::from_video_range(
            (decoded.y(), decoded.u(), decoded.v()),
            decoded.strides(),
            width,
            height,
        );
        Ok(Some(picture))
    }
}

/// A message's first line (retina adds the connection's details) without the stream's URL or
/// password: they never go to the wall or the log.
fn redact(message: &str, url: &str, bare_url: &str, password: Option<&str>) -> String {
    let first = message.lines().next().unwrap_or_default();
    let mut text = first
        .replace(url, "the camera")
        .replace(bare_url, "the camera");
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        text = text.replace(p, "***");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_are_decoded_and_taken_out() {
        let mut url = url::Url::parse("rtsp://duty:a+b%40c@cam/1").unwrap();
        let c = take_userinfo(&mut url).expect("credentials");
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("duty", "a+b@c")
        );
        assert_eq!(url.as_str(), "rtsp://cam/1");
        assert!(take_userinfo(&mut url).is_none());
    }

    #[test]
    fn messages_never_carry_the_url_or_the_password() {
        let m = redact(
            "401 from rtsp://admin:s3cret@cam/1 (s3cret)\n\nconn: 127.0.0.1:1->127.0.0.1:554",
            "rtsp://admin:s3cret@cam/1",
            "rtsp://cam/1",
            Some("s3cret"),
        );
        assert_eq!(m, "401 from the camera (***)");
    }
}
