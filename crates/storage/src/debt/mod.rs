//! 债务风险 as stored: borrowers, instruments with their schedules, transactions, the year's
//! 限额 and 综合财力, grants of sight, named scenarios ([`write`]); the whole book read at once
//! for the figures ([`book`]); maturities and warnings as duties ([`duties`]).

pub mod book;
pub mod duties;
pub mod write;

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Db, Result};
use luoshi_domain::debt::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind, TxnKind};
use luoshi_domain::money::{Fen, Ppm};
use luoshi_domain::{DomainError, ErrorCode};
use sqlx::any::AnyRow;

fn bad(w: &str) -> DomainError {
    DomainError::new(ErrorCode::Internal).with_detail(format!("debt {w}"))
}

/// A borrower as stored, with its responsible unit's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Borrower {
    pub id: i64,
    pub name: String,
    pub kind: BorrowerKind,
    pub uscc: Option<String>,
    pub owner: String,
    /// 退出融资平台 on this day.
    pub exited_on: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub note: String,
}

fn borrower(r: &AnyRow) -> Result<Borrower> {
    Ok(Borrower {
        id: get_i64(r, "id")?,
        name: get_str(r, "name")?,
        kind: BorrowerKind::parse(&get_str(r, "kind")?).ok_or_else(|| bad("borrower kind"))?,
        uscc: get_opt_str(r, "uscc")?,
        owner: get_str(r, "owner")?,
        exited_on: get_opt_str(r, "exited_on")?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        note: get_str(r, "note")?,
    })
}

const BORROWER_COLS: &str =
    "b.id, b.name, b.kind, b.uscc, b.owner, b.exited_on, b.unit_id, u.name AS unit_name, b.note FROM debt_borrowers b JOIN units u ON u.id = b.unit_id";

pub async fn borrowers(db: &Db) -> Result<Vec<Borrower>> {
    let rows = sqlx::query(&format!("SELECT {BORROWER_COLS} ORDER BY b.kind, b.name")).fetch_all(db.pool()).await?;
    rows.iter().map(borrower).collect()
}

pub async fn borrower_named(db: &Db, name: &str) -> Result<Option<Borrower>> {
    let row = sqlx::query(&format!("SELECT {BORROWER_COLS} WHERE b.name = $1")).bind(name.trim()).fetch_optional(db.pool()).await?;
    row.as_ref().map(borrower).transpose()
}

/// An instrument as stored, with its borrower.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    pub id: i64,
    pub borrower_id: i64,
    pub borrower_name: String,
    pub borrower_kind: BorrowerKind,
    pub borrower_unit_id: i64,
    pub code: String,
    pub name: String,
    pub kind: InstrumentKind,
    pub category: Category,
    pub lender: String,
    pub principal: Fen,
    pub currency: String,
    pub rate: Ppm,
    /// Empty for a fixed rate; else the reference (`LPR1Y`, `LPR5Y`, `SHIBOR3M`) and its spread.
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
    /// The project a 专项债券 funds (as named in its issuance).
    pub project: String,
    pub note: String,
    pub version: i64,
    pub updated_at: i64,
}

pub(crate) const INSTRUMENT_COLS: &str =
    "i.id, i.borrower_id, b.name AS borrower_name, b.kind AS borrower_kind, b.unit_id AS borrower_unit_id, i.code, i.name, \
     i.kind, i.category, i.lender, i.principal_fen, i.currency, i.rate_ppm, i.rate_reference, i.spread_bp, i.fees_fen, i.day_count, i.start_on, \
     i.maturity_on, i.amortisation, i.every_months, i.guarantee, i.collateral, i.project, i.note, i.version, i.updated_at \
     FROM debt_instruments i JOIN debt_borrowers b ON b.id = i.borrower_id";

