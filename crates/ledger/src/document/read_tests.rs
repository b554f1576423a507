//! The shapes issue 21 met: Big5, UTF-16 with a BOM, one bad byte, a PDF after stray bytes, and
//! a .docx with Word's list numbering and a 任务分解表 as a table (vertically merged cells).

use super::*;
use std::io::Write;

const NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

fn zip_of(parts: &[(&str, String)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, xml) in parts {
            z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(xml.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

/// A paragraph numbered by list `num` at level `lvl`.
fn li(num: u32, lvl: u32, text: &str) -> String {
    format!("<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"{num}\"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn tc(text: &str, merge: Option<&str>) -> String {
    let m = match merge {
        Some("restart") => "<w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>",
        Some(_) => "<w:tcPr><w:vMerge/></w:tcPr>",
        None => "",
    };
    format!("<w:tc>{m}{}</w:tc>", p(text))
}

fn numbering() -> String {
    let lvl =
        |i: u32, fmt: &str, text: &str| format!("<w:lvl w:ilvl=\"{i}\"><w:start w:val=\"1\"/><w:numFmt w:val=\"{fmt}\"/><w:lvlText w:val=\"{text}\"/></w:lvl>");
    format!(
        "<w:numbering {NS}><w:abstractNum w:abstractNumId=\"7\">{}{}{}</w:abstractNum><w:num w:numId=\"3\"><w:abstractNumId w:val=\"7\"/></w:num></w:numbering>",
        lvl(0, "chineseCounting", "%1、"),
        lvl(1, "chineseCounting", "（%2）"),
        lvl(2, "decimal", "%3.")
    )
}

/// A draft task as compared: path, title, lead, co-units, deadline, standing.
type Row<'a> = (String, &'a str, &'a str, Vec<&'a str>, Option<chrono::NaiveDate>, bool);

#[test]
fn word_list_numbering_reads_as_the_numbers_shown_and_a_task_table_row_by_row() {
    let table = format!(
        "<w:tbl><w:tr>{}{}{}{}{}</w:tr><w:tr>{}{}{}{}{}</w:tr><w:tr>{}{}{}{}{}</w:tr></w:tbl>",
        tc("序号", None),
        tc("工作任务", None),
        tc("牵头单位", None),
        tc("配合单位", None),
        tc("完成时限", None),
        tc("1", None),
        tc("开展燃气安全排查", Some("restart")),
        tc("县住建局", None),
        tc("县市场监管局", None),
        tc("2027年6月底前", None),
        tc("2", None),
        tc("", Some("continue")),
        tc("县应急局", None),
        tc("", None),
        tc("长期坚持", None),
    );
    let body = [
        p("示范县2027年安全生产工作要点"),
        li(3, 0, "强化源头管控"),
        li(3, 1, "开展风险辨识"),
        li(3, 2, "完成重点企业风险辨识。"),
        li(3, 2, "建立风险清单。"),
        li(3, 1, "落实主体责任"),
        li(3, 0, "任务分解"),
        table,
    ]
    .concat();
    let doc = format!("<w:document {NS}><w:body>{body}</w:body></w:document>");
    let bytes = zip_of(&[("word/document.xml", doc), ("word/numbering.xml", numbering())]);
    let d = read_document(&bytes).unwrap();
    assert_eq!(d.encoding, Encoding::Docx);
    let b = luoshi_domain::doc::breakdown(&d.text, &luoshi_domain::doc::shipped_catalogue(), 2026, None);
    let tasks: Vec<Row<'_>> = b
        .tasks
        .iter()
        .map(|t| {
            let lead = t.lead.as_ref().map(|l| l.unit.as_str()).unwrap_or("");
            (t.path.join(""), t.title.as_str(), lead, t.co_units.iter().map(|c| c.unit.as_str()).collect(), t.deadline, t.long_term)
        })
        .collect();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2027, m, d);
    assert_eq!(tasks.len(), 5, "{tasks:?}");
    assert_eq!(tasks[3], ("二、1.".into(), "开展燃气安全排查", "县住房和城乡建设局", vec!["县市场监督管理局"], day(6, 30), false));
    assert_eq!(tasks[4], ("二、2.".into(), "开展燃气安全排查", "县应急管理局", vec![], day(12, 31), true));
    assert_eq!((tasks[0].0.as_str(), tasks[0].1), ("一、（一）1.", "完成重点企业风险辨识"));
    let lines: Vec<&str> = d.text.lines().collect();
    assert_eq!(
        lines,
        [
            "示范县2027年安全生产工作要点",
            "一、强化源头管控",
            "（一）开展风险辨识",
            "1.完成重点企业风险辨识。",
            "2.建立风险清单。",
            "（二）落实主体责任",
            "二、任务分解",
            "1.开展燃气安全排查。（牵头单位：县住建局；配合单位：县市场监管局；完成时限：2027年6月底前）",
            "2.开展燃气安全排查。（牵头单位：县应急局；完成时限：长期坚持）",
        ]
    );
}

#[test]
fn big5_utf16_a_bad_byte_and_a_late_pdf_header() {
    let (big5, _, _) = encoding_rs::BIG5.encode("一、總體要求\n二、縣發展和改革局牽頭，縣財政局配合，年底前完成。");
    let d = read_document(&big5).unwrap();
    assert_eq!((d.encoding, d.text.as_str()), (Encoding::Big5, "一、總體要求\n二、縣發展和改革局牽頭，縣財政局配合，年底前完成。"));
    let mut utf16 = vec![0xff, 0xfe];
    for u in "一、总体要求\r\n二、重点任务".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let d = read_document(&utf16).unwrap();
    assert_eq!((d.encoding, d.text.as_str()), (Encoding::Utf16, "一、总体要求\r\n二、重点任务"));
    let mut one_bad = "一、加强组织领导。各乡镇要落实属地责任，确保年底前完成。".repeat(3).into_bytes();
    one_bad.insert(9, 0xff);
    let d = read_document(&one_bad).unwrap();
    assert_eq!(d.encoding, Encoding::Utf8);
    assert_eq!(d.notes, ["1 byte sequence(s) were not UTF-8 and show as \u{FFFD}"], "the replaced byte is said");
    assert!(d.text.contains("各乡镇要落实属地责任"));
    assert!(read_document(b"\r\n%PDF-1.4 text after").unwrap_err().detail.unwrap().contains("PDF"));
    let (gbk, _, _) = encoding_rs::GB18030.encode("一、加强组织领导，县财政局负责。");
    assert_eq!(read_document(&gbk).unwrap().encoding, Encoding::Gb18030);
}

/// The same plan in GBK, UTF-16 and UTF-8 breaks down the same; a Big5 copy in traditional
/// characters matches the catalogue and keeps its own characters for display.
#[test]
fn every_encoding_breaks_down_alike() {
    use luoshi_domain::doc::{breakdown, shipped_catalogue};
    let src = include_str!("../../../domain/tests/data/notice-with-attachments.txt");
    let utf8 = breakdown(src, &shipped_catalogue(), 2026, None);
    assert!(utf8.tasks.len() >= 9);
    let (gbk, _, _) = encoding_rs::GB18030.encode(src);
    let mut utf16 = vec![0xff, 0xfe];
    for u in src.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    for (bytes, enc) in [(gbk.to_vec(), Encoding::Gb18030), (utf16, Encoding::Utf16)] {
        let d = read_document(&bytes).unwrap();
        assert_eq!(d.encoding, enc);
        assert_eq!(breakdown(&d.text, &shipped_catalogue(), 2026, None), utf8, "{enc:?}");
    }
    let hant = "示範縣2027年防汛工作要點\n一、加強組織領導\n（一）縣水利局牽頭，縣應急管理局配合，5月底前完成水庫安全檢查。\n（二）縣財政局負責，6月底前落實防汛資金。\n";
    let (big5, _, _) = encoding_rs::BIG5.encode(hant);
    let d = read_document(&big5).unwrap();
    assert_eq!(d.encoding, Encoding::Big5);
    let b = breakdown(&d.text, &shipped_catalogue(), 2026, None);
    assert_eq!(b.outline.title.as_deref(), Some("示範縣2027年防汛工作要點"));
    let rows: Vec<(&str, &str, Vec<&str>, Option<chrono::NaiveDate>)> = b
        .tasks
        .iter()
        .map(|t| (t.title.as_str(), t.lead.as_ref().map(|l| l.unit.as_str()).unwrap_or(""), t.co_units.iter().map(|c| c.unit.as_str()).collect(), t.deadline))
        .collect();
    assert_eq!(
        rows,
        [
            ("縣水利局牽頭", "县水利局", vec!["县应急管理局"], chrono::NaiveDate::from_ymd_opt(2027, 5, 31)),
            ("縣財政局負責，6月底前落實防汛資金", "县财政局", vec![], chrono::NaiveDate::from_ymd_opt(2027, 6, 30)),
        ]
    );
}
