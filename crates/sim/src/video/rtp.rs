//! RTP packets of the sim cameras' frames, framed for RTSP's interleaved TCP transport
//! (RFC 2326 §10.12): H.264 as single NAL units and FU-A fragments (RFC 6184), JPEG as
//! RFC 2435 fragments carrying their quantisation tables in-band (Q = 255).

/// Largest RTP payload: a packet fits an Ethernet frame, as a camera would send it.
const MAX_PAYLOAD: usize = 1400;

/// Numbers each packet of one stream.
pub struct Packetizer {
    pub payload_type: u8,
    pub ssrc: u32,
    pub sequence: u16,
    /// The interleaved channel the client chose for RTP.
    pub channel: u8,
}

impl Packetizer {
    fn packet(&mut self, out: &mut Vec<u8>, marker: bool, timestamp: u32, parts: &[&[u8]]) {
        let len = 12 + parts.iter().map(|p| p.len()).sum::<usize>();
        out.push(b'$');
        out.push(self.channel);
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.push(0x80);
        out.push(self.payload_type | if marker { 0x80 } else { 0 });
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for part in parts {
            out.extend_from_slice(part);
        }
        self.sequence = self.sequence.wrapping_add(1);
    }

    /// One access unit of H.264 NAL units (without start codes), the marker on its last packet.
    pub fn h264(&mut self, out: &mut Vec<u8>, timestamp: u32, nals: &[&[u8]]) {
        for (k, nal) in nals.iter().enumerate() {
            let last_nal = k + 1 == nals.len();
            if nal.len() <= MAX_PAYLOAD {
                self.packet(out, last_nal, timestamp, &[nal]);
                continue;
            }
            let indicator = (nal[0] & 0xE0) | 28;
            let kind = nal[0] & 0x1F;
            let chunks: Vec<&[u8]> = nal[1..].chunks(MAX_PAYLOAD - 2).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                let start = if i == 0 { 0x80 } else { 0 };
                let end = if i + 1 == chunks.len() { 0x40 } else { 0 };
                let header = [indicator, start | end | kind];
                self.packet(
                    out,
                    last_nal && i + 1 == chunks.len(),
                    timestamp,
                    &[&header, chunk],
                );
            }
        }
    }

    /// One baseline JPEG as RFC 2435 fragments; `None` when the JPEG is not one RTP/JPEG can
    /// carry (not 4:2:0 or 4:2:2 with three components, larger than 2040 pixels).
    pub fn jpeg(&mut self, out: &mut Vec<u8>, timestamp: u32, jpeg: &[u8]) -> Option<()> {
        let parts = JpegParts::parse(jpeg)?;
        let mut tables = vec![0u8, 0, 0, 128];
        tables.extend_from_slice(parts.tables[0]);
        tables.extend_from_slice(parts.tables[1]);
        let mut offset = 0usize;
        let chunk_len = MAX_PAYLOAD - 8;
        let mut scan = parts.scan;
        while !scan.is_empty() || offset == 0 {
            let room = if offset == 0 {
                chunk_len - tables.len()
            } else {
                chunk_len
            };
            let (chunk, rest) = scan.split_at(room.min(scan.len()));
            let off = (offset as u32).to_be_bytes();
            let header = [
                0,
                off[1],
                off[2],
                off[3],
                parts.kind,
                255,
                parts.width.div_ceil(8) as u8,
                parts.height.div_ceil(8) as u8,
            ];
            let marker = rest.is_empty();
            if offset == 0 {
                self.packet(out, marker, timestamp, &[&header, &tables, chunk]);
            } else {
                self.packet(out, marker, timestamp, &[&header, chunk]);
            }
            offset += chunk.len();
            scan = rest;
            if marker {
                break;
            }
        }
        Some(())
    }
}

/// What RFC 2435 sends of a JPEG: its type, size, two quantisation tables and the scan.
struct JpegParts<'a> {
    kind: u8,
    width: usize,
    height: usize,
    tables: [&'a [u8]; 2],
    scan: &'a [u8],
}

