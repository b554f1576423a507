//! A project's page: the project with its light and the reasons for it, its timeline (stages
//! planned and actual, each stay's working days), approval items with their days left,
//! monthly reports and the investment curve against the year's plan, deviations, problems (with
//! their tasks' standing, read from the record of duties) and what the caller may do now.

use super::stages::known;
use super::{facts, light_rules, money_of, runs_projects, seen_record, sides};
use crate::{Result, Who};
use chrono::{Datelike, NaiveDate};
use luoshi_domain::duty::{may_given, working_days_left, Light};
use luoshi_domain::projects::kpi::Why;
use luoshi_domain::projects::{ProjectFlow, ProjectSide, StageAction, Yuan};
use luoshi_storage::duty::{self as record, trail, Record};
use luoshi_storage::projects::approvals::Approval;
use luoshi_storage::projects::problems::Problem;
use luoshi_storage::projects::reports::Report;
use luoshi_storage::projects::{self as store, ChangeRow, Fund, Project, StageStay};
use luoshi_storage::{calendar, Db};
use serde::Serialize;

/// A project's page.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub project: Project,
    pub light: Light,
    pub why: Vec<(Light, Why)>,
    pub funds: Vec<Fund>,
    pub plans: Vec<(i64, Yuan)>,
    /// Each stay with its working days (an open one up to today).
    pub stays: Vec<(StageStay, i64)>,
    pub changes: Vec<ChangeRow>,
    pub approvals: Vec<(Approval, Option<i64>)>,
    pub reports: Vec<Report>,
    /// This year's cumulative investment by month against the plan spread evenly: (month 1–12,
    /// invested, planned).
    pub curve: Vec<(u32, Yuan, Yuan)>,
    pub invested_year: Yuan,
    pub in_place: Yuan,
    pub plan_year: Yuan,
    pub problems: Vec<(Problem, Option<Record>)>,
    pub trail: Vec<trail::Step>,
    /// Working days to the next target (negative once passed).
    pub days_left: Option<i64>,
    /// Working days from the first submission to the last decision (or today), against the
    /// county's target (`projects.approval.target_working_days`, 120 by 国办发〔2019〕11号).
    pub approval_days: Option<i64>,
    pub approval_target: i64,
    pub may: Vec<StageAction>,
    pub may_edit: bool,
    pub may_report: bool,
    pub may_start_approvals: bool,
    pub version: i64,
}

pub async fn view(db: &Db, who: &Who, id: i64, now: i64) -> Result<View> {
    let today = luoshi_domain::time::local_date(now);
    // The project with its lists is one query; its approval items (duties on shards of their
    // own), the calendar and the rules are read beside it.
    let ((record, paths), (cal, approvals), rules, span) = tokio::try_join!(
        seen_record(db, who, id, today),
        async {
            let cal = calendar::load(db).await?;
            let approvals = super::approvals::of_project(db, id, &cal, now).await?;
            Ok::<_, crate::StoreError>((cal, approvals))
        },
        crate::RulesInForce::load(db, today),
        luoshi_storage::projects::approvals::span_of_project(db, id),
    )?;
    let store::ProjectRecord { project: p, funds, plans, stays, changes, reports, problems, trail, .. } = record;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(today);
    let stays = stays
        .into_iter()
        .map(|s| {
            let d = working_days_left(&cal, day(&s.entered_on), s.left_on.as_deref().map(day).unwrap_or(today)).max(0);
            (s, d)
        })
        .collect();
    let (invested_year, in_place, plan_year) = money_of(&reports, &funds, &plans, today.year());
    let mut curve = Vec::new();
    let mut sum = 0;
    for m in 1..=today.month() {
        let key = format!("{}-{m:02}", today.year());
        sum += reports.iter().filter(|r| r.month == key).map(|r| r.invested.0).sum::<i64>();
        curve.push((m, Yuan(sum), Yuan(plan_year.0 * i64::from(m) / 12)));
    }
    let task_ids: Vec<i64> = problems.iter().filter_map(|p| p.task_id).collect();
    let tasks = record::of_ids(db, "task", &task_ids).await?;
    let problems = problems
        .into_iter()
        .map(|p| {
            let t = p.task_id.and_then(|t| tasks.iter().find(|r| r.ref_id == t).cloned());
            (p, t)
        })
        .collect();
    let (light, why) = luoshi_domain::projects::kpi::light(&facts(&p, &cal, invested_year, in_place, plan_year, today), &light_rules(&rules), today);
    let approval_days = span.map(|(first, last)| {
        let end = last.as_deref().map(day).unwrap_or(today);
        working_days_left(&cal, day(&first), end).max(0)
    });
    let approval_target = rules.int("projects.approval.target_working_days").unwrap_or(120);
    let s = sides(who, &p, &paths);
    let days_left = super::next_due(&p).map(|d| working_days_left(&cal, today, luoshi_domain::time::local_date(d - 1)));
    Ok(View {
        may: may_given::<ProjectFlow>(p.stage, &s, &known(&p)),
        may_edit: runs_projects(who, &paths.office),
        may_report: s.contains(&ProjectSide::Lead) && super::reports::reports_due(p.stage),
        may_start_approvals: approvals.is_empty() && (runs_projects(who, &paths.office) || who.acts_for(&paths.lead)),
        trail,
        version: p.version,
        light,
        why,
        funds,
        plans,
        stays,
        changes,
        approvals,
        reports,
        curve,
        invested_year,
        in_place,
        plan_year,
        problems,
        days_left,
        approval_days,
        approval_target,
        project: p,
    })
}
