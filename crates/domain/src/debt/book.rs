//! The debt book as figures are computed from it: each instrument with its schedule and what
//! its transactions drew and repaid. Balances are derived from transactions, never typed; the
//! future is the schedule, re-fitted to what is still owed (a prepayment shortens it, an
//! unpaid past instalment is 逾期).

use super::schedule::Due;
use super::terms::{BorrowerKind, Category, DayCount, InstrumentKind};
use crate::duty::str_enum;
use crate::money::{div_round, Fen, Ppm};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

str_enum!(
    /// 交易: what moved money on an instrument.
    TxnKind {
        /// 提款/发行.
        Drawdown = "drawdown",
        /// 还本.
        Repayment = "repayment",
        /// 付息.
        Interest = "interest",
        /// 提前还本.
        Prepayment = "prepayment",
        /// 展期 (the principal rolled into another instrument).
        Rollover = "rollover",
        /// 置换 (the principal repaid by a 置换债券 or 定向融资产品).
        Swap = "swap",
    }
);

impl TxnKind {
    /// Does it reduce the principal owed?
    pub fn repays(self) -> bool {
        matches!(self, TxnKind::Repayment | TxnKind::Prepayment | TxnKind::Rollover | TxnKind::Swap)
    }
}

/// One instrument as the figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inst {
    pub id: i64,
    pub borrower_id: i64,
    pub borrower_kind: BorrowerKind,
    pub kind: InstrumentKind,
    pub category: Category,
    pub principal: Fen,
    pub rate: Ppm,
    pub day_count: DayCount,
    pub start: NaiveDate,
    pub maturity: NaiveDate,
    /// The schedule as agreed.
    pub dues: Vec<Due>,
    /// Principal drawn and repaid up to the day the book is read for.
    pub drawn: Fen,
    pub repaid: Fen,
}

impl Inst {
    pub fn outstanding(&self) -> Fen {
        Fen(self.drawn.0 - self.repaid.0)
    }
}

/// A payment still to come, as the book expects it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub on: NaiveDate,
    pub principal: Fen,
    pub interest: Fen,
}

/// What is owed on an instrument as of `today`: the overdue principal and the payments to come.
/// The outstanding principal less the overdue is spread over the scheduled instalments due from
/// today on, earliest first (so a prepayment shortens the term); each interest is the scheduled
/// one scaled by the principal still owed before it against the scheduled.
pub fn projection(i: &Inst, today: NaiveDate) -> (Fen, Vec<Flow>) {
    let owed = i.outstanding().0.max(0);
    if owed == 0 {
        return (Fen(0), Vec::new());
    }
    let scheduled_past: i64 = i.dues.iter().filter(|d| d.on < today).map(|d| d.principal.0).sum();
    let overdue = (scheduled_past - i.repaid.0).clamp(0, owed);
    let future: Vec<&Due> = i.dues.iter().filter(|d| d.on >= today).collect();
    if future.is_empty() {
        return (Fen(owed), Vec::new());
    }
    let mut left = owed - overdue;
    let mut parts = vec![0_i64; future.len()];
    // Earliest first, each capped at its scheduled amount; what the schedule does not hold
    // (a drawdown beyond it) falls on the last.
    for (k, d) in future.iter().enumerate() {
        parts[k] = d.principal.0.min(left);
        left -= parts[k];
    }
    if let Some(last) = parts.last_mut() {
        *last += left;
    }
    let mut sched_bal: i64 = future.iter().map(|d| d.principal.0).sum();
    let mut path_bal = owed - overdue;
    let mut out = Vec::with_capacity(future.len());
    for (k, d) in future.iter().enumerate() {
        let interest = if sched_bal > 0 { div_round(i128::from(d.interest.0) * i128::from(path_bal), i128::from(sched_bal)) as i64 } else { 0 };
        if parts[k] > 0 || interest > 0 {
            out.push(Flow { on: d.on, principal: Fen(parts[k]), interest: Fen(interest) });
        }
        sched_bal -= d.principal.0;
        path_bal -= parts[k];
    }
    (Fen(overdue), out)
}

/// The month a date falls in, as `2027-03`.
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The quarter a date falls in, as `2027Q1`.
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{:04}Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// One month of the maturity wall.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WallMonth {
    pub month: String,
    pub principal: Fen,
    pub interest: Fen,
    /// Principal by category (一般, 专项, 平台, 隐性).
    pub by_category: [Fen; 4],
    /// Principal by borrower kind (政府, 平台, 其他).
    pub by_borrower: [Fen; 3],
    /// Principal of 非标 instruments.
    pub nonstandard: Fen,
    /// How many instruments have principal due.
    pub instruments: usize,
}

