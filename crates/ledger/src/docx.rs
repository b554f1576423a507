//! A Word document (.docx) of a title, lines of text and one table: what an annual report is
//! printed from. Written by hand as WordprocessingML (the three parts Word needs), A4 portrait.

use luoshi_domain::{DomainError, ErrorCode};
use std::io::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn para(text: &str, bold: bool, size_half_points: u32, centred: bool) -> String {
    let jc = if centred { "<w:jc w:val=\"center\"/>" } else { "" };
    let b = if bold { "<w:b/>" } else { "" };
    format!(
        "<w:p><w:pPr>{jc}</w:pPr><w:r><w:rPr><w:rFonts w:eastAsia=\"SimSun\"/>{b}<w:sz w:val=\"{size_half_points}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        esc(text)
    )
}

fn cell(text: &str, bold: bool) -> String {
    format!("<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>{}</w:tc>", para(text, bold, 21, false))
}

/// The document: `title` centred, `lines` under it, then the table (`headers` bold).
pub fn write_docx<R: AsRef<[String]>>(title: &str, lines: &[String], headers: &[&str], rows: &[R]) -> Result<Vec<u8>, DomainError> {
    let internal = |_| DomainError::new(ErrorCode::Internal);
    let mut body = para(title, true, 32, true);
    for l in lines {
        body.push_str(&para(l, false, 21, false));
    }
    let border = "<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>";
    body.push_str(&format!("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{border}</w:tblBorders></w:tblPr>"));
    body.push_str("<w:tr>");
    for h in headers {
        body.push_str(&cell(h, true));
    }
    body.push_str("</w:tr>");
    for r in rows {
        body.push_str("<w:tr>");
        for v in r.as_ref() {
            body.push_str(&cell(v, false));
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    // A4 portrait, 2.5 cm margins.
    body.push_str("<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1417\" w:right=\"1417\" w:bottom=\"1417\" w:left=\"1417\" w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr>");
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in [("[Content_Types].xml", types), ("_rels/.rels", rels), ("word/document.xml", document.as_str())] {
            z.start_file(name, opts).map_err(internal)?;
            z.write_all(text.as_bytes()).map_err(|_| DomainError::new(ErrorCode::Internal))?;
        }
        z.finish().map_err(internal)?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_report_reads_back_as_its_text() {
        let rows = vec![vec!["1".to_string(), "城关镇".to_string(), "92.5".to_string()], vec!["2".to_string(), "A&B <乡>".to_string(), "81.0".to_string()]];
        let bytes = super::write_docx("2026年度考核排名", &["依据：示例".to_string()], &["名次", "单位", "总分"], &rows).unwrap();
        let text = crate::document::read_document(&bytes).unwrap().text;
        for want in ["2026年度考核排名", "依据：示例", "城关镇", "92.5", "A&B <乡>"] {
            assert!(text.contains(want), "{want} in {text}");
        }
    }
}
