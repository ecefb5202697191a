//! Decoded pictures: 4:2:0 planes in full range, as JPEG (JFIF) codes them. The H.264 decoder's
//! pictures become one ([`Picture::from_video_range`]), a camera's JPEG decodes into one
//! ([`Picture::from_jpeg`]), a wall's mosaic is painted in one ([`Picture::paint`]), and any of
//! them encodes straight from its planes ([`Picture::jpeg`]), with no round trip through RGB.

use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// The largest picture taken (a 4K camera's main stream).
pub const MAX_SIDE: usize = 4096;

/// A picture's planes: luma `width × height`, each chroma plane half that both ways (rounded
/// up).
#[derive(Clone)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub y: Vec<u8>,
    pub cb: Vec<u8>,
    pub cr: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}×{})", self.width, self.height)
    }
}

/// A rectangle of a picture, in pixels; painted rectangles start and end on even pixels so that
/// chroma samples are never shared by two tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
}

/// A colour as luma and two chroma values (full range).
pub type Ycc = (u8, u8, u8);

const fn range_table(black: i32, span: i32, centre: i32) -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let v = centre + (i as i32 - black) * 255 / span;
        table[i] = if v < 0 {
            0
        } else if v > 255 {
            255
        } else {
            v as u8
        };
        i += 1;
    }
    table
}

/// Luma 16–235 to 0–255; chroma 16–240 around 128 to 0–255.
const LUMA: [u8; 256] = range_table(16, 219, 0);
const CHROMA: [u8; 256] = range_table(128, 224, 128);

fn chroma_size(width: usize, height: usize) -> (usize, usize) {
    (width.div_ceil(2), height.div_ceil(2))
}

/// Copies `width` samples of each of `rows` rows out of a plane with `stride`, through `table`;
/// a short plane (never from a sound decoder) leaves the rest black.
fn copy_plane(
    plane: &[u8],
    stride: usize,
    width: usize,
    rows: usize,
    table: &[u8; 256],
) -> Vec<u8> {
    let mut out = vec![table[0]; width * rows];
    for (row, dst) in out.chunks_exact_mut(width).enumerate() {
        if let Some(src) = plane.get(row * stride..row * stride + width) {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = table[*s as usize];
            }
        }
    }
    out
}

impl Picture {
    /// A picture of one colour.
    pub fn filled(width: usize, height: usize, (y, cb, cr): Ycc) -> Picture {
        let (cw, ch) = chroma_size(width, height);
        Picture {
            width,
            height,
            y: vec![y; width * height],
            cb: vec![cb; cw * ch],
            cr: vec![cr; cw * ch],
        }
    }

    /// A decoder's 4:2:0 picture in video range (as H.264 codes it), with its planes' strides.
    pub fn from_video_range(
        (y, u, v): (&[u8], &[u8], &[u8]),
        (sy, su, sv): (usize, usize, usize),
        width: usize,
        height: usize,
    ) -> Picture {
        let (cw, ch) = chroma_size(width, height);
        Picture {
            width,
            height,
            y: copy_plane(y, sy, width, height, &LUMA),
            cb: copy_plane(u, su, cw, ch, &CHROMA),
            cr: copy_plane(v, sv, cw, ch, &CHROMA),
        }
    }

    /// Decodes a JPEG (baseline or progressive, colour or grey).
    pub fn from_jpeg(jpeg: &[u8]) -> Result<Picture, String> {
        let options = DecoderOptions::default()
            .jpeg_set_out_colorspace(ColorSpace::YCbCr)
            .set_max_width(MAX_SIDE)
            .set_max_height(MAX_SIDE);
        let mut decoder = JpegDecoder::new_with_options(jpeg, options);
        let pixels = decoder.decode().map_err(|e| format!("not a JPEG: {e}"))?;
        let (width, height) = decoder.dimensions().ok_or("a JPEG without a size")?;
        let components = match decoder.get_output_colorspace() {
            Some(ColorSpace::YCbCr) => 3,
            Some(ColorSpace::Luma) => 1,
            other => return Err(format!("a JPEG in {other:?} is not shown")),
        };
        if width == 0 || height == 0 || pixels.len() < width * height * components {
            return Err(format!("a {width}×{height} JPEG came out short"));
        }
        let mut picture = Picture::filled(width, height, (0, 128, 128));
        let (cw, _) = chroma_size(width, height);
        for (i, y) in picture.y.iter_mut().enumerate() {
            *y = pixels[i * components];
        }
        if components == 3 {
            // Each chroma sample is the top-left one of its 2×2 block.
            for (i, (cb, cr)) in picture.cb.iter_mut().zip(picture.cr.iter_mut()).enumerate() {
                let (cx, cy) = (i % cw, i / cw);
                let at = ((cy * 2) * width + cx * 2) * 3;
                *cb = pixels[at + 1];
                *cr = pixels[at + 2];
            }
        }
        Ok(picture)
    }

