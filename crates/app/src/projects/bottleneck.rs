//! 中梗阻: the bottleneck report. Over a chosen period, the working days projects spent in each
//! pipeline stage and in each approval stage, item, approving unit and project type (every
//! visit summed, with the number of visits), longest first, with the projects behind each
//! figure. Read from the stage log and the items' visits only; kept per node until a project
//! is written through it (at most a few seconds for a write on another node).

use crate::{forbidden, ymd, Result, Who};
use chrono::NaiveDate;
use luoshi_domain::access::Sight;
use luoshi_domain::projects::dwell::{figures, DayIndex, Figure, Period, Stay};
use luoshi_domain::projects::{template, Stage};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::projects::{approvals, ledger};
use luoshi_storage::{calendar, units, Db};
use serde::Serialize;
use std::collections::HashMap;

/// How many of a figure's projects it names (the longest).
pub const BEHIND: usize = 20;

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct Bottleneck {
    pub period: Period,
    /// Pipeline stages (洽谈, 签约, 落地, 开工, 在建; 暂停 apart).
    pub by_stage: Vec<Figure>,
    /// The four approval stages (`1`…`4`).
    pub by_approval_stage: Vec<Figure>,
    pub by_item: Vec<Figure>,
    /// Approving units (by id).
    pub by_unit: Vec<Figure>,
    /// Project types (templates), over their approval items.
    pub by_template: Vec<Figure>,
    /// Names to show: projects, units, items and templates by key.
    pub projects: HashMap<i64, String>,
    pub units: HashMap<String, String>,
    pub items: HashMap<String, String>,
    pub templates: HashMap<String, String>,
}

/// Read the period as typed (`YYYY-MM-DD`; the year so far by default).
pub fn period(from: &str, to: &str, today: NaiveDate) -> std::result::Result<Period, DomainError> {
    let read = |field: &str, s: &str, default: NaiveDate| {
        if s.trim().is_empty() {
            Ok(default)
        } else {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| DomainError::invalid(field).with_detail(s.trim().to_string()))
        }
    };
    let start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today);
    let p = Period { from: read("period_from", from, start)?, to: read("period_to", to, today)? };
    if p.to < p.from {
        return Err(DomainError::field(ErrorCode::OutOfRange, "period_to").with_detail(ymd(p.from)));
    }
    Ok(p)
}

pub async fn report(db: &Db, who: &Who, p: Period, now: i64) -> Result<Bottleneck> {
    let today = luoshi_domain::time::local_date(now);
    // Every reader of duties may see where the county's projects wait (figures and project
    // names only; nothing of a project's own page).
    if who.sight() == Sight::Nothing {
        return Err(forbidden());
    }
    counted(db, p, today).await
}

async fn counted(db: &Db, p: Period, today: NaiveDate) -> Result<Bottleneck> {
    let key = format!("projects.bottleneck.{}.{}.{}", ymd(p.from), ymd(p.to), ymd(today));
    let own = db.clone();
    db.memo_projects(&key, move || async move { compute(&own, p, today).await }).await
}

/// Count the year so far's report once as a node starts (in the background): a city's takes
/// seconds, which its first reader would otherwise wait.
pub async fn warm(db: &Db, now: i64) -> Result<()> {
    let today = luoshi_domain::time::local_date(now);
    counted(db, period("", "", today)?, today).await.map(|_| ())
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Every stay of the stage log and of the items' visits.
pub async fn stays(db: &Db) -> Result<(Vec<Stay>, Vec<Stay>)> {
    let stages = ledger::stage_stays(db)
        .await?
        .into_iter()
        .filter(|(_, _, s, _, _)| !matches!(s, Stage::Operating | Stage::Terminated))
        .filter_map(|(project_id, template, stage, from, to)| {
            Some(Stay {
                project_id,
                template,
                stage: stage.as_str().to_string(),
                item: None,
                unit_id: None,
                from: day(&from)?,
                to: to.as_deref().and_then(day),
            })
        })
        .collect();
    let items = approvals::all_visits(db)
        .await?
        .into_iter()
        .filter_map(|(project_id, template, stage, item, unit, from, to)| {
            Some(Stay {
                project_id,
                template,
                stage: stage.to_string(),
                item: Some(item),
                unit_id: Some(unit),
                from: day(&from)?,
                to: to.as_deref().and_then(day),
            })
        })
        .collect();
    Ok((stages, items))
}

async fn compute(db: &Db, p: Period, today: NaiveDate) -> Result<Bottleneck> {
    let (stages, items) = stays(db).await?;
    let first = stages.iter().chain(&items).map(|s| s.from).min().unwrap_or(p.from).min(p.from);
    let idx = DayIndex::new(&*calendar::load(db).await?, first, today.max(p.to));
    // Each figure names its longest projects (the count says how many there are in all).
    let top = |mut f: Vec<Figure>| {
        for x in &mut f {
            x.projects.truncate(BEHIND);
        }
        f
    };
    let by_stage = top(figures(&stages, &p, today, &idx, |s| Some(s.stage.clone())));
    let by_approval_stage = top(figures(&items, &p, today, &idx, |s| Some(s.stage.clone())));
    let by_item = top(figures(&items, &p, today, &idx, |s| s.item.clone()));
    let by_unit = top(figures(&items, &p, today, &idx, |s| s.unit_id.map(|u| u.to_string())));
    let by_template = top(figures(&items, &p, today, &idx, |s| Some(s.template.clone())));
    let mut ids: Vec<i64> = [&by_stage, &by_approval_stage, &by_item, &by_unit, &by_template]
        .iter()
        .flat_map(|fs| fs.iter().flat_map(|f| f.projects.iter().map(|b| b.project_id)))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let projects = luoshi_storage::projects::names(db, &ids).await?;
    let mut unit_names = HashMap::new();
    for f in &by_unit {
        if let Ok(u) = f.key.parse::<i64>() {
            if let Some(unit) = units::get(db, u).await? {
                unit_names.insert(f.key.clone(), unit.name);
            }
        }
    }
    let tpls = template::shipped()?;
    let items_named = approvals::item_names(db).await?;
    let templates = tpls.iter().map(|t| (t.code.clone(), t.zh.clone())).collect();
    Ok(Bottleneck { period: p, by_stage, by_approval_stage, by_item, by_unit, by_template, projects, units: unit_names, items: items_named, templates })
}
