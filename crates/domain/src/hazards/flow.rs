//! 隐患闭环 (a hazard's closed loop) as a kind of duty: 排查登记 → 评估定级 → (重大: 五落实) →
//! 治理 → 验收 → 销号, with 回头看 reopening a closed hazard. The owner (the enterprise, or the
//! department for a public place) rectifies; the regulating department (行业主管/监管部门)
//! grades, supervises and closes; 验收 is done by a unit other than the owner (the app gives
//! that side only to such a unit).

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// 事故隐患等级 (16号令 第三条).
    HazardGrade {
        /// 一般事故隐患: small harm and effort, removable at once.
        General = "general",
        /// 重大事故隐患: needs 停产停业 and time, or cannot be removed by the unit alone.
        Major = "major",
    }
);

str_enum!(
    /// Where a hazard stands.
    HazardState {
        /// 已登记: found and recorded, not yet graded.
        Registered = "registered",
        /// 五落实中: a 重大 hazard graded, its 措施、责任、资金、时限、预案 being fixed.
        Planning = "planning",
        /// 治理中: the owner rectifies; 管控措施 meanwhile.
        Rectifying = "rectifying",
        /// 待验收: the owner says it is done.
        Accepting = "accepting",
        /// 已验收: passed by another unit, awaiting 销号 with its evidence.
        Accepted = "accepted",
        /// 已销号.
        Closed = "closed",
        /// 已撤销: recorded in error or twice.
        Cancelled = "cancelled",
    }
);

str_enum!(
    /// What can be done to a hazard.
    HazardAction {
        /// 评估定级 as 一般: straight to 治理.
        GradeGeneral = "grade_general",
        /// 评估定级 as 重大: needs its 判定依据 (catalogue, article, item).
        GradeMajor = "grade_major",
        /// 五落实 recorded: 治理 starts.
        Implement = "implement",
        /// 申请验收.
        Submit = "submit",
        /// 验收通过.
        Pass = "pass",
        /// 验收不通过: back to 治理.
        Fail = "fail",
        /// 销号: needs evidence.
        Close = "close",
        /// 复产审查 passed: a hazard that stopped production (停产停业) may produce again; before 销号.
        Resume = "resume",
        /// 回头看 reopens a closed hazard (its first closure stays in the trail).
        Reopen = "reopen",
        /// 撤销 a hazard recorded in error.
        Cancel = "cancel",
    }
);

/// Who takes an action on a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardSide {
    /// The regulating department (or the county's safety committee office).
    Regulator,
    /// The owner of the rectification.
    Owner,
    /// A unit other than the owner that checks the rectification.
    Acceptor,
}

/// What some actions need beyond the state (refused with the field named when missing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HazardFacts {
    /// The 判定依据 of a 重大 grade is given.
    pub basis: bool,
    /// The 五落实 are all filled in.
    pub five: bool,
    /// 销号 evidence (a document or photo) is attached.
    pub evidence: bool,
    /// Production was stopped for this hazard and its 复产 review has not passed yet.
    pub stopped: bool,
}

/// The hazard workflow for the duty core.
pub struct HazardFlow;

impl Workflow for HazardFlow {
    const KIND: &'static str = "hazard";
    type State = HazardState;
    type Action = HazardAction;
    type Side = HazardSide;
    type Facts = HazardFacts;

