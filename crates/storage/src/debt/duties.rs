//! Debt duties as stored: a large maturity's 资金接续 (the borrower's responsible unit's) and a
//! warning's 处置 (the finance bureau's), each with its line in the record of duties, trail and
//! audit row. Their ids are derived from what they are, so opening one twice finds it.

use crate::duty::{self, trail, Line};
use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::debt::{DebtState, MaturityFlow, WarningFlow};
use luoshi_domain::duty::{Light, Workflow};
use luoshi_domain::money::Fen;
use luoshi_domain::{DomainError, ErrorCode};
use sqlx::any::AnyRow;

/// A duty's id for an instrument's schedule row: one per instalment.
pub fn maturity_id(instrument_id: i64, seq: i64) -> i64 {
    instrument_id * 10_000 + seq
}

/// A warning's id: one per year and indicator.
pub fn warning_id(year: i64, indicator: usize) -> i64 {
    year * 100 + indicator as i64
}

/// A debt duty as stored (maturity or warning), with its unit's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebtDuty {
    pub id: i64,
    pub kind: &'static str,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub state: DebtState,
    pub due_at: Option<i64>,
    /// The plan or measures submitted, the last reason.
    pub text: String,
    pub version: i64,
    pub updated_at: i64,
    /// A maturity: its instrument, date and principal; a warning: its year, indicator, level,
    /// value and threshold.
    pub instrument_id: Option<i64>,
    pub due_on: String,
    pub principal: Fen,
    /// A maturity's plan deadline (N working days before the date).
    pub plan_due_on: String,
    pub indicator: String,
    pub level: String,
    pub value: i64,
    pub threshold: i64,
}

fn state(r: &AnyRow) -> Result<DebtState> {
    DebtState::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::new(ErrorCode::Internal).with_detail("debt duty state").into())
}

const MATURITY: &str = "SELECT m.id, m.title, m.unit_id, u.name AS unit_name, m.state, m.due_at, m.text, m.version, m.updated_at, m.instrument_id, m.due_on, \
     m.principal_fen, m.plan_due_on FROM debt_maturities m JOIN units u ON u.id = m.unit_id";
const WARNING: &str = "SELECT w.id, w.year, w.indicator, w.level, w.value, w.threshold, w.unit_id, u.name AS unit_name, w.state, w.due_at, w.text, \
     w.version, w.updated_at FROM debt_warnings w JOIN units u ON u.id = w.unit_id";

fn maturity(r: &AnyRow) -> Result<DebtDuty> {
    Ok(DebtDuty {
        id: get_i64(r, "id")?,
        kind: MaturityFlow::KIND,
        title: get_str(r, "title")?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        state: state(r)?,
        due_at: get_opt_i64(r, "due_at")?,
        text: get_str(r, "text")?,
        version: get_i64(r, "version")?,
        updated_at: get_i64(r, "updated_at")?,
        instrument_id: Some(get_i64(r, "instrument_id")?),
        due_on: get_str(r, "due_on")?,
        principal: Fen(get_i64(r, "principal_fen")?),
        plan_due_on: get_str(r, "plan_due_on")?,
        indicator: String::new(),
        level: String::new(),
        value: 0,
        threshold: 0,
    })
}

fn warning(r: &AnyRow) -> Result<DebtDuty> {
    let indicator = get_str(r, "indicator")?;
    Ok(DebtDuty {
        id: get_i64(r, "id")?,
        kind: WarningFlow::KIND,
        title: String::new(),
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "unit_name")?,
        state: state(r)?,
        due_at: get_opt_i64(r, "due_at")?,
        text: get_str(r, "text")?,
        version: get_i64(r, "version")?,
        updated_at: get_i64(r, "updated_at")?,
        instrument_id: None,
        due_on: get_i64(r, "year")?.to_string(),
        principal: Fen(0),
        plan_due_on: String::new(),
        indicator,
        level: get_str(r, "level")?,
        value: get_i64(r, "value")?,
        threshold: get_i64(r, "threshold")?,
    })
}

/// A maturity duty by id.
pub async fn maturity_get(db: &Db, id: i64) -> Result<Option<DebtDuty>> {
    sqlx::query(&format!("{MATURITY} WHERE m.id = $1")).bind(id).fetch_optional(db.pool()).await?.as_ref().map(maturity).transpose()
}

