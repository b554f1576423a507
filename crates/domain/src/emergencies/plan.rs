//! 预案 management (国办发〔2024〕5号; the 2013 text's 第二十二条 to 第二十五条) as a kind of
//! duty held by the plan's owner unit: 编制 -> 评审 -> 发布 -> 演练 -> 评估 -> 修订. A published
//! plan's clock is its next drill (at least every three years for 专项/部门 plans, as rule
//! data), so a plan not drilled in time turns red and climbs the ladder like any duty.

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// Where a plan stands.
    PlanState {
        /// 编制中 (and 修订中, with a new version).
        Drafting = "drafting",
        /// 评审中.
        Reviewing = "reviewing",
        /// 已发布: in force, the drill clock running.
        Published = "published",
        /// 已演练: in force, the drill's evaluation due.
        Drilled = "drilled",
        /// 已废止.
        Withdrawn = "withdrawn",
    }
);

str_enum!(
    /// What can be done to a plan.
    PlanAction {
        /// 送审.
        Submit = "submit",
        /// 评审通过并发布.
        Publish = "publish",
        /// 评审退回.
        Reject = "reject",
        /// 演练 (recorded with its date).
        Drill = "drill",
        /// 评估 (the drill evaluated: the next drill's clock starts).
        Evaluate = "evaluate",
        /// 修订 (with its trigger): a new version, drafted again.
        Revise = "revise",
        /// 废止.
        Withdraw = "withdraw",
    }
);

str_enum!(
    /// 修订 triggers (2013 text 第二十五条; as data in the form's choices).
    RevisionTrigger {
        /// 有关法律、法规、规章、标准、上位预案中的有关规定发生变化.
        Law = "law",
        /// 应急指挥机构及其职责发生调整.
        Command = "command",
        /// 面临的风险发生重大变化.
        Risk = "risk",
        /// 重要应急资源发生重大变化.
        Resources = "resources",
        /// 预案中的其他重要信息发生变化.
        Other = "other",
        /// 在突发事件实际应对和应急演练中发现问题需要作出重大调整.
        Lessons = "lessons",
    }
);

/// Who acts on a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanSide {
    /// The unit that owns the plan (编制单位).
    Owner,
    /// Who reviews and publishes (应急管理局, the government's office).
    Reviewer,
}

/// The plan workflow for the duty core.
pub struct PlanFlow;

impl Workflow for PlanFlow {
    const KIND: &'static str = "plan";
    type State = PlanState;
    type Action = PlanAction;
    type Side = PlanSide;
    type Facts = ();

    fn states() -> &'static [PlanState] {
        PlanState::ALL
    }
    fn name(s: PlanState) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [PlanAction] {
        PlanAction::ALL
    }
    fn phase(s: PlanState) -> Phase {
        match s {
            PlanState::Drafting => Phase::Drafted,
            PlanState::Reviewing => Phase::UnderReview,
            PlanState::Published | PlanState::Drilled => Phase::Running,
            PlanState::Withdrawn => Phase::Cancelled,
        }
    }
    fn side(a: PlanAction) -> PlanSide {
        match a {
            PlanAction::Submit | PlanAction::Drill | PlanAction::Evaluate | PlanAction::Revise => PlanSide::Owner,
            PlanAction::Publish | PlanAction::Reject | PlanAction::Withdraw => PlanSide::Reviewer,
        }
    }
    fn apply(a: PlanAction, from: PlanState, _: &()) -> Result<PlanState, DomainError> {
        use PlanAction as A;
        use PlanState as S;
        match (a, from) {
            (A::Submit, S::Drafting) => Ok(S::Reviewing),
            (A::Publish, S::Reviewing) => Ok(S::Published),
            (A::Reject, S::Reviewing) => Ok(S::Drafting),
            (A::Drill, S::Published) => Ok(S::Drilled),
            (A::Evaluate, S::Drilled) => Ok(S::Published),
            (A::Revise, S::Published | S::Drilled) => Ok(S::Drafting),
            (A::Withdraw, S::Drafting | S::Reviewing | S::Published | S::Drilled) => Ok(S::Withdrawn),
            (
                A::Submit | A::Publish | A::Reject | A::Drill | A::Evaluate | A::Revise | A::Withdraw,
                S::Drafting | S::Reviewing | S::Published | S::Drilled | S::Withdrawn,
            ) => Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str())),
        }
    }
    // Being drafted or reviewed, an old version stays in force only on paper: no drill clock.
    fn clock_runs(s: PlanState) -> bool {
        matches!(s, PlanState::Published | PlanState::Drilled)
    }
}

/// The day the next drill is due: `interval_months` after the last drill, or after
/// publication when never drilled.
pub fn drill_due(last_drill: Option<chrono::NaiveDate>, published: chrono::NaiveDate, interval_months: u32) -> chrono::NaiveDate {
    let from = last_drill.unwrap_or(published);
    from.checked_add_months(chrono::Months::new(interval_months)).unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, table};
    use chrono::NaiveDate;

    #[test]
    fn every_state_against_every_action() {
        let t = table::<PlanFlow>();
        for s in PlanState::ALL.iter().filter(|s| **s != PlanState::Drafting) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        assert!(t.iter().filter(|(from, _, _)| *from == PlanState::Withdrawn).all(|(_, _, to)| to.is_none()));
        assert_eq!(may::<PlanFlow>(PlanState::Published, &[PlanSide::Owner]), vec![PlanAction::Drill, PlanAction::Revise]);
        assert_eq!(may::<PlanFlow>(PlanState::Reviewing, &[PlanSide::Reviewer]), vec![PlanAction::Publish, PlanAction::Reject, PlanAction::Withdraw]);
    }

    #[test]
    fn a_drill_every_three_years() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(drill_due(None, d("2023-05-10"), 36), d("2026-05-10"));
        assert_eq!(drill_due(Some(d("2025-01-31")), d("2023-05-10"), 36), d("2028-01-31"));
    }
}