impl<'a> JpegParts<'a> {
    fn parse(jpeg: &'a [u8]) -> Option<JpegParts<'a>> {
        let mut tables: [Option<&[u8]>; 4] = [None; 4];
        let (mut kind, mut width, mut height) = (None, 0, 0);
        let mut at = 2;
        if jpeg.get(..2)? != [0xFF, 0xD8] {
            return None;
        }
        loop {
            let marker = *jpeg.get(at + 1)?;
            let len = u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]) as usize;
            let body = jpeg.get(at + 4..at + 2 + len)?;
            match marker {
                0xDB => {
                    let mut t = body;
                    while t.len() >= 65 {
                        if t[0] >> 4 != 0 {
                            return None; // 16-bit tables
                        }
                        *tables.get_mut((t[0] & 3) as usize)? = Some(&t[1..65]);
                        t = &t[65..];
                    }
                }
                0xC0 => {
                    height = u16::from_be_bytes([*body.get(1)?, *body.get(2)?]) as usize;
                    width = u16::from_be_bytes([*body.get(3)?, *body.get(4)?]) as usize;
                    if *body.get(5)? != 3
                        || body.get(10) != Some(&0x11)
                        || body.get(13) != Some(&0x11)
                    {
                        return None;
                    }
                    kind = match body.get(7)? {
                        0x21 => Some(0),
                        0x22 => Some(1),
                        _ => return None,
                    };
                }
                0xDD => return None, // restart markers need the RFC's types 64+
                0xDA => {
                    let scan = jpeg.get(at + 2 + len..)?;
                    let scan = scan.strip_suffix(&[0xFF, 0xD9]).unwrap_or(scan);
                    if width > 2040 || height > 2040 {
                        return None;
                    }
                    return Some(JpegParts {
                        kind: kind?,
                        width,
                        height,
                        tables: [tables[0]?, tables[1]?],
                        scan,
                    });
                }
                _ => {}
            }
            at += 2 + len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packets(out: &[u8]) -> Vec<&[u8]> {
        let mut packets = Vec::new();
        let mut rest = out;
        while !rest.is_empty() {
            assert_eq!(rest[0], b'$');
            let len = u16::from_be_bytes([rest[2], rest[3]]) as usize;
            packets.push(&rest[4..4 + len]);
            rest = &rest[4 + len..];
        }
        packets
    }

    #[test]
    fn a_large_nal_unit_goes_as_fu_a_fragments_marked_at_the_end() {
        let mut p = Packetizer {
            payload_type: 96,
            ssrc: 7,
            sequence: 65535,
            channel: 0,
        };
        let nal: Vec<u8> = std::iter::once(0x65)
            .chain((0..4000).map(|i| i as u8))
            .collect();
        let mut out = Vec::new();
        p.h264(&mut out, 9000, &[&[0x67, 1], &[0x68, 2], &nal]);
        let packets = packets(&out);
        assert_eq!(packets.len(), 2 + 3);
        assert_eq!(packets[2][12..14], [0x7C, 0x85]); // FU-A start of an IDR slice
        assert_eq!(packets[4][13], 0x45); // its end
        assert!(packets.iter().take(4).all(|p| p[1] & 0x80 == 0));
        assert_eq!(packets[4][1], 0x80 | 96);
        let body: Vec<u8> = packets[2..].iter().flat_map(|p| p[14..].to_vec()).collect();
        assert_eq!(body, nal[1..]);
        assert_eq!(p.sequence, 4); // wraps
    }

    #[test]
    fn a_jpeg_goes_with_its_tables_and_its_scan_in_order() {
        let rgb = super::super::picture::rgb(320, 180, "CAM-1", 3);
        let jpeg = super::super::picture::jpeg(&rgb, 320, 180);
        let mut p = Packetizer {
            payload_type: 26,
            ssrc: 7,
            sequence: 0,
            channel: 0,
        };
        let mut out = Vec::new();
        p.jpeg(&mut out, 0, &jpeg)
            .expect("our JPEGs are RFC 2435 JPEGs");
        let packets = packets(&out);
        let first = &packets[0][12..];
        assert_eq!(first[4..8], [1, 255, 40, 23]);
        assert_eq!(first[8..12], [0, 0, 0, 128]);
        let scan: Vec<u8> = packets
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p[if i == 0 { 12 + 8 + 132 } else { 12 + 8 }..].to_vec())
            .collect();
        assert!(jpeg.windows(scan.len()).any(|w| w == scan.as_slice()));
        assert_eq!(packets.last().map(|p| p[1] & 0x80), Some(0x80));
    }
}
