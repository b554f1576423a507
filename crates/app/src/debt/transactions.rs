//! Transactions: every drawdown, repayment, interest payment, prepayment, rollover and swap,
//! dated. Balances follow from them; a repayment above what is owed (on any later day) is
//! refused, an issuance above the year's 限额 refused or flagged as rule
//! `debt.limit.refuse_over` says.

use super::writer;
use crate::{Result, RulesInForce, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::debt::book::{roll, Txn};
use luoshi_domain::debt::{Category, InstrumentKind, TxnKind};
use luoshi_domain::money::Fen;
use luoshi_domain::time::local_date;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::debt::write::{self as store, NewTxn};
use luoshi_storage::debt::{self, Instrument};
use luoshi_storage::Db;
use serde::Deserialize;

/// A transaction as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TxnInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub amount_wan: String,
    /// For a rollover or swap: the instrument that takes the principal over.
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub counterpart_id: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// For each drawdown (category, instrument kind, day, amount) in order: whether it takes its
/// category past the year's 限额 (flagged), or the refusal when the rule refuses.
pub(crate) async fn limit_flags(db: &Db, today: NaiveDate, draws: &[(Category, InstrumentKind, NaiveDate, Fen)]) -> Result<Vec<bool>> {
    if draws.iter().all(|d| !d.0.government()) {
        return Ok(vec![false; draws.len()]);
    }
    let refuse = RulesInForce::load(db, today).await?.int("debt.limit.refuse_over").unwrap_or(1) == 1;
    let book = luoshi_storage::debt::book::current(db).await?;
    let mut txns: Vec<Txn> = book.txns.clone();
    let mut out = Vec::with_capacity(draws.len());
    for (category, instrument, on, amount) in draws {
        txns.push(Txn { on: *on, kind: TxnKind::Drawdown, amount: *amount, category: *category, instrument: *instrument });
        if !category.government() {
            out.push(false);
            continue;
        }
        let limit = debt::limits(db, i64::from(on.year())).await?.into_iter().find(|(c, _)| c == category).map(|(_, l)| l);
        let closing = roll(&txns, *category, on.year()).closing;
        let over = limit.is_some_and(|l| closing > l);
        if over && refuse {
            return Err(DomainError::field(ErrorCode::OutOfRange, "amount_wan").with_detail(limit.unwrap_or_default().wan()).into());
        }
        out.push(over);
    }
    Ok(out)
}

/// What was recorded on an instrument, as the checks read it: (day, kind, amount in fen).
type Moves = Vec<(String, TxnKind, i64)>;

fn moves_of(past: &[debt::TxnRow]) -> Moves {
    past.iter().map(|t| (t.happened_on.clone(), t.kind, t.amount.0)).collect()
}

/// Check one transaction against its instrument and what is recorded on it: the day within
/// the term and not ahead of today, a positive amount, no more drawn than the principal and
/// never more repaid than owed, on that day or any later one.
fn checked(i: &Instrument, past: &Moves, input: &TxnInput, today: NaiveDate) -> Result<NewTxn> {
    let kind = if input.kind.trim().is_empty() {
        return Err(DomainError::required("txn_kind").into());
    } else {
        TxnKind::parse(&input.kind).ok_or_else(|| DomainError::invalid("txn_kind").with_detail(input.kind.trim().to_string()))?
    };
    if input.happened_on.trim().is_empty() {
        return Err(DomainError::required("happened_on").into());
    }
    let on = NaiveDate::parse_from_str(input.happened_on.trim(), "%Y-%m-%d")
        .map_err(|_| DomainError::invalid("happened_on").with_detail(input.happened_on.trim().to_string()))?;
    let start = NaiveDate::parse_from_str(&i.start_on, "%Y-%m-%d").unwrap_or(on);
    if on > today || on < start {
        return Err(DomainError::field(ErrorCode::OutOfRange, "happened_on").with_detail(format!("{start} – {today}")).into());
    }
    if input.amount_wan.trim().is_empty() {
        return Err(DomainError::required("amount_wan").into());
    }
    let amount = Fen::parse_wan(&input.amount_wan, "amount_wan")?;
    if amount.0 <= 0 {
        return Err(DomainError::field(ErrorCode::OutOfRange, "amount_wan").with_detail(amount.wan()).into());
    }
    let note = input.note.trim();
    if note.chars().count() > 500 {
        return Err(DomainError::field(ErrorCode::TooLong, "note").with_detail("500").into());
    }
    // Only a rollover or a swap names the instrument that takes it over.
    let counterpart_id = if matches!(kind, TxnKind::Rollover | TxnKind::Swap) {
        Some(input.counterpart_id.ok_or_else(|| DomainError::required("counterpart_id"))?)
    } else {
        None
    };
    let signed = |k: TxnKind, a: i64| {
        if k == TxnKind::Drawdown {
            a
        } else if k.repays() {
            -a
        } else {
            0
        }
    };
    if kind == TxnKind::Drawdown {
        let drawn: i64 = past.iter().filter(|t| t.1 == TxnKind::Drawdown).map(|t| t.2).sum();
        if drawn + amount.0 > i.principal.0 {
            return Err(DomainError::field(ErrorCode::OutOfRange, "amount_wan").with_detail(Fen(i.principal.0 - drawn).wan()).into());
        }
    }
    if kind.repays() {
        // What is owed may never go below nothing, on this day or any later one.
        let mut moves: Vec<(&str, i64)> = past.iter().map(|t| (t.0.as_str(), signed(t.1, t.2))).collect();
        let day = on.to_string();
        moves.push((&day, -amount.0));
        moves.sort_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
        let mut bal = 0;
        for (_, m) in &moves {
            bal += m;
            if bal < 0 {
                let owed: i64 = past.iter().map(|t| signed(t.1, t.2)).sum();
                return Err(DomainError::field(ErrorCode::OutOfRange, "amount_wan").with_detail(Fen(owed).wan()).into());
            }
        }
    }
    Ok(NewTxn { instrument_id: i.id, happened_on: on.to_string(), kind, amount, counterpart_id, over_limit: false, note: note.to_string() })
}

/// The instrument taking over a rollover or swap exists and is another one.
async fn counterpart_ok(db: &Db, instrument_id: i64, c: Option<i64>) -> Result<()> {
    if let Some(c) = c {
        if c == instrument_id || debt::get(db, c).await?.is_none() {
            return Err(DomainError::invalid("counterpart_id").with_detail(c.to_string()).into());
        }
    }
    Ok(())
}

/// Record a transaction on an instrument; its id.
pub async fn record(db: &Db, who: &Who, instrument_id: i64, input: &TxnInput, now: i64) -> Result<i64> {
    let today = local_date(now);
    // The record first: an unknown id is not found, whatever the input.
    let i = debt::get(db, instrument_id).await?.ok_or_else(|| DomainError::not_found("instrument"))?;
    let past = moves_of(&debt::transactions(db, instrument_id).await?);
    let mut t = checked(&i, &past, input, today)?;
    counterpart_ok(db, instrument_id, t.counterpart_id).await?;
    writer(db, who, today).await?;
    if t.kind == TxnKind::Drawdown {
        t.over_limit = limit_flags(db, today, &[(i.category, i.kind, on_of(&t), t.amount)]).await?.first().copied().unwrap_or(false);
    }
    let mut tx = db.begin_write().await?;
    let ids = store::record(&mut tx, &who.actor, &[t], now).await?;
    tx.commit().await?;
    Ok(ids.first().copied().unwrap_or_default())
}

fn on_of(t: &NewTxn) -> NaiveDate {
    NaiveDate::parse_from_str(&t.happened_on, "%Y-%m-%d").unwrap_or_default()
}

/// Record many transactions at once (a statement, the demo's history), each checked as one
/// typed alone would be, in order, against what was recorded and what came before it in the
/// batch; all written in one transaction or none. How many.
pub async fn record_batch(db: &Db, who: &Who, items: &[(i64, TxnInput)], now: i64) -> Result<usize> {
    let today = local_date(now);
    writer(db, who, today).await?;
    let mut seen: std::collections::HashMap<i64, (Instrument, Moves)> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (id, input) in items {
        if !seen.contains_key(id) {
            let i = debt::get(db, *id).await?.ok_or_else(|| DomainError::not_found("instrument"))?;
            let past = moves_of(&debt::transactions(db, *id).await?);
            seen.insert(*id, (i, past));
        }
        let Some((i, past)) = seen.get_mut(id) else { continue };
        let t = checked(i, past, input, today)?;
        counterpart_ok(db, *id, t.counterpart_id).await?;
        past.push((t.happened_on.clone(), t.kind, t.amount.0));
        out.push((i.category, i.kind, t));
    }
    let draws: Vec<_> = out.iter().filter(|x| x.2.kind == TxnKind::Drawdown).map(|(c, k, t)| (*c, *k, on_of(t), t.amount)).collect();
    let mut flags = limit_flags(db, today, &draws).await?.into_iter();
    let txns: Vec<NewTxn> = out
        .into_iter()
        .map(|(_, _, mut t)| {
            if t.kind == TxnKind::Drawdown {
                t.over_limit = flags.next().unwrap_or(false);
            }
            t
        })
        .collect();
    if txns.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    store::record(&mut tx, &who.actor, &txns, now).await?;
    tx.commit().await?;
    Ok(txns.len())
}
