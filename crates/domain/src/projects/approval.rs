//! 审批事项 as a kind of duty (kind `approval`, the approving unit's): each item of the four
//! stages of 工程建设项目审批 (国办发〔2019〕11号) that a project's template applies. The
//! applicant (the project's lead unit) submits; the approving unit decides within its legal
//! limit in working days. Expert review (专家评议), commissioned assessment (委托评估) and 补正
//! pause the clock; an extension (核准: +10 working days) is granted once; a return (退回) ends
//! the visit, and a resubmission starts the next one on a fresh clock (the light reads the
//! current visit; dwell sums them all).

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// Where an approval item stands.
    ApprovalState {
        /// 待申报: applies to the project, not yet submitted.
        Waiting = "waiting",
        /// 审查中: accepted, the clock running.
        Reviewing = "reviewing",
        /// 暂停计时: expert review, assessment or 补正; the clock stands.
        Paused = "paused",
        /// 已退回: back with the applicant; the visit ended.
        Returned = "returned",
        /// 已批复 (办结).
        Approved = "approved",
        /// 不予许可.
        Refused = "refused",
    }
);

str_enum!(
    /// What can be done to an approval item.
    ApprovalAction {
        /// 申报 (again after a return): a visit begins, on a fresh clock.
        Submit = "submit",
        /// 暂停计时, with its kind.
        Pause = "pause",
        /// 恢复计时.
        Resume = "resume",
        /// 延长: the extension the item's rules allow, once, with the reason told the applicant.
        Extend = "extend",
        /// 退回 (with the reason).
        Return = "return",
        /// 批复.
        Approve = "approve",
        /// 不予许可 (with the reason).
        Refuse = "refuse",
    }
);

str_enum!(
    /// Why a clock stands (none of it counts against the limit).
    PauseKind {
        /// 专家评议.
        ExpertReview = "expert_review",
        /// 委托评估.
        Assessment = "assessment",
        /// 补正: the applicant supplies what is missing.
        Correction = "correction",
        /// 听证、公示 and the like.
        Hearing = "hearing",
    }
);

/// Who acts on an approval item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalSide {
    /// The project's lead unit (for the investor): submits and resubmits.
    Applicant,
    /// The approving unit: decides, pauses, extends, returns.
    Approver,
}

/// An item's facts beyond its state: whether its extension is still open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApprovalFacts {
    /// Working days the item's rules allow to extend by (0: none).
    pub extension_days: i64,
    /// Already extended in this visit.
    pub extended: bool,
}

/// The approval item workflow for the duty core.
pub struct ApprovalFlow;

impl Workflow for ApprovalFlow {
    const KIND: &'static str = "approval";
    type State = ApprovalState;
    type Action = ApprovalAction;
    type Side = ApprovalSide;
    type Facts = ApprovalFacts;

    fn states() -> &'static [ApprovalState] {
        ApprovalState::ALL
    }
    fn name(s: ApprovalState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [ApprovalAction] {
        ApprovalAction::ALL
    }
    fn phase(s: ApprovalState) -> Phase {
        use ApprovalState as S;
        match s {
            // With the applicant: no unit's clock runs.
            S::Waiting | S::Returned => Phase::Drafted,
            S::Reviewing | S::Paused => Phase::Running,
            S::Approved => Phase::Done,
            S::Refused => Phase::Cancelled,
        }
    }
    fn side(a: ApprovalAction) -> ApprovalSide {
        match a {
            ApprovalAction::Submit => ApprovalSide::Applicant,
            _ => ApprovalSide::Approver,
        }
    }
    fn apply(a: ApprovalAction, from: ApprovalState, f: &ApprovalFacts) -> Result<ApprovalState, DomainError> {
        use ApprovalAction as A;
        use ApprovalState as S;
        match (a, from) {
            (A::Submit, S::Waiting | S::Returned) => Ok(S::Reviewing),
            (A::Pause, S::Reviewing) => Ok(S::Paused),
            (A::Resume, S::Paused) => Ok(S::Reviewing),
            (A::Extend, S::Reviewing | S::Paused) if f.extension_days > 0 && !f.extended => Ok(from),
            (A::Return, S::Reviewing | S::Paused) => Ok(S::Returned),
            (A::Approve | A::Refuse, S::Reviewing) => Ok(if a == A::Approve { S::Approved } else { S::Refused }),
            (
                A::Submit | A::Pause | A::Resume | A::Extend | A::Return | A::Approve | A::Refuse,
                S::Waiting | S::Reviewing | S::Paused | S::Returned | S::Approved | S::Refused,
            ) => Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str())),
        }
    }
    fn clock_runs(s: ApprovalState) -> bool {
        s == ApprovalState::Reviewing
    }
}

/// Does the action end the current visit?
pub fn ends_visit(a: ApprovalAction) -> bool {
    matches!(a, ApprovalAction::Return | ApprovalAction::Approve | ApprovalAction::Refuse)
}

/// Does the action need a written reason?
pub fn needs_reason(a: ApprovalAction) -> bool {
    matches!(a, ApprovalAction::Return | ApprovalAction::Refuse | ApprovalAction::Extend | ApprovalAction::Pause)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, may_given, table};

    #[test]
    fn every_state_against_every_action() {
        let t = table::<ApprovalFlow>();
        for s in ApprovalState::ALL.iter().filter(|s| **s != ApprovalState::Waiting) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        for end in [ApprovalState::Approved, ApprovalState::Refused] {
            assert!(t.iter().filter(|(from, _, _)| *from == end).all(|(_, _, to)| to.is_none()), "{end:?} is final");
        }
        assert_eq!(may::<ApprovalFlow>(ApprovalState::Returned, &[ApprovalSide::Applicant]), vec![ApprovalAction::Submit]);
        // The extension is offered only where the rules allow one and it was not used.
        let open = ApprovalFacts { extension_days: 10, extended: false };
        assert_eq!(
            may_given::<ApprovalFlow>(ApprovalState::Reviewing, &[ApprovalSide::Approver], &open),
            vec![ApprovalAction::Pause, ApprovalAction::Extend, ApprovalAction::Return, ApprovalAction::Approve, ApprovalAction::Refuse]
        );
        let used = ApprovalFacts { extension_days: 10, extended: true };
        assert!(!may_given::<ApprovalFlow>(ApprovalState::Paused, &[ApprovalSide::Approver], &used).contains(&ApprovalAction::Extend));
        assert!(!may::<ApprovalFlow>(ApprovalState::Reviewing, &[ApprovalSide::Approver]).contains(&ApprovalAction::Extend));
        assert!(ApprovalFlow::clock_runs(ApprovalState::Reviewing) && !ApprovalFlow::clock_runs(ApprovalState::Paused));
        assert!(ends_visit(ApprovalAction::Return) && !ends_visit(ApprovalAction::Pause));
    }
}
