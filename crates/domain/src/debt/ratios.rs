//! 债务率, 偿债率, 逾期债务率, the 非标 and trust/leasing shares, the weighted rate, the average
//! time to maturity and what matures within twelve months; and the warnings they raise against
//! thresholds that are rule data (no national formula fixes them).

use super::book::{projection, Inst};
use crate::money::{div_round, Fen, Ppm};
use chrono::{Months, NaiveDate};
use serde::Serialize;

/// The county's indicators on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Indicators {
    /// 综合财力 of the year (the components the county defines).
    pub capacity: Fen,
    /// 政府债务余额 (一般 + 专项).
    pub government_balance: Fen,
    /// Every category (平台 and 隐性 included).
    pub total_balance: Fen,
    /// 债务率: government balance / capacity.
    pub debt_ratio_bp: Option<i64>,
    /// 广义债务率: every category / capacity.
    pub broad_ratio_bp: Option<i64>,
    /// 还本付息 of government debt in the year: paid so far and still due.
    pub service: Fen,
    /// 偿债率: service / capacity.
    pub service_bp: Option<i64>,
    pub overdue: Fen,
    /// 逾期债务率: overdue / total balance.
    pub overdue_bp: Option<i64>,
    pub nonstandard: Fen,
    pub nonstandard_bp: Option<i64>,
    pub trust_leasing: Fen,
    pub trust_leasing_bp: Option<i64>,
    /// Weighted by balance.
    pub average_rate: Ppm,
    /// Weighted by principal still to come.
    pub average_days_to_maturity: i64,
    /// Principal due within twelve months (from today, before the same day a year on).
    pub within_12_months: Fen,
    pub within_12_months_bp: Option<i64>,
}

/// The sums the indicators are ratios of: kept, they let a scenario take some instruments out
/// and put one in without reading the whole book again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    total: i64,
    government: i64,
    nonstandard: i64,
    trust_leasing: i64,
    overdue: i64,
    /// Government principal and interest still due this year.
    service: i64,
    within_12_months: i64,
    rate_w: i128,
    days_w: i128,
    future_p: i128,
}

impl Sums {
    /// One instrument's part on `today`.
    pub fn of(i: &Inst, today: NaiveDate) -> Sums {
        let mut x = Sums::default();
        let owed = i.outstanding().0;
        if owed <= 0 {
            return x;
        }
        let year_end = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 12, 31).unwrap_or(today);
        let horizon = today.checked_add_months(Months::new(12)).unwrap_or(today);
        x.total = owed;
        if i.category.government() {
            x.government = owed;
        }
        if i.kind.nonstandard() {
            x.nonstandard = owed;
        }
        if i.kind.trust_or_leasing() {
            x.trust_leasing = owed;
        }
        x.rate_w = i128::from(owed) * i128::from(i.rate.0);
        let (overdue, flows) = projection(i, today);
        x.overdue = overdue.0;
        for f in &flows {
            if i.category.government() && f.on <= year_end {
                x.service += f.principal.0 + f.interest.0;
            }
            if f.on < horizon {
                x.within_12_months += f.principal.0;
            }
            x.days_w += i128::from(f.principal.0) * i128::from((f.on - today).num_days());
            x.future_p += i128::from(f.principal.0);
        }
        x
    }

    /// Every instrument's part.
    pub fn of_book<'a>(book: impl Iterator<Item = &'a Inst>, today: NaiveDate) -> Sums {
        let mut x = Sums::default();
        for i in book {
            x.add(&Sums::of(i, today), 1);
        }
        x
    }

    /// Add (`sign` 1) or take away (`sign` -1) another's part.
    pub fn add(&mut self, o: &Sums, sign: i64) {
        self.total += sign * o.total;
        self.government += sign * o.government;
        self.nonstandard += sign * o.nonstandard;
        self.trust_leasing += sign * o.trust_leasing;
        self.overdue += sign * o.overdue;
        self.service += sign * o.service;
        self.within_12_months += sign * o.within_12_months;
        self.rate_w += i128::from(sign) * o.rate_w;
        self.days_w += i128::from(sign) * o.days_w;
        self.future_p += i128::from(sign) * o.future_p;
    }

    /// The indicators: `capacity` is the year's 综合财力, `paid_this_year` the government debt's
    /// principal and interest already paid this year.
    pub fn finish(&self, capacity: Fen, paid_this_year: Fen) -> Indicators {
        let mut x = Indicators {
            capacity,
            government_balance: Fen(self.government),
            total_balance: Fen(self.total),
            service: Fen(paid_this_year.0 + self.service),
            overdue: Fen(self.overdue),
            nonstandard: Fen(self.nonstandard),
            trust_leasing: Fen(self.trust_leasing),
            within_12_months: Fen(self.within_12_months),
            ..Default::default()
        };
        x.debt_ratio_bp = x.government_balance.bp_of(capacity);
        x.broad_ratio_bp = x.total_balance.bp_of(capacity);
        x.service_bp = x.service.bp_of(capacity);
        x.overdue_bp = x.overdue.bp_of(x.total_balance);
        x.nonstandard_bp = x.nonstandard.bp_of(x.total_balance);
        x.trust_leasing_bp = x.trust_leasing.bp_of(x.total_balance);
        x.within_12_months_bp = x.within_12_months.bp_of(x.total_balance);
        x.average_rate = Ppm(if self.total > 0 { div_round(self.rate_w, i128::from(self.total)) as i64 } else { 0 });
        x.average_days_to_maturity = if self.future_p > 0 { div_round(self.days_w, self.future_p) as i64 } else { 0 };
        x
    }
}

