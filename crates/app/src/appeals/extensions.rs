//! 延期 requests and decisions, and merging duplicates.

use super::*;
use crate::{forbidden, Result, Who};
use luoshi_domain::appeals::{self as dom, AppealState};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals::{self as store, Appeal};
use luoshi_storage::duty::extensions::{self as core, Ask};
use luoshi_storage::Db;

/// 延期: the owner unit asks, before the limit, for a later one (the core's one rule and table).
pub async fn request_extension(db: &Db, who: &Who, id: i64, new_due: &str, reason: &str, now: i64) -> Result<Appeal> {
    let (raw, owner_path) = seen(db, who, id).await?;
    if !owner_path.as_deref().is_some_and(|p| who.acts_for(p)) || !matches!(raw.state, AppealState::Dispatched | AppealState::Signed) {
        return Err(forbidden());
    }
    let today = luoshi_domain::time::local_date(now);
    let max = crate::RulesInForce::load(db, today).await?.int("appeals.extension.max_per_appeal").unwrap_or(1);
    let date = crate::date_bounds(db, today).await?.parse("new_deadline", new_due)?;
    let due = dom::end_of_day(date);
    let reason = luoshi_domain::duty::check_extension(now, raw.due_at, due, reason, raw.extension_count, max)?;
    let old = raw.due_at.map(|d| luoshi_domain::time::local_date(d - 1).to_string()).unwrap_or_default();
    let ask = Ask { kind: "appeal", ref_id: id, requester: &who.actor.name, reason: &reason, old: (old, raw.due_at), new: (date.to_string(), due) };
    let mut tx = db.begin_write().await?;
    core::request(&mut tx, &ask).await?;
    store::save(&mut tx, &who.actor, &raw, &raw, "extension_request", Some(&format!("{new_due}：{reason}")), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// The hotline approves or refuses a pending extension; the trail keeps both limits.
pub async fn decide_extension(db: &Db, who: &Who, id: i64, approve: bool, note: &str, now: i64) -> Result<Appeal> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let raw = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    let Some(pending) = core::pending_of(db, "appeal", id).await? else { return Err(DomainError::field(ErrorCode::Conflict, "extension").into()) };
    let new_due = pending.new_due_at.ok_or_else(|| DomainError::field(ErrorCode::Conflict, "extension"))?;
    let mut after = raw.clone();
    let old = raw.due_at.map(luoshi_domain::time::format_local).unwrap_or_default();
    let new = luoshi_domain::time::format_local(new_due);
    let text = if approve {
        after.due_at = Some(new_due);
        after.extension_count += 1;
        format!("{old} → {new}")
    } else {
        format!("{old}（未延至 {new}）")
    };
    let note = luoshi_domain::error::optional_text("note", note, 500)?;
    let text = match &note {
        Some(n) => format!("{text}：{n}"),
        None => text,
    };
    let mut tx = db.begin_write().await?;
    core::decide(&mut tx, "appeal", pending.id, approve, &who.actor.name, note.as_deref()).await?;
    store::save(&mut tx, &who.actor, &raw, &after, if approve { "extension_approve" } else { "extension_refuse" }, Some(&text), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// Merge a newly received appeal into an earlier one: it closes as a duplicate.
pub async fn merge(db: &Db, who: &Who, id: i64, into: i64, now: i64) -> Result<Appeal> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let raw = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    let mut tx = db.begin_write().await?;
    // Read in the writing transaction: no database key guards the pair (it may span shards).
    let target = store::get_tx(&mut tx, into).await?.ok_or_else(|| DomainError::not_found("duplicate_of"))?;
    if raw.state != AppealState::Received || target.id == raw.id || target.duplicate_of.is_some() {
        return Err(DomainError::field(ErrorCode::Conflict, "duplicate_of").into());
    }
    let mut after = raw.clone();
    after.duplicate_of = Some(target.id);
    after.state = AppealState::Closed;
    after.closed_at = Some(now);
    store::save(&mut tx, &who.actor, &raw, &after, "merge", Some(&target.code), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}
