//! A wall's tiles composited into one picture on the engine, for a client that cannot decode a
//! large grid's frames itself (WebKitGTK decodes a quarter of Chromium's JPEGs a second): each
//! tile's newest frame is painted into its rectangle of the client's grid, and the client
//! decodes and draws one picture instead of 25. Only tiles with a new frame are painted again.

use std::sync::Arc;

use super::picture::{Picture, Rect, Ycc};
use super::Frame;

/// The largest mosaic: a full-HD grid, already more pixels than 25 sub-streams.
pub const MAX_SIZE: (usize, usize) = (1920, 1080);
/// Around and between the tiles: the wall's own background.
const BACKGROUND: Ycc = (8, 134, 124);
/// A tile with no live picture (its label says why).
const DARK: Ycc = (4, 128, 128);
/// JPEG quality of the mosaic: its tiles are sub-streams already compressed once.
const QUALITY: u8 = 75;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Nothing,
    Dark,
    Frame(u64),
}

/// One client's grid.
#[derive(Debug)]
pub struct Mosaic {
    picture: Picture,
    rects: Vec<Rect>,
    shown: Vec<Shown>,
}

impl Mosaic {
    /// A `width × height` mosaic with one rectangle per tile, in tile order.
    pub fn new(width: usize, height: usize, rects: Vec<Rect>) -> Result<Mosaic, String> {
        if !(16..=MAX_SIZE.0).contains(&width) || !(16..=MAX_SIZE.1).contains(&height) {
            return Err(format!(
                "a {width}×{height} mosaic: between 16×16 and {}×{}",
                MAX_SIZE.0, MAX_SIZE.1
            ));
        }
        if rects.len() > 64 {
            return Err("at most 64 tiles in a mosaic".into());
        }
        if let Some(r) = rects
            .iter()
            // Checked: a client's 2^64−1 must not wrap (or panic) past the bounds test.
            .find(|r| {
                r.w < 2
                    || r.h < 2
                    || r.x.checked_add(r.w).is_none_or(|right| right > width)
                    || r.y.checked_add(r.h).is_none_or(|bottom| bottom > height)
            })
        {
            return Err(format!(
                "the tile at {},{} ({}×{}) is not inside the {width}×{height} mosaic",
                r.x, r.y, r.w, r.h
            ));
        }
        Ok(Mosaic {
            picture: Picture::filled(width, height, BACKGROUND),
            shown: vec![Shown::Nothing; rects.len()],
            rects,
        })
    }

    /// Whether every tile already shows what `frames` holds (nothing to paint).
    pub fn is_current(&self, frames: &[Option<Arc<Frame>>]) -> bool {
        (0..self.rects.len()).all(|i| self.shown[i] == wanted(frames, i))
    }

    /// Paints each tile's newest frame (`None`: no live picture, painted dark); the tiles whose
    /// picture changed, as a bit mask (bit `i` for tile `i`; 0 when none did).
    pub fn update(&mut self, frames: &[Option<Arc<Frame>>]) -> u64 {
        let mut changed = 0u64;
        for (i, rect) in self.rects.iter().enumerate() {
            let frame = frames.get(i).cloned().flatten();
            let wanted = wanted(frames, i);
            if self.shown[i] == wanted {
                continue;
            }
            self.shown[i] = wanted;
            match frame {
                None => self.picture.fill(*rect, DARK),
                Some(frame) => {
                    let decoded;
                    let source = match &frame.picture {
                        Some(picture) => picture.as_ref(),
                        None => match Picture::from_jpeg(frame.jpeg()) {
                            Ok(picture) => {
                                decoded = picture;
                                &decoded
                            }
                            // A frame that does not decode is skipped, as a client would.
                            Err(_) => continue,
                        },
                    };
                    self.picture.paint(source, *rect);
                }
            }
            changed |= 1 << i;
        }
        changed
    }

    /// The mosaic as a JPEG.
    pub fn jpeg(&self) -> Result<Vec<u8>, String> {
        self.picture.jpeg(QUALITY)
    }
}

/// What tile `i` should show for `frames`.
fn wanted(frames: &[Option<Arc<Frame>>], i: usize) -> Shown {
    frames
        .get(i)
        .and_then(|f| f.as_ref())
        .map_or(Shown::Dark, |f| Shown::Frame(f.seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rectangle_past_the_numbers_is_refused_not_wrapped() {
        let huge = Rect {
            x: usize::MAX,
            y: 0,
            w: 2,
            h: 2,
        };
        assert!(Mosaic::new(64, 64, vec![huge]).is_err());
        let wide = Rect {
            x: 2,
            y: 2,
            w: usize::MAX,
            h: 2,
        };
        assert!(Mosaic::new(64, 64, vec![wide]).is_err());
    }

    fn frame(seq: u64, luma: u8, decoded: bool) -> Option<Arc<Frame>> {
        let picture = Picture::filled(32, 18, (luma, 128, 128));
        Some(Arc::new(match decoded {
            true => Frame::from_picture(picture, 0, seq),
            false => Frame::from_jpeg(picture.jpeg(90).unwrap(), 0, seq),
        }))
    }

    #[test]
    fn only_tiles_with_a_new_frame_are_painted_and_reported() {
        let rects = vec![
            Rect {
                x: 0,
                y: 0,
                w: 64,
                h: 36,
            },
            Rect {
                x: 64,
                y: 0,
                w: 64,
                h: 36,
            },
        ];
        let mut mosaic = Mosaic::new(128, 36, rects).unwrap();
        assert_eq!(
            mosaic.update(&[frame(1, 200, true), frame(1, 100, false)]),
            0b11
        );
        assert_eq!(mosaic.picture.y[10], 200);
        let decoded = mosaic.picture.y[64 + 10];
        assert!((decoded as i32 - 100).abs() < 6, "{decoded}");
        assert_eq!(
            mosaic.update(&[frame(1, 200, true), frame(2, 100, false)]),
            0b10
        );
        assert_eq!(
            mosaic.update(&[frame(1, 200, true), frame(2, 100, false)]),
            0
        );
        // A tile whose stream went offline is painted dark at once: never a stale picture.
        assert_eq!(mosaic.update(&[None, frame(2, 100, false)]), 0b01);
        assert_eq!(mosaic.picture.y[10], DARK.0);
        let back = Picture::from_jpeg(&mosaic.jpeg().unwrap()).unwrap();
        assert_eq!((back.width, back.height), (128, 36));
    }

    #[test]
    fn a_grid_that_does_not_fit_is_refused_with_why() {
        let outside = vec![Rect {
            x: 100,
            y: 0,
            w: 64,
            h: 36,
        }];
        assert!(Mosaic::new(128, 36, outside)
            .unwrap_err()
            .contains("not inside"));
        assert!(Mosaic::new(4000, 36, vec![])
            .err()
            .unwrap()
            .contains("1920"));
    }
}