fn category_slot(c: Category) -> usize {
    match c {
        Category::General => 0,
        Category::Special => 1,
        Category::Platform => 2,
        Category::Hidden => 3,
    }
}

fn borrower_slot(b: BorrowerKind) -> usize {
    match b {
        BorrowerKind::Government => 0,
        BorrowerKind::Platform => 1,
        BorrowerKind::Other => 2,
    }
}

/// 到期墙: principal and interest due by month for `months` months from `today`'s month
/// (every month shown, empty ones too), and what is already overdue.
pub fn wall<'a>(book: impl Iterator<Item = &'a Inst>, today: NaiveDate, months: u32) -> (Fen, Vec<WallMonth>) {
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let mut out: Vec<WallMonth> =
        (0..months).map(|k| WallMonth { month: month_of(first.checked_add_months(chrono::Months::new(k)).unwrap_or(first)), ..Default::default() }).collect();
    let mut overdue = 0;
    for i in book {
        let (o, flows) = projection(i, today);
        overdue += o.0;
        for f in flows {
            let k = (f.on.year() - first.year()) * 12 + f.on.month() as i32 - first.month() as i32;
            let Some(m) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) else { continue };
            m.principal.0 += f.principal.0;
            m.interest.0 += f.interest.0;
            m.by_category[category_slot(i.category)].0 += f.principal.0;
            m.by_borrower[borrower_slot(i.borrower_kind)].0 += f.principal.0;
            if i.kind.nonstandard() {
                m.nonstandard.0 += f.principal.0;
            }
            if f.principal.0 > 0 {
                m.instruments += 1;
            }
        }
    }
    (Fen(overdue), out)
}

/// The wall's months summed by quarter (`2027Q1`), in order.
pub fn by_quarter(months: &[WallMonth]) -> Vec<(String, Fen, Fen)> {
    let mut out: Vec<(String, Fen, Fen)> = Vec::new();
    for m in months {
        let q = NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").map(quarter_of).unwrap_or_default();
        match out.last_mut() {
            Some(last) if last.0 == q => {
                last.1 .0 += m.principal.0;
                last.2 .0 += m.interest.0;
            }
            _ => out.push((q, m.principal, m.interest)),
        }
    }
    out
}

/// A transaction as the roll-forward reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Txn {
    pub on: NaiveDate,
    pub kind: TxnKind,
    pub amount: Fen,
    pub category: Category,
    pub instrument: InstrumentKind,
}

/// One category's year: 年初余额 + 发行/举借 − 偿还 = 年末余额, with the issuance in its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YearRoll {
    pub opening: Fen,
    pub issued: Fen,
    /// 新增债券/新增举借.
    pub issued_new: Fen,
    /// 再融资债券.
    pub issued_refinancing: Fen,
    /// 置换债券.
    pub issued_swap: Fen,
    pub repaid: Fen,
    pub interest: Fen,
    pub closing: Fen,
    /// The closing balance summed straight from every transaction up to 31 December: equal to
    /// `closing` unless a transaction is missing from the roll (the identity).
    pub closing_direct: Fen,
}

/// Roll `category`'s balance through `year` from its transactions.
pub fn roll(txns: &[Txn], category: Category, year: i32) -> YearRoll {
    let mut r = YearRoll::default();
    for t in txns.iter().filter(|t| t.category == category) {
        let signed = match t.kind {
            TxnKind::Drawdown => t.amount.0,
            k if k.repays() => -t.amount.0,
            _ => 0,
        };
        if t.on.year() < year {
            r.opening.0 += signed;
        }
        if t.on.year() <= year {
            r.closing_direct.0 += signed;
        }
        if t.on.year() != year {
            continue;
        }
        match t.kind {
            TxnKind::Drawdown => {
                r.issued.0 += t.amount.0;
                match t.instrument {
                    InstrumentKind::RefinancingBond => r.issued_refinancing.0 += t.amount.0,
                    InstrumentKind::SwapBond => r.issued_swap.0 += t.amount.0,
                    _ => r.issued_new.0 += t.amount.0,
                }
            }
            TxnKind::Interest => r.interest.0 += t.amount.0,
            _ => r.repaid.0 += t.amount.0,
        }
    }
    r.closing = Fen(r.opening.0 + r.issued.0 - r.repaid.0);
    r
}