/// A warning duty by id.
pub async fn warning_get(db: &Db, id: i64) -> Result<Option<DebtDuty>> {
    sqlx::query(&format!("{WARNING} WHERE w.id = $1")).bind(id).fetch_optional(db.pool()).await?.as_ref().map(warning).transpose()
}

/// Maturity duties, not closed first, by date; at most `limit`.
pub async fn maturities(db: &Db, instrument_id: Option<i64>, limit: i64) -> Result<Vec<DebtDuty>> {
    let filter = instrument_id.map(|i| format!(" WHERE m.instrument_id = {i}")).unwrap_or_default();
    let sql = format!("{MATURITY}{filter} ORDER BY CASE WHEN m.state = 'closed' THEN 1 ELSE 0 END, m.due_on, m.id LIMIT {}", limit.clamp(1, 1000));
    sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(maturity).collect()
}

/// Warning duties, not closed first, newest year first.
pub async fn warnings(db: &Db) -> Result<Vec<DebtDuty>> {
    let sql = format!("{WARNING} ORDER BY CASE WHEN w.state = 'closed' THEN 1 ELSE 0 END, w.year DESC, w.id");
    sqlx::query(&sql).fetch_all(db.pool()).await?.iter().map(warning).collect()
}

/// A maturity to open.
#[derive(Debug, Clone)]
pub struct NewMaturity {
    pub id: i64,
    pub instrument_id: i64,
    pub due_on: String,
    pub principal: Fen,
    pub unit_id: i64,
    pub title: String,
    pub plan_due_on: String,
    pub due_at: i64,
    pub light: Light,
    /// The finance bureau (sees every maturity besides the borrower's unit).
    pub finance_unit_id: i64,
}

/// Open the maturities not opened yet (each once, on any node); how many were new.
pub async fn open_maturities(tx: &mut WriteTx, actor: &Actor, items: &[NewMaturity], now: i64) -> Result<usize> {
    let mut new = Vec::new();
    for m in items {
        let r = sqlx::query(
            "INSERT INTO debt_maturities (id, instrument_id, due_on, principal_fen, unit_id, title, state, plan_due_on, due_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id",
        )
        .bind(m.id)
        .bind(m.instrument_id)
        .bind(&m.due_on)
        .bind(m.principal.0)
        .bind(m.unit_id)
        .bind(&m.title)
        .bind(&m.plan_due_on)
        .bind(m.due_at)
        .bind(now)
        .fetch_optional(tx.conn())
        .await?;
        if r.is_some() {
            new.push(m);
        }
    }
    if new.is_empty() {
        return Ok(0);
    }
    let co: Vec<[i64; 1]> = new.iter().map(|m| [m.finance_unit_id]).collect();
    let lines: Vec<Line<'_>> = new
        .iter()
        .zip(&co)
        .map(|(m, c)| {
            Line::of::<MaturityFlow>(m.id, DebtState::Open, Some(m.title.as_str()), now).owner(Some(m.unit_id)).co_units(c).due(Some(m.due_at), m.light)
        })
        .collect();
    duty::insert_many(tx, &lines).await?;
    // The principal due, in 元, as the line's amount (the cockpit's 最近到期).
    let due: Vec<duty::amounts::Amount<'_>> =
        new.iter().map(|m| duty::amounts::Amount { ref_id: m.id, period: "", measure: "due", value: (m.principal.0 + 50).div_euclid(100) }).collect();
    duty::amounts::set_many(tx, MaturityFlow::KIND, &due).await?;
    let steps: Vec<trail::Entry<'_>> = new.iter().map(|m| trail::Entry::step(MaturityFlow::KIND, m.id, now, &actor.name, "open", None, "open", None)).collect();
    trail::append(tx, &steps).await?;
    let after = serde_json::json!({ "maturities": new.iter().map(|m| m.id).collect::<Vec<_>>() });
    tx.audit(actor, "debt.maturity.open", "debt_book", "maturities", None, Some(&after)).await?;
    Ok(new.len())
}

