//! The records behind a cockpit's figure: a kind's duties of the node looked at, opened or
//! closed (on time, late) in the year, or open (red) now, newest first, keyset-paged.

use super::{node, resolved, year_or, Tree};
use crate::inbox::{item, InboxItem};
use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::duty::figures::{self, Behind};
use luoshi_storage::{calendar, Db};
use serde::Serialize;

/// What the list is asked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RecordsQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub unit: Option<i64>,
    #[serde(default)]
    pub year: Option<i32>,
    #[serde(default)]
    pub grade: Option<String>,
    #[serde(default)]
    pub flagged: Option<bool>,
    #[serde(default)]
    pub before: Option<i64>,
}

const EVENTS: [&str; 6] = ["opened", "on_time", "late", "closed", "open", "overdue"];
const PAGE: i64 = 50;

/// A page of the records behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct Records {
    pub year: i32,
    pub unit_name: Option<String>,
    pub rows: Vec<InboxItem>,
    /// `before` of the next page, if there may be one.
    pub next: Option<i64>,
}

pub async fn records(db: &Db, who: &Who, today: NaiveDate, q: &RecordsQuery) -> Result<Records> {
    use chrono::Datelike;
    let year = year_or(q.year, today.year())?;
    let kind = q.kind.trim();
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        return Err(DomainError::field(ErrorCode::Invalid, "kind").into());
    }
    if !EVENTS.contains(&q.event.trim()) {
        return Err(DomainError::field(ErrorCode::Invalid, "event").into());
    }
    let tree = Tree::load(db).await?;
    let node = node(who, &tree, q.unit)?;
    let sight = resolved(db, who, &tree, node.as_ref()).await?;
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1).map(|d| luoshi_domain::time::to_micros(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()) - 8 * 3_600_000_000)
    };
    let (from_at, to_at) = (start(year).unwrap_or(0), start(year + 1).unwrap_or(i64::MAX));
    let b = Behind {
        kind: kind.to_string(),
        event: q.event.trim().to_string(),
        from_at,
        to_at,
        grade: q.grade.clone().filter(|g| !g.is_empty()),
        flagged: q.flagged,
        before_id: q.before,
        limit: PAGE,
    };
    let page = if sight.is_nothing() { Vec::new() } else { figures::behind(db, &sight, &b).await? };
    let next = (page.len() as i64 == PAGE).then(|| page.last().map(|r| r.ref_id)).flatten();
    let cal = calendar::load(db).await?;
    Ok(Records { year, unit_name: node.map(|u| u.name), rows: page.into_iter().map(|r| item(&cal, today, r)).collect(), next })
}
