//! The task workflow, its planned progress, light and ladder.

use crate::duty::{str_enum, LadderRules, Light, LightRules, NoticeLevel, Phase, Standing, Workflow};
use crate::error::{DomainError, ErrorCode};
use chrono::NaiveDate;

str_enum!(
    /// Where a duty stands.
    State {
        /// 立项: registered, not yet handed to a unit.
        Draft = "draft",
        /// 交办: handed to the owner unit, waiting for it to sign.
        Assigned = "assigned",
        /// 承办: the unit signed and is working on it.
        Signed = "signed",
        /// 申请办结: the unit asks for closure; the supervision office reviews.
        ClosureRequested = "closure_requested",
        /// 退回重办: returned for rework, with a reason.
        Returned = "returned",
        /// 办结: closed.
        Closed = "closed",
    }
);

impl State {
    pub fn is_open(self) -> bool {
        !matches!(self, State::Closed | State::Draft)
    }
}

str_enum!(
    /// What someone does to a duty.
    Action {
        /// 交办 (supervision office).
        Assign = "assign",
        /// 签收 (owner unit).
        Sign = "sign",
        /// 申请办结 (owner unit).
        RequestClosure = "request_closure",
        /// 审核通过，办结 (supervision office).
        Accept = "accept",
        /// 退回重办 (supervision office; a reason is required).
        Return = "return",
    }
);

/// Who may take an action: the supervision office or the owner unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Supervisor,
    Owner,
}

impl Action {
    pub fn side(self) -> Side {
        match self {
            Action::Assign | Action::Accept | Action::Return => Side::Supervisor,
            Action::Sign | Action::RequestClosure => Side::Owner,
        }
    }

    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Return)
    }

    /// The state after the action, or a `conflict` naming the state.
    pub fn apply(self, from: State) -> Result<State, DomainError> {
        use State as S;
        let to = match (self, from) {
            (Action::Assign, S::Draft) => S::Assigned,
            (Action::Sign, S::Assigned) => S::Signed,
            (Action::RequestClosure, S::Signed | S::Returned) => S::ClosureRequested,
            (Action::Accept, S::ClosureRequested) => S::Closed,
            (Action::Return, S::ClosureRequested) => S::Returned,
            _ => return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str().to_string())),
        };
        Ok(to)
    }
}

/// The task kind's workflow, for the core.
pub struct TaskFlow;

impl Workflow for TaskFlow {
    const KIND: &'static str = "task";
    type State = State;
    type Action = Action;
    type Side = Side;
    type Facts = ();

    fn states() -> &'static [State] {
        State::ALL
    }
    fn name(s: State) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [Action] {
        Action::ALL
    }
    fn phase(state: State) -> Phase {
        match state {
            State::Draft => Phase::Drafted,
            State::Assigned | State::Signed | State::Returned => Phase::Running,
            State::ClosureRequested => Phase::UnderReview,
            State::Closed => Phase::Done,
        }
    }
    fn side(action: Action) -> Side {
        action.side()
    }
    fn apply(action: Action, from: State, _: &()) -> Result<State, DomainError> {
        action.apply(from)
    }
}

/// May the owner unit report progress in this state?
pub fn may_report(state: State) -> bool {
    matches!(state, State::Signed | State::Returned)
}

/// Planned progress (序时进度) on `today`, in percent: the highest milestone share already due;
/// without milestones, the share of the time from assignment to deadline that has passed.
pub fn planned_progress(milestones: &[(NaiveDate, f64)], assigned_on: Option<NaiveDate>, deadline: NaiveDate, today: NaiveDate) -> f64 {
    if today >= deadline {
        return 100.0;
    }
    if !milestones.is_empty() {
        return milestones.iter().filter(|(d, _)| *d <= today).map(|(_, p)| *p).fold(0.0, f64::max);
    }
    let Some(start) = assigned_on else { return 0.0 };
    let total = (deadline - start).num_days();
    if total <= 0 || today <= start {
        return 0.0;
    }
    let passed = (today - start).num_days();
    (passed as f64 / total as f64 * 100.0).clamp(0.0, 100.0)
}

/// The light of a task on `today`: the core's light, fed with the task's facts (its deadline
/// ends at that day's midnight; `working_days_left` from today to the deadline).
pub fn light(state: State, today: NaiveDate, deadline: NaiveDate, progress: f64, planned: f64, working_days_left: i64, r: &LightRules) -> Light {
    let start_of_today = crate::duty::end_of_day(today.pred_opt().unwrap_or(today));
    crate::duty::light(
        &Standing {
            phase: TaskFlow::phase(state),
            clock_runs: TaskFlow::clock_runs(state),
            due: Some(crate::duty::end_of_day(deadline)),
            now: start_of_today,
            working_days_left: Some(working_days_left),
            behind_points: planned - progress,
            flagged: false,
        },
        r,
    )
}

/// The rungs of the ladder a task has reached (the core's ladder for the task's phase).
pub fn ladder(state: State, working_days_left: i64, r: &LadderRules) -> Vec<NoticeLevel> {
    crate::duty::ladder(TaskFlow::phase(state), TaskFlow::clock_runs(state), working_days_left, r)
}