/// A warning to raise.
#[derive(Debug, Clone)]
pub struct NewWarning {
    pub id: i64,
    pub year: i64,
    pub indicator: String,
    pub level: String,
    pub value: i64,
    pub threshold: i64,
    pub unit_id: i64,
    pub title: String,
    pub due_at: i64,
    pub light: Light,
}

/// Raise the warnings not raised this year (a graver level of one already raised updates its
/// level and value); how many were new.
pub async fn raise_warnings(tx: &mut WriteTx, actor: &Actor, items: &[NewWarning], now: i64) -> Result<usize> {
    let mut new = Vec::new();
    for w in items {
        let r = sqlx::query(
            "INSERT INTO debt_warnings (id, year, indicator, level, value, threshold, unit_id, state, due_at, raised_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9) ON CONFLICT (id) DO NOTHING RETURNING id",
        )
        .bind(w.id)
        .bind(w.year)
        .bind(&w.indicator)
        .bind(&w.level)
        .bind(w.value)
        .bind(w.threshold)
        .bind(w.unit_id)
        .bind(w.due_at)
        .bind(now)
        .fetch_optional(tx.conn())
        .await?;
        if r.is_some() {
            new.push(w);
        } else {
            sqlx::query("UPDATE debt_warnings SET level = $1, value = $2, threshold = $3 WHERE id = $4 AND state <> 'closed'")
                .bind(&w.level)
                .bind(w.value)
                .bind(w.threshold)
                .bind(w.id)
                .execute(tx.conn())
                .await?;
        }
    }
    if new.is_empty() {
        return Ok(0);
    }
    let lines: Vec<Line<'_>> = new
        .iter()
        .map(|w| Line::of::<WarningFlow>(w.id, DebtState::Open, Some(w.title.as_str()), now).owner(Some(w.unit_id)).due(Some(w.due_at), w.light))
        .collect();
    duty::insert_many(tx, &lines).await?;
    let steps: Vec<trail::Entry<'_>> = new.iter().map(|w| trail::Entry::step(WarningFlow::KIND, w.id, now, &actor.name, "raise", None, "open", None)).collect();
    trail::append(tx, &steps).await?;
    let after = serde_json::json!({ "warnings": new.iter().map(|w| (w.indicator.clone(), w.level.clone())).collect::<Vec<_>>() });
    tx.audit(actor, "debt.warning.raise", "debt_book", "warnings", None, Some(&after)).await?;
    Ok(new.len())
}

/// Save an action on a debt duty (refused with `conflict` if its version moved on): the row,
/// its line, trail entry and audit row.
#[expect(clippy::too_many_arguments, reason = "the change and the line it shows")]
pub async fn save(
    tx: &mut WriteTx,
    actor: &Actor,
    before: &DebtDuty,
    after: DebtState,
    action: &str,
    text: &str,
    (title, co): (&str, &[i64]),
    light: Light,
    now: i64,
) -> Result<()> {
    let table = if before.kind == MaturityFlow::KIND { "debt_maturities" } else { "debt_warnings" };
    let done = sqlx::query(&format!(
        "UPDATE {table} SET state = $1, text = CASE WHEN $2 = '' THEN text ELSE $2 END, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5"
    ))
    .bind(after.as_str())
    .bind(text)
    .bind(now)
    .bind(before.id)
    .bind(before.version)
    .execute(tx.conn())
    .await?;
    crate::moved_on(&done)?;
    let line = if before.kind == MaturityFlow::KIND {
        Line::of::<MaturityFlow>(before.id, after, Some(title), now)
    } else {
        Line::of::<WarningFlow>(before.id, after, Some(title), now)
    };
    duty::put(tx, &line.owner(Some(before.unit_id)).co_units(co).due(before.due_at, light), None).await?;
    let note = (!text.is_empty()).then_some(text);
    trail::append(tx, &[trail::Entry::step(before.kind, before.id, now, &actor.name, action, Some(before.state.as_str()), after.as_str(), note)]).await?;
    let b = serde_json::json!({ "state": before.state.as_str() });
    let a = serde_json::json!({ "state": after.as_str(), "action": action, "text": text });
    tx.audit(actor, &format!("{}.{action}", before.kind), before.kind, &before.id.to_string(), Some(&b), Some(&a)).await?;
    Ok(())
}
