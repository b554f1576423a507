//! 工作日历 (working-day calendar): holidays (放假) and make-up working days (调休上班) as data.
//!
//! Government deadlines are counted in working days. A weekend make-up day is a working day; a
//! weekday inside a holiday is not. The calendar knows only the years it was given; asking about
//! any other year is an error ([`ErrorCode::CalendarUnknownYear`]), never a silent guess.

use crate::error::{DomainError, ErrorCode};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// 放假: a day off, even on a weekday.
    Holiday,
    /// 调休上班: a working day, even on a weekend.
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One listed day of a year file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

/// One year as published: its source document and its special days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFile {
    pub year: i32,
    pub source: String,
    pub days: Vec<SpecialDay>,
}

/// The years shipped with luoshi, as data files embedded in the binary.
pub fn shipped_years() -> Vec<&'static str> {
    vec![include_str!("../data/calendar-2025.txt"), include_str!("../data/calendar-2026.txt")]
}

/// Parse a year file. Errors name the line (`detail` = "line N").
pub fn parse_year_file(text: &str) -> Result<YearFile, DomainError> {
    let mut year: Option<i32> = None;
    let mut source = String::new();
    let mut days: Vec<SpecialDay> = Vec::new();
    let bad = |line: usize, field: &str| DomainError::field(ErrorCode::Invalid, field).with_detail(format!("line {line}"));
    for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "year" => {
                let y: i32 = rest.parse().map_err(|_| bad(n, "year"))?;
                if !(2000..=2200).contains(&y) {
                    return Err(bad(n, "year"));
                }
                year = Some(y);
            }
            "source" => source = rest.to_string(),
            "holiday" | "workday" => {
                let kind = DayKind::parse(word).ok_or_else(|| bad(n, "kind"))?;
                let (span, name) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let (from, to) = match span.split_once("..") {
                    Some((a, b)) => (a, b),
                    None => (span, span),
                };
                let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").map_err(|_| bad(n, "date"))?;
                let to = NaiveDate::parse_from_str(to, "%Y-%m-%d").map_err(|_| bad(n, "date"))?;
                if to < from || (to - from).num_days() > 31 {
                    return Err(bad(n, "date"));
                }
                let mut d = from;
                while d <= to {
                    days.push(SpecialDay { date: d, kind, name: name.trim().to_string() });
                    d = d.succ_opt().ok_or_else(|| bad(n, "date"))?;
                }
            }
            _ => return Err(bad(n, "kind")),
        }
    }
    let year = year.ok_or_else(|| DomainError::required("year"))?;
    if source.is_empty() {
        return Err(DomainError::required("source"));
    }
    let mut seen = BTreeSet::new();
    for d in &days {
        if d.date.year() != year {
            return Err(DomainError::field(ErrorCode::OutOfRange, "date").with_detail(d.date.to_string()));
        }
        if !seen.insert(d.date) {
            return Err(DomainError::field(ErrorCode::Duplicate, "date").with_detail(d.date.to_string()));
        }
    }
    days.sort_by_key(|d| d.date);
    Ok(YearFile { year, source, days })
}

/// The working-day calendar over the years it knows.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, String>,
    special: BTreeMap<NaiveDate, (DayKind, String)>,
}

/// The most working days one computation may span (ten years); beyond it the input is wrong.
pub const MAX_WORKING_DAYS: i64 = 2600;

impl Calendar {
    pub fn new() -> Self {
        Self::default()
    }

    /// The calendar of the shipped years.
    pub fn shipped() -> Result<Self, DomainError> {
        let mut cal = Calendar::new();
        for text in shipped_years() {
            cal.add_year(parse_year_file(text)?);
        }
        Ok(cal)
    }

    /// Add (or replace) one year.
    pub fn add_year(&mut self, year: YearFile) {
        self.special.retain(|d, _| d.year() != year.year);
        for d in year.days {
            self.special.insert(d.date, (d.kind, d.name));
        }
        self.years.insert(year.year, year.source);
    }

    pub fn years(&self) -> impl Iterator<Item = (i32, &str)> {
        self.years.iter().map(|(y, s)| (*y, s.as_str()))
    }

    pub fn special_days(&self, year: i32) -> impl Iterator<Item = (NaiveDate, DayKind, &str)> {
        self.special.iter().filter(move |(d, _)| d.year() == year).map(|(d, (k, n))| (*d, *k, n.as_str()))
    }

    fn known(&self, d: NaiveDate) -> Result<(), DomainError> {
        if self.years.contains_key(&d.year()) {
            Ok(())
        } else {
            Err(DomainError::field(ErrorCode::CalendarUnknownYear, "date").with_detail(d.year().to_string()))
        }
    }

