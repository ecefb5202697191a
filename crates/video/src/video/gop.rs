//! An H.264 stream's access units as they came, for walls that decode H.264 themselves
//! (Chromium's WebCodecs): the units since the last key frame (one [`Gop`]), so a tile that
//! starts late begins at that key frame at once, and a [`GopCursor`] per tile that hands out
//! every unit once, in order. Unlike a JPEG, a unit cannot be skipped alone (the next pictures
//! are built on it): a tile that falls more than a GOP behind jumps to the newest key frame.

use std::sync::{Arc, Mutex};

/// Units kept in one GOP at most: a camera whose key frames come further apart than this (or
/// never) starts a GOP that follows on, which a tile already playing continues and a new tile
/// waits out until the next key frame.
pub const MAX_GOP_UNITS: usize = 300;

/// One access unit: Annex B, with the parameter sets in front of a key frame.
#[derive(Debug)]
pub struct AccessUnit {
    pub data: Vec<u8>,
    pub key: bool,
    /// Unix milliseconds when it arrived.
    pub at: i64,
}

/// The units from one key frame to the next (or a run that follows on from a full one).
#[derive(Debug)]
pub struct Gop {
    id: u64,
    /// The GOP just before this one in the stream.
    previous: Option<u64>,
    /// Whether it starts at a key frame (else it continues a full one).
    keyed: bool,
    /// The RFC 6381 codec (`avc1.PPCCLL`), from the stream's sequence parameter set.
    pub codec: String,
    units: Mutex<Vec<Arc<AccessUnit>>>,
}

impl Gop {
    /// Starts a GOP at a key frame, after `previous`.
    pub(super) fn keyed(
        id: u64,
        previous: Option<u64>,
        codec: String,
        first: Arc<AccessUnit>,
    ) -> Gop {
        Gop {
            id,
            previous,
            keyed: true,
            codec,
            units: Mutex::new(vec![first]),
        }
    }

    /// Appends a unit; `Err` gives it back when this GOP is full, so the caller starts the next.
    pub(super) fn push(&self, unit: Arc<AccessUnit>) -> Result<(), Arc<AccessUnit>> {
        let mut units = self.units.lock().unwrap_or_else(|p| p.into_inner());
        if units.len() >= MAX_GOP_UNITS {
            return Err(unit);
        }
        units.push(unit);
        Ok(())
    }

