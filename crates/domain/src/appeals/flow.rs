//! The appeal kind on the duty core: its workflow (`AppealFlow`), its time limits in hours or
//! working days from rule data, and its light.

use super::*;
use crate::calendar::Calendar;
pub use crate::duty::Limit;
use crate::duty::{Clock, DueSoon, Light, LightRules, Phase, Standing, Workflow};
use crate::error::DomainError;
use crate::time::Micros;

/// Time limits in force (rule data `appeals.limit.*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub consult_working_days: i64,
    pub help_working_days: i64,
    pub complaint_working_days: i64,
    pub report_working_days: i64,
    pub suggestion_working_days: i64,
    pub urgent_hours: i64,
    pub critical_hours: i64,
    /// Blue light when less than this many hours remain.
    pub due_soon_hours: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            consult_working_days: 3,
            help_working_days: 3,
            complaint_working_days: 13,
            report_working_days: 13,
            suggestion_working_days: 15,
            urgent_hours: 24,
            critical_hours: 2,
            due_soon_hours: 24,
        }
    }
}

impl Limits {
    pub fn of(&self, kind: Kind, urgency: Urgency) -> Limit {
        match urgency {
            Urgency::Critical => Limit::Hours(self.critical_hours),
            Urgency::Urgent => Limit::Hours(self.urgent_hours),
            Urgency::Normal => Limit::WorkingDays(match kind {
                Kind::Consult => self.consult_working_days,
                Kind::Help => self.help_working_days,
                Kind::Complaint => self.complaint_working_days,
                Kind::Report => self.report_working_days,
                Kind::Suggestion => self.suggestion_working_days,
            }),
        }
    }
}

/// The moment a limit runs out, counted from dispatch on the core's clock: hours are hours; N
/// working days end at midnight (Beijing time) after the Nth working day following dispatch.
pub fn due_at(cal: &Calendar, from: Micros, limit: Limit) -> Result<Micros, DomainError> {
    Clock::new(from, limit).due(cal, from)
}

/// The appeal kind's workflow, for the core.
pub struct AppealFlow;

/// What an action on a work order depends on beyond its state.
#[derive(Debug, Clone, Default)]
pub struct AppealFacts {
    pub rating: Option<Rating>,
    pub rework_count: i64,
    /// A 咨询: the desk may answer it on the call and close it (直接答复办结).
    pub consult: bool,
    /// The appeal's kind, named when an action does not fit it.
    pub kind: String,
}

impl AppealFacts {
    /// The facts of an appeal of `kind` with its rework count, and the rating being given.
    pub fn of(kind: &str, rework_count: i64, rating: Option<Rating>) -> AppealFacts {
        AppealFacts { rating, rework_count, consult: kind == "consult", kind: kind.to_string() }
    }
}

impl Workflow for AppealFlow {
    const KIND: &'static str = "appeal";
    type State = AppealState;
    type Action = AppealAction;
    type Side = AppealSide;
    type Facts = AppealFacts;

    fn states() -> &'static [AppealState] {
        AppealState::ALL
    }
    fn name(s: AppealState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [AppealAction] {
        AppealAction::ALL
    }
    fn phase(state: AppealState) -> Phase {
        match state {
            AppealState::Received => Phase::Drafted,
            AppealState::Dispatched | AppealState::Signed => Phase::Running,
            AppealState::Returned => Phase::Waiting,
            AppealState::Replied => Phase::UnderReview,
            AppealState::Closed => Phase::Done,
            AppealState::Rejected => Phase::Cancelled,
        }
    }
    fn side(action: AppealAction) -> AppealSide {
        action.side()
    }
    fn apply(action: AppealAction, from: AppealState, f: &AppealFacts) -> Result<AppealState, DomainError> {
        action.apply(from, f)
    }
    // Once the unit has replied, its clock stands while the citizen rates.
    fn clock_runs(state: AppealState) -> bool {
        matches!(state, AppealState::Dispatched | AppealState::Signed | AppealState::Returned)
    }
}

/// The light of a work order at `now`: the core's light, where a 退单 waiting or a 重办 is the
/// flag that turns it yellow and less than `due_soon_hours` left turns it blue.
pub fn light(state: AppealState, due: Option<Micros>, rework_count: i64, now: Micros, limits: &Limits) -> Light {
    let rules = LightRules { due_soon: DueSoon::Hours(limits.due_soon_hours), yellow_behind_points: 0.0, red_behind_points: f64::INFINITY };
    crate::duty::light(
        &Standing {
            phase: AppealFlow::phase(state),
            clock_runs: AppealFlow::clock_runs(state),
            due,
            now,
            working_days_left: None,
            behind_points: 0.0,
            flagged: state == AppealState::Returned || rework_count > 0,
        },
        &rules,
    )
}
