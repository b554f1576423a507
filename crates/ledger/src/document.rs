//! Documents to split (文件分解): plain text in UTF-8 (with or without BOM) or GBK/GB18030, which
//! many government files still are, and Word .docx (its paragraphs). Clear errors for empty,
//! binary, unknown or oversized input.

use luoshi_domain::{DomainError, ErrorCode};
use std::io::Read;

/// The largest document accepted (20 MiB).
pub const MAX_DOCUMENT: usize = 20 * 1024 * 1024;

/// What a document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Docx,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gb18030",
            Encoding::Docx => "docx",
        }
    }
}

fn bad(detail: &str) -> DomainError {
    DomainError::field(ErrorCode::BadFile, "file").with_detail(detail.to_string())
}

/// Read a document's text.
pub fn read_document(bytes: &[u8]) -> Result<(String, Encoding), DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::required("file"));
    }
    if bytes.len() > MAX_DOCUMENT {
        return Err(DomainError::field(ErrorCode::TooLarge, "file").with_detail("20 MiB"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_docx(bytes).map(|t| (t, Encoding::Docx));
    }
    if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(bad("an old Word .doc file: save it as .docx"));
    }
    if bytes.starts_with(b"%PDF") {
        return Err(bad("a PDF: copy its text out, or save it as .docx"));
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if body.contains(&0) {
        return Err(bad("binary content"));
    }
    let (text, encoding) = match std::str::from_utf8(body) {
        Ok(t) => (t.to_string(), Encoding::Utf8),
        Err(_) => {
            // Not UTF-8: GB18030 is a superset of GBK and GB2312.
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(body);
            if had_errors {
                return Err(bad("neither UTF-8 nor GBK text"));
            }
            (decoded.into_owned(), Encoding::Gb18030)
        }
    };
    let control = text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    if control * 50 > text.chars().count().max(1) {
        return Err(bad("binary content"));
    }
    if text.trim().is_empty() {
        return Err(DomainError::required("file"));
    }
    Ok((text, encoding))
}

/// The paragraphs of a .docx, one a line (`w:t` text within each `w:p`; tabs and breaks kept).
fn read_docx(bytes: &[u8]) -> Result<String, DomainError> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad("not a .docx (broken zip)"))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| bad("not a .docx (no word/document.xml)"))?
        .take(MAX_DOCUMENT as u64 * 4)
        .read_to_string(&mut xml)
        .map_err(|_| bad("the .docx cannot be read"))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:t" => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Ok(Event::Empty(e)) if e.name().as_ref() == b"w:tab" => out.push('\t'),
            Ok(Event::Empty(e)) if e.name().as_ref() == b"w:br" => out.push('\n'),
            Ok(Event::Text(t)) if in_text => out.push_str(&t.decode().map_err(|_| bad("the .docx text cannot be read"))?),
            Ok(Event::GeneralRef(r)) if in_text => {
                let name = r.decode().map_err(|_| bad("the .docx text cannot be read"))?;
                out.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err(bad("the .docx is damaged")),
            _ => {}
        }
    }
    if out.trim().is_empty() {
        return Err(DomainError::required("file"));
    }
    Ok(out)
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
        assert_eq!(read_document("一、总体要求\n".as_bytes()).unwrap(), ("一、总体要求\n".to_string(), Encoding::Utf8));
        assert_eq!(read_document(b"\xef\xbb\xbf\xe4\xb8\x80").unwrap().0, "一");
        let (gbk, _, _) = encoding_rs::GB18030.encode("一、总体要求\n二是加强领导。");
        assert_eq!(read_document(&gbk).unwrap(), ("一、总体要求\n二是加强领导。".to_string(), Encoding::Gb18030));
        let d = docx(&["关于印发示范县实施方案的通知", "一、总体要求", "二、重点任务 &amp; 措施"]);
        let (text, enc) = read_document(&d).unwrap();
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
