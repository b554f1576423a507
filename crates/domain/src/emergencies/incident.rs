//! 突发事件 as a kind of duty held by the county's command (应急指挥中心): 接报, 研判 with a
//! level, 响应 (one or more plans activated), level changes, 响应终止 and 终报. The incident's
//! own clock is the county's report upward (首报 within the rule's minutes of 接报).

use super::Level;
use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// Where an incident stands.
    IncidentState {
        /// 已接报: first facts in, 研判 due.
        Reported = "reported",
        /// 已研判: a level set, no plan activated (or not yet).
        Assessed = "assessed",
        /// 响应中: plans activated, assignments running.
        Responding = "responding",
        /// 响应终止: assignments closed, the 终报 due.
        Ended = "ended",
        /// 已终报.
        Closed = "closed",
    }
);

str_enum!(
    /// What the command does to an incident.
    IncidentAction {
        /// 研判: a level.
        Assess = "assess",
        /// 启动响应: a plan activated at a level.
        Activate = "activate",
        /// 调整级别: the level raised (升级, escalation) or lowered.
        ChangeLevel = "change_level",
        /// 上报 / 续报: a report to the next level.
        ReportUp = "report_up",
        /// 信息更新: new facts or casualties.
        Update = "update",
        /// 响应终止.
        StandDown = "stand_down",
        /// 终报.
        Close = "close",
    }
);

/// The one side: the county's command (应急管理局, the supervision office, administrators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command;

/// Facts an incident action depends on: whether a level is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IncidentFacts {
    pub level: Option<Level>,
}

/// The incident workflow for the duty core.
pub struct IncidentFlow;

impl Workflow for IncidentFlow {
    const KIND: &'static str = "incident";
    type State = IncidentState;
    type Action = IncidentAction;
    type Side = Command;
    type Facts = IncidentFacts;

    fn states() -> &'static [IncidentState] {
        IncidentState::ALL
    }
    fn name(s: IncidentState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [IncidentAction] {
        IncidentAction::ALL
    }
    fn phase(s: IncidentState) -> Phase {
        match s {
            IncidentState::Reported | IncidentState::Assessed | IncidentState::Responding => Phase::Running,
            IncidentState::Ended => Phase::UnderReview,
            IncidentState::Closed => Phase::Done,
        }
    }
    fn side(_: IncidentAction) -> Command {
        Command
    }
    fn apply(a: IncidentAction, from: IncidentState, _: &IncidentFacts) -> Result<IncidentState, DomainError> {
        use IncidentAction as A;
        use IncidentState as S;
        match (a, from) {
            (A::Assess, S::Reported | S::Assessed) => Ok(S::Assessed),
            (A::Activate, S::Assessed | S::Responding) => Ok(S::Responding),
            (A::ChangeLevel, S::Assessed | S::Responding) => Ok(from),
            (A::ReportUp | A::Update, S::Reported | S::Assessed | S::Responding | S::Ended) => Ok(from),
            (A::StandDown, S::Responding) => Ok(S::Ended),
            (A::Close, S::Assessed | S::Ended) => Ok(S::Closed),
            (
                A::Assess | A::Activate | A::ChangeLevel | A::ReportUp | A::Update | A::StandDown | A::Close,
                S::Reported | S::Assessed | S::Responding | S::Ended | S::Closed,
            ) => Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, table};

    #[test]
    fn every_state_against_every_action() {
        let t = table::<IncidentFlow>();
        for s in IncidentState::ALL.iter().filter(|s| **s != IncidentState::Reported) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        assert!(t.iter().filter(|(from, _, _)| *from == IncidentState::Closed).all(|(_, _, to)| to.is_none()));
        assert_eq!(may::<IncidentFlow>(IncidentState::Reported, &[Command]), vec![IncidentAction::Assess, IncidentAction::ReportUp, IncidentAction::Update]);
        assert_eq!(
            may::<IncidentFlow>(IncidentState::Responding, &[Command]),
            vec![IncidentAction::Activate, IncidentAction::ChangeLevel, IncidentAction::ReportUp, IncidentAction::Update, IncidentAction::StandDown]
        );
    }
}
