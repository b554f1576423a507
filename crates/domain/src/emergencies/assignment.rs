//! 应急任务 as a kind of duty: what an activation hands a unit under the plan's matrix, on a
//! minute clock. The unit signs for it (签收) within the sign-in limit, reports first (首报)
//! within the matrix's first-report limit and again (续报) at the follow-up interval until it
//! reports its part done; the command confirms or sends it back; a stand-down (响应终止) or a
//! level change that drops the unit closes it with the reason.

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// Where an assignment stands.
    AssignmentState {
        /// 待签收: handed out, the sign-in clock running.
        Assigned = "assigned",
        /// 已签收: the first report due.
        Signed = "signed",
        /// 处置中: reported at least once, the next 续报 due.
        Reporting = "reporting",
        /// 已完成待确认: the unit reported its part done.
        Done = "done",
        /// 已确认.
        Closed = "closed",
        /// 已终止: the response ended or the unit was dropped, with the reason.
        StoodDown = "stood_down",
    }
);

str_enum!(
    /// What can be done to an assignment.
    AssignmentAction {
        /// 签收.
        Sign = "sign",
        /// 报告 (首报 or 续报): moves the next report's limit on by the follow-up interval.
        Report = "report",
        /// 完成: the last report, the part done.
        Finish = "finish",
        /// 确认 (the command).
        Confirm = "confirm",
        /// 退回 (the command): not done yet, reports go on.
        Reopen = "reopen",
        /// 终止 (the command: stand-down or level change), with the reason.
        StandDown = "stand_down",
    }
);

/// Who takes an action on an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentSide {
    /// The unit it is handed to (and those above it).
    Unit,
    /// The command that activated the plan.
    Command,
}

/// The assignment workflow for the duty core.
pub struct AssignmentFlow;

impl Workflow for AssignmentFlow {
    const KIND: &'static str = "emergency_task";
    type State = AssignmentState;
    type Action = AssignmentAction;
    type Side = AssignmentSide;
    type Facts = ();

    fn states() -> &'static [AssignmentState] {
        AssignmentState::ALL
    }
    fn name(s: AssignmentState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [AssignmentAction] {
        AssignmentAction::ALL
    }
    fn phase(s: AssignmentState) -> Phase {
        use AssignmentState as S;
        match s {
            S::Assigned | S::Signed | S::Reporting => Phase::Running,
            S::Done => Phase::UnderReview,
            S::Closed => Phase::Done,
            S::StoodDown => Phase::Cancelled,
        }
    }
    fn side(a: AssignmentAction) -> AssignmentSide {
        use AssignmentAction as A;
        match a {
            A::Sign | A::Report | A::Finish => AssignmentSide::Unit,
            A::Confirm | A::Reopen | A::StandDown => AssignmentSide::Command,
        }
    }
    fn apply(a: AssignmentAction, from: AssignmentState, _: &()) -> Result<AssignmentState, DomainError> {
        use AssignmentAction as A;
        use AssignmentState as S;
        match (a, from) {
            (A::Sign, S::Assigned) => Ok(S::Signed),
            (A::Report, S::Signed | S::Reporting) => Ok(S::Reporting),
            (A::Finish, S::Signed | S::Reporting) => Ok(S::Done),
            (A::Confirm, S::Done) => Ok(S::Closed),
            (A::Reopen, S::Done) => Ok(S::Reporting),
            (A::StandDown, S::Assigned | S::Signed | S::Reporting | S::Done) => Ok(S::StoodDown),
            (
                A::Sign | A::Report | A::Finish | A::Confirm | A::Reopen | A::StandDown,
                S::Assigned | S::Signed | S::Reporting | S::Done | S::Closed | S::StoodDown,
            ) => Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str())),
        }
    }
}

/// The limits of an assignment's clock (minutes), from the matrix row and the county's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub sign_minutes: i64,
    pub first_report_minutes: i64,
    pub followup_minutes: i64,
}

const MINUTE: i64 = 60_000_000;

/// When the next thing is due after `action` at `now` (None once nothing is awaited): signing
/// within its limit of the hand-out, the first report within its limit of the hand-out, each
/// later report within the follow-up interval of the last.
pub fn next_due(state: AssignmentState, assigned_at: i64, now: i64, l: &Limits) -> Option<i64> {
    match state {
        AssignmentState::Assigned => Some(assigned_at + l.sign_minutes * MINUTE),
        AssignmentState::Signed => Some(assigned_at + l.first_report_minutes.max(l.sign_minutes) * MINUTE),
        AssignmentState::Reporting => Some(now + l.followup_minutes * MINUTE),
        AssignmentState::Done | AssignmentState::Closed | AssignmentState::StoodDown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, table};

    #[test]
    fn every_state_against_every_action() {
        let t = table::<AssignmentFlow>();
        for s in AssignmentState::ALL.iter().filter(|s| **s != AssignmentState::Assigned) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        for end in [AssignmentState::Closed, AssignmentState::StoodDown] {
            assert!(t.iter().filter(|(from, _, _)| *from == end).all(|(_, _, to)| to.is_none()), "{end:?} is final");
        }
        assert_eq!(may::<AssignmentFlow>(AssignmentState::Assigned, &[AssignmentSide::Unit]), vec![AssignmentAction::Sign]);
        assert_eq!(may::<AssignmentFlow>(AssignmentState::Reporting, &[AssignmentSide::Unit]), vec![AssignmentAction::Report, AssignmentAction::Finish]);
        assert_eq!(
            may::<AssignmentFlow>(AssignmentState::Done, &[AssignmentSide::Command]),
            vec![AssignmentAction::Confirm, AssignmentAction::Reopen, AssignmentAction::StandDown]
        );
    }

    #[test]
    fn the_clock_moves_with_each_report() {
        let l = Limits { sign_minutes: 10, first_report_minutes: 30, followup_minutes: 120 };
        assert_eq!(next_due(AssignmentState::Assigned, 0, 5 * MINUTE, &l), Some(10 * MINUTE));
        assert_eq!(next_due(AssignmentState::Signed, 0, 5 * MINUTE, &l), Some(30 * MINUTE));
        assert_eq!(next_due(AssignmentState::Reporting, 0, 25 * MINUTE, &l), Some(145 * MINUTE));
        assert_eq!(next_due(AssignmentState::Done, 0, 25 * MINUTE, &l), None);
    }
}
