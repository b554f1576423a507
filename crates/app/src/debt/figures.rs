//! The figures read from the book: the maturity wall, the indicators with their warnings, and
//! the disclosure tables. Each is kept on this node per book version and day (the book is read
//! once per version; a write anywhere moves it).

use super::reader;
use crate::{Result, RulesInForce, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::debt::book::{by_quarter, roll, wall as wall_of, TxnKind, WallMonth, YearRoll};
use luoshi_domain::debt::ratios::{warnings as warnings_of, Indicators, Sums, Warning};
use luoshi_domain::debt::Category;
use luoshi_domain::money::Fen;
use luoshi_domain::time::local_date;
use luoshi_storage::debt::book::{current, Book};
use luoshi_storage::debt::{self as store};
use luoshi_storage::Db;
use serde::Serialize;
use std::sync::Arc;

/// The 综合财力 of `year` (the sum of its components as the county defines them).
pub async fn capacity(db: &Db, year: i32) -> Result<(Vec<(String, Fen)>, Fen)> {
    let parts = store::capacity(db, i64::from(year)).await?;
    let total = parts.iter().map(|(_, a)| *a).sum();
    Ok((parts, total))
}

/// Government debt's principal and interest paid in `today`'s year up to today.
pub fn paid_this_year(book: &Book, today: NaiveDate) -> Fen {
    Fen(book
        .txns
        .iter()
        .filter(|t| t.on.year() == today.year() && t.on <= today && t.category.government() && (t.kind.repays() || t.kind == TxnKind::Interest))
        .map(|t| t.amount.0)
        .sum())
}

/// The maturity wall as shown.
#[derive(Debug, Clone, Serialize)]
pub struct Wall {
    pub today: String,
    pub months: Vec<WallMonth>,
    pub quarters: Vec<(String, Fen, Fen)>,
    /// Principal and interest by calendar year.
    pub years: Vec<(i32, Fen, Fen)>,
    pub overdue: Fen,
    /// The month with the most principal due.
    pub peak: Option<String>,
    pub instruments: usize,
}

/// 到期墙 for `months` months from this month.
pub async fn wall(db: &Db, who: &Who, months: u32, now: i64) -> Result<Arc<Wall>> {
    let today = local_date(now);
    reader(db, who, today).await?;
    let months = months.clamp(1, 120);
    let book = current(db).await?;
    let key = format!("debt:wall:{today}:{months}");
    db.memo_versioned(&key, book.version, || async {
        let (overdue, ms) = wall_of(book.insts.iter(), today, months);
        let mut years: Vec<(i32, Fen, Fen)> = Vec::new();
        for m in &ms {
            let y: i32 = m.month[..4].parse().unwrap_or(0);
            match years.last_mut() {
                Some(last) if last.0 == y => {
                    last.1 .0 += m.principal.0;
                    last.2 .0 += m.interest.0;
                }
                _ => years.push((y, m.principal, m.interest)),
            }
        }
        let peak = ms.iter().max_by_key(|m| m.principal).filter(|m| m.principal.0 > 0).map(|m| m.month.clone());
        Ok(Arc::new(Wall { today: today.to_string(), quarters: by_quarter(&ms), years, months: ms, overdue, peak, instruments: book.insts.len() }))
    })
    .await
}

/// The indicators and their warnings.
#[derive(Debug, Clone, Serialize)]
pub struct Ratios {
    pub today: String,
    pub year: i32,
    pub indicators: Indicators,
    pub capacity_parts: Vec<(String, Fen)>,
    pub warnings: Vec<Warning>,
    /// Balances by category (一般, 专项, 平台, 隐性).
    pub by_category: Vec<(Category, Fen)>,
    /// The sums behind the indicators and what was paid this year (for scenarios).
    #[serde(skip)]
    pub sums: Sums,
    #[serde(skip)]
    pub paid: Fen,
}

/// Compute the indicators on `today` (no access check: the watch and the page both use it).
pub(crate) async fn ratios_on(db: &Db, today: NaiveDate) -> Result<Arc<Ratios>> {
    ratios_of(db, current(db).await?, today).await
}

/// The indicators of this version of the book.
pub(crate) async fn ratios_of(db: &Db, book: Arc<Book>, today: NaiveDate) -> Result<Arc<Ratios>> {
    let (parts, cap) = capacity(db, today.year()).await?;
    let rules = RulesInForce::load(db, today).await?;
    let th = super::thresholds(&rules);
    let key = format!("debt:ratios:{today}:{}:{th:?}", cap.0);
    db.memo_versioned(&key, book.version, || async {
        let sums = Sums::of_book(book.insts.iter(), today);
        let paid = paid_this_year(&book, today);
        let x = sums.finish(cap, paid);
        let warnings = warnings_of(&x, &th);
        let by_category = Category::ALL.iter().map(|c| (*c, Fen(book.insts.iter().filter(|i| i.category == *c).map(|i| i.outstanding().0).sum()))).collect();
        Ok(Arc::new(Ratios { today: today.to_string(), year: today.year(), indicators: x, capacity_parts: parts, warnings, by_category, sums, paid }))
    })
    .await
}

/// 债务率, 偿债率 … and the warnings they raise, for the caller.
pub async fn ratios(db: &Db, who: &Who, now: i64) -> Result<Arc<Ratios>> {
    let today = local_date(now);
    reader(db, who, today).await?;
    ratios_on(db, today).await
}

/// One category's disclosure row.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureRow {
    pub category: Category,
    pub limit: Option<Fen>,
    pub roll: YearRoll,
    /// The closing balance exceeds the limit.
    pub over_limit: bool,
}

