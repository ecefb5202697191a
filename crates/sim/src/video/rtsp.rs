//! The sim's RTSP server (RFC 2326), as IP cameras and NVRs serve their channels:
//! `rtsp://…/video/{camera}/{sub|main}.{h264|mjpeg}`. RTP goes interleaved on the RTSP
//! connection (TCP), which is what NVR clients default to; a request for UDP is answered
//! 461 Unsupported Transport. Each session draws and encodes its own frames at [`FPS`], only
//! while it plays, so CPU follows the number of streams watched.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::h264::{Encoder, Yuv420};
use super::picture;
use super::rtp::Packetizer;
use super::FPS;

/// Accepts RTSP connections until `halt` turns true.
pub async fn serve(listener: TcpListener, mut halt: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = halt.changed() => return,
        };
        let halt = halt.clone();
        tokio::spawn(async move {
            let _ = connection(stream, halt).await;
        });
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Codec {
    H264,
    Jpeg,
}

/// What a URL asks for.
struct Channel {
    camera: String,
    width: usize,
    height: usize,
    codec: Codec,
}

fn channel(url: &str) -> Option<Channel> {
    let path = url.strip_prefix("rtsp://")?.split_once('/')?.1;
    let path = path.split('?').next()?;
    let mut parts = path.trim_end_matches('/').split('/');
    if parts.next()? != "video" {
        return None;
    }
    let camera = parts.next()?.to_string();
    let (stream, codec) = parts.next()?.split_once('.')?;
    // A SETUP names the track after the stream: …/sub.h264/trackID=0.
    if parts.next().is_some_and(|t| t != "trackID=0") {
        return None;
    }
    let (width, height) = match stream {
        "sub" => (320, 180),
        "main" => (960, 540),
        _ => return None,
    };
    let codec = match codec {
        "h264" => Codec::H264,
        "mjpeg" => Codec::Jpeg,
        _ => return None,
    };
    Some(Channel {
        camera,
        width,
        height,
        codec,
    })
}

/// One request: its method, URL and headers.
struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Takes one request off the front of `buf`, skipping interleaved RTCP the client sends;
/// `Ok(None)` until a whole one has arrived.
fn take_request(buf: &mut Vec<u8>) -> Result<Option<Request>, ()> {
    loop {
        if buf.first() == Some(&b'$') {
            if buf.len() < 4 {
                return Ok(None);
            }
            let len = 4 + u16::from_be_bytes([buf[2], buf[3]]) as usize;
            if buf.len() < len {
                return Ok(None);
            }
            buf.drain(..len);
            continue;
        }
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            return if buf.len() > 16 * 1024 {
                Err(())
            } else {
                Ok(None)
            };
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let method = first.next().unwrap_or_default().to_string();
        let url = first.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let body = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        if buf.len() < end + 4 + body {
            return Ok(None);
        }
        buf.drain(..end + 4 + body);
        return Ok(Some(Request {
            method,
            url,
            headers,
        }));
    }
}

fn response(request: &Request, status: &str, extra: &[(&str, String)], body: &str) -> Vec<u8> {
    let mut text = format!(
        "RTSP/1.0 {status}\r\nCSeq: {}\r\nServer: CityWall sim camera\r\n",
        request.header("CSeq").unwrap_or("0")
    );
    for (name, value) in extra {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes()
}

fn sdp(channel: &Channel) -> String {
    let media = match channel.codec {
        Codec::H264 => {
            let encoder = Encoder::new(channel.width, channel.height);
            format!(
                "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
                 a=fmtp:96 packetization-mode=1;profile-level-id=42C01F;sprop-parameter-sets={},{}\r\n",
                base64(&encoder.sps()),
                base64(&encoder.pps())
            )
        }
        Codec::Jpeg => "m=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\n".to_string(),
    };
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns={}\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n{media}\
         a=framerate:{FPS}\r\na=control:trackID=0\r\n",
        channel.camera
    )
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn connection(mut stream: TcpStream, mut halt: watch::Receiver<bool>) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    let mut playing: Option<(Channel, Packetizer)> = None;
    let mut setup: Option<(String, u8)> = None;
    let session = format!("{:08X}", rand_u32());
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / FPS));
    let mut encoder: Option<Encoder> = None;
    let mut n = 0u64;
    loop {
        while let Some(request) =
            take_request(&mut buf).map_err(|_| std::io::ErrorKind::InvalidData)?
        {
            let reply = answer(&request, &session, &mut setup, &mut playing);
            stream.write_all(&reply).await?;
            if request.method == "TEARDOWN" {
                return Ok(());
            }
        }
        tokio::select! {
            read = stream.read_buf(&mut buf) => {
                if read? == 0 {
                    return Ok(());
                }
            }
            _ = tick.tick(), if playing.is_some() => {
                let Some((channel, packetizer)) = playing.as_mut() else { continue };
                let rgb = picture::rgb(channel.width, channel.height, &channel.camera, n);
                let timestamp = (n * 90_000 / FPS) as u32;
                let mut out = Vec::new();
                match channel.codec {
                    Codec::H264 => {
                        let encoder = encoder.get_or_insert_with(|| Encoder::new(channel.width, channel.height));
                        let (slice, key) = encoder.encode(Yuv420::from_rgb(&rgb, channel.width, channel.height));
                        if key {
                            packetizer.h264(&mut out, timestamp, &[&encoder.sps(), &encoder.pps(), &slice]);
                        } else {
                            packetizer.h264(&mut out, timestamp, &[&slice]);
                        }
                    }
                    Codec::Jpeg => {
                        let jpeg = picture::jpeg(&rgb, channel.width, channel.height);
                        let _ = packetizer.jpeg(&mut out, timestamp, &jpeg);
                    }
                }
                n += 1;
                stream.write_all(&out).await?;
            }
            _ = halt.changed() => return Ok(()),
        }
    }
}

