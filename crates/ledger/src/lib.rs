//! luoshi-ledger: 台账 (ledgers) in and out of spreadsheets.
//!
//! Reads xlsx and CSV into plain rows of text, and writes rows back out. It knows file formats
//! only: which columns a ledger has and what the rows mean belongs to the domain crate, and
//! nothing here touches a database or the network.

pub mod bounds;
pub mod document;
mod docx;
mod photo;
pub use docx::{write_blocks, write_docx, Block as DocBlock};
pub use photo::clean_photo;

use luoshi_domain::unit_import::{RowError, UnitRow, COLUMNS as UNIT_COLUMNS};
use luoshi_domain::{DomainError, ErrorCode};
use std::io::Cursor;

/// The largest spreadsheet accepted (10 MiB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// Guess from a file name, else from the content (xlsx files are zip archives).
    pub fn detect(file_name: &str, bytes: &[u8]) -> Format {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// A sheet read as text: its header row and its data rows with their 1-based row numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

fn bad(detail: impl Into<String>) -> DomainError {
    DomainError::field(ErrorCode::BadFile, "file").with_detail(detail.into())
}

/// Read the first sheet (xlsx) or the whole file (CSV, UTF-8 with or without BOM). The header
/// row is the first row that has text in its first two cells (so a title row above is skipped).
pub fn read_table(bytes: &[u8], format: Format) -> Result<Table, DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::field(ErrorCode::Required, "file"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(DomainError::field(ErrorCode::TooLarge, "file").with_detail("10 MiB"));
    }
    let grid = match format {
        Format::Xlsx => read_xlsx(bytes)?,
        Format::Csv => read_csv(bytes)?,
    };
    let mut it = grid.into_iter().enumerate().skip_while(|(_, r)| r.iter().take(2).filter(|c| !c.trim().is_empty()).count() < 2);
    let (_, headers) = it.next().ok_or_else(|| bad("no header row"))?;
    let headers: Vec<String> = headers.into_iter().map(|h| h.trim().replace(['\n', '\r', ' ', '\u{3000}'], "")).collect();
    let rows = it.filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty())).map(|(i, r)| (i + 1, r.into_iter().map(restore).collect())).collect();
    Ok(Table { headers, rows })
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) => calamine::DataType::as_datetime(d).map(|t| t.date().format("%Y-%m-%d").to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
    }
}

/// Read a workbook. calamine can panic on some damaged files (found by the fuzz tests below);
/// a damaged upload must be a clear `bad_file` error, never a crashed request, so the read runs
/// behind `catch_unwind` (it touches only the bytes it is given).
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
    bounds::check_xlsx(bytes)?;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_xlsx_inner(bytes))) {
        Ok(r) => r,
        Err(_) => Err(bad("the workbook is damaged")),
    }
}

fn read_xlsx_inner(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| bad("not an xlsx workbook"))?;
    let range = wb.worksheet_range_at(0).ok_or_else(|| bad("the workbook has no sheet"))?.map_err(|_| bad("the first sheet cannot be read"))?;
    Ok(range.rows().map(|r| r.iter().map(cell_text).collect()).collect())
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(bad("binary content"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8 text; save the CSV as UTF-8"))?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| bad(format!("CSV line {}", e.position().map(|p| p.line()).unwrap_or(0))))?;
        out.push(rec.iter().map(str::to_string).collect());
    }
    Ok(out)
}

/// Map a table's columns by header name. Missing required columns are reported once each.
pub fn column_index(table: &Table, wanted: &[&str], required: &[&str]) -> Result<Vec<Option<usize>>, Vec<RowError>> {
    let idx: Vec<Option<usize>> = wanted.iter().map(|w| table.headers.iter().position(|h| h == w)).collect();
    let missing: Vec<RowError> = wanted
        .iter()
        .zip(&idx)
        .filter(|(w, i)| i.is_none() && required.contains(w))
        .map(|(w, _)| RowError::new(1, w, DomainError::required("file").with_detail((*w).to_string())))
        .collect();
    if missing.is_empty() {
        Ok(idx)
    } else {
        Err(missing)
    }
}

/// Read a unit list (代码, 名称, 简称, 类型, 上级单位, 负责人).
pub fn read_units(bytes: &[u8], format: Format) -> Result<Vec<UnitRow>, Vec<RowError>> {
    let table = read_table(bytes, format).map_err(|e| vec![RowError::new(1, "", e)])?;
    let idx = column_index(&table, &UNIT_COLUMNS, &["名称", "类型"])?;
    let get = |r: &[String], i: usize| idx[i].and_then(|c| r.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
    Ok(table
        .rows
        .iter()
        .map(|(n, r)| UnitRow { row: *n, code: get(r, 0), name: get(r, 1), short_name: get(r, 2), kind: get(r, 3), parent: get(r, 4), leader: get(r, 5) })
        .collect())
}

/// A text cell made safe for spreadsheet programs: one that starts like a formula (`=`, `+`,
/// `-`, `@`, or a tab or carriage return before one) gets a leading `'`, so opening an export
/// never runs what a citizen or a clerk typed. Plain numbers (`-5`, `+86`) stay as they are.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let starts_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let plain_number = cell.trim().parse::<f64>().is_ok();
    if starts_formula && !plain_number {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A cell read back as it was before [`neutralise`] (an export imported again is unchanged).
fn restore(cell: String) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell,
    }
}

