//! Time: luoshi stores UTC (microseconds since the Unix epoch) and computes calendars,
//! deadlines and reports in Asia/Shanghai, which is UTC+8 all year (no DST since 1991).

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

/// A point in time, UTC microseconds since the epoch: the form every table stores.
pub type Micros = i64;

pub fn shanghai() -> FixedOffset {
    // 8 hours is always a valid offset; `east_opt` only fails beyond ±24 h.
    FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix())
}

pub fn to_micros(t: DateTime<Utc>) -> Micros {
    t.timestamp_micros()
}

pub fn from_micros(m: Micros) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(m).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The calendar date in Asia/Shanghai of a UTC instant.
pub fn local_date(m: Micros) -> NaiveDate {
    from_micros(m).with_timezone(&shanghai()).date_naive()
}

/// `YYYY-MM-DD HH:MM` in Asia/Shanghai, for display.
pub fn format_local(m: Micros) -> String {
    from_micros(m).with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string()
}

/// A date as `YYYY-MM-DD`; anything else is `invalid` on the field, with the text typed.
pub fn parse_date(field: &str, s: &str) -> Result<chrono::NaiveDate, crate::DomainError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| crate::DomainError::invalid(field).with_detail(s.trim().to_string()))
}

/// A date as documents write it (成文日期, GB/T 9704: Arabic numerals, no leading zeros):
/// 2026年12月5日.
pub fn date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shanghai_date_crosses_midnight() {
        // 2026-02-14 16:30 UTC is 2026-02-15 00:30 in Shanghai.
        let t = Utc.with_ymd_and_hms(2026, 2, 14, 16, 30, 0).unwrap();
        assert_eq!(local_date(to_micros(t)), NaiveDate::from_ymd_opt(2026, 2, 15).unwrap());
        assert_eq!(format_local(to_micros(t)), "2026-02-15 00:30");
    }
}