    /// The picture as a JPEG.
    pub fn jpeg(&self, quality: u8) -> Result<Vec<u8>, String> {
        let mut jpeg = Vec::with_capacity(self.width * self.height / 6);
        jpeg_encoder::Encoder::new(&mut jpeg, quality)
            .encode_image(self)
            .map_err(|e| e.to_string())?;
        Ok(jpeg)
    }

    /// Fills `rect` (clipped to the picture) with one colour.
    pub fn fill(&mut self, rect: Rect, (y, cb, cr): Ycc) {
        let Some(rect) = self.clip(rect) else { return };
        let (cw, _) = chroma_size(self.width, self.height);
        for row in rect.y..rect.y + rect.h {
            let at = row * self.width + rect.x;
            self.y[at..at + rect.w].fill(y);
        }
        for row in rect.y / 2..(rect.y + rect.h).div_ceil(2) {
            let at = row * cw + rect.x / 2;
            let end = row * cw + (rect.x + rect.w).div_ceil(2);
            self.cb[at..end].fill(cb);
            self.cr[at..end].fill(cr);
        }
    }

    /// Draws `source` scaled into `rect` (nearest sample: cheap, and a tile is never larger
    /// than a sub-stream by much).
    pub fn paint(&mut self, source: &Picture, rect: Rect) {
        let Some(rect) = self.clip(rect) else { return };
        if source.width == 0 || source.height == 0 {
            return;
        }
        let xs: Vec<usize> = (0..rect.w).map(|x| x * source.width / rect.w).collect();
        for row in 0..rect.h {
            let from = (row * source.height / rect.h) * source.width;
            let at = (rect.y + row) * self.width + rect.x;
            for (d, sx) in self.y[at..at + rect.w].iter_mut().zip(&xs) {
                *d = source.y[from + sx];
            }
        }
        let (cw, _) = chroma_size(self.width, self.height);
        let (scw, sch) = chroma_size(source.width, source.height);
        let (w, h) = (rect.w.div_ceil(2), rect.h.div_ceil(2));
        let xs: Vec<usize> = (0..w).map(|x| x * scw / w).collect();
        for row in 0..h {
            let from = (row * sch / h) * scw;
            let at = (rect.y / 2 + row) * cw + rect.x / 2;
            let end = (at + w).min(self.cb.len());
            for ((d, e), sx) in self.cb[at..end]
                .iter_mut()
                .zip(self.cr[at..end].iter_mut())
                .zip(&xs)
            {
                *d = source.cb[from + sx];
                *e = source.cr[from + sx];
            }
        }
    }

    /// `rect` cut to the picture, on even pixels; `None` when nothing is left.
    fn clip(&self, rect: Rect) -> Option<Rect> {
        let x = (rect.x & !1).min(self.width);
        let y = (rect.y & !1).min(self.height);
        let w = rect.w.min(self.width - x);
        let h = rect.h.min(self.height - y);
        (w > 0 && h > 0).then_some(Rect { x, y, w, h })
    }
}

impl jpeg_encoder::ImageBuffer for &Picture {
    fn get_jpeg_color_type(&self) -> jpeg_encoder::JpegColorType {
        jpeg_encoder::JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.width as u16
    }

    fn height(&self) -> u16 {
        self.height as u16
    }

