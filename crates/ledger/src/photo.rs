//! A citizen's photo made safe to keep: JPEG or PNG only (by their bytes, not their name), and
//! nothing of the camera's metadata kept — EXIF (where GPS positions live), XMP, comments and
//! text chunks are dropped; the picture itself is copied byte for byte.

use luoshi_domain::{DomainError, ErrorCode};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn bad() -> DomainError {
    DomainError::field(ErrorCode::BadFile, "photos").with_detail("image".to_string())
}

/// The photo's content type and its bytes without metadata; anything but a well-formed JPEG or
/// PNG is refused (`bad_file` on `photos`).
pub fn clean_photo(bytes: &[u8]) -> Result<(&'static str, Vec<u8>), DomainError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(("image/jpeg", clean_jpeg(bytes)?))
    } else if bytes.starts_with(PNG_SIGNATURE) {
        Ok(("image/png", clean_png(bytes)?))
    } else {
        Err(bad())
    }
}

/// Copy a JPEG's segments up to the image data, leaving out APP1–APP13 and APP15 (EXIF, XMP,
/// Photoshop's IPTC…) and comments; APP0 (JFIF) and APP14 (Adobe's colour transform) stay, as
/// decoders need them.
fn clean_jpeg(b: &[u8]) -> Result<Vec<u8>, DomainError> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..2]);
    let mut i = 2;
    loop {
        // Markers may be padded with 0xFF bytes.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if b.get(i) != Some(&0xFF) {
            return Err(bad());
        }
        let marker = *b.get(i + 1).ok_or_else(bad)?;
        match marker {
            // End of image, or a marker without a length.
            0xD9 => {
                out.extend_from_slice(&b[i..i + 2]);
                return Ok(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&b[i..i + 2]);
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i + 2).ok_or_else(bad)?, *b.get(i + 3).ok_or_else(bad)?]));
        let end = i + 2 + len;
        if len < 2 || end > b.len() {
            return Err(bad());
        }
        // Start of scan: the compressed picture and whatever follows it, as they are.
        if marker == 0xDA {
            out.extend_from_slice(&b[i..]);
            return Ok(out);
        }
        let metadata = matches!(marker, 0xE1..=0xED | 0xEF | 0xFE);
        if !metadata {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
    }
}

/// Copy a PNG's chunks, leaving out eXIf and the text chunks (tEXt, zTXt, iTXt) and tIME.
fn clean_png(b: &[u8]) -> Result<Vec<u8>, DomainError> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut i = PNG_SIGNATURE.len();
    while i < b.len() {
        let head = b.get(i..i + 8).ok_or_else(bad)?;
        let len = usize::try_from(u32::from_be_bytes([head[0], head[1], head[2], head[3]])).map_err(|_| bad())?;
        let kind = &head[4..8];
        let end = i.checked_add(12).and_then(|x| x.checked_add(len)).filter(|e| *e <= b.len()).ok_or_else(bad)?;
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            return Ok(out);
        }
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    #[test]
    fn a_jpeg_loses_its_exif_and_keeps_its_picture() {
        let mut j = vec![0xFF, 0xD8];
        j.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        j.extend(segment(0xE1, b"Exif\0\0MM\0*GPSLatitude 30.12 GPSLongitude 120.15"));
        j.extend(segment(0xFE, b"taken at home"));
        j.extend(segment(0xDB, &[0u8; 65]));
        j.extend(segment(0xDA, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
        j.extend_from_slice(&[0x11, 0x22, 0xFF, 0x00, 0x33, 0xFF, 0xD9]);
        let (kind, out) = clean_photo(&j).unwrap();
        assert_eq!(kind, "image/jpeg");
        let s = String::from_utf8_lossy(&out);
        assert!(!s.contains("GPS") && !s.contains("Exif") && !s.contains("taken at home"), "{s}");
        assert!(s.contains("JFIF") && out.ends_with(&[0x33, 0xFF, 0xD9]) && out.starts_with(&[0xFF, 0xD8]));
        assert_eq!(out.len(), j.len() - segment(0xE1, b"Exif\0\0MM\0*GPSLatitude 30.12 GPSLongitude 120.15").len() - segment(0xFE, b"taken at home").len());
    }

    #[test]
    fn a_png_loses_its_text_and_exif_chunks() {
        let chunk = |kind: &[u8], body: &[u8]| {
            let mut c = u32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(body);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut p = PNG_SIGNATURE.to_vec();
        p.extend(chunk(b"IHDR", &[0u8; 13]));
        p.extend(chunk(b"eXIf", b"MM\0*GPS"));
        p.extend(chunk(b"tEXt", b"Comment\0at 30.1,120.1"));
        p.extend(chunk(b"IDAT", &[7u8; 20]));
        p.extend(chunk(b"IEND", &[]));
        let (kind, out) = clean_photo(&p).unwrap();
        assert_eq!(kind, "image/png");
        let s = String::from_utf8_lossy(&out);
        assert!(!s.contains("GPS") && !s.contains("Comment") && s.contains("IDAT") && s.ends_with("IEND\0\0\0\0"), "{s}");
    }

    #[test]
    fn anything_else_is_refused() {
        for b in [&b"GIF89a..."[..], b"%PDF-1.7", &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF], PNG_SIGNATURE, b""] {
            let e = clean_photo(b).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (ErrorCode::BadFile, Some("photos")));
        }
    }
}
