//! A tiny H.264 (Constrained Baseline) encoder for the sim's synthetic cameras, bounded in CPU:
//! no transform, no motion search. A key frame codes every macroblock raw (I_PCM); the frames
//! between code raw only the macroblocks that changed since the previous frame and skip the rest
//! (P_Skip with a zero motion vector copies the block from the previous frame). The sim's
//! pictures change in a few blocks a frame (the sweeping bar, the clock, the frame counter), so a
//! stream costs a few megabits a second and a few milliseconds of CPU, and any H.264 decoder
//! plays it: it is a real GOP of I and P frames.

/// Frames from one key frame to the next.
pub const GOP: u64 = 24;

/// A picture in 4:2:0 (BT.601, limited range), its width and height multiples of 16.
pub struct Yuv420 {
    pub width: usize,
    pub height: usize,
    pub y: Vec<u8>,
    pub u: Vec<u8>,
    pub v: Vec<u8>,
}

impl Yuv420 {
    /// Converts packed RGB of `width`×`height`, padding to whole macroblocks by repeating the
    /// last row and column.
    pub fn from_rgb(rgb: &[u8], width: usize, height: usize) -> Yuv420 {
        let (w, h) = (width.div_ceil(16) * 16, height.div_ceil(16) * 16);
        let mut y = vec![0u8; w * h];
        let mut u = vec![0u8; w * h / 4];
        let mut v = vec![0u8; w * h / 4];
        // Row by row, each source row found once: a wall of sim cameras converts hundreds of
        // frames a second.
        let source_row = |yy: usize| {
            let at = yy.min(height - 1) * width * 3;
            &rgb[at..at + width * 3]
        };
        let rgb_at = |row: &[u8], x: usize| {
            let i = x.min(width - 1) * 3;
            (row[i] as i32, row[i + 1] as i32, row[i + 2] as i32)
        };
        for (yy, out) in y.chunks_exact_mut(w).enumerate() {
            let row = source_row(yy);
            for (x, luma) in out.iter_mut().enumerate() {
                let (r, g, b) = rgb_at(row, x);
                *luma = (16 + ((66 * r + 129 * g + 25 * b + 128) >> 8)) as u8;
            }
        }
        for (yy, (cb, cr)) in u
            .chunks_exact_mut(w / 2)
            .zip(v.chunks_exact_mut(w / 2))
            .enumerate()
        {
            let row = source_row(yy * 2);
            for x in 0..w / 2 {
                let (r, g, b) = rgb_at(row, x * 2);
                cb[x] = (128 + ((-38 * r - 74 * g + 112 * b + 128) >> 8)) as u8;
                cr[x] = (128 + ((112 * r - 94 * g - 18 * b + 128) >> 8)) as u8;
            }
        }
        Yuv420 {
            width: w,
            height: h,
            y,
            u,
            v,
        }
    }

    /// The 384 bytes of macroblock (`mx`, `my`): 256 luma, 64 Cb, 64 Cr, in raster order.
    fn macroblock(&self, mx: usize, my: usize, out: &mut Vec<u8>) {
        for row in 0..16 {
            let at = (my * 16 + row) * self.width + mx * 16;
            out.extend_from_slice(&self.y[at..at + 16]);
        }
        for plane in [&self.u, &self.v] {
            for row in 0..8 {
                let at = (my * 8 + row) * self.width / 2 + mx * 8;
                out.extend_from_slice(&plane[at..at + 8]);
            }
        }
    }
}

/// Writes bits most significant first, with Exp-Golomb codes.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    current: u8,
    used: u8,
}

impl Bits {
    fn bit(&mut self, b: bool) {
        self.current = (self.current << 1) | b as u8;
        self.used += 1;
        if self.used == 8 {
            self.bytes.push(self.current);
            self.current = 0;
            self.used = 0;
        }
    }
    fn bits(&mut self, value: u32, n: u32) {
        for i in (0..n).rev() {
            self.bit((value >> i) & 1 == 1);
        }
    }
    fn ue(&mut self, value: u32) {
        let v = value + 1;
        let len = 32 - v.leading_zeros();
        self.bits(0, len - 1);
        self.bits(v, len);
    }
    fn se(&mut self, value: i32) {
        self.ue(if value > 0 {
            (2 * value - 1) as u32
        } else {
            (-2 * value) as u32
        });
    }
    fn align_zero(&mut self) {
        while self.used != 0 {
            self.bit(false);
        }
    }
    /// Bytes once aligned (I_PCM samples).
    fn raw(&mut self, bytes: &[u8]) {
        debug_assert_eq!(self.used, 0);
        self.bytes.extend_from_slice(bytes);
    }
    /// rbsp_trailing_bits, then the NAL unit with its header and emulation prevention.
    fn nal(mut self, header: u8) -> Vec<u8> {
        self.bit(true);
        self.align_zero();
        let mut out = Vec::with_capacity(self.bytes.len() + self.bytes.len() / 64 + 1);
        out.push(header);
        let mut zeros = 0;
        for b in self.bytes {
            if zeros >= 2 && b <= 3 {
                out.push(3);
                zeros = 0;
            }
            out.push(b);
            zeros = if b == 0 { zeros + 1 } else { 0 };
        }
        out
    }
}