    fn states() -> &'static [HazardState] {
        HazardState::ALL
    }
    fn name(s: HazardState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [HazardAction] {
        HazardAction::ALL
    }
    fn phase(s: HazardState) -> Phase {
        match s {
            HazardState::Registered => Phase::Drafted,
            HazardState::Planning | HazardState::Rectifying => Phase::Running,
            HazardState::Accepting | HazardState::Accepted => Phase::UnderReview,
            HazardState::Closed => Phase::Done,
            HazardState::Cancelled => Phase::Cancelled,
        }
    }
    fn side(a: HazardAction) -> HazardSide {
        use HazardAction as A;
        match a {
            A::GradeGeneral | A::GradeMajor | A::Close | A::Resume | A::Reopen | A::Cancel => HazardSide::Regulator,
            A::Implement | A::Submit => HazardSide::Owner,
            A::Pass | A::Fail => HazardSide::Acceptor,
        }
    }
    fn apply(a: HazardAction, from: HazardState, f: &HazardFacts) -> Result<HazardState, DomainError> {
        use HazardAction as A;
        use HazardState as S;
        let needs = |ok: bool, field: &str, to: S| if ok { Ok(to) } else { Err(DomainError::required(field)) };
        match (a, from) {
            (A::GradeGeneral, S::Registered) => Ok(S::Rectifying),
            (A::GradeMajor, S::Registered) => needs(f.basis, "basis", S::Planning),
            (A::Implement, S::Planning) => needs(f.five, "five", S::Rectifying),
            (A::Submit, S::Rectifying) => Ok(S::Accepting),
            (A::Pass, S::Accepting) => Ok(S::Accepted),
            (A::Fail, S::Accepting) => Ok(S::Rectifying),
            // Closed only once production may resume: 复产 is reviewed before 销号.
            (A::Close, S::Accepted) if f.stopped => Err(DomainError::required("resume")),
            (A::Close, S::Accepted) => needs(f.evidence, "evidence", S::Closed),
            (A::Resume, S::Accepted) if f.stopped => Ok(S::Accepted),
            (A::Reopen, S::Closed) => Ok(S::Rectifying),
            (A::Cancel, S::Registered) => Ok(S::Cancelled),
            (
                A::GradeGeneral | A::GradeMajor | A::Implement | A::Submit | A::Pass | A::Fail | A::Close | A::Resume | A::Reopen | A::Cancel,
                S::Registered | S::Planning | S::Rectifying | S::Accepting | S::Accepted | S::Closed | S::Cancelled,
            ) => Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, may_given, table};
    use HazardAction as A;
    use HazardState as S;

    #[test]
    fn every_state_against_every_action() {
        let t = table::<HazardFlow>();
        let all = HazardFacts { basis: true, five: true, evidence: true, stopped: false };
        for s in S::ALL.iter().filter(|s| **s != S::Registered) {
            let reached = S::ALL.iter().any(|from| A::ALL.iter().any(|a| HazardFlow::apply(*a, *from, &all).ok() == Some(*s)));
            assert!(reached, "{s:?} unreachable");
        }
        // Cancelled is final; closed opens again only by 回头看.
        assert!(t.iter().filter(|(from, _, _)| *from == S::Cancelled).all(|(_, _, to)| to.is_none()));
        let from_closed: Vec<_> = t.iter().filter(|(from, _, to)| *from == S::Closed && to.is_some()).map(|(_, a, _)| *a).collect();
        assert_eq!(from_closed, vec![A::Reopen]);
        assert_eq!(may::<HazardFlow>(S::Registered, &[HazardSide::Regulator]), vec![A::GradeGeneral, A::GradeMajor, A::Cancel]);
        assert_eq!(may::<HazardFlow>(S::Accepting, &[HazardSide::Owner]), vec![]);
        assert_eq!(may::<HazardFlow>(S::Accepting, &[HazardSide::Acceptor]), vec![A::Pass, A::Fail]);
        assert_eq!(may::<HazardFlow>(S::Planning, &[HazardSide::Owner]), vec![A::Implement]);
    }

    #[test]
    fn a_major_hazard_needs_its_basis_five_and_evidence() {
        let none = HazardFacts::default();
        let all = HazardFacts { basis: true, five: true, evidence: true, stopped: false };
        let e = HazardFlow::apply(A::GradeMajor, S::Registered, &none).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Required, Some("basis")));
        assert_eq!(HazardFlow::apply(A::GradeMajor, S::Registered, &all).unwrap(), S::Planning);
        assert_eq!(HazardFlow::apply(A::Implement, S::Planning, &none).unwrap_err().field.as_deref(), Some("five"));
        assert_eq!(HazardFlow::apply(A::Close, S::Accepted, &none).unwrap_err().field.as_deref(), Some("evidence"));
        let mut s = S::Registered;
        for a in [A::GradeMajor, A::Implement, A::Submit, A::Fail, A::Submit, A::Pass, A::Close, A::Reopen] {
            s = HazardFlow::apply(a, s, &all).unwrap();
        }
        assert_eq!(s, S::Rectifying, "回头看 sends it back to 治理");
        assert_eq!(HazardFlow::apply(A::Submit, S::Closed, &all).unwrap_err().code, ErrorCode::Conflict);
    }

    #[test]
    fn a_stopped_enterprise_resumes_before_the_hazard_closes() {
        let stopped = HazardFacts { evidence: true, stopped: true, ..HazardFacts::default() };
        let running = HazardFacts { evidence: true, ..HazardFacts::default() };
        assert_eq!(HazardFlow::apply(A::Close, S::Accepted, &stopped).unwrap_err().field.as_deref(), Some("resume"));
        assert_eq!(HazardFlow::apply(A::Resume, S::Accepted, &stopped).unwrap(), S::Accepted);
        assert_eq!(HazardFlow::apply(A::Resume, S::Accepted, &running).unwrap_err().code, ErrorCode::Conflict);
        assert_eq!(HazardFlow::apply(A::Close, S::Accepted, &running).unwrap(), S::Closed);
        // What may be done now follows the facts: 复产 only for a stopped enterprise.
        assert!(may_given::<HazardFlow>(S::Accepted, &[HazardSide::Regulator], &stopped).contains(&A::Resume));
        assert!(!may_given::<HazardFlow>(S::Accepted, &[HazardSide::Regulator], &running).contains(&A::Resume));
        assert_eq!(HazardFlow::apply(A::Resume, S::Rectifying, &stopped).unwrap_err().code, ErrorCode::Conflict);
    }
}
