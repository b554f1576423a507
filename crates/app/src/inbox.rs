//! 待办 across every kind of duty (a room of its own: it reads the record of duties, never a
//! kind's module): what a unit must sign, handle or answer now, most urgent first, each with its
//! kind, its title and the working days left or overdue.

use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::duty::{working_days_left, Light};
use luoshi_domain::time::local_date;
use luoshi_storage::{calendar, duty as record, Db};
use serde::Serialize;

/// One line of the 待办.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxItem {
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub state: String,
    pub light: Light,
    /// When the limit runs out (µs), if a clock runs.
    pub due_at: Option<i64>,
    /// Working days from today to the last day (negative: overdue by that many).
    pub days_left: Option<i64>,
    /// Minutes to the limit for a duty on a minute clock (negative: overdue).
    pub minutes_left: Option<i64>,
    /// The duty's own page.
    pub href: String,
}

/// Filters of the 待办: kinds (none: all), one light, one unit of the caller's subtree.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub light: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub unit_id: Option<i64>,
}

/// The most urgent duties the 待办 shows.
const PAGE: i64 = 100;

/// A unit's 待办 (its subtree's, as owner or co-unit); empty for callers who are not a unit's.
pub async fn unit_inbox(db: &Db, who: &Who, today: NaiveDate, q: &InboxQuery) -> Result<Vec<InboxItem>> {
    let unit_scoped = who.role.is_some_and(|r| r.unit_scoped());
    if !unit_scoped {
        return Ok(Vec::new());
    }
    let kinds: Vec<String> = q.kind.split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect();
    let light = Some(q.light.trim()).filter(|l| !l.is_empty());
    if let Some(l) = light {
        Light::parse(l).ok_or_else(|| luoshi_domain::DomainError::invalid("light"))?;
    }
    let rows = record::unit_inbox(db, &who.unit_path, &kinds, light, q.unit_id, PAGE).await?;
    let cal = calendar::load(db).await?;
    Ok(rows.into_iter().map(|r| item(&cal, today, r)).collect())
}

/// A line of the record as the 待办 and the board show it: working days left, its own page.
pub(crate) fn item(cal: &luoshi_domain::calendar::Calendar, today: NaiveDate, r: record::Record) -> InboxItem {
    let days_left = r.due_at.map(|d| working_days_left(cal, today, local_date(d - 1)));
    InboxItem {
        href: luoshi_domain::duty::href(&r.kind, r.ref_id),
        // A duty on a minute clock counts minutes, not working days.
        minutes_left: (crate::supervision::MINUTE_KINDS.contains(&r.kind.as_str()))
            .then_some(r.due_at)
            .flatten()
            .map(|d| (d - luoshi_storage::now_micros()).div_euclid(60_000_000)),
        light: Light::parse(&r.light).unwrap_or(Light::None),
        kind: r.kind,
        id: r.ref_id,
        title: r.title,
        state: r.state,
        due_at: r.due_at,
        days_left,
    }
}
