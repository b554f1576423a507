//! 重大项目 → 督查督办: a problem raised on a project for coordination (land, power, finance,
//! approvals) becomes a task of the responsible unit with its deadline — the same duty as any
//! task, in the same ladder — written in the same transaction as the problem (which names it),
//! then handed out (交办). The project's page reads the task's standing from the record of duties.

use crate::projects::seen_for_problem;
use crate::tasks::act;
use crate::{Result, Who};
use luoshi_domain::duty::Light;
use luoshi_domain::error::required_text;
use luoshi_domain::tasks::{Action, DeadlineSpec, TaskInput};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::projects::problems::{self, NewProblem};
use luoshi_storage::{tasks as task_store, units, Db};
use serde::Deserialize;

/// The kinds of problem (问题类型).
pub const KINDS: &[&str] = &["land", "power", "finance", "approval", "other"];

/// A problem as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProblemInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub due_on: String,
}

/// Raise a problem on a project; (problem, task) ids.
pub async fn raise(db: &Db, who: &Who, project_id: i64, input: &ProblemInput, now: i64) -> Result<(i64, i64)> {
    let today = luoshi_domain::time::local_date(now);
    // The project first: an id the caller may not see is not found, whatever the input.
    let p = seen_for_problem(db, who, project_id, today).await?;
    let kind = input.kind.trim();
    if !KINDS.contains(&kind) {
        return Err(DomainError::invalid("problem_kind").into());
    }
    let text = required_text("text", &input.text, 500)?;
    let unit_id = input.unit_id.ok_or_else(|| DomainError::required("responsible_unit_id"))?;
    units::get(db, unit_id).await?.ok_or_else(|| DomainError::invalid("responsible_unit_id"))?;
    let due = crate::date_bounds(db, today).await?.parse("due_on", &input.due_on)?;
    if due < today {
        return Err(DomainError::field(ErrorCode::OutOfRange, "due_on").with_detail(crate::ymd(today)).into());
    }
    let kind_label = luoshi_domain::i18n::t(luoshi_domain::i18n::Lang::ZhCn, &format!("problem_kind.{kind}")).to_string();
    let title: String = format!("【{}】{}问题：{}", p.name, kind_label, text).chars().take(200).collect();
    let task = TaskInput { title, measures: text.clone(), lead_unit_id: unit_id, deadline: crate::ymd(due), ..TaskInput::default() }.validate()?;
    let DeadlineSpec::Date(d) = task.deadline else { return Err(DomainError::invalid("due_on").into()) };
    let mut tx = db.begin_write().await?;
    let problem = problems::insert(&mut tx, &who.actor, project_id, &NewProblem { kind: kind.into(), text, unit_id, due_on: crate::ymd(due) }, now).await?;
    let task_id = task_store::insert_task(&mut tx, &who.actor, None, None, &task, Some(&crate::ymd(d)), None, Light::None).await?;
    problems::set_task(&mut tx, project_id, problem, task_id).await?;
    tx.commit().await?;
    act(db, &Who::system("link:project_problem"), task_id, Action::Assign, "", None, today).await?;
    Ok((problem, task_id))
}
