//! Documents to split (文件分解): plain text in UTF-8 (with or without BOM), GBK/GB18030 (many
//! government files still are), Big5 (a traditional-character copy), UTF-16 with its BOM
//! (Notepad's "Unicode"), and Word .docx (its paragraphs with their list numbers, its tables row
//! by row). Clear errors for empty, binary, unknown or oversized input; what was read as what is
//! said, and a few bytes that could not be read are replaced and reported, not a reason to refuse.

mod docx_text;
#[cfg(test)]
mod read_tests;

use luoshi_domain::{DomainError, ErrorCode};

/// The largest document accepted (20 MiB).
pub const MAX_DOCUMENT: usize = 20 * 1024 * 1024;

/// What a document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Big5,
    Utf16,
    Docx,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gb18030",
            Encoding::Big5 => "big5",
            Encoding::Utf16 => "utf-16",
            Encoding::Docx => "docx",
        }
    }
}

/// A document read: its text, how, and what the reader should know (bytes replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub text: String,
    pub encoding: Encoding,
    pub notes: Vec<String>,
}

fn bad(detail: &str) -> DomainError {
    DomainError::field(ErrorCode::BadFile, "file").with_detail(detail.to_string())
}

/// Double-byte pairs of a GBK or Big5 text: (lead, trail).
fn pairs(bytes: &[u8]) -> impl Iterator<Item = (u8, u8)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                i += 1;
                continue;
            }
            let t = bytes.get(i + 1).copied().unwrap_or(0);
            i += 2;
            return Some((b, t));
        }
        None
    })
}

/// How much of a double-byte text lies where each encoding keeps its common characters
/// (GB2312's first level, B0–D7 with trail A1–FE; Big5's frequent block, A4–C6): per mille.
fn likeness(bytes: &[u8]) -> (usize, usize) {
    let (mut gb, mut big5, mut n) = (0, 0, 0);
    for (l, t) in pairs(bytes) {
        n += 1;
        gb += usize::from((0xB0..=0xD7).contains(&l) && t >= 0xA1);
        big5 += usize::from((0xA4..=0xC6).contains(&l));
    }
    (gb * 1000 / n.max(1), big5 * 1000 / n.max(1))
}

/// Text bytes that are not UTF-8: GB18030 (a superset of GBK and GB2312) or Big5, whichever
/// decodes cleanly and looks like its own common characters.
fn double_byte(body: &[u8]) -> Option<(String, Encoding)> {
    let (gb, _, gb_bad) = encoding_rs::GB18030.decode(body);
    let (b5, _, b5_bad) = encoding_rs::BIG5.decode(body);
    let (gb_like, b5_like) = likeness(body);
    match (gb_bad, b5_bad) {
        (false, true) => Some((gb.into_owned(), Encoding::Gb18030)),
        (true, false) => Some((b5.into_owned(), Encoding::Big5)),
        (false, false) if b5_like > gb_like => Some((b5.into_owned(), Encoding::Big5)),
        (false, false) => Some((gb.into_owned(), Encoding::Gb18030)),
        (true, true) => None,
    }
}

/// Read a document's text.
pub fn read_document(bytes: &[u8]) -> Result<Document, DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::required("file"));
    }
    if bytes.len() > MAX_DOCUMENT {
        return Err(DomainError::field(ErrorCode::TooLarge, "file").with_detail("20 MiB"));
    }
    let doc = |text: String, encoding| Document { text, encoding, notes: Vec::new() };
    if bytes.starts_with(b"PK\x03\x04") {
        return docx_text::read_docx(bytes).map(|t| doc(t, Encoding::Docx));
    }
    if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(bad("an old Word .doc file: save it as .docx"));
    }
    // A PDF may start after a few stray bytes.
    if bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Err(bad("a PDF: copy its text out, or save it as .docx"));
    }
    let mut d = if let Some(enc) = [encoding_rs::UTF_16LE, encoding_rs::UTF_16BE]
        .into_iter()
        .find(|e| bytes.starts_with(if *e == encoding_rs::UTF_16LE { b"\xff\xfe" } else { b"\xfe\xff" }))
    {
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err(bad("UTF-16 text with broken characters"));
        }
        doc(text.into_owned(), Encoding::Utf16)
    } else {
        let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        if body.contains(&0) {
            return Err(bad("binary content"));
        }
        match std::str::from_utf8(body) {
            Ok(t) => doc(t.to_string(), Encoding::Utf8),
            Err(_) => {
                let lossy = String::from_utf8_lossy(body);
                let replaced = lossy.matches('\u{FFFD}').count();
                let wide = lossy.chars().filter(|c| u32::from(*c) >= 0x800).count();
                // A few bad bytes in a UTF-8 text (a copy cut mid-character): read the rest.
                if replaced <= 8.max(wide / 200) && wide >= replaced * 20 {
                    let mut d = doc(lossy.into_owned(), Encoding::Utf8);
                    d.notes.push(format!("{replaced} byte sequence(s) were not UTF-8 and show as \u{FFFD}"));
                    d
                } else {
                    let (text, enc) = double_byte(body).ok_or_else(|| bad("neither UTF-8, GBK nor Big5 text"))?;
                    doc(text, enc)
                }
            }
        }
    };
    let control = d.text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    if control * 50 > d.text.chars().count().max(1) {
        return Err(bad("binary content"));
    }
    if d.text.trim().is_empty() {
        return Err(DomainError::required("file"));
    }
    if let Some(t) = d.text.strip_prefix('\u{feff}') {
        d.text = t.to_string();
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn docx(paragraphs: &[&str]) -> Vec<u8> {
        let mut body = String::new();
        for p in paragraphs {
            body.push_str(&format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"));
        }
        let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>");
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(xml.as_bytes()).unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn utf8_bom_gbk_and_docx() {
        let d = read_document("一、总体要求\n".as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("一、总体要求\n", Encoding::Utf8));
        assert_eq!(read_document(b"\xef\xbb\xbf\xe4\xb8\x80").unwrap().text, "一");
        let (gbk, _, _) = encoding_rs::GB18030.encode("一、总体要求\n二是加强领导。");
        let d = read_document(&gbk).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("一、总体要求\n二是加强领导。", Encoding::Gb18030));
        let d = docx(&["关于印发示范县实施方案的通知", "一、总体要求", "二、重点任务 &amp; 措施"]);
        let Document { text, encoding: enc, .. } = read_document(&d).unwrap();
        assert_eq!(enc, Encoding::Docx);
        assert_eq!(text, "关于印发示范县实施方案的通知\n一、总体要求\n二、重点任务 & 措施\n");
    }

    #[test]
    fn clear_errors() {
        assert_eq!(read_document(b"").unwrap_err().code, ErrorCode::Required);
        assert_eq!(read_document(b" \n ").unwrap_err().code, ErrorCode::Required);
        assert_eq!(read_document(b"\x00\x01\x02binary").unwrap_err().code, ErrorCode::BadFile);
        assert!(read_document(b"%PDF-1.7 ...").unwrap_err().detail.unwrap().contains("PDF"));
        assert!(read_document(b"PK\x03\x04broken").unwrap_err().detail.unwrap().contains(".docx"));
        assert_eq!(read_document(&vec![b'a'; MAX_DOCUMENT + 1]).unwrap_err().code, ErrorCode::TooLarge);
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;
        proptest! {
            #[test]
            fn any_bytes_read_or_err(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
                let _ = read_document(&bytes);
            }
        }
    }
}