    fn fill_buffers(&self, row: u16, buffers: &mut [Vec<u8>; 4]) {
        let row = row as usize;
        let (cw, _) = chroma_size(self.width, self.height);
        buffers[0].extend_from_slice(&self.y[row * self.width..(row + 1) * self.width]);
        let c = (row / 2) * cw;
        for x in 0..self.width {
            buffers[1].push(self.cb[c + x / 2]);
            buffers[2].push(self.cr[c + x / 2]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gradient(width: usize, height: usize) -> Picture {
        let mut p = Picture::filled(width, height, (0, 128, 128));
        for (i, y) in p.y.iter_mut().enumerate() {
            *y = ((i % width) * 255 / width) as u8;
        }
        p.cb.fill(90);
        p.cr.fill(200);
        p
    }

    #[test]
    fn a_picture_survives_its_own_jpeg() {
        let picture = gradient(96, 54);
        let back = Picture::from_jpeg(&picture.jpeg(90).unwrap()).unwrap();
        assert_eq!((back.width, back.height), (96, 54));
        let luma_error = picture
            .y
            .iter()
            .zip(&back.y)
            .map(|(a, b)| (*a as i32 - *b as i32).abs())
            .max()
            .unwrap();
        assert!(luma_error < 12, "luma off by {luma_error}");
        assert!(back.cb.iter().all(|c| (*c as i32 - 90).abs() < 8));
        assert!(back.cr.iter().all(|c| (*c as i32 - 200).abs() < 8));
    }

    #[test]
    fn painting_scales_into_the_rectangle_and_nowhere_else() {
        let mut wall = Picture::filled(64, 32, (10, 128, 128));
        let source = Picture::filled(20, 10, (200, 60, 190));
        wall.paint(
            &source,
            Rect {
                x: 32,
                y: 0,
                w: 32,
                h: 16,
            },
        );
        assert_eq!(wall.y[0], 10);
        assert_eq!(wall.y[32], 200);
        assert_eq!(wall.y[15 * 64 + 63], 200);
        assert_eq!(wall.y[16 * 64 + 40], 10);
        assert_eq!(wall.cb[16], 60);
        assert_eq!(wall.cr[7 * 32 + 31], 190);
        assert_eq!(wall.cb[8 * 32 + 20], 128);
        // A rectangle past the picture is cut, never a panic.
        wall.paint(
            &source,
            Rect {
                x: 60,
                y: 30,
                w: 50,
                h: 50,
            },
        );
        wall.fill(
            Rect {
                x: 100,
                y: 100,
                w: 5,
                h: 5,
            },
            (0, 0, 0),
        );
    }

    #[test]
    fn odd_sizes_and_garbage_are_answered_not_panicked_on() {
        let odd = gradient(33, 17);
        let back = Picture::from_jpeg(&odd.jpeg(80).unwrap()).unwrap();
        assert_eq!((back.width, back.height), (33, 17));
        assert!(Picture::from_jpeg(b"\xff\xd8 not really").is_err());
        assert!(Picture::from_jpeg(&[]).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A camera's bytes, whatever they are (a cut or corrupted JPEG), and any rectangle a
        /// client asks for never panic.
        #[test]
        fn any_jpeg_bytes_and_any_rectangle_never_panic(
            cut in 0usize..2000,
            flips in proptest::collection::vec((0usize..2000, any::<u8>()), 0..8),
            rect in (0usize..200, 0usize..200, 0usize..200, 0usize..200),
        ) {
            let mut jpeg = gradient(40, 24).jpeg(80).unwrap();
            jpeg.truncate(cut.max(2));
            for (at, byte) in flips {
                if let Some(b) = jpeg.get_mut(at) { *b = byte; }
            }
            let mut wall = Picture::filled(100, 60, (0, 128, 128));
            if let Ok(picture) = Picture::from_jpeg(&jpeg) {
                wall.paint(&picture, Rect { x: rect.0, y: rect.1, w: rect.2, h: rect.3 });
            }
            wall.fill(Rect { x: rect.0, y: rect.1, w: rect.2, h: rect.3 }, (1, 2, 3));
        }
    }
}
