//! 民生实事 → 督查督办 (政府办): each project the deputies chose becomes a task of its lead unit
//! under the year's directive (县人代会票决的民生实事项目), due at the end of its year (a
//! cross-year project: the end of its last stage year, each stage a milestone), with quarterly
//! planned progress — then handed out (交办) and chased by the same ladder as any task. The task
//! and the project's link to it are written in one transaction; a project missed at the moment
//! is delivered by the minute watch's sweep.

use crate::tasks::act;
use crate::{Result, Who};
use chrono::NaiveDate;
use luoshi_domain::access::Sight;
use luoshi_domain::duty::Light;
use luoshi_domain::livelihood::Assessment;
use luoshi_domain::tasks::{Action, MilestoneInput, TaskInput};
use luoshi_storage::livelihood::proposals::{self as store, ProposalRow};
use luoshi_storage::tasks::{self as task_store, DirectiveInput};
use luoshi_storage::{Actor, Db};

fn directive_title(year: i64) -> String {
    format!("{year}年县级民生实事项目（县人代会票决）")
}

async fn directive_of(db: &Db, year: i64, today: NaiveDate) -> Result<i64> {
    let title = directive_title(year);
    if let Some((d, _)) = task_store::list_directives(db, &Sight::County).await?.into_iter().find(|(d, _)| d.title == title) {
        return Ok(d.id);
    }
    let d = DirectiveInput { title, kind: "meeting".into(), issued_on: crate::ymd(today), issuer: "县人民代表大会".into(), ..DirectiveInput::default() }
        .validate()?;
    let mut tx = db.begin_write().await?;
    let created = task_store::create_directive(&mut tx, &Actor::cli("link:livelihood_delivery"), &d).await?;
    tx.commit().await?;
    Ok(created.id)
}

/// The task a chosen project becomes.
fn task_of(p: &ProposalRow, a: Option<&Assessment>, unit: i64) -> TaskInput {
    let year = i32::try_from(p.year).unwrap_or(2027);
    let last = a.and_then(|a| a.stages.last().map(|s| s.0)).unwrap_or(year).max(year);
    let end = |y: i32| NaiveDate::from_ymd_opt(y, 12, 31).map(crate::ymd).unwrap_or_default();
    let milestones: Vec<MilestoneInput> = match a.map(|a| a.stages.as_slice()) {
        Some(stages) if stages.len() > 1 => {
            let n = stages.len() as f64;
            stages
                .iter()
                .enumerate()
                .map(|(k, (y, t))| MilestoneInput { date: end(*y), percent: ((k + 1) as f64 * 100.0 / n).round(), title: t.clone() })
                .collect()
        }
        _ => [(3, 31, 25.0, "开工"), (6, 30, 50.0, "过半"), (9, 30, 75.0, "基本完成"), (12, 31, 100.0, "完成")]
            .iter()
            .filter_map(|(m, d, pct, t)| {
                NaiveDate::from_ymd_opt(year, *m, *d).map(|day| MilestoneInput { date: crate::ymd(day), percent: *pct, title: (*t).into() })
            })
            .collect(),
    };
    let measures = a.map(|a| format!("现实性：{}\n可能性：{}\n资金来源：{}", a.reality, a.possibility, a.funding)).unwrap_or_else(|| p.content.clone());
    TaskInput {
        title: format!("民生实事：{}", p.title).chars().take(200).collect(),
        measures: measures.chars().take(2000).collect(),
        lead_unit_id: unit,
        deadline: end(last),
        milestones,
        // Chosen after the fact in a demo or a late session: the dates stand as the vote set them.
        backfill: true,
        ..TaskInput::default()
    }
}

/// Deliver every chosen project not delivered yet; how many tasks were made.
pub async fn sweep(db: &Db, now: i64) -> Result<usize> {
    let today = luoshi_domain::time::local_date(now);
    let waiting = store::undelivered(db).await?;
    let mut made = 0;
    for p in waiting {
        let Some(unit) = p.unit_id else { continue };
        let a: Option<Assessment> = p.assessment.as_deref().and_then(|j| serde_json::from_str(j).ok());
        let directive = directive_of(db, p.year, today).await?;
        let task = task_of(&p, a.as_ref(), unit).validate()?;
        let deadline = match task.deadline {
            luoshi_domain::tasks::DeadlineSpec::Date(d) => crate::ymd(d),
            luoshi_domain::tasks::DeadlineSpec::WorkingDays(_) => continue,
        };
        let actor = Actor::cli("link:livelihood_delivery");
        let mut tx = db.begin_write().await?;
        let task_id = task_store::insert_task(&mut tx, &actor, Some(directive), None, &task, Some(&deadline), None, Light::None).await?;
        if !store::set_task(&mut tx, &actor, p.id, task_id).await? {
            // Another node delivered it meanwhile: nothing of this transaction stays.
            continue;
        }
        tx.commit().await?;
        act(db, &Who::system("link:livelihood_delivery"), task_id, Action::Assign, "", None, today).await?;
        made += 1;
    }
    Ok(made)
}
