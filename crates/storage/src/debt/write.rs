//! Writes of the debt book, each with its audit row and the book's version moved (so figures
//! kept per version are recomputed).

use crate::{get_i64, Actor, Result, WriteTx};
use luoshi_domain::debt::schedule::Due;
use luoshi_domain::debt::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind, TxnKind};
use luoshi_domain::money::{Fen, Ppm};
use serde_json::json;

/// Move the book's version (in the writing transaction).
pub(crate) async fn bump(tx: &mut WriteTx) -> Result<()> {
    sqlx::query("UPDATE debt_book SET version = version + 1 WHERE id = 1").execute(tx.conn()).await?;
    Ok(())
}

/// A borrower as entered.
#[derive(Debug, Clone)]
pub struct NewBorrower {
    pub name: String,
    pub kind: BorrowerKind,
    pub uscc: Option<String>,
    pub owner: String,
    pub exited_on: Option<String>,
    pub unit_id: i64,
    pub note: String,
}

/// Create a borrower, or update the one of that name; its id.
pub async fn put_borrower(tx: &mut WriteTx, actor: &Actor, b: &NewBorrower, now: i64) -> Result<i64> {
    tx.lock_shared().await?;
    let found = sqlx::query("SELECT id FROM debt_borrowers WHERE name = $1").bind(&b.name).fetch_optional(tx.conn()).await?;
    let id = match found {
        Some(r) => {
            let id = get_i64(&r, "id")?;
            sqlx::query("UPDATE debt_borrowers SET kind = $1, uscc = $2, owner = $3, exited_on = $4, unit_id = $5, note = $6, version = version + 1, updated_at = $7 WHERE id = $8")
                .bind(b.kind.as_str())
                .bind(&b.uscc)
                .bind(&b.owner)
                .bind(&b.exited_on)
                .bind(b.unit_id)
                .bind(&b.note)
                .bind(now)
                .bind(id)
                .execute(tx.conn())
                .await?;
            id
        }
        None => {
            let r = sqlx::query(
                "INSERT INTO debt_borrowers (name, kind, uscc, owner, exited_on, unit_id, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&b.name)
            .bind(b.kind.as_str())
            .bind(&b.uscc)
            .bind(&b.owner)
            .bind(&b.exited_on)
            .bind(b.unit_id)
            .bind(&b.note)
            .bind(now)
            .fetch_one(tx.conn())
            .await?;
            get_i64(&r, "id")?
        }
    };
    let after = json!({ "name": b.name, "kind": b.kind.as_str(), "uscc": b.uscc, "exited_on": b.exited_on, "unit_id": b.unit_id });
    tx.audit(actor, "debt.borrower.put", "debt_borrower", &id.to_string(), None, Some(&after)).await?;
    bump(tx).await?;
    Ok(id)
}

/// An instrument as entered (terms validated by the caller).
#[derive(Debug, Clone)]
pub struct NewInstrument {
    pub borrower_id: i64,
    pub code: String,
    pub name: String,
    pub kind: InstrumentKind,
    pub category: Category,
    pub lender: String,
    pub principal: Fen,
    pub currency: String,
    pub rate: Ppm,
    pub rate_reference: String,
    pub spread_bp: i64,
    pub fees: Fen,
    pub day_count: DayCount,
    pub start_on: String,
    pub maturity_on: String,
    pub amortisation: Amortisation,
    pub every_months: i64,
    pub guarantee: String,
    pub collateral: String,
    pub project: String,
    pub note: String,
}

/// Insert instruments with their schedules (one audit row for the batch); their ids.
pub async fn create_instruments(tx: &mut WriteTx, actor: &Actor, items: &[(NewInstrument, Vec<Due>)], now: i64) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(items.len());
    for (i, _) in items {
        let r = sqlx::query(
            "INSERT INTO debt_instruments (borrower_id, code, name, kind, category, lender, principal_fen, currency, rate_ppm, rate_reference, spread_bp, \
             fees_fen, day_count, start_on, maturity_on, amortisation, every_months, guarantee, collateral, project, note, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22) RETURNING id",
        )
        .bind(i.borrower_id)
        .bind(&i.code)
        .bind(&i.name)
        .bind(i.kind.as_str())
        .bind(i.category.as_str())
        .bind(&i.lender)
        .bind(i.principal.0)
        .bind(&i.currency)
        .bind(i.rate.0)
        .bind(&i.rate_reference)
        .bind(i.spread_bp)
        .bind(i.fees.0)
        .bind(i.day_count.as_str())
        .bind(&i.start_on)
        .bind(&i.maturity_on)
        .bind(i.amortisation.as_str())
        .bind(i.every_months)
        .bind(&i.guarantee)
        .bind(&i.collateral)
        .bind(&i.project)
        .bind(&i.note)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
        ids.push(get_i64(&r, "id")?);
    }
    let rows: Vec<(i64, i64, &Due)> =
        ids.iter().zip(items).flat_map(|(id, (_, dues))| dues.iter().enumerate().map(move |(k, d)| (*id, k as i64 + 1, d))).collect();
    let b = tx.backend();
    for chunk in rows.chunks(1000) {
        let sql = format!("INSERT INTO debt_schedule (instrument_id, seq, due_on, principal_fen, interest_fen) VALUES {}", crate::values(b, chunk.len(), 5));
        let mut q = sqlx::query(&sql);
        for (id, seq, d) in chunk {
            q = q.bind(*id).bind(*seq).bind(d.on.format("%Y-%m-%d").to_string()).bind(d.principal.0).bind(d.interest.0);
        }
        q.execute(tx.conn()).await?;
    }
    let after = if items.len() == 1 {
        let i = &items[0].0;
        json!({ "code": i.code, "name": i.name, "kind": i.kind.as_str(), "category": i.category.as_str(), "principal_fen": i.principal.0, "rate_ppm": i.rate.0, "maturity_on": i.maturity_on })
    } else {
        json!({ "instruments": ids.len(), "schedule_rows": rows.len() })
    };
    let entity = if ids.len() == 1 { ids[0].to_string() } else { format!("{}..{}", ids.first().unwrap_or(&0), ids.last().unwrap_or(&0)) };
    tx.audit(actor, "debt.instrument.create", "debt_instrument", &entity, None, Some(&after)).await?;
    bump(tx).await?;
    Ok(ids)
}