/// Compute the indicators from the book on `today`: `capacity` is the year's 综合财力,
/// `paid_this_year` the government debt's principal and interest already paid this year.
pub fn indicators<'a>(book: impl Iterator<Item = &'a Inst>, today: NaiveDate, capacity: Fen, paid_this_year: Fen) -> Indicators {
    Sums::of_book(book, today).finish(capacity, paid_this_year)
}

/// Warning thresholds (rule data), in basis points except the rate (ppm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// 债务率 colour bands: 黄, 橙, 红 from these.
    pub ratio_bands: [i64; 3],
    /// 逾期债务率 grades Ⅳ, Ⅲ, Ⅱ from these.
    pub overdue_grades: [i64; 3],
    pub service_bp: i64,
    pub nonstandard_target_bp: i64,
    pub trust_leasing_target_bp: i64,
    pub rate_cap: Ppm,
}

/// A warning raised by an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `debt_ratio`, `overdue_ratio`, `service_ratio`, `nonstandard_share`, `trust_leasing_share`, `average_rate`.
    pub indicator: &'static str,
    /// `yellow`, `orange`, `red`; `iv`, `iii`, `ii`; or `over_target`.
    pub level: &'static str,
    pub value: i64,
    pub threshold: i64,
}

/// The warnings of these indicators, the gravest first.
pub fn warnings(x: &Indicators, t: &Thresholds) -> Vec<Warning> {
    let mut out = Vec::new();
    let band = |v: i64, cuts: [i64; 3], names: [&'static str; 3]| (0..3).rev().find(|k| v >= cuts[*k]).map(|k| (names[k], cuts[k]));
    if let Some(v) = x.debt_ratio_bp {
        if let Some((level, threshold)) = band(v, t.ratio_bands, ["yellow", "orange", "red"]) {
            out.push(Warning { indicator: "debt_ratio", level, value: v, threshold });
        }
    }
    if let Some(v) = x.overdue_bp {
        if let Some((level, threshold)) = band(v, t.overdue_grades, ["iv", "iii", "ii"]) {
            out.push(Warning { indicator: "overdue_ratio", level, value: v, threshold });
        }
    }
    let mut over = |indicator: &'static str, v: Option<i64>, threshold: i64| {
        if let Some(v) = v.filter(|v| *v > threshold) {
            out.push(Warning { indicator, level: "over_target", value: v, threshold });
        }
    };
    over("service_ratio", x.service_bp, t.service_bp);
    over("nonstandard_share", x.nonstandard_bp, t.nonstandard_target_bp);
    over("trust_leasing_share", x.trust_leasing_bp, t.trust_leasing_target_bp);
    over("average_rate", (x.total_balance.0 > 0).then_some(x.average_rate.0), t.rate_cap.0);
    out
}
