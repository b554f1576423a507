//! Date plausibility: a date typed into a record lies between the county's earliest business
//! date and a number of years ahead (both rule data), so 1900-01-01, 9999-12-31 or a directive
//! issued in 2099 never reach a document that names a unit. Pure: the caller passes today and
//! the rules.

use crate::error::{DomainError, ErrorCode};
use chrono::{Datelike, NaiveDate};

/// The range of dates a record may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateBounds {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
}

impl DateBounds {
    /// From the earliest date and the years ahead of today that are allowed.
    pub fn new(earliest: NaiveDate, today: NaiveDate, years_ahead: i64) -> Self {
        let year = today.year().saturating_add(i32::try_from(years_ahead).unwrap_or(i32::MAX - today.year()));
        let latest = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
        DateBounds { earliest, latest }
    }

    /// The date, if it lies in range; else `out_of_range` on the field with the range shown.
    pub fn check(&self, field: &str, d: NaiveDate) -> Result<NaiveDate, DomainError> {
        if d < self.earliest || d > self.latest {
            return Err(DomainError::field(ErrorCode::OutOfRange, field).with_detail(format!("{} – {}", self.earliest, self.latest)));
        }
        Ok(d)
    }

    /// Parse `YYYY-MM-DD` and check it.
    pub fn parse(&self, field: &str, s: &str) -> Result<NaiveDate, DomainError> {
        self.check(field, crate::time::parse_date(field, s)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_out_of_range_are_refused_with_the_range() {
        let b = DateBounds::new(d("2000-01-01"), d("2026-06-15"), 10);
        assert_eq!(b.latest, d("2036-12-31"));
        for bad in ["1900-01-01", "9999-12-31", "2099-03-01", "0000-01-01"] {
            let e = b.parse("deadline", bad).unwrap_err();
            assert!(matches!(e.code, ErrorCode::OutOfRange | ErrorCode::Invalid), "{bad}");
        }
        assert_eq!(b.parse("deadline", "1999-12-31").unwrap_err().detail.as_deref(), Some("2000-01-01 – 2036-12-31"));
        assert!(b.parse("deadline", "2036-12-31").is_ok() && b.parse("deadline", "2000-01-01").is_ok());
    }
}
