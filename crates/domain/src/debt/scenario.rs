//! 置换 what-if: chosen instruments are repaid on a date by a new one (a 置换债券 or 定向融资产品)
//! at a given rate and term; the interest saved over the replaced instruments' remaining life,
//! the maturity extended and every indicator before and after. Computed on copies: the book is
//! never changed.

use super::book::{projection, Inst};
use super::ratios::{Indicators, Sums};
use super::schedule::{accrued, schedule};
use super::terms::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind, Terms};
use crate::error::{DomainError, ErrorCode};
use crate::money::{Fen, Ppm};
use chrono::{Months, NaiveDate};
use serde::Serialize;

/// The replacing instrument's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub kind: InstrumentKind,
    pub category: Category,
    pub rate: Ppm,
    pub on: NaiveDate,
    pub years: u32,
}

/// One replaced instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replaced {
    pub id: i64,
    pub outstanding: Fen,
    /// Interest it would still accrue from the swap date to its last payment.
    pub old_interest: Fen,
    /// What the replacement accrues on the same principal over the same days.
    pub new_interest: Fen,
    pub old_days: i64,
}

/// What a scenario shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub replaced: Vec<Replaced>,
    pub principal: Fen,
    pub old_interest: Fen,
    pub new_interest: Fen,
    pub interest_saved: Fen,
    /// Principal-weighted days to maturity of the replaced instruments, and of the replacement.
    pub days_before: i64,
    pub days_after: i64,
    pub before: Indicators,
    pub after: Indicators,
}

/// Interest `i` accrues from `on` to its last payment on the principal still owed, by its day count.
fn interest_from(i: &Inst, on: NaiveDate) -> (Fen, i64, NaiveDate) {
    let (overdue, flows) = projection(i, on);
    let mut bal = i.outstanding().0;
    let mut prev = i.dues.iter().map(|d| d.on).filter(|d| *d < on).max().unwrap_or(i.start);
    let mut sum = 0;
    let mut days_w: i128 = 0;
    let mut last = on;
    for (k, f) in flows.iter().enumerate() {
        let from = prev.max(on);
        sum += accrued(Fen(bal), i.rate.0, from, f.on, i.day_count.basis()).0;
        // Principal overdue on the swap date is repaid with the first payment.
        let p = f.principal.0 + if k == 0 { overdue.0 } else { 0 };
        days_w += i128::from(p) * i128::from((f.on - on).num_days());
        bal -= p;
        prev = f.on;
        last = f.on;
    }
    let owed = i128::from(i.outstanding().0.max(1));
    (Fen(sum), (days_w / owed) as i64, last)
}

/// Run a scenario over `book` (read on `today`) replacing the instruments `ids`; `base` is the
/// book's [`Sums`] on `today` when already at hand (else they are summed here).
pub fn run(book: &[Inst], ids: &[i64], r: &Replacement, today: NaiveDate, capacity: Fen, paid: Fen, base: Option<&Sums>) -> Result<Outcome, DomainError> {
    if r.on < today {
        return Err(DomainError::field(ErrorCode::OutOfRange, "swap_on").with_detail(today.to_string()));
    }
    if r.years == 0 || r.years > 30 {
        return Err(DomainError::field(ErrorCode::OutOfRange, "years").with_detail(r.years.to_string()));
    }
    if ids.is_empty() {
        return Err(DomainError::required("instruments"));
    }
    let base = match base {
        Some(b) => b.clone(),
        None => Sums::of_book(book.iter(), today),
    };
    let before = base.finish(capacity, paid);
    let mut after_sums = base;
    let mut replaced = Vec::new();
    let chosen: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let by_id: std::collections::HashMap<i64, &Inst> = book.iter().filter(|i| chosen.contains(&i.id)).map(|i| (i.id, i)).collect();
    // Each chosen instrument once, in the order given.
    let mut once = std::collections::HashSet::new();
    for id in ids.iter().filter(|id| once.insert(**id)) {
        let Some(i) = by_id.get(id).filter(|i| i.outstanding().0 > 0) else {
            return Err(DomainError::field(ErrorCode::Invalid, "instruments").with_detail(id.to_string()));
        };
        let (old_interest, old_days, last) = interest_from(i, r.on);
        let new_interest = accrued(i.outstanding(), r.rate.0, r.on, last, DayCount::Act365.basis());
        replaced.push(Replaced { id: *id, outstanding: i.outstanding(), old_interest, new_interest, old_days });
        after_sums.add(&Sums::of(i, today), -1);
    }
    let principal: Fen = replaced.iter().map(|x| x.outstanding).sum();
    let maturity = r.on.checked_add_months(Months::new(12 * r.years)).unwrap_or(r.on);
    let terms = Terms {
        principal,
        rate: r.rate,
        day_count: DayCount::Act365,
        start: r.on,
        maturity,
        amortisation: Amortisation::Bullet,
        every_months: 12,
        custom: Vec::new(),
    };
    let new = Inst {
        id: 0,
        borrower_id: 0,
        borrower_kind: BorrowerKind::Government,
        kind: r.kind,
        category: r.category,
        principal,
        rate: r.rate,
        day_count: DayCount::Act365,
        start: r.on,
        maturity,
        dues: schedule(&terms),
        drawn: principal,
        repaid: Fen(0),
    };
    // The book with the chosen instruments repaid and the replacement drawn.
    after_sums.add(&Sums::of(&new, today), 1);
    let after = after_sums.finish(capacity, paid);
    let old_interest: Fen = replaced.iter().map(|x| x.old_interest).sum();
    let new_interest: Fen = replaced.iter().map(|x| x.new_interest).sum();
    let days_before = if principal.0 > 0 {
        (replaced.iter().map(|x| i128::from(x.outstanding.0) * i128::from(x.old_days)).sum::<i128>() / i128::from(principal.0)) as i64
    } else {
        0
    };
    Ok(Outcome {
        replaced,
        principal,
        old_interest,
        new_interest,
        interest_saved: Fen(old_interest.0 - new_interest.0),
        days_before,
        days_after: (maturity - r.on).num_days(),
        before,
        after,
    })
}