    /// The GOP that continues this full one, starting with `first`.
    pub(super) fn successor(&self, id: u64, first: Arc<AccessUnit>) -> Gop {
        Gop {
            id,
            previous: Some(self.id),
            keyed: false,
            codec: self.codec.clone(),
            units: Mutex::new(vec![first]),
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// Every unit so far, where this GOP starts at a key frame: what a decoder that joins now
    /// decodes to catch up.
    pub(super) fn since_key_frame(&self) -> Option<Vec<Arc<AccessUnit>>> {
        self.keyed.then(|| self.units_from(0))
    }

    fn units_from(&self, index: usize) -> Vec<Arc<AccessUnit>> {
        let units = self.units.lock().unwrap_or_else(|p| p.into_inner());
        units.get(index..).map(<[_]>::to_vec).unwrap_or_default()
    }
}

/// Where one tile stands in its stream's units.
#[derive(Debug, Default)]
pub struct GopCursor {
    at: Option<(Arc<Gop>, usize)>,
}

impl GopCursor {
    /// The units not handed out yet, given the stream's current GOP: the rest of the GOP this
    /// tile was in, where the current one continues it, then the current one's. A tile that
    /// lost its place (new, or a GOP behind) starts at the current GOP's key frame, or waits for
    /// the next one.
    pub fn next(&mut self, current: &Arc<Gop>) -> Vec<Arc<AccessUnit>> {
        let mut out = Vec::new();
        if let Some((held, next)) = &mut self.at {
            if held.id == current.id {
                let fresh = held.units_from(*next);
                *next += fresh.len();
                return fresh;
            }
            if current.previous == Some(held.id) {
                out = held.units_from(*next);
            } else if !current.keyed {
                self.at = None;
                return out;
            }
        } else if !current.keyed {
            return out;
        }
        let fresh = current.units_from(0);
        self.at = Some((current.clone(), fresh.len()));
        out.extend(fresh);
        out
    }
}

/// The RFC 6381 codec string of an Annex B key frame's sequence parameter set
/// (`avc1.` + profile, constraint flags and level in hex), if it carries one.
pub fn codec_of(annex_b: &[u8]) -> Option<String> {
    let mut i = 0;
    while i + 3 < annex_b.len() {
        if annex_b[i] == 0 && annex_b[i + 1] == 0 && annex_b[i + 2] == 1 {
            let nal = &annex_b[i + 3..];
            if nal.first().is_some_and(|h| h & 0x1f == 7) && nal.len() >= 4 {
                return Some(format!("avc1.{:02x}{:02x}{:02x}", nal[1], nal[2], nal[3]));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(n: u8, key: bool) -> Arc<AccessUnit> {
        Arc::new(AccessUnit {
            data: vec![n],
            key,
            at: 0,
        })
    }

    fn bytes(units: &[Arc<AccessUnit>]) -> Vec<u8> {
        units.iter().map(|u| u.data[0]).collect()
    }

    #[test]
    fn a_tile_gets_every_unit_once_in_order_across_key_frames() {
        let first = Arc::new(Gop::keyed(1, None, "avc1.42001f".into(), unit(0, true)));
        let mut cursor = GopCursor::default();
        assert_eq!(bytes(&cursor.next(&first)), [0]);
        first.push(unit(1, false)).unwrap();
        first.push(unit(2, false)).unwrap();
        assert_eq!(bytes(&cursor.next(&first)), [1, 2]);
        assert!(cursor.next(&first).is_empty());
        first.push(unit(3, false)).unwrap();
        // A key frame came before the tile looked again: the old GOP's tail, then the new one.
        let second = Arc::new(Gop::keyed(2, Some(1), "avc1.42001f".into(), unit(4, true)));
        assert_eq!(bytes(&cursor.next(&second)), [3, 4]);
    }

    #[test]
    fn a_late_tile_starts_at_the_key_frame_and_one_far_behind_jumps_to_the_newest() {
        let first = Arc::new(Gop::keyed(1, None, "c".into(), unit(0, true)));
        first.push(unit(1, false)).unwrap();
        let mut late = GopCursor::default();
        assert_eq!(bytes(&late.next(&first)), [0, 1]);
        let third = Arc::new(Gop::keyed(3, Some(2), "c".into(), unit(9, true)));
        assert_eq!(bytes(&late.next(&third)), [9]);
    }

    #[test]
    fn a_full_gop_is_continued_by_a_tile_playing_it_and_waited_out_by_a_new_one() {
        let first = Arc::new(Gop::keyed(1, None, "c".into(), unit(0, true)));
        let mut playing = GopCursor::default();
        assert_eq!(playing.next(&first).len(), 1);
        for n in 1..MAX_GOP_UNITS {
            first.push(unit(n as u8, false)).unwrap();
        }
        let Err(overflow) = first.push(unit(7, false)) else {
            panic!("a full GOP takes no more")
        };
        let next = Arc::new(first.successor(2, overflow));
        assert_eq!(
            first.since_key_frame().map(|u| u.len()),
            Some(MAX_GOP_UNITS)
        );
        assert!(
            next.since_key_frame().is_none(),
            "no decoder can start from a GOP that follows on"
        );
        assert_eq!(playing.next(&next).len(), MAX_GOP_UNITS - 1 + 1);
        let mut fresh = GopCursor::default();
        assert!(fresh.next(&next).is_empty());
        let keyed = Arc::new(Gop::keyed(3, Some(2), "c".into(), unit(8, true)));
        assert_eq!(bytes(&fresh.next(&keyed)), [8]);
    }

    #[test]
    fn the_codec_comes_from_the_sequence_parameter_set() {
        let key = [
            0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0xaa, 0, 0, 0, 1, 0x68, 1,
        ];
        assert_eq!(codec_of(&key).as_deref(), Some("avc1.42c01f"));
        assert_eq!(codec_of(&[0, 0, 1, 0x65, 1, 2, 3]), None);
        assert_eq!(codec_of(&[0, 0, 1, 0x67, 1]), None);
    }
}
