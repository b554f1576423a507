//! Search, export, the units' inbox and the hotline's desk.

use super::*;
use crate::{forbidden, Result, Who};
use luoshi_domain::appeals::{self as dom, AppealState};
use luoshi_domain::duty::Light;
use luoshi_domain::DomainError;
use luoshi_storage::appeals::{self as store, Appeal, Filter, Order};
use luoshi_storage::Db;
use serde::{Deserialize, Serialize};

/// List filters as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub light: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: String,
}

pub const PAGE: i64 = 50;

/// Search and filter what the caller may see (masked unless the desk), newest first, a page.
pub async fn list(db: &Db, who: &Who, q: &ListQuery, now: i64) -> Result<Vec<(Appeal, Light)>> {
    list_n(db, who, q, now, PAGE).await
}

/// The columns of an appeal export.
pub const EXPORT_COLUMNS: [&str; 12] = ["查询码", "受理时间", "渠道", "类型", "分类", "诉求内容", "地点", "诉求人", "联系电话", "承办单位", "状态", "满意度"];

/// Up to 1,000 rows of a search as a table, masked exactly as the screens are.
pub async fn export_rows(db: &Db, who: &Who, q: &ListQuery, now: i64) -> Result<Vec<Vec<String>>> {
    let mut q = q.clone();
    q.page = String::new();
    Ok(list_n(db, who, &q, now, 1000)
        .await?
        .into_iter()
        .map(|(a, _)| {
            vec![
                a.code,
                luoshi_domain::time::format_local(a.created_at),
                a.channel,
                a.kind,
                a.category,
                a.content,
                a.address.unwrap_or_default(),
                a.citizen_name.unwrap_or_default(),
                a.phone.unwrap_or_default(),
                a.owner_name.unwrap_or_default(),
                a.state.as_str().to_string(),
                a.rating.unwrap_or_default(),
            ]
        })
        .collect())
}

pub(super) async fn list_n(db: &Db, who: &Who, q: &ListQuery, now: i64, limit: i64) -> Result<Vec<(Appeal, Light)>> {
    let mut f = Filter { limit, ..Default::default() };
    match who.sight() {
        luoshi_domain::access::Sight::Nothing => return Err(forbidden()),
        s => f.owner_paths = s.roots(),
    }
    if !q.state.trim().is_empty() {
        f.states = q
            .state
            .split(',')
            .map(|s| AppealState::parse(s).ok_or_else(|| DomainError::invalid("state").with_detail(s.to_string())))
            .collect::<Result<_, _>>()?;
    }
    if !q.category.trim().is_empty() {
        f.categories = q.category.split(',').map(|s| s.trim().to_string()).collect();
    }
    if !q.unit_id.trim().is_empty() {
        f.owner_unit_id = Some(q.unit_id.trim().parse().map_err(|_| DomainError::invalid("unit_id"))?);
    }
    let day = |field: &str, s: &str| -> Result<Option<i64>, DomainError> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        let d = luoshi_domain::time::parse_date(field, s)?;
        Ok(Some(dom::end_of_day(d.pred_opt().unwrap_or(d))))
    };
    f.created_from = day("from", &q.from)?;
    f.created_to = day("to", &q.to)?.map(|t| t + 24 * HOUR);
    let lim = limits(db, now).await?;
    match q.light.trim() {
        "" => {}
        "red" => f.overdue_at = Some(now),
        "blue" => f.due_before = Some(now + lim.due_soon_hours * HOUR),
        other => return Err(DomainError::invalid("light").with_detail(other.to_string()).into()),
    }
    f.words = q.q.split_whitespace().map(|w| w.chars().take(30).collect()).take(5).collect();
    let page: i64 = if q.page.trim().is_empty() { 1 } else { q.page.trim().parse().map_err(|_| DomainError::invalid("page"))? };
    f.offset = (page.max(1) - 1) * limit;
    let desk = is_desk(who);
    let rows = store::list(db, &f).await?;
    Ok(rows
        .into_iter()
        .map(|mut a| {
            let l = dom::light(a.state, a.due_at, a.rework_count, now, &lim);
            if !desk {
                mask(&mut a);
            }
            (a, l)
        })
        .collect())
}

/// The hotline's desk: new appeals to dispatch, 退单 to review, replies to call back (回访),
/// extensions to decide.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Desk {
    pub received: Vec<Appeal>,
    pub returned: Vec<Appeal>,
    pub callbacks: Vec<Appeal>,
    pub extensions: Vec<Appeal>,
}

pub async fn desk(db: &Db, who: &Who) -> Result<Desk> {
    if !is_desk(who) {
        return Err(forbidden());
    }
    let get = |states: Vec<AppealState>| {
        let f = Filter { states, order: Order::Due, limit: 100, ..Default::default() };
        async move { store::list(db, &f).await }
    };
    let mut received = get(vec![AppealState::Received]).await?;
    received.sort_by_key(|a| a.created_at);
    let open = get(vec![AppealState::Dispatched, AppealState::Signed]).await?;
    Ok(Desk {
        received,
        returned: get(vec![AppealState::Returned]).await?,
        callbacks: get(vec![AppealState::Replied]).await?,
        extensions: open.into_iter().filter(|a| a.ext_due.is_some()).collect(),
    })
}
