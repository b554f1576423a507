//! The deadline clock every kind of duty runs on: a limit (a date, N working days on the
//! calendar, or N hours) from a start, and paused intervals that do not count (an appeal while
//! the citizen supplies what is missing, 补正; a project approval during expert review).

use crate::calendar::Calendar;
use crate::error::DomainError;
use crate::time::{local_date, shanghai, Micros};
use chrono::{NaiveDate, TimeZone};
use serde::Serialize;

const HOUR: Micros = 3_600_000_000;

/// A time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Limit {
    /// By the end of this day (Beijing time).
    Date(NaiveDate),
    /// By midnight after the Nth working day following the start's day.
    WorkingDays(i64),
    /// N hours from the start.
    Hours(i64),
}

/// An interval the clock stood still; `to: None` while it still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pause {
    pub from: Micros,
    pub to: Option<Micros>,
}

/// A duty's clock: its start, its limit and its pauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub start: Micros,
    pub limit: Limit,
    pub pauses: Vec<Pause>,
}

/// The first microsecond after `d` ends in Beijing time.
pub fn end_of_day(d: NaiveDate) -> Micros {
    let next = d.succ_opt().unwrap_or(d);
    let midnight = next.and_hms_opt(0, 0, 0).map(|t| shanghai().from_local_datetime(&t).single());
    match midnight {
        Some(Some(t)) => t.timestamp_micros(),
        _ => i64::MAX,
    }
}

/// Working days from `today` to `deadline` (negative once passed). Outside the calendar's years
/// this falls back to calendar days, so a light can always be shown; deadlines themselves are
/// never computed outside the calendar.
pub fn working_days_left(cal: &Calendar, today: NaiveDate, deadline: NaiveDate) -> i64 {
    cal.working_days_between(today, deadline).unwrap_or_else(|_| (deadline - today).num_days())
}

impl Clock {
    pub fn new(start: Micros, limit: Limit) -> Self {
        Clock { start, limit, pauses: Vec::new() }
    }

    /// Is the clock standing still at `now`?
    pub fn paused_at(&self, now: Micros) -> bool {
        self.pauses.iter().any(|p| p.from <= now && p.to.is_none_or(|t| now < t))
    }

    /// The moment the limit runs out, as of `now`: the limit from the start, pushed back by
    /// every pause (hours by the pause's length; dates and working days by the working days the
    /// pause covered). A pause still standing counts up to `now`.
    pub fn due(&self, cal: &Calendar, now: Micros) -> Result<Micros, DomainError> {
        let spans: Vec<(Micros, Micros)> = self.pauses.iter().map(|p| (p.from, p.to.unwrap_or(now).max(p.from))).collect();
        match self.limit {
            Limit::Hours(h) => Ok(self.start + h * HOUR + spans.iter().map(|(a, b)| b - a).sum::<Micros>()),
            Limit::WorkingDays(n) => {
                let last = cal.add_working_days(local_date(self.start), n)?;
                Ok(end_of_day(shift(cal, last, &spans)?))
            }
            Limit::Date(d) => Ok(end_of_day(shift(cal, d, &spans)?)),
        }
    }
}

/// A last day moved later by the working days the pauses covered (a pause within one day
/// covers none).
fn shift(cal: &Calendar, last: NaiveDate, spans: &[(Micros, Micros)]) -> Result<NaiveDate, DomainError> {
    let covered: i64 = spans.iter().map(|(a, b)| cal.working_days_between(local_date(*a), local_date(*b))).sum::<Result<i64, _>>()?;
    if covered > 0 {
        cal.add_working_days(last, covered)
    } else {
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str, hour: u32) -> Micros {
        shanghai().from_local_datetime(&d(s).and_hms_opt(hour, 0, 0).unwrap()).single().unwrap().timestamp_micros()
    }

    #[test]
    fn limits_in_dates_working_days_and_hours() {
        let cal = Calendar::shipped().unwrap();
        // Monday 1 June 2026, 10:00.
        let start = at("2026-06-01", 10);
        assert_eq!(Clock::new(start, Limit::Hours(2)).due(&cal, start).unwrap(), start + 2 * HOUR);
        // 5 working days after Monday: the following Monday, until midnight.
        assert_eq!(Clock::new(start, Limit::WorkingDays(5)).due(&cal, start).unwrap(), end_of_day(d("2026-06-08")));
        // The calendar decides: 端午 (19 June) is not a working day.
        assert_eq!(Clock::new(at("2026-06-15", 10), Limit::WorkingDays(5)).due(&cal, start).unwrap(), end_of_day(d("2026-06-23")));
        assert_eq!(Clock::new(start, Limit::Date(d("2026-06-30"))).due(&cal, start).unwrap(), end_of_day(d("2026-06-30")));
    }

    #[test]
    fn paused_intervals_do_not_count() {
        let cal = Calendar::shipped().unwrap();
        let start = at("2026-06-01", 10);
        // Hours: a three-hour pause adds three hours.
        let mut c = Clock::new(start, Limit::Hours(24));
        c.pauses.push(Pause { from: start + HOUR, to: Some(start + 4 * HOUR) });
        assert_eq!(c.due(&cal, start).unwrap(), start + 27 * HOUR);
        // Working days: an expert review from Tuesday to Thursday (two working days) pushes the
        // last day from Monday 8 June to Wednesday 10 June.
        let mut c = Clock::new(start, Limit::WorkingDays(5));
        c.pauses.push(Pause { from: at("2026-06-02", 9), to: Some(at("2026-06-04", 9)) });
        assert_eq!(c.due(&cal, start).unwrap(), end_of_day(d("2026-06-10")));
        // A pause still standing counts up to now, and the clock says it stands.
        let mut c = Clock::new(start, Limit::Date(d("2026-06-30")));
        c.pauses.push(Pause { from: at("2026-06-16", 9), to: None });
        assert!(c.paused_at(at("2026-06-17", 9)));
        assert_eq!(c.due(&cal, at("2026-06-17", 9)).unwrap(), end_of_day(d("2026-07-01")));
        assert!(!Clock::new(start, Limit::Hours(1)).paused_at(start));
    }

    #[test]
    fn working_days_left_outside_the_calendar_falls_back_to_days() {
        let cal = Calendar::shipped().unwrap();
        assert_eq!(working_days_left(&cal, d("2026-06-01"), d("2026-06-08")), 5);
        assert_eq!(working_days_left(&cal, d("2026-06-08"), d("2026-06-01")), -5);
        assert_eq!(working_days_left(&cal, d("2040-01-01"), d("2040-01-11")), 10);
    }
}
