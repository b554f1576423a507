//! A Word document (.docx) written by hand as WordprocessingML: what a report or a 通报 is
//! printed from. A4 portrait, page numbers in the footer (— 1 —, as GB/T 9704 sets them).

use luoshi_domain::{DomainError, ErrorCode};
use std::io::Write;

/// One block of a document, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The issuing office's mark (发文机关标志): large, red, centred.
    Masthead(String),
    /// A line centred under the masthead (the 文号), then a red rule.
    Number(String),
    Title(String),
    Heading(String),
    Para(String),
    /// Right-aligned: the signature (落款) and the date.
    Right(String),
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

struct Style {
    bold: bool,
    size: u32,
    jc: &'static str,
    colour: Option<&'static str>,
    /// A red rule under the paragraph (the line under the 文号).
    rule: bool,
    indent: bool,
}

const BODY: Style = Style { bold: false, size: 24, jc: "", colour: None, rule: false, indent: true };

fn para(text: &str, s: &Style) -> String {
    let jc = if s.jc.is_empty() { String::new() } else { format!("<w:jc w:val=\"{}\"/>", s.jc) };
    let rule = if s.rule { "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"C00000\"/></w:pBdr>" } else { "" };
    // Body text is indented two characters, as documents are.
    let ind = if s.indent { "<w:ind w:firstLineChars=\"200\" w:firstLine=\"480\"/>" } else { "" };
    let b = if s.bold { "<w:b/>" } else { "" };
    let colour = s.colour.map(|c| format!("<w:color w:val=\"{c}\"/>")).unwrap_or_default();
    format!(
        "<w:p><w:pPr>{rule}{ind}{jc}</w:pPr><w:r><w:rPr><w:rFonts w:eastAsia=\"SimSun\"/>{b}{colour}<w:sz w:val=\"{}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        s.size,
        esc(text)
    )
}

fn cell(text: &str, bold: bool) -> String {
    let s = Style { bold, size: 21, jc: "", colour: None, rule: false, indent: false };
    format!("<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>{}</w:tc>", para(text, &s))
}

fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let border = "<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>";
    let mut t = format!("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{border}</w:tblBorders></w:tblPr>");
    // The header row repeats on every page.
    t.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for h in headers {
        t.push_str(&cell(h, true));
    }
    t.push_str("</w:tr>");
    for r in rows {
        t.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for v in r {
            t.push_str(&cell(v, false));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

fn body(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        out.push_str(&match b {
            Block::Masthead(t) => para(t, &Style { bold: true, size: 44, jc: "center", colour: Some("C00000"), rule: false, indent: false }),
            Block::Number(t) => para(t, &Style { bold: false, size: 24, jc: "center", colour: None, rule: true, indent: false }),
            Block::Title(t) => para(t, &Style { bold: true, size: 32, jc: "center", colour: None, rule: false, indent: false }),
            Block::Heading(t) => para(t, &Style { bold: true, ..BODY }),
            Block::Para(t) => para(t, &BODY),
            Block::Right(t) => para(t, &Style { jc: "right", indent: false, ..BODY }),
            Block::Table { headers, rows } => table(headers, rows),
        });
    }
    out
}

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The document of `blocks`, with the page number centred in the footer.
pub fn write_blocks(blocks: &[Block]) -> Result<Vec<u8>, DomainError> {
    let internal = |_| DomainError::new(ErrorCode::Internal);
    // A4 portrait, 2.5 cm margins; the footer holds the page number.
    let sect = "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId1\"/><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1417\" w:right=\"1417\" w:bottom=\"1417\" w:left=\"1417\" w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr>";
    let document = format!("{XML}<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{}{sect}</w:body></w:document>", body(blocks));
    let run = |inner: &str| format!("<w:r><w:rPr><w:sz w:val=\"28\"/></w:rPr>{inner}</w:r>");
    let footer = format!(
        "{XML}<w:ftr xmlns:w=\"{W}\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}{}{}{}{}</w:p></w:ftr>",
        run("<w:t xml:space=\"preserve\">— </w:t>"),
        run("<w:fldChar w:fldCharType=\"begin\"/>"),
        run("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"),
        run("<w:fldChar w:fldCharType=\"end\"/>"),
        run("<w:t xml:space=\"preserve\"> —</w:t>"),
    );
    let types = format!(
        "{XML}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        <Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/></Types>"
    );
    let rels = format!(
        "{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"{R}/officeDocument\" Target=\"word/document.xml\"/></Relationships>"
    );
    let doc_rels = format!(
        "{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"{R}/footer\" Target=\"footer1.xml\"/></Relationships>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts = [
            ("[Content_Types].xml", types.as_str()),
            ("_rels/.rels", rels.as_str()),
            ("word/_rels/document.xml.rels", doc_rels.as_str()),
            ("word/document.xml", document.as_str()),
            ("word/footer1.xml", footer.as_str()),
        ];
        for (name, text) in parts {
            z.start_file(name, opts).map_err(internal)?;
            z.write_all(text.as_bytes()).map_err(|_| DomainError::new(ErrorCode::Internal))?;
        }
        z.finish().map_err(internal)?;
    }
    Ok(buf.into_inner())
}

