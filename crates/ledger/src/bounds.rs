//! Bounds on a workbook before any library reads it. A spreadsheet reader sizes its grid from
//! the cells a sheet declares: a 1.5 KB file with cells at A1 and XFD1048576 asks for a grid of
//! 17 billion cells, and the allocation failure aborts the process (no `catch_unwind` helps).
//! So the archive is walked first, decompressing at most [`MAX_UNPACKED`] bytes in all, and
//! every worksheet's extent (declared and actual) is checked against the limits below.

use luoshi_domain::{DomainError, ErrorCode};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Read};

/// Rows a sheet may span (a county's ledgers have a few thousand).
pub const MAX_ROWS: u64 = 100_000;
/// Columns a sheet may span.
pub const MAX_COLS: u64 = 256;
/// Cells of the grid a sheet spans (rows × columns).
pub const MAX_CELLS: u64 = 2_000_000;
/// Bytes all entries of the archive may unpack to.
pub const MAX_UNPACKED: u64 = 100 * 1024 * 1024;
/// Entries the archive may hold.
pub const MAX_ENTRIES: usize = 1_000;

fn too_large(detail: String) -> DomainError {
    DomainError::field(ErrorCode::BadFile, "file").with_detail(detail)
}

/// Check an xlsx archive: entry count, unpacked size (counted while unpacking, never trusted
/// from the header) and each worksheet's extent.
pub fn check_xlsx(bytes: &[u8]) -> Result<(), DomainError> {
    check_xlsx_within(bytes, MAX_UNPACKED)
}

fn check_xlsx_within(bytes: &[u8], max_unpacked: u64) -> Result<(), DomainError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| too_large("not an xlsx workbook".into()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(too_large(format!("more than {MAX_ENTRIES} parts in the workbook")));
    }
    let mut budget = max_unpacked;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| too_large("the workbook is damaged".into()))?;
        let is_sheet = entry.name().starts_with("xl/worksheets/") && entry.name().ends_with(".xml");
        let mut limited = entry.take(budget + 1);
        let used = if is_sheet {
            let mut counted = Counted { inner: &mut limited, n: 0 };
            sheet_extent(&mut counted)?;
            // Read what the scan stopped short of, so the whole entry counts.
            std::io::copy(&mut counted, &mut std::io::sink()).map_err(|_| too_large("the workbook is damaged".into()))?;
            counted.n
        } else {
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(|_| too_large("the workbook is damaged".into()))?
        };
        if used > budget {
            return Err(too_large(format!("the workbook unpacks to more than {} MiB", max_unpacked / 1024 / 1024)));
        }
        budget -= used;
    }
    Ok(())
}

struct Counted<'a, R> {
    inner: &'a mut R,
    n: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// The smallest and largest (row, column), 1-based, seen so far.
#[derive(Default)]
struct Extent {
    min: Option<(u64, u64)>,
    max: (u64, u64),
}

impl Extent {
    fn add(&mut self, row: u64, col: u64) -> Result<(), DomainError> {
        let (r0, c0) = self.min.unwrap_or((row, col));
        self.min = Some((r0.min(row), c0.min(col)));
        self.max = (self.max.0.max(row), self.max.1.max(col));
        check_span(self.min.unwrap_or((row, col)), self.max)
    }
}

fn check_span(min: (u64, u64), max: (u64, u64)) -> Result<(), DomainError> {
    let rows = max.0.saturating_sub(min.0) + 1;
    let cols = max.1.saturating_sub(min.1) + 1;
    if rows > MAX_ROWS || cols > MAX_COLS || rows.saturating_mul(cols) > MAX_CELLS {
        return Err(too_large(format!("the sheet spans {rows} rows × {cols} columns; at most {MAX_ROWS} rows and {MAX_COLS} columns are read")));
    }
    Ok(())
}

/// `B12` → (12, 2); `XFD1048576` → (1048576, 16384).
fn cell_ref(r: &[u8]) -> Option<(u64, u64)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = r[..letters].iter().fold(0u64, |acc, b| acc * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1));
    let digits = std::str::from_utf8(&r[letters..]).ok()?;
    let row = digits.parse::<u64>().ok().filter(|n| *n > 0)?;
    Some((row, col))
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<Vec<u8>> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == name).map(|a| a.value.into_owned())
}

