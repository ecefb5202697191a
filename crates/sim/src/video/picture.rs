//! The sim cameras' pictures: a tinted street scene per camera, a sweeping bar, a clock and a
//! frame counter, so a stale or frozen picture is plain to see; and their JPEG encoding.

use super::FPS;

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

/// Frame `n` of a stream as packed RGB: a tinted street scene, a sweeping bar, the clock
/// (UTC+8) and the frame number.
pub fn rgb(width: usize, height: usize, tint: [u8; 3], n: u64) -> Vec<u8> {
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
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    let clock = now.format("%H%M%S").to_string();
    let scale = height / 18;
    let mut x = scale;
    for (k, d) in clock.bytes().enumerate() {
        digit(&mut rgb, width, x, scale, scale, d - b'0');
        x += scale * 3 + if k % 2 == 1 { scale * 2 } else { scale / 2 };
    }
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
