//! The whole book read at once (instruments, every schedule row, every transaction) for the
//! figures, kept on this node per book version: a write anywhere moves the version, so a
//! figure is never computed from a stale book.

use crate::{get_i64, get_str, Db, Result};
use luoshi_domain::debt::book::{Inst, Txn, TxnKind};
use luoshi_domain::debt::schedule::Due;
use luoshi_domain::debt::{BorrowerKind, Category, DayCount, InstrumentKind};
use luoshi_domain::money::{Fen, Ppm};
use luoshi_domain::{DomainError, ErrorCode};
use std::collections::HashMap;
use std::sync::Arc;

/// The book as of a version.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub version: i64,
    pub insts: Vec<Inst>,
    pub txns: Vec<Txn>,
}

fn date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DomainError::new(ErrorCode::Internal).with_detail(format!("debt date {s}")).into())
}

fn bad(w: &str) -> crate::StoreError {
    DomainError::new(ErrorCode::Internal).with_detail(format!("debt book {w}")).into()
}

/// Read the book as it stands now.
pub async fn read(db: &Db) -> Result<Book> {
    let version = super::version(db).await?;
    let rows = sqlx::query(
        "SELECT i.id, i.borrower_id, b.kind AS borrower_kind, i.kind, i.category, i.principal_fen, i.rate_ppm, i.day_count, i.start_on, i.maturity_on \
         FROM debt_instruments i JOIN debt_borrowers b ON b.id = i.borrower_id ORDER BY i.id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut insts = Vec::with_capacity(rows.len());
    let mut at: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let id = get_i64(r, "id")?;
        at.insert(id, insts.len());
        insts.push(Inst {
            id,
            borrower_id: get_i64(r, "borrower_id")?,
            borrower_kind: BorrowerKind::parse(&get_str(r, "borrower_kind")?).ok_or_else(|| bad("borrower kind"))?,
            kind: InstrumentKind::parse(&get_str(r, "kind")?).ok_or_else(|| bad("kind"))?,
            category: Category::parse(&get_str(r, "category")?).ok_or_else(|| bad("category"))?,
            principal: Fen(get_i64(r, "principal_fen")?),
            rate: Ppm(get_i64(r, "rate_ppm")?),
            day_count: DayCount::parse(&get_str(r, "day_count")?).ok_or_else(|| bad("day count"))?,
            start: date(&get_str(r, "start_on")?)?,
            maturity: date(&get_str(r, "maturity_on")?)?,
            dues: Vec::new(),
            drawn: Fen(0),
            repaid: Fen(0),
        });
    }
    // A metropolis's book has a million schedule rows: read one at a time, never all at once.
    // Dates repeat across instruments (month ends, coupon days): parse each once.
    let mut dates: HashMap<String, chrono::NaiveDate> = HashMap::new();
    let q = sqlx::query("SELECT instrument_id, due_on, principal_fen, interest_fen FROM debt_schedule ORDER BY instrument_id, seq");
    crate::each_row(q, db, |r| {
        let Some(k) = at.get(&get_i64(r, "instrument_id")?).copied() else { return Ok(()) };
        let on = get_str(r, "due_on")?;
        let on = match dates.get(&on) {
            Some(d) => *d,
            None => {
                let d = date(&on)?;
                dates.insert(on, d);
                d
            }
        };
        insts[k].dues.push(Due { on, principal: Fen(get_i64(r, "principal_fen")?), interest: Fen(get_i64(r, "interest_fen")?) });
        Ok(())
    })
    .await?;
    // Kept for as long as the version stands: no room to grow.
    for i in &mut insts {
        i.dues.shrink_to_fit();
    }
    let mut txns = Vec::new();
    let q = sqlx::query("SELECT instrument_id, happened_on, kind, amount_fen FROM debt_transactions ORDER BY happened_on, id");
    crate::each_row(q, db, |r| {
        let Some(k) = at.get(&get_i64(r, "instrument_id")?).copied() else { return Ok(()) };
        let kind = TxnKind::parse(&get_str(r, "kind")?).ok_or_else(|| bad("txn kind"))?;
        let amount = Fen(get_i64(r, "amount_fen")?);
        let i = &mut insts[k];
        match kind {
            TxnKind::Drawdown => i.drawn.0 += amount.0,
            k if k.repays() => i.repaid.0 += amount.0,
            _ => {}
        }
        txns.push(Txn { on: date(&get_str(r, "happened_on")?)?, kind, amount, category: i.category, instrument: i.kind });
        Ok(())
    })
    .await?;
    Ok(Book { version, insts, txns })
}

/// The book from this node's memo while its version stands, else read.
pub async fn current(db: &Db) -> Result<Arc<Book>> {
    let version = super::version(db).await?;
    db.memo_versioned("debt:book", version, || async { read(db).await.map(Arc::new) }).await
}
