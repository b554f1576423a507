//! 事故报告 as a kind of duty: an accident's reports run on an hour clock (国务院令第493号):
//! the unit reports within an hour (`reporting`), the county passes it up within two
//! (`reported`), casualty changes are added within 30 days, 7 for road traffic and fire
//! (`forwarded`, the 补报 window), then the record is closed.

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// Where an accident's reporting stands.
    AccidentState {
        /// 待报告: the unit's report is due within the hour.
        Reporting = "reporting",
        /// 已报告: the county has it; passing it up is due.
        Reported = "reported",
        /// 已上报: passed up; casualty changes may still be added (补报).
        Forwarded = "forwarded",
        /// 已结案.
        Closed = "closed",
    }
);

str_enum!(
    /// What can be done to an accident's record.
    AccidentAction {
        /// 报告: the unit's report received.
        Report = "report",
        /// 上报: passed up to the next level.
        Forward = "forward",
        /// 补报: deaths, injuries or loss changed within the window.
        Supplement = "supplement",
        /// 结案.
        Close = "close",
    }
);

/// Who takes an action on an accident record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccidentSide {
    /// The unit that receives the report (the regulating department or township).
    Owner,
    /// The county's safety office (the supervision office, administrators).
    County,
}

/// The accident reporting workflow for the duty core.
pub struct AccidentFlow;

impl Workflow for AccidentFlow {
    const KIND: &'static str = "accident";
    type State = AccidentState;
    type Action = AccidentAction;
    type Side = AccidentSide;
    type Facts = ();

    fn states() -> &'static [AccidentState] {
        AccidentState::ALL
    }
    fn name(s: AccidentState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [AccidentAction] {
        AccidentAction::ALL
    }
    fn phase(s: AccidentState) -> Phase {
        match s {
            AccidentState::Reporting | AccidentState::Reported => Phase::Running,
            AccidentState::Forwarded => Phase::UnderReview,
            AccidentState::Closed => Phase::Done,
        }
    }
    fn side(a: AccidentAction) -> AccidentSide {
        match a {
            AccidentAction::Report | AccidentAction::Supplement => AccidentSide::Owner,
            AccidentAction::Forward | AccidentAction::Close => AccidentSide::County,
        }
    }
    fn apply(a: AccidentAction, from: AccidentState, _: &()) -> Result<AccidentState, DomainError> {
        use AccidentAction as A;
        use AccidentState as S;
        match (a, from) {
            (A::Report, S::Reporting) => Ok(S::Reported),
            (A::Forward, S::Reported) => Ok(S::Forwarded),
            (A::Supplement, S::Reported | S::Forwarded) => Ok(from),
            (A::Close, S::Forwarded) => Ok(S::Closed),
            (A::Report | A::Forward | A::Supplement | A::Close, S::Reporting | S::Reported | S::Forwarded | S::Closed) => {
                Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, table};

    #[test]
    fn every_state_against_every_action() {
        let t = table::<AccidentFlow>();
        for s in AccidentState::ALL.iter().filter(|s| **s != AccidentState::Reporting) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        assert!(t.iter().filter(|(from, _, _)| *from == AccidentState::Closed).all(|(_, _, to)| to.is_none()));
        assert_eq!(may::<AccidentFlow>(AccidentState::Forwarded, &[AccidentSide::Owner]), vec![AccidentAction::Supplement]);
        assert_eq!(may::<AccidentFlow>(AccidentState::Forwarded, &[AccidentSide::County]), vec![AccidentAction::Close]);
    }
}
