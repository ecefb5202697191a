//! MJPEG over HTTP: the session that plays a camera's stream, and its incremental reader; a
//! camera whose URL answers one picture (a snapshot URL, `image/jpeg`) is asked again every
//! [`SNAPSHOT_PERIOD`]. Bytes of a `multipart/x-mixed-replace` answer go in, whole JPEG frames
//! come out. A part's `Content-Length` is used when it has one; without it the frame is
//! the bytes from the JPEG start marker to its end marker. Anything else between parts
//! (boundaries, headers, stray bytes) is skipped, and a frame past the size limit is dropped,
//! so a broken camera can neither crash the reader nor make it hoard memory.

use std::time::{Duration, Instant};

use super::hub::{without_url, Credentials, Publisher, CONNECT_TIMEOUT, STALL};

/// How often a snapshot URL is asked for its picture: four pictures a second, what such
/// cameras and platforms serve without strain.
pub const SNAPSHOT_PERIOD: Duration = Duration::from_millis(250);

/// One request to the camera: its answer, or why there is none.
async fn fetch(
    client: &reqwest::Client,
    url: &str,
    credentials: Option<&Credentials>,
) -> Result<reqwest::Response, String> {
    let mut request = client.get(url);
    if let Some(c) = credentials {
        request = request.basic_auth(&c.username, Some(&c.password));
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, request.send()).await {
        Err(_) => Err("no answer within 5 s".into()),
        Ok(Err(e)) => Err(format!("cannot connect: {}", without_url(&e))),
        Ok(Ok(response)) if !response.status().is_success() => {
            Err(format!("the camera answered {}", response.status()))
        }
        Ok(Ok(response)) => Ok(response),
    }
}

/// Whether an answer is one picture (a snapshot URL) rather than a stream of them.
fn is_picture(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"))
}

/// The whole body of a snapshot, at most [`MAX_FRAME_BYTES`].
async fn picture(response: &mut reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(bytes) = response
        .chunk()
        .await
        .map_err(|e| format!("the picture broke off: {}", without_url(&e)))?
    {
        if body.len() + bytes.len() > MAX_FRAME_BYTES {
            return Err("the picture is larger than 4 MB".into());
        }
        body.extend_from_slice(&bytes);
    }
    if !body.starts_with(&[0xFF, 0xD8]) {
        return Err("the camera's picture is not a JPEG".into());
    }
    Ok(body)
}

/// Plays a snapshot URL: its picture, asked again every [`SNAPSHOT_PERIOD`], until a request
/// fails (the reason) or nobody watches (`None`).
async fn snapshots(
    client: &reqwest::Client,
    url: &str,
    credentials: Option<&Credentials>,
    mut response: reqwest::Response,
    publisher: &mut Publisher,
) -> Option<String> {
    loop {
        let asked = Instant::now();
        match tokio::time::timeout(STALL, picture(&mut response)).await {
            Err(_) => return Some("no picture for 3 s".into()),
            Ok(Err(why)) => return Some(why),
            Ok(Ok(jpeg)) => publisher.jpeg(jpeg),
        }
        if publisher.unwatched() {
            return None;
        }
        tokio::time::sleep(SNAPSHOT_PERIOD.saturating_sub(asked.elapsed())).await;
        response = match fetch(client, url, credentials).await {
            Ok(response) => response,
            Err(why) => return Some(why),
        };
    }
}

/// Plays an MJPEG stream over HTTP into `publisher` until it breaks or stalls (the reason), or
/// nobody watches (`None`).
pub(super) async fn play(
    client: &reqwest::Client,
    url: &str,
    credentials: Option<&Credentials>,
    publisher: &mut Publisher,
) -> Option<String> {
    let mut response = match fetch(client, url, credentials).await {
        Ok(response) => response,
        Err(why) => return Some(why),
    };
    if is_picture(&response) {
        return snapshots(client, url, credentials, response, publisher).await;
    }
    let mut reader = MjpegReader::default();
    let mut last_frame = Instant::now();
    loop {
        let bytes = match tokio::time::timeout(STALL, response.chunk()).await {
            Err(_) => return Some("no frame for 3 s".into()),
            Ok(Err(e)) => return Some(format!("the stream broke: {}", without_url(&e))),
            Ok(Ok(None)) => return Some("the stream ended".into()),
            Ok(Ok(Some(bytes))) => bytes,
        };
        let now = Instant::now();
        for jpeg in reader.push(&bytes) {
            last_frame = now;
            publisher.jpeg(jpeg);
        }
        if now.duration_since(last_frame) > STALL {
            return Some("no frame for 3 s".into());
        }
        if publisher.unwatched() {
            return None;
        }
    }
}

