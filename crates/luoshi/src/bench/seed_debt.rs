//! `bench seed`'s debt book: a county's few hundred instruments or a city's ten thousand with
//! fifty schedule rows each (monthly level principal over fifty months, or quarterly coupons
//! over twelve and a half years), drawn on their value dates and paid as they fell due, the
//! year's 综合财力, loaded in bulk; then the watch opens the maturity duties.

use super::Rng;
use crate::Fail;
use chrono::{Datelike, Months, NaiveDate};
use luoshi_domain::debt::schedule::schedule;
use luoshi_domain::debt::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind, Terms, TxnKind};
use luoshi_domain::money::{Fen, Ppm};
use luoshi_domain::unit::Unit;
use luoshi_storage::debt::write::{create_instruments, put_borrower, record, set_capacity, NewBorrower, NewInstrument, NewTxn};
use luoshi_storage::{Actor, Db};
use std::time::Instant;

/// The kinds of a platform's book and their share (of 100) and rate range (ppm).
const PLATFORM: &[(InstrumentKind, usize, i64, i64)] = &[
    (InstrumentKind::BankLoan, 40, 36_000, 52_000),
    (InstrumentKind::PolicyLoan, 10, 31_000, 39_000),
    (InstrumentKind::TrustLoan, 20, 72_000, 98_000),
    (InstrumentKind::Leasing, 15, 65_000, 86_000),
    (InstrumentKind::OtherNonstandard, 5, 80_000, 105_000),
    (InstrumentKind::PlatformBond, 10, 38_000, 65_000),
];