/// One camera's encoder: its parameter sets and the previous picture.
pub struct Encoder {
    width: usize,
    height: usize,
    previous: Option<Yuv420>,
    frame: u64,
    idr_id: u32,
}

/// log2_max_frame_num: frame_num counts modulo 16.
const FRAME_NUM_BITS: u32 = 4;

impl Encoder {
    /// An encoder for pictures of `width`×`height` (displayed size; coded in whole macroblocks).
    pub fn new(width: usize, height: usize) -> Encoder {
        Encoder {
            width,
            height,
            previous: None,
            frame: 0,
            idr_id: 0,
        }
    }

    /// The sequence parameter set NAL unit.
    pub fn sps(&self) -> Vec<u8> {
        let (mbs_w, mbs_h) = (self.width.div_ceil(16), self.height.div_ceil(16));
        let mut b = Bits::default();
        b.bits(66, 8); // profile_idc: Baseline
        b.bits(0b1100_0000, 8); // constraint_set0 and 1: Constrained Baseline
        b.bits(31, 8); // level 3.1
        b.ue(0); // seq_parameter_set_id
        b.ue(FRAME_NUM_BITS - 4); // log2_max_frame_num_minus4
        b.ue(2); // pic_order_cnt_type 2: output order is decode order
        b.ue(1); // max_num_ref_frames
        b.bit(false); // gaps_in_frame_num_value_allowed_flag
        b.ue(mbs_w as u32 - 1);
        b.ue(mbs_h as u32 - 1);
        b.bit(true); // frame_mbs_only_flag
        b.bit(true); // direct_8x8_inference_flag
        let (crop_right, crop_bottom) = (
            (mbs_w * 16 - self.width) / 2,
            (mbs_h * 16 - self.height) / 2,
        );
        if crop_right > 0 || crop_bottom > 0 {
            b.bit(true);
            b.ue(0);
            b.ue(crop_right as u32);
            b.ue(0);
            b.ue(crop_bottom as u32);
        } else {
            b.bit(false);
        }
        b.bit(false); // vui_parameters_present_flag
        b.nal(0x67)
    }

    /// The picture parameter set NAL unit.
    pub fn pps(&self) -> Vec<u8> {
        let mut b = Bits::default();
        b.ue(0); // pic_parameter_set_id
        b.ue(0); // seq_parameter_set_id
        b.bit(false); // entropy_coding_mode_flag: CAVLC
        b.bit(false); // bottom_field_pic_order_in_frame_present_flag
        b.ue(0); // num_slice_groups_minus1
        b.ue(0); // num_ref_idx_l0_default_active_minus1
        b.ue(0); // num_ref_idx_l1_default_active_minus1
        b.bit(false); // weighted_pred_flag
        b.bits(0, 2); // weighted_bipred_idc
        b.se(0); // pic_init_qp_minus26
        b.se(0); // pic_init_qs_minus26
        b.se(0); // chroma_qp_index_offset
        b.bit(true); // deblocking_filter_control_present_flag: the slices turn it off
        b.bit(false); // constrained_intra_pred_flag
        b.bit(false); // redundant_pic_cnt_present_flag
        b.nal(0x68)
    }

