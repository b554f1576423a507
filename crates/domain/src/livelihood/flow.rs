//! A proposal's way as a kind of duty (kind `livelihood`): 征集 → 论证 (the responsible
//! department's duty, with its deadline) → 初步候选 or 不予列入/储备 → 票决 (选中 or 未选中).
//! Delivery is a task of the chosen project's lead unit (the duty core's own kind), linked.

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// The state of a proposal.
    ProposalState {
        /// 已征集: collected, waiting for the screening desk.
        Collected = "collected",
        /// 论证中: the responsible department assesses 必要性/现实性/可能性 (its clock runs).
        Assessing = "assessing",
        /// 已论证: the desk decides.
        Assessed = "assessed",
        /// 初步候选: on the list put to the deputies.
        Candidate = "candidate",
        /// 票决选中: a 民生实事项目 of the year, delivered as a task.
        Chosen = "chosen",
        /// 票决未选中.
        NotChosen = "not_chosen",
        /// 不予列入 (with the rule or reason).
        Excluded = "excluded",
        /// 入储备库: kept for a later year.
        Reserved = "reserved",
        /// 已合并: grouped into a similar proposal.
        Merged = "merged",
    }
);

str_enum!(
    /// What moves a proposal.
    ProposalAction {
        /// 交办论证: the desk hands it to a department with a deadline.
        Assign = "assign",
        /// 提交论证: the department's 必要性/现实性/可能性, cost and funding.
        Assess = "assess",
        /// 退回重新论证 (with the reason).
        Return = "return",
        /// 列入初步候选 (the exclusion rules and the year's 可用财力 are checked first).
        Shortlist = "shortlist",
        /// 撤出候选 (before the vote).
        Withdraw = "withdraw",
        /// 不予列入 (with the reason).
        Exclude = "exclude",
        /// 转入储备库.
        Reserve = "reserve",
        /// 合并到相似建议.
        Merge = "merge",
        /// 票决选中 (the certified result).
        Choose = "choose",
        /// 票决未选中 (the certified result).
        Reject = "reject",
    }
);

/// Who moves a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalSide {
    /// The screening desk (the unit rule `livelihood.desk_unit` names) and the principal leaders.
    Desk,
    /// The department the desk handed the assessment to.
    Department,
    /// The certified vote (nobody types it).
    Vote,
}

/// The kind of the record of duties.
pub struct ProposalFlow;

impl Workflow for ProposalFlow {
    const KIND: &'static str = "livelihood";
    type State = ProposalState;
    type Action = ProposalAction;
    type Side = ProposalSide;
    type Facts = ();

    fn states() -> &'static [ProposalState] {
        ProposalState::ALL
    }
    fn name(s: ProposalState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [ProposalAction] {
        ProposalAction::ALL
    }
    fn phase(s: ProposalState) -> Phase {
        use ProposalState as S;
        match s {
            S::Collected | S::Reserved => Phase::Drafted,
            S::Assessing => Phase::Running,
            S::Assessed => Phase::UnderReview,
            // Back with the desk and the congress until the vote.
            S::Candidate => Phase::Waiting,
            S::Chosen => Phase::Done,
            S::NotChosen | S::Excluded | S::Merged => Phase::Cancelled,
        }
    }
    fn side(a: ProposalAction) -> ProposalSide {
        use ProposalAction as A;
        match a {
            A::Assess => ProposalSide::Department,
            A::Choose | A::Reject => ProposalSide::Vote,
            A::Assign | A::Return | A::Shortlist | A::Withdraw | A::Exclude | A::Reserve | A::Merge => ProposalSide::Desk,
        }
    }
    fn apply(a: ProposalAction, from: ProposalState, _: &()) -> Result<ProposalState, DomainError> {
        use ProposalAction as A;
        use ProposalState as S;
        Ok(match (a, from) {
            (A::Assign, S::Collected | S::Reserved) => S::Assessing,
            (A::Assess, S::Assessing) => S::Assessed,
            (A::Return, S::Assessed) => S::Assessing,
            (A::Shortlist, S::Assessed) => S::Candidate,
            (A::Withdraw, S::Candidate) => S::Assessed,
            (A::Exclude, S::Collected | S::Assessing | S::Assessed | S::Candidate | S::Reserved) => S::Excluded,
            (A::Reserve, S::Collected | S::Assessed | S::NotChosen | S::Excluded) => S::Reserved,
            (A::Merge, S::Collected | S::Reserved) => S::Merged,
            (A::Choose, S::Candidate) => S::Chosen,
            (A::Reject, S::Candidate) => S::NotChosen,
            (A::Assign | A::Assess | A::Return | A::Shortlist | A::Withdraw | A::Exclude | A::Reserve | A::Merge | A::Choose | A::Reject, _) => {
                return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str().to_string()))
            }
        })
    }
    // Only the department's assessment runs against a deadline.
    fn clock_runs(s: ProposalState) -> bool {
        s == ProposalState::Assessing
    }
}

/// Does an action need a text (the reason)?
pub fn needs_reason(a: ProposalAction) -> bool {
    matches!(a, ProposalAction::Return | ProposalAction::Exclude | ProposalAction::Withdraw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, table};

    #[test]
    fn every_state_and_action() {
        let t = table::<ProposalFlow>();
        for s in ProposalState::ALL.iter().filter(|s| **s != ProposalState::Collected) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        for end in [ProposalState::Chosen, ProposalState::Merged] {
            assert!(t.iter().filter(|(from, _, _)| *from == end).all(|(_, _, to)| to.is_none()), "{end:?} is final");
        }
        assert_eq!(may::<ProposalFlow>(ProposalState::Assessing, &[ProposalSide::Department]), vec![ProposalAction::Assess]);
        assert_eq!(
            may::<ProposalFlow>(ProposalState::Assessed, &[ProposalSide::Desk]),
            vec![ProposalAction::Return, ProposalAction::Shortlist, ProposalAction::Exclude, ProposalAction::Reserve]
        );
        assert!(may::<ProposalFlow>(ProposalState::Candidate, &[ProposalSide::Department]).is_empty());
        assert_eq!(may::<ProposalFlow>(ProposalState::Candidate, &[ProposalSide::Vote]), vec![ProposalAction::Choose, ProposalAction::Reject]);
        assert!(ProposalFlow::clock_runs(ProposalState::Assessing) && !ProposalFlow::clock_runs(ProposalState::Candidate));
        for a in ProposalAction::ALL {
            assert_eq!(ProposalAction::parse(a.as_str()), Some(*a));
        }
    }
}
