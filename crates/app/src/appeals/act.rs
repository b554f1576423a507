//! A work order and its loop: what the caller sees and may do (derived from the workflow), the
//! actions, urgency, the clock that dispatch starts and ratings.

use super::*;
use crate::{forbidden, Result, Who};
use luoshi_domain::appeals::{self as dom, AppealAction, AppealSide, AppealState, Rating};
use luoshi_domain::duty::Light;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals::{self as store, Appeal};
use luoshi_storage::{calendar, units, Db};
use serde::{Deserialize, Serialize};

/// An appeal the caller may see, as stored (unmasked), with its owner unit's path; else
/// `not_found`. Every use case starts here, so each reads the order and its owner once.
pub(super) async fn seen(db: &Db, who: &Who, id: i64) -> Result<(Appeal, Option<String>)> {
    let a = store::get(db, id).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    let owner_path = match a.owner_unit_id {
        Some(u) => units::get(db, u).await?.map(|u| u.path),
        None => None,
    };
    let ok = who.sight().sees(owner_path.as_slice().iter().map(String::as_str).collect::<Vec<_>>().as_slice(), None);
    if !ok {
        return Err(DomainError::not_found("appeal").into());
    }
    Ok((a, owner_path))
}

/// What the caller gets to read of an appeal: masked unless the desk.
pub(super) fn shown(who: &Who, mut a: Appeal) -> Appeal {
    if !is_desk(who) {
        mask(&mut a);
    }
    a
}

/// An appeal the caller may see (masked unless the desk), or `not_found`.
pub async fn visible(db: &Db, who: &Who, id: i64) -> Result<Appeal> {
    Ok(shown(who, seen(db, who, id).await?.0))
}

/// May the owner unit ask for more time now (before the limit, once per pending request)?
pub(super) fn may_extend(who: &Who, a: &Appeal, owner_path: Option<&str>, now: i64) -> bool {
    owner_path.is_some_and(|p| who.acts_for(p))
        && matches!(a.state, AppealState::Dispatched | AppealState::Signed)
        && a.ext_due.is_none()
        && a.due_at.is_some_and(|d| now < d)
}

/// A work order page.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub appeal: Appeal,
    pub light: Light,
    pub events: Vec<store::Event>,
    pub suggestion: Option<Suggestion>,
    pub duplicates: Vec<Duplicate>,
    /// Actions the caller may take now.
    pub may: Vec<AppealAction>,
    pub may_extend: bool,
    pub may_decide_extension: bool,
    /// The hotline may set the urgency (open, not yet replied).
    pub may_set_urgency: bool,
    /// The record's version: send it back with an action to have it refused if the order moved on.
    pub version: Option<i64>,
    /// Photos the citizen sent (opened through [`photo`]).
    pub photos: Vec<store::PhotoRow>,
}

pub(super) fn may(who: &Who, a: &Appeal, owner_path: Option<&str>) -> Vec<AppealAction> {
    let mut sides = Vec::new();
    if is_desk(who) {
        // The desk rates for a citizen on the phone (回访).
        sides.extend([AppealSide::Hotline, AppealSide::Citizen]);
    }
    if owner_path.is_some_and(|p| who.acts_for(p)) {
        sides.push(AppealSide::Owner);
    }
    luoshi_domain::duty::may_given::<dom::AppealFlow>(a.state, &sides, &dom::AppealFacts::of(&a.kind, a.rework_count, None))
}

pub async fn view(db: &Db, who: &Who, id: i64, now: i64) -> Result<View> {
    let (a, owner_path) = seen(db, who, id).await?;
    let lim = limits(db, now).await?;
    let desk = is_desk(who);
    let acts = may(who, &a, owner_path.as_deref());
    let may_extend = may_extend(who, &a, owner_path.as_deref(), now);
    let duplicates = if desk && a.state == AppealState::Received { duplicates(db, &a).await? } else { Vec::new() };
    let a = shown(who, a);
    Ok(View {
        light: dom::light(a.state, a.due_at, a.rework_count, now, &lim),
        events: store::events(db, id).await?,
        suggestion: a.suggestion.as_deref().and_then(|s| serde_json::from_str(s).ok()),
        duplicates,
        may: acts,
        may_extend,
        may_decide_extension: desk && a.ext_due.is_some(),
        may_set_urgency: desk && a.state.is_open() && a.state != AppealState::Replied,
        version: luoshi_storage::duty::version(db, "appeal", id).await?,
        photos: store::photos_of(db, id).await?,
        appeal: a,
    })
}