/// The document: `title` centred, `lines` under it, then the table (`headers` bold).
pub fn write_docx<R: AsRef<[String]>>(title: &str, lines: &[String], headers: &[&str], rows: &[R]) -> Result<Vec<u8>, DomainError> {
    let mut blocks = vec![Block::Title(title.to_string())];
    blocks.extend(lines.iter().cloned().map(Block::Para));
    blocks.push(Block::Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows: rows.iter().map(|r| r.as_ref().to_vec()).collect() });
    write_blocks(&blocks)
}

#[cfg(test)]
mod tests {
    use super::Block;
    use std::io::Read;

    #[test]
    fn a_report_reads_back_as_its_text() {
        let rows = vec![vec!["1".to_string(), "城关镇".to_string(), "92.5".to_string()], vec!["2".to_string(), "A&B <乡>".to_string(), "81.0".to_string()]];
        let bytes = super::write_docx("2026年度考核排名", &["依据：示例".to_string()], &["名次", "单位", "总分"], &rows).unwrap();
        let text = crate::document::read_document(&bytes).unwrap().text;
        for want in ["2026年度考核排名", "依据：示例", "城关镇", "92.5", "A&B <乡>"] {
            assert!(text.contains(want), "{want} in {text}");
        }
    }

    #[test]
    fn a_notice_has_its_number_signature_and_page_numbers() {
        let blocks = vec![
            Block::Masthead("县委督查室".into()),
            Block::Number("督通〔2026〕11号".into()),
            Block::Title("落实情况通报".into()),
            Block::Heading("一、总体情况".into()),
            Block::Para("本月共督办 3 件。".into()),
            Block::Table { headers: vec!["排名".into(), "单位".into()], rows: vec![vec!["1".into(), "城关镇".into()]] },
            Block::Right("2026年12月5日".into()),
        ];
        let bytes = super::write_blocks(&blocks).unwrap();
        let text = crate::document::read_document(&bytes).unwrap().text;
        let order: Vec<usize> =
            ["县委督查室", "督通〔2026〕11号", "落实情况通报", "一、总体情况", "城关镇", "2026年12月5日"].iter().map(|w| text.find(w).unwrap()).collect();
        assert!(order.windows(2).all(|p| p[0] < p[1]), "{text}");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut footer = String::new();
        zip.by_name("word/footer1.xml").unwrap().read_to_string(&mut footer).unwrap();
        assert!(footer.contains(" PAGE "), "{footer}");
        let mut rels = String::new();
        zip.by_name("word/_rels/document.xml.rels").unwrap().read_to_string(&mut rels).unwrap();
        assert!(rels.contains("footer1.xml"));
    }
}