/// The largest frame kept: a 4K JPEG fits.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct MjpegReader {
    buffer: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `Content-Length` among a part's header lines, if any.
fn content_length(headers: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(headers).ok()?;
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

impl MjpegReader {
    /// Adds bytes read from the stream; answers the frames they completed, oldest first.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.buffer.extend_from_slice(bytes);
        let mut frames = Vec::new();
        loop {
            let Some(start) = find(&self.buffer, &[0xFF, 0xD8]) else {
                // Keep a trailing 0xFF: it may be the first half of a start marker.
                let keep = usize::from(self.buffer.last() == Some(&0xFF));
                let drop = self.buffer.len() - keep;
                self.buffer.drain(..drop);
                break;
            };
            // The part's headers end just before the frame: a Content-Length there is trusted
            // when the bytes it names end in an end marker.
            let header_start = self.buffer[..start]
                .windows(2)
                .rposition(|w| w == b"--")
                .unwrap_or(0);
            let declared = content_length(&self.buffer[header_start..start])
                .filter(|&n| (4..=MAX_FRAME_BYTES).contains(&n));
            let end = match declared {
                Some(n) if self.buffer.len() >= start + n => {
                    let frame = &self.buffer[start..start + n];
                    (frame.ends_with(&[0xFF, 0xD9])).then_some(start + n)
                }
                Some(_) => {
                    // Not all there yet.
                    self.buffer.drain(..start);
                    break;
                }
                None => None,
            };
            let end = match end.or_else(|| {
                find(&self.buffer[start + 2..], &[0xFF, 0xD9]).map(|i| start + 2 + i + 2)
            }) {
                Some(end) => end,
                None => {
                    self.buffer.drain(..start);
                    if self.buffer.len() > MAX_FRAME_BYTES {
                        // A frame that never ends: give up on it.
                        self.buffer.clear();
                    }
                    break;
                }
            };
            if end - start <= MAX_FRAME_BYTES {
                frames.push(self.buffer[start..end].to_vec());
            }
            self.buffer.drain(..end);
        }
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn part(frame: &[u8], length: bool) -> Vec<u8> {
        let mut out = b"--b\r\nContent-Type: image/jpeg\r\n".to_vec();
        if length {
            out.extend_from_slice(format!("Content-Length: {}\r\n", frame.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(frame);
        out.extend_from_slice(b"\r\n");
        out
    }

    #[test]
    fn frames_come_out_whole_however_the_bytes_are_cut() {
        let a = [0xFF, 0xD8, 1, 2, 0xFF, 0xD9];
        let b = [0xFF, 0xD8, 3, 0xFF, 0x00, 4, 0xFF, 0xD9];
        let stream = [part(&a, true), part(&b, false), part(&a, false)].concat();
        for cut in 1..stream.len() {
            let mut reader = MjpegReader::default();
            let mut frames = reader.push(&stream[..cut]);
            frames.extend(reader.push(&stream[cut..]));
            assert_eq!(
                frames,
                vec![a.to_vec(), b.to_vec(), a.to_vec()],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_frame_with_an_end_marker_inside_is_kept_whole_by_its_length() {
        // An embedded thumbnail ends with its own end marker before the frame does.
        let frame = [0xFF, 0xD8, 0xFF, 0xD8, 9, 0xFF, 0xD9, 7, 0xFF, 0xD9];
        let mut reader = MjpegReader::default();
        assert_eq!(reader.push(&part(&frame, true)), vec![frame.to_vec()]);
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic_and_stay_bounded(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..30)) {
            let mut reader = MjpegReader::default();
            for chunk in &chunks {
                for frame in reader.push(chunk) {
                    prop_assert!(frame.starts_with(&[0xFF, 0xD8]));
                }
            }
            prop_assert!(reader.buffer.len() <= MAX_FRAME_BYTES + 300);
        }
    }
}