/// Write rows under a header as CSV (UTF-8 with BOM, so that Excel opens Chinese correctly).
pub fn write_csv<R: AsRef<[String]>>(headers: &[&str], rows: &[R]) -> Result<Vec<u8>, DomainError> {
    let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    w.write_record(headers).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    for r in rows {
        w.write_record(r.as_ref().iter().map(|c| neutralise(c).into_owned())).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    }
    w.into_inner().map_err(|_| DomainError::new(ErrorCode::Internal))
}

/// Write rows under a header as an xlsx workbook with one sheet, bold headers, frozen header
/// row and sensible column widths.
pub fn write_xlsx<R: AsRef<[String]>>(sheet: &str, headers: &[&str], rows: &[R]) -> Result<Vec<u8>, DomainError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let internal = |_| DomainError::new(ErrorCode::Internal);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(internal)?;
    let bold = XFormat::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| DomainError::new(ErrorCode::TooLarge))?;
        ws.write_string_with_format(0, col, *h, &bold).map_err(internal)?;
        let width = rows.iter().map(|r| r.as_ref().get(c).map(|s| s.chars().count()).unwrap_or(0)).max().unwrap_or(0).max(h.chars().count());
        ws.set_column_width(col, (width as f64 * 2.0).clamp(6.0, 60.0)).map_err(internal)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| DomainError::new(ErrorCode::TooLarge))?;
        for (c, v) in r.as_ref().iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| DomainError::new(ErrorCode::TooLarge))?;
            ws.write_string(row, col, neutralise(v)).map_err(internal)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(internal)?;
    wb.save_to_buffer().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<[String; 6]> {
        vec![
            ["330999".into(), "示范县".into(), "".into(), "县".into(), "".into(), "王县长".into()],
            ["".into(), "财政局".into(), "财政".into(), "部门".into(), "330999".into(), "".into()],
        ]
    }

    #[test]
    fn xlsx_round_trip() {
        let bytes = write_xlsx("单位", &UNIT_COLUMNS, &sample()).unwrap();
        assert_eq!(Format::detect("x.bin", &bytes), Format::Xlsx);
        let rows = read_units(&bytes, Format::Xlsx).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].row, rows[0].code.as_str(), rows[0].leader.as_str()), (2, "330999", "王县长"));
        assert_eq!((rows[1].short_name.as_str(), rows[1].parent.as_str()), ("财政", "330999"));
    }

    #[test]
    fn csv_round_trip_with_bom_and_title_row() {
        let bytes = write_csv(&UNIT_COLUMNS, &sample()).unwrap();
        assert!(bytes.starts_with(b"\xef\xbb\xbf"));
        let mut with_title = "示范县单位表\n".as_bytes().to_vec();
        with_title.extend_from_slice(&bytes[3..]);
        let rows = read_units(&with_title, Format::Csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 3);
        assert_eq!(rows[1].name, "财政局");
    }

    #[test]
    fn exports_never_carry_a_formula() {
        let rows =
            vec![vec!["=HYPERLINK(\"http://x\")".to_string(), "+cmd".into(), "-2+3".into(), "@SUM(A1)".into(), "-5".into(), "+86".into(), "2026-06-15".into()]];
        let csv = String::from_utf8(write_csv(&["a", "b", "c", "d", "e", "f", "g"], &rows).unwrap()).unwrap();
        assert!(csv.contains("'=HYPERLINK") && csv.contains("'+cmd") && csv.contains("'-2+3") && csv.contains("'@SUM"), "{csv}");
        assert!(csv.contains(",-5,+86,2026-06-15"), "{csv}");
        let xlsx = write_xlsx("s", &["a", "b", "c", "d", "e", "f", "g"], &rows).unwrap();
        // Read back, the cells are what was written: an export imports unchanged.
        let t = read_table(&xlsx, Format::Xlsx).unwrap();
        assert_eq!(t.rows[0].1, rows[0]);
    }

    #[test]
    fn bad_files_are_named() {
        let e = read_units(b"", Format::Csv).unwrap_err();
        assert_eq!(e[0].code, "required");
        let e = read_units(b"PK\x03\x04garbage", Format::Xlsx).unwrap_err();
        assert_eq!(e[0].code, "bad_file");
        let e = read_units("代码,简称\n1,2\n".as_bytes(), Format::Csv).unwrap_err();
        assert_eq!(e.len(), 2); // 名称 and 类型 missing
        let e = read_units(&[0xff, 0xfe, 0x00, 0x41], Format::Csv).unwrap_err();
        assert_eq!(e[0].code, "bad_file");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any bytes, read as CSV or as xlsx: rows or a clear error, never a panic.
        #[test]
        fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = read_units(&bytes, Format::Csv);
            let _ = read_units(&bytes, Format::Xlsx);
        }

        /// A real workbook with bytes flipped: still no panic escapes.
        #[test]
        fn damaged_workbooks(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20)) {
            let rows = vec![vec!["330999".to_string(), "示范县".into(), "".into(), "县".into(), "".into(), "".into()]];
            let mut bytes = write_xlsx("单位", &UNIT_COLUMNS, &rows).unwrap_or_default();
            for (i, b) in flips {
                let n = i.index(bytes.len());
                bytes[n] = b;
            }
            let _ = read_units(&bytes, Format::Xlsx);
        }
    }
}