fn answer(
    request: &Request,
    session: &str,
    setup: &mut Option<(String, u8)>,
    playing: &mut Option<(Channel, Packetizer)>,
) -> Vec<u8> {
    let public = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER".to_string();
    match request.method.as_str() {
        "OPTIONS" | "GET_PARAMETER" => response(request, "200 OK", &[("Public", public)], ""),
        "TEARDOWN" => response(request, "200 OK", &[], ""),
        "DESCRIBE" => match channel(&request.url) {
            None => response(request, "404 Not Found", &[], ""),
            Some(channel) => {
                let base = format!("{}/", request.url.trim_end_matches('/'));
                response(
                    request,
                    "200 OK",
                    &[
                        ("Content-Type", "application/sdp".into()),
                        ("Content-Base", base),
                    ],
                    &sdp(&channel),
                )
            }
        },
        "SETUP" => {
            let transport = request.header("Transport").unwrap_or_default();
            if channel(&request.url).is_none() {
                return response(request, "404 Not Found", &[], "");
            }
            if !transport.contains("RTP/AVP/TCP") {
                return response(request, "461 Unsupported Transport", &[], "");
            }
            let rtp_channel = transport
                .split(';')
                .find_map(|p| p.strip_prefix("interleaved="))
                .and_then(|p| p.split('-').next())
                .and_then(|c| c.parse::<u8>().ok())
                .unwrap_or(0);
            *setup = Some((request.url.clone(), rtp_channel));
            response(
                request,
                "200 OK",
                &[
                    (
                        "Transport",
                        format!(
                            "RTP/AVP/TCP;unicast;interleaved={rtp_channel}-{}",
                            rtp_channel.saturating_add(1)
                        ),
                    ),
                    ("Session", format!("{session};timeout=60")),
                ],
                "",
            )
        }
        "PLAY" => {
            let Some((track, rtp_channel)) = setup.clone() else {
                return response(request, "455 Method Not Valid in This State", &[], "");
            };
            let Some(channel) = channel(&track) else {
                return response(request, "404 Not Found", &[], "");
            };
            let packetizer = Packetizer {
                payload_type: if channel.codec == Codec::H264 { 96 } else { 26 },
                ssrc: rand_u32(),
                sequence: 1,
                channel: rtp_channel,
            };
            *playing = Some((channel, packetizer));
            response(
                request,
                "200 OK",
                &[
                    ("Session", session.to_string()),
                    ("RTP-Info", format!("url={track};seq=1;rtptime=0")),
                    ("Range", "npt=0.000-".into()),
                ],
                "",
            )
        }
        _ => response(request, "501 Not Implemented", &[], ""),
    }
}

/// Enough randomness for session ids and SSRCs.
fn rand_u32() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos.wrapping_mul(2654435761)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_camera_a_stream_and_a_codec() {
        let c = channel("rtsp://127.0.0.1:554/video/CAM-7/sub.h264").expect("a channel");
        assert_eq!((c.camera.as_str(), c.width), ("CAM-7", 320));
        assert!(channel("rtsp://h/video/CAM-7/main.mjpeg/trackID=0").is_some());
        assert!(channel("rtsp://h/video/CAM-7/side.h264").is_none());
        assert!(channel("rtsp://h/other/CAM-7/sub.h264").is_none());
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
    }

    #[test]
    fn requests_are_read_whole_and_interleaved_rtcp_is_skipped() {
        let mut buf = b"$\x01\x00\x02abOPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: 2\r\n\r\nPLAY".to_vec();
        let r = take_request(&mut buf)
            .expect("well formed")
            .expect("one whole request");
        assert_eq!(
            (r.method.as_str(), r.header("cseq")),
            ("OPTIONS", Some("2"))
        );
        assert!(take_request(&mut buf).expect("well formed").is_none());
        assert_eq!(buf, b"PLAY");
    }
}
