//! 民生实事 as stored: the years' settings, the proposals (duties of kind `livelihood`, with
//! their line in the record of duties), the citizens' ratings, and the vote and rating sessions.

pub mod proposals;
pub mod sessions;

use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::money::Fen;
use serde_json::json;

/// A stored value this code does not know (a state, a kind): the database is not ours.
fn bad(what: &str) -> crate::StoreError {
    luoshi_domain::DomainError::new(luoshi_domain::ErrorCode::Internal).with_detail(what.to_string()).into()
}

/// A year's settings: the collection period and the 可用财力 the finance bureau sets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct YearRow {
    pub year: i64,
    pub collect_from: String,
    pub collect_to: String,
    pub capacity: Fen,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

fn year_row(r: &sqlx::any::AnyRow) -> Result<YearRow> {
    Ok(YearRow {
        year: get_i64(r, "year")?,
        collect_from: get_str(r, "collect_from")?,
        collect_to: get_str(r, "collect_to")?,
        capacity: Fen(get_i64(r, "capacity_fen")?),
        version: get_i64(r, "version")?,
        updated_by: get_str(r, "updated_by")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

const YEAR_COLS: &str = "year, collect_from, collect_to, capacity_fen, version, updated_by, updated_at";

/// A year's settings, if set.
pub async fn year(db: &Db, year: i64) -> Result<Option<YearRow>> {
    sqlx::query(&format!("SELECT {YEAR_COLS} FROM livelihood_years WHERE year = $1"))
        .bind(year)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(year_row)
        .transpose()
}

/// Every year set, newest first.
pub async fn years(db: &Db) -> Result<Vec<YearRow>> {
    sqlx::query(&format!("SELECT {YEAR_COLS} FROM livelihood_years ORDER BY year DESC")).fetch_all(db.pool()).await?.iter().map(year_row).collect()
}

/// Set a year's collection period and 可用财力 (with its audit row).
pub async fn put_year(tx: &mut WriteTx, actor: &Actor, y: i64, from: &str, to: &str, capacity: Fen, now: i64) -> Result<()> {
    tx.lock_shared().await?;
    let before = sqlx::query(&format!("SELECT {YEAR_COLS} FROM livelihood_years WHERE year = $1"))
        .bind(y)
        .fetch_optional(tx.conn())
        .await?
        .as_ref()
        .map(year_row)
        .transpose()?;
    sqlx::query(
        "INSERT INTO livelihood_years (year, collect_from, collect_to, capacity_fen, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (year) DO UPDATE SET collect_from = $2, collect_to = $3, capacity_fen = $4, updated_by = $5, updated_at = $6, version = livelihood_years.version + 1",
    )
    .bind(y)
    .bind(from)
    .bind(to)
    .bind(capacity.0)
    .bind(&actor.name)
    .bind(now)
    .execute(tx.conn())
    .await?;
    let b = before.map(|b| json!({ "collect_from": b.collect_from, "collect_to": b.collect_to, "capacity_fen": b.capacity.0 }));
    let after = json!({ "collect_from": from, "collect_to": to, "capacity_fen": capacity.0 });
    tx.audit(actor, "livelihood.year.put", "livelihood_year", &y.to_string(), b.as_ref(), Some(&after)).await?;
    Ok(())
}
