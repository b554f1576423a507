//! 群众诉求 → 民生实事: a hotline operator turns a recurring appeal into a livelihood proposal,
//! linked both ways (the proposal names the appeal). The proposal's text is the appeal's,
//! cleaned of phone and ID numbers; the caller's name and phone stay with the appeal. Once per
//! appeal: a second request answers with the proposal already made.

use crate::livelihood::proposals::record;
use crate::{forbidden, Result, Who};
use luoshi_domain::livelihood::{ProposalInput, Source};
use luoshi_domain::user::Role;
use luoshi_storage::livelihood::proposals::{self as store, Filter};
use luoshi_storage::Db;

/// Make the proposal (the hotline or the desk); its id.
pub async fn propose(db: &Db, who: &Who, appeal_id: i64, input: &ProposalInput, now: i64) -> Result<i64> {
    let (a, _) = crate::livelihood::access(db, who, luoshi_domain::time::local_date(now)).await?;
    if !(who.role == Some(Role::Hotline) || a.desk) {
        return Err(forbidden());
    }
    // The appeal first: one the caller may not see is not found.
    let appeal = crate::appeals::visible(db, who, appeal_id).await?;
    if let Some(p) = store::list(db, &Filter { appeal_id: Some(appeal_id), limit: 1, ..Filter::default() }).await?.first() {
        return Ok(p.id);
    }
    let content = if input.content.trim().is_empty() { luoshi_domain::publish::redact(&appeal.content) } else { input.content.clone() };
    let p = ProposalInput {
        content,
        place: appeal.address.clone().unwrap_or_default().chars().take(64).collect(),
        name: String::new(),
        phone: String::new(),
        ..input.clone()
    };
    record(db, who, Source::Appeal, &p, Some(appeal_id), now).await
}