/// Seed `total` instruments (none when the book has borrowers already): how many instruments
/// and schedule rows were made.
pub async fn seed_debt(db: &Db, all: &[Unit], total: usize, today: NaiveDate, rng: &mut Rng) -> Result<(usize, usize), Fail> {
    let fail = |e: luoshi_storage::StoreError| Fail(e.to_string());
    if total == 0 || !luoshi_storage::debt::borrowers(db).await.map_err(fail)?.is_empty() {
        return Ok((0, 0));
    }
    let Some(finance) = all.iter().find(|u| u.name.ends_with("财政局")) else { return Ok((0, 0)) };
    let actor = Actor::cli("bench");
    let now = luoshi_storage::now_micros();
    let started = Instant::now();
    let mut tx = db.begin_write().await.map_err(fail)?;
    let gov = put_borrower(
        &mut tx,
        &actor,
        &NewBorrower {
            name: "政府".into(),
            kind: BorrowerKind::Government,
            uscc: None,
            owner: String::new(),
            exited_on: None,
            unit_id: finance.id,
            note: String::new(),
        },
        now,
    )
    .await
    .map_err(fail)?;
    let mut platforms = Vec::new();
    for k in 0..19 {
        let b = NewBorrower {
            name: format!("平台公司{:02}", k + 1),
            kind: BorrowerKind::Platform,
            uscc: None,
            owner: String::new(),
            exited_on: None,
            unit_id: finance.id,
            note: String::new(),
        };
        platforms.push(put_borrower(&mut tx, &actor, &b, now).await.map_err(fail)?);
    }
    let parts = [
        ("一般公共预算收入".to_string(), Fen(total as i64 * 2_000_000_000)),
        ("上级转移支付".to_string(), Fen(total as i64 * 2_500_000_000)),
        ("政府性基金收入".to_string(), Fen(total as i64 * 1_000_000_000)),
    ];
    set_capacity(&mut tx, &actor, i64::from(today.year()), &parts).await.map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    let (mut made, mut rows) = (0, 0);
    let mut batch: Vec<(NewInstrument, Vec<luoshi_domain::debt::schedule::Due>)> = Vec::with_capacity(500);
    for i in 0..total {
        let government = i % 10 < 3;
        let (kind, category, borrower, rate) = if government {
            let special = i % 2 == 0;
            let k = if special { InstrumentKind::SpecialBond } else { InstrumentKind::GeneralBond };
            (k, if special { Category::Special } else { Category::General }, gov, 20_000 + rng.below(20) as i64 * 1_000)
        } else {
            let mut roll = rng.below(100);
            let mut pick = PLATFORM[0];
            for p in PLATFORM {
                if roll < p.1 {
                    pick = *p;
                    break;
                }
                roll -= p.1;
            }
            let rate = pick.2 + rng.below(usize::try_from((pick.3 - pick.2) / 1_000).unwrap_or(1).max(1)) as i64 * 1_000;
            (pick.0, if rng.below(20) == 0 { Category::Hidden } else { Category::Platform }, *rng.pick(&platforms), rate)
        };
        // Fifty rows: monthly level principal over 50 months, or quarterly coupons over 12.5 years.
        let monthly = i % 2 == 0;
        let months = if monthly { 50 } else { 150 };
        let start = today.checked_sub_months(Months::new(1 + rng.below(if monthly { 40 } else { 120 }) as u32)).unwrap_or(today);
        let terms = Terms {
            principal: Fen((500 + rng.below(40) as i64 * 250) * 1_000_000),
            rate: Ppm(rate),
            day_count: if kind == InstrumentKind::BankLoan { DayCount::Act360 } else { DayCount::Act365 },
            start,
            maturity: start.checked_add_months(Months::new(months)).unwrap_or(start),
            amortisation: if monthly { Amortisation::LevelPrincipal } else { Amortisation::Bullet },
            every_months: if monthly { 1 } else { 3 },
            custom: Vec::new(),
        };
        let dues = schedule(&terms);
        let row = NewInstrument {
            borrower_id: borrower,
            code: format!("B{:06}", i + 1),
            name: format!("债务{:06}", i + 1),
            kind,
            category,
            lender: "压测债权人".into(),
            principal: terms.principal,
            currency: "CNY".into(),
            rate: terms.rate,
            rate_reference: String::new(),
            spread_bp: 0,
            fees: Fen(0),
            day_count: terms.day_count,
            start_on: terms.start.to_string(),
            maturity_on: terms.maturity.to_string(),
            amortisation: terms.amortisation,
            every_months: i64::from(terms.every_months),
            guarantee: String::new(),
            collateral: String::new(),
            project: String::new(),
            note: String::new(),
        };
        batch.push((row, dues));
        if batch.len() == 500 || i + 1 == total {
            let mut tx = db.begin_write().await.map_err(fail)?;
            let ids = create_instruments(&mut tx, &actor, &batch, now).await.map_err(fail)?;
            let mut txns = Vec::new();
            for (id, (row, dues)) in ids.iter().zip(&batch) {
                let txn = |on: NaiveDate, kind: TxnKind, amount: Fen| NewTxn {
                    instrument_id: *id,
                    happened_on: on.to_string(),
                    kind,
                    amount,
                    counterpart_id: None,
                    over_limit: false,
                    note: String::new(),
                };
                txns.push(txn(NaiveDate::parse_from_str(&row.start_on, "%Y-%m-%d").unwrap_or(today), TxnKind::Drawdown, row.principal));
                for d in dues.iter().filter(|d| d.on < today) {
                    if d.principal.0 > 0 {
                        txns.push(txn(d.on, TxnKind::Repayment, d.principal));
                    }
                    // Interest paid this year only: what 偿债率 reads (earlier years' add rows, not figures).
                    if d.interest.0 > 0 && d.on.year() == today.year() {
                        txns.push(txn(d.on, TxnKind::Interest, d.interest));
                    }
                }
                rows += dues.len();
            }
            record(&mut tx, &actor, &txns, now).await.map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            made += batch.len();
            batch.clear();
            super::progress_bar("debt", made, total, started);
        }
    }
    luoshi_app::debt::duties::watch(db, now).await.map_err(fail)?;
    Ok((made, rows))
}
