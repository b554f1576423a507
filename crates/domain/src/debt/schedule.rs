//! 还本付息计划: the dates and amounts an instrument's terms make due. Payment dates step from
//! the value date by whole months (a value date at a month's end keeps to month ends; the 31st
//! falls back to the month's last day); interest accrues on the outstanding principal by the
//! day count, except 等额本息, which uses the periodic rate (annual × months / 12) as lenders do.

use super::terms::{Amortisation, DayCount, Terms};
use crate::money::{div_round, Fen};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// One payment due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    pub on: NaiveDate,
    pub principal: Fen,
    pub interest: Fen,
}

/// The last day of `d`'s month.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first_next = if d.month() == 12 { NaiveDate::from_ymd_opt(d.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1) };
    first_next.and_then(|f| f.pred_opt()).unwrap_or(d)
}

/// `start` moved on by `months`, keeping to month ends when `start` is one.
pub fn step(start: NaiveDate, months: u32) -> NaiveDate {
    let moved = start.checked_add_months(Months::new(months)).unwrap_or(start);
    if start == month_end(start) {
        month_end(moved)
    } else {
        moved
    }
}

/// The payment dates: every `every_months` from the value date, the maturity last (a short
/// final period when the term is not a whole number of periods).
pub fn dates(t: &Terms) -> Vec<NaiveDate> {
    if t.amortisation == Amortisation::Custom {
        // The agreed dates only: once the principal is gone nothing more accrues.
        let mut d: Vec<NaiveDate> = t.custom.iter().map(|(on, _)| *on).collect();
        d.dedup();
        return d;
    }
    let mut out = Vec::new();
    let mut k = 1;
    loop {
        let d = step(t.start, t.every_months * k);
        if d >= t.maturity || k > 12 * 40 {
            break;
        }
        out.push(d);
        k += 1;
    }
    out.push(t.maturity);
    out
}

/// Interest on `outstanding` from `from` to `to` (exclusive) by the day count.
pub fn accrued(outstanding: Fen, rate_ppm: i64, from: NaiveDate, to: NaiveDate, basis: i128) -> Fen {
    let days = i128::from((to - from).num_days().max(0));
    Fen(div_round(i128::from(outstanding.0) * i128::from(rate_ppm) * days, 1_000_000 * basis) as i64)
}

/// Interest of one period of 等额本息 on `outstanding`.
fn periodic(outstanding: i64, rate_ppm: i64, months: u32) -> i64 {
    div_round(i128::from(outstanding) * i128::from(rate_ppm) * i128::from(months), 12 * 1_000_000) as i64
}

