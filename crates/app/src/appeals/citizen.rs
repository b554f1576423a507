//! The citizen's own view by tracking code, and rating with the rating code.

use super::*;
use crate::Result;
use luoshi_domain::appeals::{self as dom, AppealAction, AppealState, Rating};
use luoshi_domain::DomainError;
use luoshi_storage::appeals::{self as store};
use luoshi_storage::{Actor, Db};
use serde::Serialize;

/// The citizen's own view by tracking code: no personal data, no staff names.
#[derive(Debug, Clone, Serialize)]
pub struct Tracked {
    pub code: String,
    pub category: String,
    pub content: String,
    pub state: AppealState,
    pub owner: Option<String>,
    pub created_at: i64,
    pub due_at: Option<i64>,
    pub reply: Option<String>,
    pub rating: Option<String>,
    pub may_rate: bool,
    pub steps: Vec<(i64, String)>,
}

pub async fn track(db: &Db, code: &str) -> Result<Tracked> {
    // Anyone may type a code: "not found" names the code typed, never whose it might be.
    let missing = || DomainError::not_found("tracking_code").with_detail(code.trim().chars().take(20).collect::<String>());
    let code = dom::normalize_code(code).ok_or_else(missing)?;
    let a = store::by_code(db, &code).await?.ok_or_else(missing)?;
    let steps = store::events(db, a.id).await?.into_iter().filter_map(|e| Some((e.at, e.to_state?))).collect();
    // Anyone holding the code reads this page: free text is published masked.
    Ok(Tracked {
        code: a.code,
        category: a.category,
        content: luoshi_domain::publish::redact(&a.content),
        may_rate: a.state == AppealState::Replied,
        state: a.state,
        owner: a.owner_name,
        created_at: a.created_at,
        due_at: a.due_at,
        reply: a.reply.as_deref().map(luoshi_domain::publish::redact),
        rating: a.rating,
        steps,
    })
}

/// The citizen rates the reply (回访评价) by tracking code and the rating code only they were
/// given (the tracking code alone is public).
pub async fn rate_by_code(db: &Db, code: &str, rating_code: &str, rating: &str, comment: &str, now: i64) -> Result<Tracked> {
    let norm = dom::normalize_code(code).ok_or_else(|| DomainError::not_found("appeal"))?;
    let raw = store::by_code(db, &norm).await?.ok_or_else(|| DomainError::not_found("appeal"))?;
    if rating_code.trim().is_empty() {
        return Err(DomainError::required("rating_code").into());
    }
    let given = dom::normalize_rating_code(rating_code).map(|c| key_hash(&c));
    let held = store::rate_secret(db, raw.id).await?;
    if given.is_none() || given != held {
        return Err(DomainError::invalid("rating_code").into());
    }
    let r = Rating::parse(rating).ok_or_else(|| if rating.trim().is_empty() { DomainError::required("rating") } else { DomainError::invalid("rating") })?;
    let mut after = raw.clone();
    after.state = AppealAction::Rate.apply(raw.state, &luoshi_domain::appeals::AppealFacts::of(&raw.kind, raw.rework_count, Some(r)))?;
    apply_rating(db, &mut after, Some(r), comment, now).await?;
    let note = format!("{}{}", r.as_str(), Some(comment.trim()).filter(|c| !c.is_empty()).map(|c| format!("：{c}")).unwrap_or_default());
    let mut tx = db.begin_write().await?;
    store::save(&mut tx, &Actor { id: None, name: "citizen".into() }, &raw, &after, "rate", Some(&note), now).await?;
    tx.commit().await?;
    track(db, &norm).await
}
