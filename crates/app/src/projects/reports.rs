//! Monthly reports (月报) and the projects' part of the supervision run: the lead unit reports
//! each month's investment, funds in place, 形象进度 and problems by the rule's day
//! (`projects.report_day`) of the next month; a project under way (落地, 开工, 在建) with no
//! report by then is a 报送提醒 in the ladder. Every running project's light is recomputed
//! (序时进度 and stage aging move with the calendar), and a red one is 督办 once per limit.

use super::register::relight;
use super::{facts, light_rules, seen, sides};
use crate::supervision::{climb, finish, KindCount, Run};
use crate::{forbidden, Result, RulesInForce, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::duty::NoticeLevel;
use luoshi_domain::error::{optional_text, required_text};
use luoshi_domain::projects::{kpi, ProjectSide, Stage, Yuan};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::duty::Resolved;
use luoshi_storage::projects::ledger::{self, Filter};
use luoshi_storage::projects::reports::{self as store, Report};
use luoshi_storage::projects::{self as projects, Project};
use luoshi_storage::{calendar, Actor, Db};
use serde::Deserialize;

/// A monthly report as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportInput {
    /// `YYYY-MM`.
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub invested_wan: String,
    #[serde(default)]
    pub in_place_wan: String,
    #[serde(default)]
    pub progress: String,
    #[serde(default)]
    pub problems: String,
}

/// The month before `day`'s, `YYYY-MM`.
pub fn last_month(day: NaiveDate) -> String {
    let (y, m) = if day.month() == 1 { (day.year() - 1, 12) } else { (day.year(), day.month() - 1) };
    format!("{y}-{m:02}")
}

/// Report a month's progress (the lead unit or the leader); the project as saved.
pub async fn report(db: &Db, who: &Who, id: i64, input: &ReportInput, now: i64) -> Result<Project> {
    let today = luoshi_domain::time::local_date(now);
    // The record first: an id the caller may not see is not found, whatever the input.
    let (p, paths) = seen(db, who, id, today).await?;
    let month = input.month.trim();
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| DomainError::invalid("month").with_detail(month.to_string()))?;
    if first > today {
        return Err(DomainError::field(ErrorCode::OutOfRange, "month").with_detail(month.to_string()).into());
    }
    let invested = Yuan::from_wan(&input.invested_wan, "invested_wan")?;
    let in_place = if input.in_place_wan.trim().is_empty() { Yuan(0) } else { Yuan::from_wan(&input.in_place_wan, "in_place_wan")? };
    let progress = required_text("progress", &input.progress, 500)?;
    let problems = optional_text("problems", &input.problems, 1000)?.unwrap_or_default();
    if !sides(who, &p, &paths).contains(&ProjectSide::Lead) {
        return Err(forbidden());
    }
    if matches!(p.stage, Stage::Negotiating | Stage::Terminated) {
        return Err(DomainError::field(ErrorCode::Conflict, "stage").with_detail(p.stage.as_str()).into());
    }
    let r = Report { month: month.to_string(), invested, in_place, progress, problems, reporter: who.actor.name.clone(), reported_at: now };
    let mut tx = db.begin_write().await?;
    store::put(&mut tx, &who.actor, id, &r).await?;
    tx.commit().await?;
    relight(db, who, &p, now).await
}

/// Is a project one that must report this month (under way)?
pub fn reports_due(stage: Stage) -> bool {
    matches!(stage, Stage::Landing | Stage::Started | Stage::Building)
}

/// The projects' part of the supervision run.
pub(crate) async fn supervise_part(db: &Db, day: NaiveDate, now: i64, run: Run) -> Result<KindCount> {
    let rules = RulesInForce::load(db, day).await?;
    let lr = light_rules(&rules);
    let cal = calendar::load(db).await?;
    let report_day = u32::try_from(rules.int("projects.report_day").unwrap_or(5)).unwrap_or(5);
    let month = last_month(day);
    let due_day = NaiveDate::from_ymd_opt(day.year(), day.month(), report_day.clamp(1, 28)).unwrap_or(day);
    let reported = store::reported(db, &month).await?;
    let (invested, in_place) = store::sums(db, day.year()).await?;
    let plans = ledger::plans(db, day.year()).await?;
    let funds = ledger::funds(db).await?;
    let all = ledger::all(db, &Resolved::All, &Filter::default()).await?;
    let actor = Actor { id: None, name: "supervision".into() };
    let mut out = KindCount::default();
    for page in all.chunks(500) {
        let mut tx = db.begin_write().await?;
        let mut wrote = false;
        for p in page.iter().filter(|p| !matches!(p.stage, Stage::Operating | Stage::Terminated)) {
            out.checked += 1;
            let put = funds.get(&p.id).map(|f| f.1).unwrap_or_default().max(in_place.get(&p.id).copied().unwrap_or_default());
            let f = facts(p, &cal, invested.get(&p.id).copied().unwrap_or_default(), put, plans.get(&p.id).copied().unwrap_or_default(), day);
            let (lit, _) = kpi::light(&f, &lr, day);
            if lit.as_str() != p.light {
                projects::set_light(&mut tx, p.id, lit).await?;
                out.lights_changed += 1;
            }
            let mut rungs = Vec::new();
            if day > due_day && reports_due(p.stage) && !reported.contains(&p.id) {
                wrote |=
                    climb(&mut tx, &actor, "project", p.id, vec![NoticeLevel::ReportDue], p.lead_unit_id, &crate::ymd(due_day), day, now, &mut out).await?;
            }
            if lit == luoshi_domain::duty::Light::Red {
                rungs.push(NoticeLevel::Notice);
            }
            let limit = p.planned_start_on.clone().unwrap_or_else(|| p.stage_since.clone());
            wrote |= climb(&mut tx, &actor, "project", p.id, rungs, p.lead_unit_id, &limit, day, now, &mut out).await?;
        }
        finish(tx, wrote, run).await?;
    }
    Ok(out)
}