/// A transaction as entered.
#[derive(Debug, Clone)]
pub struct NewTxn {
    pub instrument_id: i64,
    pub happened_on: String,
    pub kind: TxnKind,
    pub amount: Fen,
    pub counterpart_id: Option<i64>,
    pub over_limit: bool,
    pub note: String,
}

/// Record transactions (one audit row for the batch), many rows per statement.
pub async fn record(tx: &mut WriteTx, actor: &Actor, txns: &[NewTxn], now: i64) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(txns.len());
    let b = tx.backend();
    for chunk in txns.chunks(500) {
        let sql = format!(
            "INSERT INTO debt_transactions (instrument_id, happened_on, kind, amount_fen, counterpart_id, over_limit, note, actor, at) VALUES {} RETURNING id",
            crate::values(b, chunk.len(), 9)
        );
        let mut q = sqlx::query(&sql);
        for t in chunk {
            q = q
                .bind(t.instrument_id)
                .bind(&t.happened_on)
                .bind(t.kind.as_str())
                .bind(t.amount.0)
                .bind(t.counterpart_id)
                .bind(i64::from(t.over_limit))
                .bind(&t.note)
                .bind(&actor.name)
                .bind(now);
        }
        for r in q.fetch_all(tx.conn()).await? {
            ids.push(get_i64(&r, "id")?);
        }
    }
    if let [t] = txns {
        let after =
            json!({ "on": t.happened_on, "kind": t.kind.as_str(), "amount_fen": t.amount.0, "counterpart_id": t.counterpart_id, "over_limit": t.over_limit });
        tx.audit(actor, "debt.transaction.record", "debt_instrument", &t.instrument_id.to_string(), None, Some(&after)).await?;
    } else {
        tx.audit(actor, "debt.transaction.record", "debt_book", "batch", None, Some(&json!({ "transactions": ids.len() }))).await?;
    }
    bump(tx).await?;
    Ok(ids)
}