/// The tables a county publishes within twenty days after the budget's approval (一般 and 专项
/// 债务 限额 and 余额), from the transactions.
#[derive(Debug, Clone, Serialize)]
pub struct Disclosure {
    pub year: i32,
    pub rows: Vec<DisclosureRow>,
    /// Both categories together.
    pub total: DisclosureRow,
}

pub async fn disclosure(db: &Db, who: &Who, year: i32, now: i64) -> Result<Disclosure> {
    reader(db, who, local_date(now)).await?;
    let book = current(db).await?;
    let limits = store::limits(db, i64::from(year)).await?;
    let rows: Vec<DisclosureRow> = [Category::General, Category::Special]
        .iter()
        .map(|c| {
            let r = roll(&book.txns, *c, year);
            let limit = limits.iter().find(|(x, _)| x == c).map(|(_, l)| *l);
            DisclosureRow { category: *c, over_limit: limit.is_some_and(|l| r.closing > l), limit, roll: r }
        })
        .collect();
    let sum = |f: fn(&YearRoll) -> Fen| -> Fen { rows.iter().map(|r| f(&r.roll)).sum() };
    let total_roll = YearRoll {
        opening: sum(|r| r.opening),
        issued: sum(|r| r.issued),
        issued_new: sum(|r| r.issued_new),
        issued_refinancing: sum(|r| r.issued_refinancing),
        issued_swap: sum(|r| r.issued_swap),
        repaid: sum(|r| r.repaid),
        interest: sum(|r| r.interest),
        closing: sum(|r| r.closing),
        closing_direct: sum(|r| r.closing_direct),
    };
    let limit = (rows.iter().all(|r| r.limit.is_some())).then(|| rows.iter().filter_map(|r| r.limit).sum());
    let total = DisclosureRow { category: Category::General, over_limit: limit.is_some_and(|l| total_roll.closing > l), limit, roll: total_roll };
    Ok(Disclosure { year, rows, total })
}

/// The disclosure as table rows (labels in Chinese, 亿元 to four decimals): for the xlsx and
/// the printable page.
pub fn disclosure_table(d: &Disclosure) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec!["项目", "一般债务", "专项债务", "合计"];
    let cell = |f: &dyn Fn(&DisclosureRow) -> String| -> Vec<String> { d.rows.iter().chain(std::iter::once(&d.total)).map(f).collect() };
    let mut out = Vec::new();
    let mut push = |label: &str, cells: Vec<String>| {
        let mut row = vec![label.to_string()];
        row.extend(cells);
        out.push(row);
    };
    push(&format!("{}年债务限额", d.year), cell(&|r| r.limit.map(|l| l.yi4()).unwrap_or_else(|| "—".into())));
    push(&format!("{}年初债务余额", d.year), cell(&|r| r.roll.opening.yi4()));
    push("本年发行/举借", cell(&|r| r.roll.issued.yi4()));
    push("　其中：新增债券", cell(&|r| r.roll.issued_new.yi4()));
    push("　　　　再融资债券", cell(&|r| r.roll.issued_refinancing.yi4()));
    push("　　　　置换债券", cell(&|r| r.roll.issued_swap.yi4()));
    push("本年偿还本金", cell(&|r| r.roll.repaid.yi4()));
    push("本年支付利息", cell(&|r| r.roll.interest.yi4()));
    push(&format!("{}年末债务余额", d.year), cell(&|r| r.roll.closing.yi4()));
    (head, out)
}
