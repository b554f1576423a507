//! 全部事项: the one board across every kind of duty (a room of its own: it reads the record of
//! duties and its sight, never a kind's module). Everything open that the caller's sight holds,
//! counted by kind and light, and listed soonest limit first, keyset-paged.

use crate::inbox::{item, InboxItem};
use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::duty::Light;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::duty::{self as record, BoardFilter, KindLights};
use luoshi_storage::{calendar, Db};
use serde::Serialize;

/// Filters of the board: one kind, one light, and the cursor of the page before.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub light: String,
    /// `due_at.kind.id` of the last row of the page before.
    #[serde(default)]
    pub after: String,
}

/// The board as the caller sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub counts: Vec<KindLights>,
    pub rows: Vec<InboxItem>,
    /// The cursor of the next page, if there may be one.
    pub next: Option<String>,
}

const PAGE: i64 = 50;

fn cursor(s: &str) -> Result<Option<(i64, String, i64)>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let bad = || DomainError::field(ErrorCode::Invalid, "after");
    let mut parts = s.trim().splitn(3, '.');
    let due = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let kind = parts.next().filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_')).ok_or_else(bad)?.to_string();
    let id = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    Ok(Some((due, kind, id)))
}

/// Everything open the caller's sight holds, of every kind.
pub async fn board(db: &Db, who: &Who, today: NaiveDate, q: &BoardQuery) -> Result<Board> {
    let light = Some(q.light.trim()).filter(|l| !l.is_empty());
    if let Some(l) = light {
        Light::parse(l).ok_or_else(|| DomainError::field(ErrorCode::Invalid, "light"))?;
    }
    let sight = record::resolve(db, &who.sight()).await?;
    let f = BoardFilter {
        kind: Some(q.kind.trim().to_string()).filter(|k| !k.is_empty()),
        light: light.map(str::to_string),
        after: cursor(&q.after)?,
        limit: Some(PAGE),
    };
    let (counts, page) = if sight.is_nothing() { (Vec::new(), Vec::new()) } else { (record::counts(db, &sight).await?, record::board(db, &sight, &f).await?) };
    let next = (page.len() as i64 == PAGE).then(|| page.last().map(|r| format!("{}.{}.{}", r.due_at.unwrap_or(record::NO_LIMIT), r.kind, r.ref_id))).flatten();
    let cal = calendar::load(db).await?;
    Ok(Board { counts, rows: page.into_iter().map(|r| item(&cal, today, r)).collect(), next })
}