    /// Is `d` a working day (工作日)?
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, DomainError> {
        self.known(d)?;
        Ok(match self.special.get(&d) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The date `n` working days after `start`, not counting `start` itself ("N个工作日内" counted
    /// from the next day). `n == 0` gives `start` when it is a working day, else the next one.
    pub fn add_working_days(&self, start: NaiveDate, n: i64) -> Result<NaiveDate, DomainError> {
        if !(0..=MAX_WORKING_DAYS).contains(&n) {
            return Err(DomainError::field(ErrorCode::OutOfRange, "days").with_detail(n.to_string()));
        }
        self.known(start)?;
        let mut d = start;
        if n == 0 {
            while !self.is_working_day(d)? {
                d = next(d)?;
            }
            return Ok(d);
        }
        let mut left = n;
        while left > 0 {
            d = next(d)?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days in `(from, to]`: how many working days pass from `from` to `to`. Negative
    /// when `to` is before `from` (a deadline already missed by that many working days).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, DomainError> {
        let (a, b, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        if (b - a).num_days() > MAX_WORKING_DAYS * 2 {
            return Err(DomainError::field(ErrorCode::OutOfRange, "date"));
        }
        self.known(a)?;
        self.known(b)?;
        let mut count = 0;
        let mut d = a;
        while d < b {
            d = next(d)?;
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }
}

fn next(d: NaiveDate) -> Result<NaiveDate, DomainError> {
    d.checked_add_days(Days::new(1)).ok_or_else(|| DomainError::field(ErrorCode::OutOfRange, "date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn spring_festival_2026() {
        let cal = Calendar::shipped().unwrap();
        // Sat 14 Feb is a make-up working day; 15-23 Feb are off (a Monday inside: the 16th, 23rd).
        assert!(cal.is_working_day(d(2026, 2, 14)).unwrap());
        for day in 15..=23 {
            assert!(!cal.is_working_day(d(2026, 2, day)).unwrap(), "2026-02-{day}");
        }
        assert!(cal.is_working_day(d(2026, 2, 24)).unwrap());
        assert!(cal.is_working_day(d(2026, 2, 28)).unwrap()); // Saturday, make-up
        assert!(!cal.is_working_day(d(2026, 3, 1)).unwrap()); // ordinary Sunday
                                                              // Friday 13 Feb + 1 working day = Saturday 14 Feb (make-up), + 2 = Tuesday 24 Feb.
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 1).unwrap(), d(2026, 2, 14));
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 2).unwrap(), d(2026, 2, 24));
        // 24 Feb (Tue) .. 28 Feb (Sat, make-up) are five working days in a row.
        assert_eq!(cal.add_working_days(d(2026, 2, 23), 5).unwrap(), d(2026, 2, 28));
        assert_eq!(cal.add_working_days(d(2026, 2, 23), 6).unwrap(), d(2026, 3, 2));
        assert_eq!(cal.working_days_between(d(2026, 2, 13), d(2026, 3, 2)).unwrap(), 7);
        assert_eq!(cal.working_days_between(d(2026, 3, 2), d(2026, 2, 13)).unwrap(), -7);
        // n == 0 on a holiday rolls to the next working day.
        assert_eq!(cal.add_working_days(d(2026, 2, 16), 0).unwrap(), d(2026, 2, 24));
    }

    #[test]
    fn year_boundary_and_unknown_year() {
        let cal = Calendar::shipped().unwrap();
        // Wed 31 Dec 2025 + 1 = Sun 4 Jan 2026 (1-3 Jan off, the 4th a make-up day).
        assert_eq!(cal.add_working_days(d(2025, 12, 31), 1).unwrap(), d(2026, 1, 4));
        let e = cal.add_working_days(d(2026, 12, 28), 10).unwrap_err();
        assert_eq!(e.code, ErrorCode::CalendarUnknownYear);
        assert_eq!(e.detail.as_deref(), Some("2027"));
        assert_eq!(cal.is_working_day(d(2024, 5, 1)).unwrap_err().code, ErrorCode::CalendarUnknownYear);
    }

    #[test]
    fn national_day_2025_is_eight_days() {
        let cal = Calendar::shipped().unwrap();
        let off = (1..=8).filter(|x| !cal.is_working_day(d(2025, 10, *x)).unwrap()).count();
        assert_eq!(off, 8);
        assert!(cal.is_working_day(d(2025, 10, 11)).unwrap());
        assert!(cal.is_working_day(d(2025, 9, 28)).unwrap());
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = parse_year_file("year 2027\nsource x\nholiday 2027-13-01 bad\n").unwrap_err();
        assert_eq!((e.field.as_deref(), e.detail.as_deref()), (Some("date"), Some("line 3")));
        assert_eq!(parse_year_file("source x\n").unwrap_err().code, ErrorCode::Required);
        let e = parse_year_file("year 2027\nsource x\nholiday 2026-05-01 wrong year\n").unwrap_err();
        assert_eq!(e.code, ErrorCode::OutOfRange);
        let e = parse_year_file("year 2027\nsource x\nholiday 2027-05-01\nworkday 2027-05-01\n").unwrap_err();
        assert_eq!(e.code, ErrorCode::Duplicate);
    }

    #[test]
    fn replacing_a_year_drops_old_days() {
        let mut cal = Calendar::shipped().unwrap();
        cal.add_year(parse_year_file("year 2026\nsource test\n").unwrap());
        assert!(cal.is_working_day(d(2026, 2, 16)).unwrap());
        assert_eq!(cal.special_days(2026).count(), 0);
        assert!(cal.special_days(2025).count() > 0);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text: an error or a year, never a panic.
        #[test]
        fn any_text_parses_or_errs(text in "\\PC{0,400}") {
            let _ = parse_year_file(&text);
        }

        /// Lines that look like the format, with any dates and names.
        #[test]
        fn format_like_lines(y in 1990i32..2300, lines in proptest::collection::vec(("(holiday|workday|year|source|junk)", 0u32..14, 0u32..33, 0u32..33, "[\\u4e00-\\u9fa5 ]{0,6}"), 0..20)) {
            let mut text = format!("year {y}\nsource 通知\n");
            for (kind, m, d1, d2, name) in lines {
                text.push_str(&format!("{kind} {y}-{m:02}-{d1:02}..{y}-{m:02}-{d2:02} {name}\n"));
            }
            if let Ok(file) = parse_year_file(&text) {
                let mut cal = Calendar::new();
                cal.add_year(file);
                // Arithmetic inside the year never panics either.
                if let Some(start) = NaiveDate::from_ymd_opt(y, 6, 1) {
                    let _ = cal.add_working_days(start, 30);
                    let _ = cal.working_days_between(start, start + chrono::Days::new(40));
                }
            }
        }
    }
}