pub(crate) fn instrument(r: &AnyRow) -> Result<Instrument> {
    Ok(Instrument {
        id: get_i64(r, "id")?,
        borrower_id: get_i64(r, "borrower_id")?,
        borrower_name: get_str(r, "borrower_name")?,
        borrower_kind: BorrowerKind::parse(&get_str(r, "borrower_kind")?).ok_or_else(|| bad("borrower kind"))?,
        borrower_unit_id: get_i64(r, "borrower_unit_id")?,
        code: get_str(r, "code")?,
        name: get_str(r, "name")?,
        kind: InstrumentKind::parse(&get_str(r, "kind")?).ok_or_else(|| bad("kind"))?,
        category: Category::parse(&get_str(r, "category")?).ok_or_else(|| bad("category"))?,
        lender: get_str(r, "lender")?,
        principal: Fen(get_i64(r, "principal_fen")?),
        currency: get_str(r, "currency")?,
        rate: Ppm(get_i64(r, "rate_ppm")?),
        rate_reference: get_str(r, "rate_reference")?,
        spread_bp: get_i64(r, "spread_bp")?,
        fees: Fen(get_i64(r, "fees_fen")?),
        day_count: DayCount::parse(&get_str(r, "day_count")?).ok_or_else(|| bad("day count"))?,
        start_on: get_str(r, "start_on")?,
        maturity_on: get_str(r, "maturity_on")?,
        amortisation: Amortisation::parse(&get_str(r, "amortisation")?).ok_or_else(|| bad("amortisation"))?,
        every_months: get_i64(r, "every_months")?,
        guarantee: get_str(r, "guarantee")?,
        collateral: get_str(r, "collateral")?,
        project: get_str(r, "project")?,
        note: get_str(r, "note")?,
        version: get_i64(r, "version")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Instrument>> {
    let row = sqlx::query(&format!("SELECT {INSTRUMENT_COLS} WHERE i.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(instrument).transpose()
}

/// What narrows the ledger.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub category: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub borrower_id: Option<i64>,
    #[serde(default)]
    pub q: String,
}

/// A page of the ledger (by id, after `after`), each with its principal outstanding.
pub async fn page(db: &Db, f: &Filter, after: i64, limit: i64) -> Result<Vec<(Instrument, Fen)>> {
    let mut sql = format!("SELECT {INSTRUMENT_COLS} WHERE i.id > $1");
    let mut n = 1;
    let mut binds: Vec<String> = Vec::new();
    for (col, v) in [("i.kind", &f.kind), ("i.category", &f.category)] {
        if !v.trim().is_empty() {
            n += 1;
            sql.push_str(&format!(" AND {col} = ${n}"));
            binds.push(v.trim().to_string());
        }
    }
    if !f.q.trim().is_empty() {
        n += 1;
        sql.push_str(&format!(" AND (i.name LIKE ${n} OR i.code LIKE ${n} OR i.lender LIKE ${n} OR b.name LIKE ${n})"));
        binds.push(format!("%{}%", f.q.trim()));
    }
    if f.borrower_id.is_some() {
        n += 1;
        sql.push_str(&format!(" AND i.borrower_id = ${n}"));
    }
    sql.push_str(&format!(" ORDER BY i.id LIMIT {}", limit.clamp(1, 1000)));
    let mut q = sqlx::query(&sql).bind(after);
    for b in &binds {
        q = q.bind(b);
    }
    if let Some(b) = f.borrower_id {
        q = q.bind(b);
    }
    let rows = q.fetch_all(db.pool()).await?;
    let items: Vec<Instrument> = rows.iter().map(instrument).collect::<Result<_>>()?;
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let owed = outstanding_of(db, &ids).await?;
    Ok(items
        .into_iter()
        .map(|i| {
            let o = owed.get(&i.id).copied().unwrap_or_default();
            (i, o)
        })
        .collect())
}

/// Principal drawn on these instruments.
pub async fn drawn_of(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, Fen>> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT instrument_id, CAST(SUM(amount_fen) AS BIGINT) AS drawn FROM debt_transactions WHERE kind = 'drawdown' AND instrument_id IN ({list}) GROUP BY instrument_id"
    );
    for r in sqlx::query(&sql).fetch_all(db.pool()).await? {
        out.insert(get_i64(&r, "instrument_id")?, Fen(get_opt_i64(&r, "drawn")?.unwrap_or(0)));
    }
    Ok(out)
}

/// Which of these 债务编号 the ledger holds.
pub async fn codes_in(db: &Db, codes: &[String]) -> Result<std::collections::HashSet<String>> {
    let mut out = std::collections::HashSet::new();
    for chunk in codes.chunks(500) {
        let marks = (1..=chunk.len()).map(|k| format!("${k}")).collect::<Vec<_>>().join(",");
        let sql = format!("SELECT code FROM debt_instruments WHERE code IN ({marks})");
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q.bind(c);
        }
        for r in q.fetch_all(db.pool()).await? {
            out.insert(get_str(&r, "code")?);
        }
    }
    Ok(out)
}

/// (id, code, name, rate) of these instruments.
pub async fn brief(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String, String, Ppm)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let rows = sqlx::query(&format!("SELECT id, code, name, rate_ppm FROM debt_instruments WHERE id IN ({list})")).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "id")?, get_str(r, "code")?, get_str(r, "name")?, Ppm(get_i64(r, "rate_ppm")?)))).collect()
}

/// Principal outstanding of these instruments (drawn less repaid).
pub async fn outstanding_of(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, Fen>> {
    let mut out = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT instrument_id, CAST(SUM(CASE WHEN kind = 'drawdown' THEN amount_fen WHEN kind = 'interest' THEN 0 ELSE -amount_fen END) AS BIGINT) AS owed \
         FROM debt_transactions WHERE instrument_id IN ({list}) GROUP BY instrument_id"
    );
    for r in sqlx::query(&sql).fetch_all(db.pool()).await? {
        out.insert(get_i64(&r, "instrument_id")?, Fen(get_opt_i64(&r, "owed")?.unwrap_or(0)));
    }
    Ok(out)
}