    /// Encodes the next picture (the size given to [`Encoder::new`]): the slice NAL unit, and
    /// whether it is a key frame (IDR) that a decoder can start from.
    pub fn encode(&mut self, picture: Yuv420) -> (Vec<u8>, bool) {
        let key = self.frame.is_multiple_of(GOP) || self.previous.is_none();
        if key {
            self.frame = 0;
        }
        let (mbs_w, mbs_h) = (picture.width / 16, picture.height / 16);
        let mut b = Bits::default();
        b.ue(0); // first_mb_in_slice
        b.ue(if key { 7 } else { 5 }); // slice_type: I or P, all slices of the picture
        b.ue(0); // pic_parameter_set_id
        b.bits((self.frame % (1 << FRAME_NUM_BITS)) as u32, FRAME_NUM_BITS);
        if key {
            b.ue(self.idr_id);
            self.idr_id ^= 1; // consecutive IDR pictures differ in idr_pic_id
            b.bit(false); // no_output_of_prior_pics_flag
            b.bit(false); // long_term_reference_flag
        } else {
            b.bit(false); // num_ref_idx_active_override_flag
            b.bit(false); // ref_pic_list_modification_flag_l0
            b.bit(false); // adaptive_ref_pic_marking_mode_flag: sliding window
        }
        b.se(0); // slice_qp_delta
        b.ue(1); // disable_deblocking_filter_idc: raw blocks need no filtering
        let mut block = Vec::with_capacity(384);
        let mut previous_block = Vec::with_capacity(384);
        let mut skipped = 0u32;
        for my in 0..mbs_h {
            for mx in 0..mbs_w {
                block.clear();
                picture.macroblock(mx, my, &mut block);
                if !key {
                    previous_block.clear();
                    if let Some(previous) = &self.previous {
                        previous.macroblock(mx, my, &mut previous_block);
                    }
                    if block == previous_block {
                        skipped += 1;
                        continue;
                    }
                    b.ue(skipped); // mb_skip_run
                    skipped = 0;
                    b.ue(5 + 25); // mb_type I_PCM in a P slice
                } else {
                    b.ue(25); // mb_type I_PCM
                }
                b.align_zero(); // pcm_alignment_zero_bit
                b.raw(&block);
            }
        }
        if skipped > 0 {
            b.ue(skipped);
        }
        self.frame += 1;
        self.previous = Some(picture);
        (b.nal(if key { 0x65 } else { 0x41 }), key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The conversion pixel by pixel, as it was first written.
    fn yuv_pixel_by_pixel(rgb: &[u8], width: usize, height: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let (w, h) = (width.div_ceil(16) * 16, height.div_ceil(16) * 16);
        let (mut y, mut u, mut v) = (vec![0u8; w * h], vec![0u8; w * h / 4], vec![0u8; w * h / 4]);
        let pixel = |x: usize, yy: usize| {
            let i = (yy.min(height - 1) * width + x.min(width - 1)) * 3;
            (rgb[i] as i32, rgb[i + 1] as i32, rgb[i + 2] as i32)
        };
        for yy in 0..h {
            for x in 0..w {
                let (r, g, b) = pixel(x, yy);
                y[yy * w + x] = (16 + ((66 * r + 129 * g + 25 * b + 128) >> 8)) as u8;
            }
        }
        for yy in 0..h / 2 {
            for x in 0..w / 2 {
                let (r, g, b) = pixel(x * 2, yy * 2);
                u[yy * w / 2 + x] = (128 + ((-38 * r - 74 * g + 112 * b + 128) >> 8)) as u8;
                v[yy * w / 2 + x] = (128 + ((112 * r - 94 * g - 18 * b + 128) >> 8)) as u8;
            }
        }
        (y, u, v)
    }

    #[test]
    fn the_row_by_row_conversion_matches_the_pixel_by_pixel_one() {
        for (width, height) in [(384, 216), (200, 120), (210, 130), (320, 180)] {
            let rgb = crate::video::picture::rgb(width, height, "CAM-3", 42);
            let converted = Yuv420::from_rgb(&rgb, width, height);
            let (y, u, v) = yuv_pixel_by_pixel(&rgb, width, height);
            assert!(
                converted.y == y && converted.u == u && converted.v == v,
                "{width}×{height}"
            );
        }
    }

    fn flat(width: usize, height: usize, shade: u8) -> Vec<u8> {
        vec![shade; width * height * 3]
    }

    #[test]
    fn exp_golomb_codes_match_the_standard_table() {
        let mut b = Bits::default();
        for v in [0, 1, 2, 3, 25] {
            b.ue(v);
        }
        b.align_zero();
        // 1 010 011 00100 000011010, padded with zeros.
        assert_eq!(b.bytes, vec![0b1010_0110, 0b0100_0000, 0b1101_0000]);
    }

    #[test]
    fn a_key_frame_codes_every_block_and_an_unchanged_frame_skips_them_all() {
        let mut encoder = Encoder::new(320, 180);
        let (key, is_key) = encoder.encode(Yuv420::from_rgb(&flat(320, 180, 90), 320, 180));
        assert!(is_key);
        assert!(key.len() > 20 * 12 * 384, "{} bytes", key.len());
        let (same, is_key) = encoder.encode(Yuv420::from_rgb(&flat(320, 180, 90), 320, 180));
        assert!(!is_key);
        assert!(same.len() < 16, "{} bytes", same.len());
        assert_eq!(same[0], 0x41);
    }

    #[test]
    fn nal_units_never_hold_a_start_code() {
        let mut encoder = Encoder::new(64, 48);
        let (nal, _) = encoder.encode(Yuv420::from_rgb(&flat(64, 48, 0), 64, 48));
        assert!(!nal.windows(3).any(|w| w == [0, 0, 1] || w == [0, 0, 0]));
        assert!(!encoder.sps().windows(3).any(|w| w == [0, 0, 1]));
    }
}