/// The facts an action may carry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActInput {
    #[serde(default)]
    pub action: String,
    /// 派单/改派: the unit.
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// 退单 or 不予受理: the reason code.
    #[serde(default)]
    pub reason: String,
    /// A note: the 退单 explanation, the 驳回 reason, the 回访 record.
    #[serde(default)]
    pub note: String,
    /// 答复: the reply to the citizen.
    #[serde(default)]
    pub reply: String,
    /// The version of the order the caller saw (optional: refused if it moved on).
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub version: Option<i64>,
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

/// Take an action on a work order.
pub async fn act(db: &Db, who: &Who, id: i64, input: &ActInput, now: i64) -> Result<Appeal> {
    // An order out of sight is "not found" before anything else is looked at.
    let (raw, owner_path) = seen(db, who, id).await?;
    let action = AppealAction::parse(&input.action).ok_or_else(|| DomainError::invalid("action").with_detail(input.action.clone()))?;
    let allowed = match action.side() {
        AppealSide::Hotline | AppealSide::Citizen => is_desk(who),
        AppealSide::Owner => owner_path.as_deref().is_some_and(|p| who.acts_for(p)),
    };
    if !allowed {
        return Err(forbidden());
    }
    let rating = if action == AppealAction::Rate {
        Some(Rating::parse(&input.rating).ok_or_else(|| {
            if input.rating.trim().is_empty() {
                DomainError::required("rating")
            } else {
                DomainError::invalid("rating")
            }
        })?)
    } else {
        None
    };
    let to = action.apply(raw.state, &dom::AppealFacts::of(&raw.kind, raw.rework_count, rating))?;
    let mut after = raw.clone();
    after.state = to;
    let note = luoshi_domain::error::optional_text("note", &input.note, 1000)?;
    let mut trail_note = note.clone();
    match action {
        AppealAction::Dispatch | AppealAction::Reassign => {
            let unit_id = input.unit_id.ok_or_else(|| DomainError::required("unit_id"))?;
            let u = units::get(db, unit_id).await?.filter(|u| u.active).ok_or_else(|| DomainError::invalid("unit_id"))?;
            if action == AppealAction::Reassign && Some(u.id) == raw.owner_unit_id {
                return Err(DomainError::invalid("unit_id").with_detail(u.name).into());
            }
            dispatch_clock(db, &mut after, now).await?;
            after.owner_unit_id = Some(u.id);
            after.return_reason = None;
            trail_note = Some(match note {
                Some(n) => format!("{}：{n}", u.name),
                None => u.name.clone(),
            });
        }
        AppealAction::RefuseReturn => {
            let n = note.clone().ok_or_else(|| DomainError::required("note"))?;
            after.return_reason = None;
            trail_note = Some(n);
        }
        AppealAction::Reject => {
            let r = dom::RejectReason::parse(&input.reason).ok_or_else(|| DomainError::required("reason"))?;
            after.reject_reason = Some(r.as_str().into());
            after.closed_at = Some(now);
            trail_note = Some(format!("{}{}", r.as_str(), note.map(|n| format!("：{n}")).unwrap_or_default()));
        }
        AppealAction::Sign => {}
        AppealAction::GiveBack => {
            let r = dom::ReturnReason::parse(&input.reason).ok_or_else(|| DomainError::required("reason"))?;
            let n = note.clone().ok_or_else(|| DomainError::required("note"))?;
            after.return_reason = Some(r.as_str().into());
            trail_note = Some(format!("{}：{n}", r.as_str()));
        }
        AppealAction::Reply | AppealAction::Answer => {
            let r = luoshi_domain::error::required_text("reply", &input.reply, 4000)?;
            if action == AppealAction::Answer {
                after.closed_at = Some(now);
            }
            after.reply = Some(r.clone());
            after.replied_at = Some(now);
            trail_note = Some(r);
        }
        AppealAction::Rate => {
            apply_rating(db, &mut after, rating, &input.comment, now).await?;
            trail_note =
                Some(format!("{}{}", input.rating.trim(), Some(input.comment.trim()).filter(|c| !c.is_empty()).map(|c| format!("：{c}")).unwrap_or_default()));
        }
        AppealAction::Close => {
            trail_note = Some(note.ok_or_else(|| DomainError::required("note"))?);
            after.closed_at = Some(now);
        }
    }
    let mut tx = db.begin_write().await?;
    if let Some(v) = input.version {
        luoshi_storage::duty::expect(&mut tx, "appeal", id, v).await?;
    }
    store::save(&mut tx, &who.actor, &raw, &after, action.as_str(), trail_note.as_deref(), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// 紧急程度: the hotline sets or changes an open appeal's urgency, with the reason, in the trail;
/// a dispatched appeal's limit is counted again from its dispatch with the new urgency.
pub async fn set_urgency(db: &Db, who: &Who, id: i64, urgency: &str, reason: &str, now: i64) -> Result<Appeal> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let (raw, _) = seen(db, who, id).await?;
    let u = dom::Urgency::parse(urgency.trim()).ok_or_else(|| {
        if urgency.trim().is_empty() {
            DomainError::required("urgency")
        } else {
            DomainError::invalid("urgency")
        }
    })?;
    let reason = luoshi_domain::error::required_text("reason", reason, 500)?;
    if !raw.state.is_open() || raw.state == AppealState::Replied {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(raw.state.as_str().to_string()).into());
    }
    let mut after = raw.clone();
    after.urgency = u.as_str().to_string();
    // A granted extension fixed the limit by decision; it stays.
    if let Some(at) = raw.dispatched_at.filter(|_| raw.extension_count == 0) {
        let lim = limits(db, now).await?;
        let kind = dom::Kind::parse(&raw.kind).unwrap_or(dom::Kind::Complaint);
        after.due_at = Some(dom::due_at(&*calendar::load(db).await?, at, lim.of(kind, u))?);
    }
    let note = format!("{} → {}：{reason}", raw.urgency, u.as_str());
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &who.actor, &raw, &after, "set_urgency", Some(&note), now).await?;
    tx.commit().await?;
    visible(db, who, id).await
}

/// 派单 starts the clock: the limit for the kind and urgency from now.
pub(super) async fn dispatch_clock(db: &Db, a: &mut Appeal, now: i64) -> Result<()> {
    let lim = limits(db, now).await?;
    let kind = dom::Kind::parse(&a.kind).unwrap_or(dom::Kind::Complaint);
    let urgency = dom::Urgency::parse(&a.urgency).unwrap_or(dom::Urgency::Normal);
    let cal = calendar::load(db).await?;
    a.due_at = Some(dom::due_at(&cal, now, lim.of(kind, urgency))?);
    a.dispatched_at = Some(now);
    Ok(())
}

pub(super) async fn apply_rating(db: &Db, a: &mut Appeal, rating: Option<Rating>, comment: &str, now: i64) -> Result<()> {
    let comment = luoshi_domain::error::optional_text("comment", comment, 500)?;
    a.rating = rating.map(|r| r.as_str().to_string());
    a.rating_comment = comment;
    if a.state == AppealState::Dispatched {
        // 不满意 the first time: 重办 by the same unit, with a fresh limit.
        a.rework_count += 1;
        a.reply = None;
        dispatch_clock(db, a, now).await?;
    } else {
        a.closed_at = Some(now);
    }
    Ok(())
}
