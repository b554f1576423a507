//! Directives and tasks: create, assign, sign, report, extend, review, close; the supervision
//! run that recomputes lights and raises the ladder; 容错免责 and incentives.

mod directives;
mod exemptions;
pub mod ledger;
mod page;
pub mod reports;
mod supervision;

pub use directives::*;
pub use exemptions::*;
pub use page::*;
pub(crate) use supervision::supervise_part;

use crate::Result;
use chrono::NaiveDate;
use luoshi_domain::calendar::Calendar;
use luoshi_domain::duty::{working_days_left, DueSoon, LadderRules, Light, LightRules};
use luoshi_domain::tasks::State;
use luoshi_domain::DomainError;
use luoshi_storage::tasks::{self as store};
use luoshi_storage::Db;

/// The rules in force on a date.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub light: LightRules,
    pub ladder: LadderRules,
    pub max_extensions: i64,
}

pub async fn rules_on(db: &Db, today: NaiveDate) -> Result<Rules> {
    let r = crate::RulesInForce::load(db, today).await?;
    let num = |key: &str| -> f64 { r.num(key).unwrap_or(0.0) };
    Ok(Rules {
        light: LightRules {
            due_soon: DueSoon::WorkingDays(num("supervision.light.due_soon_working_days") as i64),
            yellow_behind_points: num("supervision.light.yellow_behind_points"),
            red_behind_points: num("supervision.light.red_behind_points"),
        },
        ladder: LadderRules {
            reminder_before_working_days: num("supervision.ladder.reminder_before_working_days") as i64,
            notice_after_working_days: num("supervision.ladder.notice_after_working_days") as i64,
            report_after_working_days: num("supervision.ladder.report_after_working_days") as i64,
        },
        max_extensions: num("supervision.extension.max_per_task") as i64,
    })
}

pub(super) fn date(field: &str, s: &str) -> Result<NaiveDate, DomainError> {
    luoshi_domain::time::parse_date(field, s)
}

/// The light and planned progress of a duty on `today`.
#[expect(clippy::too_many_arguments, reason = "the facts of a duty the light depends on, each once")]
pub fn light_of(
    cal: &Calendar,
    r: &Rules,
    state: State,
    deadline: Option<&str>,
    progress: f64,
    assigned_on: Option<&str>,
    milestones: &[(NaiveDate, f64)],
    today: NaiveDate,
) -> (Light, f64) {
    let Some(dl) = deadline.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) else {
        return (if state == State::Closed { Light::Done } else { Light::None }, 0.0);
    };
    let assigned = assigned_on.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let planned = (luoshi_domain::tasks::planned_progress(milestones, assigned, dl, today) * 10.0).round() / 10.0;
    (luoshi_domain::tasks::light(state, today, dl, progress, planned, working_days_left(cal, today, dl), &r.light), planned)
}

pub(super) async fn milestones(db: &Db, id: i64) -> Result<Vec<(NaiveDate, f64)>> {
    Ok(store::milestones(db, id).await?.into_iter().filter_map(|(d, p, _)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok().map(|d| (d, p))).collect())
}