/// Walk one worksheet's XML: `<dimension ref>`, each `<row r>` and each `<c r>` (cells without
/// `r` take the next column, as readers place them).
fn sheet_extent<R: Read>(xml: R) -> Result<(), DomainError> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(xml));
    let mut buf = Vec::new();
    let mut ext = Extent::default();
    let (mut row, mut col) = (0u64, 0u64);
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(|_| too_large("the sheet is damaged".into()))?;
        match &ev {
            Event::Eof => return Ok(()),
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"dimension" => {
                    let r = attr(e, b"ref").unwrap_or_default();
                    let mut ends = r.split(|b| *b == b':').filter_map(cell_ref);
                    if let Some(first) = ends.next() {
                        let last = ends.next().unwrap_or(first);
                        check_span((first.0.min(last.0), first.1.min(last.1)), (first.0.max(last.0), first.1.max(last.1)))?;
                    }
                }
                b"row" => {
                    row = attr(e, b"r").and_then(|r| std::str::from_utf8(&r).ok()?.parse::<u64>().ok()).unwrap_or(row + 1);
                    col = 0;
                }
                b"c" => {
                    let (r, c) = attr(e, b"r").and_then(|r| cell_ref(&r)).unwrap_or((row.max(1), col + 1));
                    (row, col) = (r, c);
                    ext.add(r, c)?;
                }
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A workbook whose sheet holds exactly the given XML, zipped as a spreadsheet program would.
    pub fn workbook_with_sheet(sheet_xml: &str) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default();
            let parts = [
                (
                    "[Content_Types].xml",
                    r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
                ),
                (
                    "_rels/.rels",
                    r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
                ),
                (
                    "xl/workbook.xml",
                    r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
                ),
                ("xl/worksheets/sheet1.xml", sheet_xml),
            ];
            for (name, text) in parts {
                z.start_file(name, o).unwrap();
                z.write_all(text.as_bytes()).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    fn sheet(cells: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
        )
    }

    #[test]
    fn a_far_corner_cell_is_refused_before_reading() {
        let bomb = workbook_with_sheet(&sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>"#,
        ));
        assert!(bomb.len() < 2048, "the attack file is small: {}", bomb.len());
        let e = check_xlsx(&bomb).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadFile);
        // And the whole reader answers the same, without allocating the grid.
        assert_eq!(crate::read_table(&bomb, crate::Format::Xlsx).unwrap_err().code, ErrorCode::BadFile);
    }

    #[test]
    fn a_declared_dimension_alone_is_refused() {
        let x = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>"#;
        assert_eq!(check_xlsx(&workbook_with_sheet(x)).unwrap_err().code, ErrorCode::BadFile);
    }

    #[test]
    fn cells_without_references_and_rows_far_down_are_counted() {
        let wide: String = (0..300).map(|_| "<c><v>1</v></c>").collect();
        assert!(check_xlsx(&workbook_with_sheet(&sheet(&format!("<row>{wide}</row>")))).is_err());
        assert!(check_xlsx(&workbook_with_sheet(&sheet(r#"<row r="1"><c><v>1</v></c></row><row r="200001"><c><v>1</v></c></row>"#))).is_err());
    }

    #[test]
    fn a_zip_bomb_is_refused_by_what_it_unpacks_to() {
        let filler = "<row><c><v>1</v></c></row>"; // a valid sheet
        let big = format!("{}<!--{}-->", sheet(filler), " ".repeat(3 * 1024 * 1024));
        let bytes = workbook_with_sheet(&big);
        assert!(bytes.len() < 64 * 1024, "compressed small: {}", bytes.len());
        assert_eq!(check_xlsx_within(&bytes, 2 * 1024 * 1024).unwrap_err().code, ErrorCode::BadFile);
        check_xlsx_within(&bytes, 4 * 1024 * 1024).unwrap();
    }

    #[test]
    fn ordinary_workbooks_pass() {
        let rows: Vec<Vec<String>> = (0..500).map(|i| vec![i.to_string(), format!("单位{i}"), "部门".into()]).collect();
        let bytes = crate::write_xlsx("单位", &["代码", "名称", "类型"], &rows).unwrap();
        check_xlsx(&bytes).unwrap();
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_ref(b"B12"), Some((12, 2)));
    }
}

#[cfg(test)]
mod fuzz {
    use super::tests::workbook_with_sheet;
    use super::*;
    use proptest::prelude::*;

    fn col_name(mut c: u64) -> String {
        let mut s = Vec::new();
        while c > 0 {
            let r = u8::try_from((c - 1) % 26).unwrap_or(0);
            s.push(b'A' + r);
            c = (c - 1) / 26;
        }
        s.reverse();
        String::from_utf8(s).unwrap_or_default()
    }

    proptest! {
        /// Cells anywhere on the largest sheet a spreadsheet can declare: the read gives rows or
        /// `bad_file`, never a panic or an allocation the size of the declared grid.
        #[test]
        fn cells_anywhere(cells in proptest::collection::vec((1u64..=1_048_576, 1u64..=16_384), 1..6), declared in proptest::option::of((1u64..=1_048_576, 1u64..=16_384))) {
            let dim = declared.map(|(r, c)| format!(r#"<dimension ref="A1:{}{}"/>"#, col_name(c), r)).unwrap_or_default();
            let mut rows: Vec<(u64, u64)> = cells.clone();
            rows.sort_unstable();
            let body: String = rows.iter().map(|(r, c)| format!(r#"<row r="{r}"><c r="{}{r}" t="inlineStr"><is><t>x</t></is></c></row>"#, col_name(*c))).collect();
            let xml = format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{body}</sheetData></worksheet>"#);
            let bytes = workbook_with_sheet(&xml);
            let span_ok = {
                let (r0, r1) = (rows.iter().map(|x| x.0).min().unwrap_or(1), rows.iter().map(|x| x.0).max().unwrap_or(1));
                let (c0, c1) = (rows.iter().map(|x| x.1).min().unwrap_or(1), rows.iter().map(|x| x.1).max().unwrap_or(1));
                check_span((r0, c0), (r1, c1)).is_ok() && declared.is_none_or(|(r, c)| check_span((1, 1), (r, c)).is_ok())
            };
            match crate::read_table(&bytes, crate::Format::Xlsx) {
                Ok(_) => prop_assert!(span_ok),
                Err(e) => prop_assert!(e.code == ErrorCode::BadFile || span_ok, "{e:?}"),
            }
        }
    }
}
