//! The supervision run's part: open tasks by page, lights, the notices of the ladder (unique per
//! task, level and deadline) and the monthly reminders to report.

use super::*;
use crate::{get_f64, get_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::{Light, NoticeLevel};
use luoshi_domain::tasks::State;
use luoshi_domain::DomainError;
use serde::Serialize;

/// What the supervision run needs of an open duty.
#[derive(Debug, Clone)]
pub struct OpenDuty {
    pub id: i64,
    pub state: State,
    pub deadline: String,
    pub progress: f64,
    pub assigned_on: Option<String>,
    pub owner_unit_id: i64,
    pub light: Light,
    pub planned: f64,
}

/// Open duties with a deadline, in pages by id.
pub async fn open_page(db: &Db, after_id: i64, limit: i64) -> Result<Vec<OpenDuty>> {
    let rows = sqlx::query(
        "SELECT id, state, deadline, progress, assigned_on, owner_unit_id, light, planned FROM duties \
         WHERE id > $1 AND state IN ('assigned', 'signed', 'closure_requested', 'returned') AND deadline IS NOT NULL ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OpenDuty {
                id: get_i64(r, "id")?,
                state: State::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::invalid("state"))?,
                deadline: get_str(r, "deadline")?,
                progress: get_f64(r, "progress")?,
                assigned_on: get_opt_str(r, "assigned_on")?,
                owner_unit_id: get_i64(r, "owner_unit_id")?,
                light: Light::parse(&get_str(r, "light")?).ok_or_else(|| DomainError::invalid("light"))?,
                planned: get_f64(r, "planned")?,
            })
        })
        .collect()
}

/// Store a recomputed light (bookkeeping of a derived value: no trail entry, no audit row).
pub async fn set_light(tx: &mut WriteTx, id: i64, light: Light, planned: f64) -> Result<()> {
    sqlx::query("UPDATE duties SET light = $1, planned = $2 WHERE id = $3").bind(light.as_str()).bind(planned).bind(id).execute(tx.conn()).await?;
    crate::duty::set_light(tx, "task", id, light).await
}

/// Raise a notice unless this level was already raised for this deadline (on any node).
/// Returns whether this call raised it.
pub async fn raise_notice(tx: &mut WriteTx, actor: &Actor, duty_id: i64, level: NoticeLevel, unit_id: i64, deadline: &str, today: &str) -> Result<bool> {
    if !crate::duty::raise_notice(tx, "task", duty_id, level, unit_id, deadline, today, crate::now_micros()).await? {
        return Ok(false);
    }
    let data = serde_json::json!({ "level": level.as_str(), "deadline": deadline, "raised_on": today });
    event(tx, actor, duty_id, Some(unit_id), &format!("notice_{}", level.as_str()), None, None, None, Some(data)).await?;
    Ok(true)
}

/// A notice of the ladder, for a duty of any kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub id: i64,
    /// The duty's kind (`task`, `appeal`) and id, as in the record of duties.
    pub kind: String,
    pub duty_id: i64,
    pub duty_title: String,
    pub level: NoticeLevel,
    pub unit_id: i64,
    pub unit_name: String,
    pub deadline: String,
    pub raised_on: String,
}

pub(super) const NOTICE_COLS: &str = "n.id, n.kind, n.ref_id, r.title, n.level, n.unit_id, u.name, n.deadline, n.raised_on";
macro_rules! notice_join {
    () => {
        "notices n JOIN duty_records r ON r.kind = n.kind AND r.ref_id = n.ref_id JOIN units u ON u.id = n.unit_id"
    };
}
pub(super) const NOTICE_JOIN: &str = notice_join!();

/// A task's notices, oldest first.
pub(super) const NOTICES: Part = Part { cols: NOTICE_COLS, from: concat!(notice_join!(), " WHERE n.kind = 'task' AND n.ref_id = $1"), order: "n.id" };

impl Notice {
    /// The page of the duty it concerns.
    pub fn href(&self) -> String {
        luoshi_domain::duty::href(&self.kind, self.duty_id)
    }
}

pub(super) fn notice(r: &impl crate::rows::Fields) -> Result<Notice> {
    Ok(Notice {
        id: get_i64(r, "id")?,
        kind: get_str(r, "kind")?,
        duty_id: get_i64(r, "ref_id")?,
        duty_title: get_str(r, "title")?,
        level: NoticeLevel::parse(&get_str(r, "level")?).ok_or_else(|| DomainError::invalid("level"))?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "name")?,
        deadline: get_str(r, "deadline")?,
        raised_on: get_str(r, "raised_on")?,
    })
}

/// Notices for units in a subtree (the unit's inbox and its superiors' view), newest first.
pub async fn notices_under(db: &Db, path: &str, limit: i64) -> Result<Vec<Notice>> {
    let rows = sqlx::query(&format!("SELECT {NOTICE_COLS} FROM {NOTICE_JOIN} WHERE u.path LIKE $1 ORDER BY n.raised_at DESC, n.id DESC LIMIT $2"))
        .bind(format!("{path}%"))
        .bind(limit.clamp(1, 500))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(notice).collect()
}

pub async fn notices_of(db: &Db, duty_id: i64) -> Result<Vec<Notice>> {
    let rows = sqlx::query(&NOTICES.select()).bind(duty_id).fetch_all(db.pool()).await?;
    rows.iter().map(notice).collect()
}

/// Tasks in progress whose owner has not reported in `period` (`YYYY-MM`): (id, owner unit).
pub async fn missing_reports(db: &Db, period: &str) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT d.id, d.owner_unit_id FROM duties d WHERE d.state IN ('signed', 'returned') \
         AND NOT EXISTS (SELECT 1 FROM duty_reports r WHERE r.duty_id = d.id AND r.unit_id = d.owner_unit_id AND r.period = $1) ORDER BY d.id",
    )
    .bind(period)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_i64(r, "id")?, get_i64(r, "owner_unit_id")?))).collect()
}
