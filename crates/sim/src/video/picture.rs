//! The sim cameras' pictures: a tinted street scene per camera, a sweeping bar, a clock and a
//! frame counter, so a stale or frozen picture is plain to see; and their JPEG encoding.

/// Frames a second each stream sends.
pub const FPS: u64 = 12;

/// A camera's colour, from its id: each tile of a wall looks its own.
pub fn tint(camera: &str) -> [u8; 3] {
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

/// Frame `n` of camera `camera`'s stream as packed RGB: a tinted street scene, a sweeping bar,
/// the clock (UTC+8), the camera's id and the frame number.
pub fn rgb(width: usize, height: usize, camera: &str, n: u64) -> Vec<u8> {
    let tint = tint(camera);
    let mut rgb = vec![0u8; width * height * 3];
    let horizon = height * 3 / 5;
    let sweep = (n as usize * width / (FPS as usize * 4)) % width;
    // The bar covers the columns within width/40 of the sweep; the scene's shade changes by row
    // only. Drawn a row at a time: a wall of sim cameras otherwise spent a fifth of its CPU here.
    let half = width / 40;
    let bar = if half == 0 {
        0..0
    } else {
        sweep.saturating_sub(half - 1)..(sweep + half).min(width)
    };
    for (y, row) in rgb.chunks_exact_mut(width * 3).enumerate() {
        let shade = if y < horizon {
            (y * 60 / horizon) as u8
        } else {
            70 + ((y - horizon) * 50 / (height - horizon)) as u8
        };
        let base = tint.map(|t| t / 2 + shade);
        let lit = base.map(|b| b.saturating_add(90));
        for px in row.chunks_exact_mut(3) {
            px.copy_from_slice(&base);
        }
        for px in row[bar.start * 3..bar.end * 3].chunks_exact_mut(3) {
            px.copy_from_slice(&lit);
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
    let dot = (height / 90).max(1);
    text(
        &mut rgb,
        width,
        scale,
        height - dot * 9 - scale / 2,
        dot,
        camera,
    );
    let count = format!("{:04}", n % 10_000);
    let small = (scale / 2).max(2);
    let mut x = width - small * 4 * 4 - small;
    for d in count.bytes() {
        digit(&mut rgb, width, x, height - small * 6, small, d - b'0');
        x += small * 4;
    }
    rgb
}

/// Packed RGB as a baseline JPEG (4:2:0, the standard Huffman tables, as RTP/JPEG needs).
pub fn jpeg(rgb: &[u8], width: usize, height: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(width * height / 8);
    let encoder = jpeg_encoder::Encoder::new(&mut out, 70);
    if encoder
        .encode(
            rgb,
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

/// 5×7 glyphs, a row a byte (bit 4 the left column), for what camera ids are made of.
fn glyph(c: char) -> [u8; 7] {
    match c.to_ascii_uppercase() {
        '0' => [14, 17, 19, 21, 25, 17, 14],
        '1' => [4, 12, 4, 4, 4, 4, 14],
        '2' => [14, 17, 1, 2, 4, 8, 31],
        '3' => [31, 2, 4, 2, 1, 17, 14],
        '4' => [2, 6, 10, 18, 31, 2, 2],
        '5' => [31, 16, 30, 1, 1, 17, 14],
        '6' => [6, 8, 16, 30, 17, 17, 14],
        '7' => [31, 1, 2, 4, 8, 8, 8],
        '8' => [14, 17, 17, 14, 17, 17, 14],
        '9' => [14, 17, 17, 15, 1, 2, 12],
        'A' => [14, 17, 17, 31, 17, 17, 17],
        'B' => [30, 17, 17, 30, 17, 17, 30],
        'C' => [14, 17, 16, 16, 16, 17, 14],
        'D' => [28, 18, 17, 17, 17, 18, 28],
        'E' => [31, 16, 16, 30, 16, 16, 31],
        'F' => [31, 16, 16, 30, 16, 16, 16],
        'G' => [14, 17, 16, 23, 17, 17, 15],
        'H' => [17, 17, 17, 31, 17, 17, 17],
        'I' => [14, 4, 4, 4, 4, 4, 14],
        'J' => [7, 2, 2, 2, 2, 18, 12],
        'K' => [17, 18, 20, 24, 20, 18, 17],
        'L' => [16, 16, 16, 16, 16, 16, 31],
        'M' => [17, 27, 21, 21, 17, 17, 17],
        'N' => [17, 17, 25, 21, 19, 17, 17],
        'O' => [14, 17, 17, 17, 17, 17, 14],
        'P' => [30, 17, 17, 30, 16, 16, 16],
        'Q' => [14, 17, 17, 17, 21, 18, 13],
        'R' => [30, 17, 17, 30, 20, 18, 17],
        'S' => [15, 16, 16, 14, 1, 1, 30],
        'T' => [31, 4, 4, 4, 4, 4, 4],
        'U' => [17, 17, 17, 17, 17, 17, 14],
        'V' => [17, 17, 17, 17, 17, 10, 4],
        'W' => [17, 17, 17, 21, 21, 21, 10],
        'X' => [17, 17, 10, 4, 10, 17, 17],
        'Y' => [17, 17, 17, 10, 4, 4, 4],
        'Z' => [31, 1, 2, 4, 8, 16, 31],
        '-' => [0, 0, 0, 31, 0, 0, 0],
        '_' => [0, 0, 0, 0, 0, 0, 31],
        '.' => [0, 0, 0, 0, 0, 12, 12],
        _ => [0, 0, 0, 0, 0, 0, 0],
    }
}

/// `text` in the 5×7 font, `dot` pixels a dot, its top-left at (`x`, `y`); what does not fit
/// the picture is cut off.
fn text(rgb: &mut [u8], width: usize, x: usize, y: usize, dot: usize, text: &str) {
    let height = rgb.len() / 3 / width;
    for (k, c) in text.chars().take(24).enumerate() {
        let rows = glyph(c);
        for (r, bits) in rows.iter().enumerate() {
            for col in 0..5 {
                if bits & (16 >> col) == 0 {
                    continue;
                }
                let (px, py) = (x + (k * 6 + col) * dot, y + r * dot);
                for yy in py..(py + dot).min(height) {
                    for xx in px..(px + dot).min(width) {
                        let i = (yy * width + xx) * 3;
                        rgb[i..i + 3].copy_from_slice(&[235, 240, 250]);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scene drawn pixel by pixel, as it was first written: the row-at-a-time drawing must
    /// give the same picture.
    fn scene_pixel_by_pixel(width: usize, height: usize, camera: &str, n: u64) -> Vec<u8> {
        let tint = tint(camera);
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
        rgb
    }

    #[test]
    fn the_scene_drawn_by_rows_is_the_scene_drawn_by_pixels() {
        for (width, height) in [(384, 216), (320, 180), (200, 120), (1280, 720)] {
            for n in [0, 1, 17, 95, 96, 200] {
                let drawn = rgb(width, height, "CAM-7", n);
                let expected = scene_pixel_by_pixel(width, height, "CAM-7", n);
                // The clock, the id and the counter are drawn over both alike; compare the
                // rows free of them: the sky's top and a band across the horizon.
                let row = width * 3;
                for rows in [0..height / 20, height / 2..height * 3 / 4] {
                    let at = rows.start * row..rows.end * row;
                    assert_eq!(drawn[at.clone()], expected[at], "{width}×{height} #{n}");
                }
            }
        }
    }
}