/// Set a year's 限额 of a category.
pub async fn set_limit(tx: &mut WriteTx, actor: &Actor, year: i64, category: Category, limit: Fen) -> Result<()> {
    tx.lock_shared().await?;
    sqlx::query("DELETE FROM debt_limits WHERE year = $1 AND category = $2").bind(year).bind(category.as_str()).execute(tx.conn()).await?;
    sqlx::query("INSERT INTO debt_limits (year, category, limit_fen) VALUES ($1, $2, $3)")
        .bind(year)
        .bind(category.as_str())
        .bind(limit.0)
        .execute(tx.conn())
        .await?;
    tx.audit(actor, "debt.limit.set", "debt_limit", &format!("{year}:{}", category.as_str()), None, Some(&json!({ "limit_fen": limit.0 }))).await?;
    bump(tx).await
}

/// Replace a year's 综合财力 components.
pub async fn set_capacity(tx: &mut WriteTx, actor: &Actor, year: i64, parts: &[(String, Fen)]) -> Result<()> {
    tx.lock_shared().await?;
    sqlx::query("DELETE FROM debt_capacity WHERE year = $1").bind(year).execute(tx.conn()).await?;
    for (k, (name, amount)) in parts.iter().enumerate() {
        sqlx::query("INSERT INTO debt_capacity (year, seq, name, amount_fen) VALUES ($1, $2, $3, $4)")
            .bind(year)
            .bind(k as i64 + 1)
            .bind(name)
            .bind(amount.0)
            .execute(tx.conn())
            .await?;
    }
    let after = json!({ "parts": parts.iter().map(|(n, a)| json!([n, a.0])).collect::<Vec<_>>() });
    tx.audit(actor, "debt.capacity.set", "debt_capacity", &year.to_string(), None, Some(&after)).await?;
    bump(tx).await
}

/// Grant a user sight of the debt book (or renew the reason).
pub async fn grant(tx: &mut WriteTx, actor: &Actor, user_id: i64, reason: &str, now: i64) -> Result<()> {
    tx.lock_shared().await?;
    sqlx::query("DELETE FROM debt_grants WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
    sqlx::query("INSERT INTO debt_grants (user_id, granted_by, reason, granted_at) VALUES ($1, $2, $3, $4)")
        .bind(user_id)
        .bind(&actor.name)
        .bind(reason)
        .bind(now)
        .execute(tx.conn())
        .await?;
    tx.audit(actor, "debt.grant", "user", &user_id.to_string(), None, Some(&json!({ "reason": reason }))).await?;
    Ok(())
}

/// Withdraw a grant; whether there was one.
pub async fn revoke(tx: &mut WriteTx, actor: &Actor, user_id: i64) -> Result<bool> {
    tx.lock_shared().await?;
    let n = sqlx::query("DELETE FROM debt_grants WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?.rows_affected();
    tx.audit(actor, "debt.revoke", "user", &user_id.to_string(), None, None).await?;
    Ok(n > 0)
}

/// Save a named scenario's input; its id.
pub async fn save_scenario(tx: &mut WriteTx, actor: &Actor, name: &str, input: &serde_json::Value, now: i64) -> Result<i64> {
    let r = sqlx::query("INSERT INTO debt_scenarios (name, input, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(input.to_string())
        .bind(&actor.name)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&r, "id")?;
    tx.audit(actor, "debt.scenario.save", "debt_scenario", &id.to_string(), None, Some(&json!({ "name": name, "input": input }))).await?;
    Ok(id)
}

/// A read of an instrument's detail, in the audit (the data is sensitive).
pub async fn audit_read(tx: &mut WriteTx, actor: &Actor, what: &str, id: &str) -> Result<()> {
    tx.audit(actor, "debt.read", what, id, None, None).await?;
    Ok(())
}