/// The level payment (fen) that clears `principal` in `n` periods: the least payment that
/// does, found exactly on whole fen (no floating point).
fn level_payment(principal: i64, rate_ppm: i64, months: u32, n: usize) -> i64 {
    let clears = |a: i64| {
        let mut bal = principal;
        for _ in 0..n {
            bal = bal + periodic(bal, rate_ppm, months) - a;
            if bal <= 0 {
                return true;
            }
        }
        false
    };
    let (mut lo, mut hi) = (principal / n.max(1) as i64, principal + periodic(principal, rate_ppm, months) * n as i64 + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if clears(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The schedule of `t` (checked terms): principal sums to the principal exactly.
pub fn schedule(t: &Terms) -> Vec<Due> {
    let dates = dates(t);
    let n = dates.len();
    let basis = t.day_count.basis();
    let rate = t.rate.0;
    let mut out = Vec::with_capacity(n);
    let mut bal = t.principal.0;
    let mut prev = t.start;
    match t.amortisation {
        Amortisation::LevelPayment => {
            let a = level_payment(bal, rate, t.every_months, n);
            for (i, on) in dates.iter().enumerate() {
                let interest = periodic(bal, rate, t.every_months);
                let principal = if i + 1 == n { bal } else { (a - interest).clamp(0, bal) };
                out.push(Due { on: *on, principal: Fen(principal), interest: Fen(interest) });
                bal -= principal;
            }
        }
        _ => {
            let each = t.principal.0 / n.max(1) as i64;
            for (i, on) in dates.iter().enumerate() {
                let interest =
                    if t.day_count == DayCount::Period { Fen(periodic(bal, rate, t.every_months)) } else { accrued(Fen(bal), rate, prev, *on, basis) };
                let principal = match t.amortisation {
                    Amortisation::Bullet => {
                        if i + 1 == n {
                            bal
                        } else {
                            0
                        }
                    }
                    Amortisation::LevelPrincipal => {
                        if i + 1 == n {
                            bal
                        } else {
                            each
                        }
                    }
                    _ => t.custom.iter().filter(|(d, _)| d == on).map(|(_, p)| p.0).sum(),
                };
                out.push(Due { on: *on, principal: Fen(principal), interest });
                bal -= principal;
                prev = *on;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Ppm;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn terms(am: Amortisation, start: &str, maturity: &str, every: u32) -> Terms {
        Terms {
            principal: Fen(120_000_000),
            rate: Ppm(60_000),
            day_count: DayCount::Act365,
            start: d(start),
            maturity: d(maturity),
            amortisation: am,
            every_months: every,
            custom: Vec::new(),
        }
    }

    #[test]
    fn bullet_accrues_by_actual_days_over_a_leap_year() {
        // 1,200,000 元 at 6 %, annual coupons, 2027-03-01 to 2029-03-01: 2028 is a leap year.
        let s = schedule(&terms(Amortisation::Bullet, "2027-03-01", "2029-03-01", 12));
        assert_eq!(s.iter().map(|x| x.on).collect::<Vec<_>>(), vec![d("2028-03-01"), d("2029-03-01")]);
        // 366 days (29 Feb 2028 inside): 120,000,000 × 6 % × 366 / 365 = 7,219,726.03 fen.
        assert_eq!(s[0].interest, Fen(7_219_726));
        assert_eq!(s[1].interest, Fen(7_200_000));
        assert_eq!(s[0].principal, Fen(0));
        assert_eq!(s[1].principal, Fen(120_000_000));
    }

    #[test]
    fn a_bond_pays_the_same_coupon_in_a_leap_year() {
        let t = Terms { day_count: DayCount::Period, ..terms(Amortisation::Bullet, "2027-03-01", "2029-03-01", 12) };
        let s = schedule(&t);
        assert_eq!((s[0].interest, s[1].interest), (Fen(7_200_000), Fen(7_200_000)));
        let t = Terms { day_count: DayCount::Period, ..terms(Amortisation::Bullet, "2027-03-01", "2028-03-01", 6) };
        assert_eq!(schedule(&t).iter().map(|d| d.interest.0).collect::<Vec<_>>(), [3_600_000, 3_600_000]);
    }

    #[test]
    fn month_ends_stay_month_ends() {
        let s = schedule(&terms(Amortisation::LevelPrincipal, "2027-01-31", "2027-07-31", 1));
        let ons: Vec<String> = s.iter().map(|x| x.on.to_string()).collect();
        assert_eq!(ons, ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30", "2027-07-31"]);
        let s = schedule(&terms(Amortisation::LevelPrincipal, "2028-02-29", "2028-05-31", 1));
        assert_eq!(s.iter().map(|x| x.on.to_string()).collect::<Vec<_>>(), ["2028-03-31", "2028-04-30", "2028-05-31"]);
        // Not a month end: the 30th stays the 30th, February falls back to its last day.
        let s = schedule(&terms(Amortisation::Bullet, "2027-01-30", "2027-04-30", 1));
        assert_eq!(s.iter().map(|x| x.on.to_string()).collect::<Vec<_>>(), ["2027-02-28", "2027-03-30", "2027-04-30"]);
        // Level principal: equal parts, the remainder on the last.
        let s = schedule(&Terms { principal: Fen(100), ..terms(Amortisation::LevelPrincipal, "2027-01-15", "2027-04-15", 1) });
        assert_eq!(s.iter().map(|x| x.principal.0).collect::<Vec<_>>(), [33, 33, 34]);
    }

    #[test]
    fn level_payment_matches_the_annuity() {
        // 1,200,000 元 at 6 % over 12 months: the annuity formula gives 103,279.72 元 a month.
        let s = schedule(&terms(Amortisation::LevelPayment, "2027-01-15", "2028-01-15", 1));
        assert_eq!(s.len(), 12);
        let r: f64 = 0.005;
        let annuity = 1_200_000.0 * r / (1.0 - (1.0 + r).powi(-12));
        for x in &s[..11] {
            let paid = (x.principal.0 + x.interest.0) as f64 / 100.0;
            assert!((paid - annuity).abs() <= 0.01, "{paid} vs {annuity}");
        }
        assert_eq!(s.iter().map(|x| x.principal.0).sum::<i64>(), 120_000_000);
        assert_eq!(s[0].interest, Fen(600_000));
    }

    #[test]
    fn custom_rows_are_kept_and_interest_runs_between_them() {
        let mut t = terms(Amortisation::Custom, "2027-01-01", "2028-12-31", 12);
        t.custom = vec![(d("2027-12-31"), Fen(20_000_000)), (d("2028-12-31"), Fen(100_000_000))];
        crate::debt::terms::check(&t).unwrap();
        let s = schedule(&t);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].principal, Fen(20_000_000));
        // 364 days on 1,200,000 元 at 6 %: 71,802.74 元.
        assert_eq!(s[0].interest, Fen(7_180_274));
        // 2028: 366 days on 1,000,000 元.
        assert_eq!(s[1].interest, Fen(6_016_438));
        t.custom[1].1 = Fen(1);
        assert_eq!(crate::debt::terms::check(&t).unwrap_err().field.as_deref(), Some("custom_schedule"));
    }
}