/// One row of an instrument's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRow {
    pub seq: i64,
    pub due_on: String,
    pub principal: Fen,
    pub interest: Fen,
}

pub async fn schedule(db: &Db, id: i64) -> Result<Vec<DueRow>> {
    let rows = sqlx::query("SELECT seq, due_on, principal_fen, interest_fen FROM debt_schedule WHERE instrument_id = $1 ORDER BY seq")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DueRow {
                seq: get_i64(r, "seq")?,
                due_on: get_str(r, "due_on")?,
                principal: Fen(get_i64(r, "principal_fen")?),
                interest: Fen(get_i64(r, "interest_fen")?),
            })
        })
        .collect()
}

/// A transaction as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnRow {
    pub id: i64,
    pub instrument_id: i64,
    pub happened_on: String,
    pub kind: TxnKind,
    pub amount: Fen,
    pub counterpart_id: Option<i64>,
    pub over_limit: bool,
    pub note: String,
    pub actor: String,
    pub at: i64,
}

pub(crate) fn txn(r: &AnyRow) -> Result<TxnRow> {
    Ok(TxnRow {
        id: get_i64(r, "id")?,
        instrument_id: get_i64(r, "instrument_id")?,
        happened_on: get_str(r, "happened_on")?,
        kind: TxnKind::parse(&get_str(r, "kind")?).ok_or_else(|| bad("txn kind"))?,
        amount: Fen(get_i64(r, "amount_fen")?),
        counterpart_id: get_opt_i64(r, "counterpart_id")?,
        over_limit: get_i64(r, "over_limit")? != 0,
        note: get_str(r, "note")?,
        actor: get_str(r, "actor")?,
        at: get_i64(r, "at")?,
    })
}

pub(crate) const TXN_COLS: &str = "id, instrument_id, happened_on, kind, amount_fen, counterpart_id, over_limit, note, actor, at";

pub async fn transactions(db: &Db, id: i64) -> Result<Vec<TxnRow>> {
    let rows = sqlx::query(&format!("SELECT {TXN_COLS} FROM debt_transactions WHERE instrument_id = $1 ORDER BY happened_on, id"))
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(txn).collect()
}

/// The 限额 of a year by category.
pub async fn limits(db: &Db, year: i64) -> Result<Vec<(Category, Fen)>> {
    let rows = sqlx::query("SELECT category, limit_fen FROM debt_limits WHERE year = $1 ORDER BY category").bind(year).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((Category::parse(&get_str(r, "category")?).ok_or_else(|| bad("category"))?, Fen(get_i64(r, "limit_fen")?)))).collect()
}

/// The 综合财力 components of a year (name, amount), in order.
pub async fn capacity(db: &Db, year: i64) -> Result<Vec<(String, Fen)>> {
    let rows = sqlx::query("SELECT name, amount_fen FROM debt_capacity WHERE year = $1 ORDER BY seq").bind(year).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "name")?, Fen(get_i64(r, "amount_fen")?)))).collect()
}

/// A grant of sight over the debt book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user_id: i64,
    pub display_name: String,
    pub unit_name: String,
    pub granted_by: String,
    pub reason: String,
    pub granted_at: i64,
}

pub async fn grants(db: &Db) -> Result<Vec<Grant>> {
    let rows = sqlx::query(
        "SELECT g.user_id, us.display_name, un.name AS unit_name, g.granted_by, g.reason, g.granted_at FROM debt_grants g \
         JOIN users us ON us.id = g.user_id JOIN units un ON un.id = us.unit_id ORDER BY g.granted_at",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Grant {
                user_id: get_i64(r, "user_id")?,
                display_name: get_str(r, "display_name")?,
                unit_name: get_str(r, "unit_name")?,
                granted_by: get_str(r, "granted_by")?,
                reason: get_str(r, "reason")?,
                granted_at: get_i64(r, "granted_at")?,
            })
        })
        .collect()
}

pub async fn granted(db: &Db, user_id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM debt_grants WHERE user_id = $1").bind(user_id).fetch_optional(db.pool()).await?.is_some())
}

/// A named scenario: its input as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub id: i64,
    pub name: String,
    pub input: String,
    pub created_by: String,
    pub created_at: i64,
}

pub async fn scenarios(db: &Db) -> Result<Vec<Scenario>> {
    let rows = sqlx::query("SELECT id, name, input, created_by, created_at FROM debt_scenarios ORDER BY id DESC").fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(Scenario {
                id: get_i64(r, "id")?,
                name: get_str(r, "name")?,
                input: get_str(r, "input")?,
                created_by: get_str(r, "created_by")?,
                created_at: get_i64(r, "created_at")?,
            })
        })
        .collect()
}

/// The book's version: moved by every write of it.
pub async fn version(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT version FROM debt_book WHERE id = 1").fetch_optional(db.pool()).await?;
    row.as_ref().map(|r| get_i64(r, "version")).transpose().map(|v| v.unwrap_or(0))
}
