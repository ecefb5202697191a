//! The protobuf wire format, as much of it as a vector tile needs: varints, zigzag, tags,
//! length-delimited fields and packed repeated fields.

pub(super) fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

pub(super) fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(super) fn tag(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, ((field << 3) | wire) as u64);
}

pub(super) fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    tag(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

pub(super) fn packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    // The length first: the varints' byte count, then the varints themselves, with no buffer.
    let length: usize = values.iter().map(|v| varint_len(u64::from(*v))).sum();
    tag(out, field, 2);
    varint(out, length as u64);
    for v in values {
        varint(out, u64::from(*v));
    }
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_lengths_match_the_varints_written() {
        for v in [0u64, 1, 127, 128, 16_383, 16_384, u64::from(u32::MAX)] {
            let mut out = Vec::new();
            varint(&mut out, v);
            assert_eq!(varint_len(v), out.len(), "{v}");
        }
    }
}
