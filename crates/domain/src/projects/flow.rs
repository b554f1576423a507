//! A project's pipeline as a kind of duty (kind `project`, the lead unit's): 洽谈 → 签约 → 落地
//! (land, approvals) → 开工 → 在建 → 投产/竣工, with 暂停 and 终止 (each with its reason). Every
//! stage change is dated; its clock is the next target date (签约, 开工 or 投产).

use crate::duty::{str_enum, Phase, Workflow};
use crate::error::{DomainError, ErrorCode};

str_enum!(
    /// 项目阶段.
    Stage {
        /// 洽谈: negotiating.
        Negotiating = "negotiating",
        /// 签约: the contract signed.
        Signed = "signed",
        /// 落地: land and approvals under way.
        Landing = "landing",
        /// 开工: construction started.
        Started = "started",
        /// 在建: under construction.
        Building = "building",
        /// 投产/竣工.
        Operating = "operating",
        /// 暂停 (with the reason; resumes where it stood).
        Paused = "paused",
        /// 终止 (with the reason).
        Terminated = "terminated",
    }
);

impl Stage {
    /// How far along the pipeline (暂停 and 终止 have no rank of their own).
    pub fn rank(self) -> Option<u8> {
        match self {
            Stage::Negotiating => Some(0),
            Stage::Signed => Some(1),
            Stage::Landing => Some(2),
            Stage::Started => Some(3),
            Stage::Building => Some(4),
            Stage::Operating => Some(5),
            Stage::Paused | Stage::Terminated => None,
        }
    }
    /// The stages of the pipeline in order.
    pub const PIPELINE: &'static [Stage] = &[Stage::Negotiating, Stage::Signed, Stage::Landing, Stage::Started, Stage::Building, Stage::Operating];
}

str_enum!(
    /// What moves a project.
    StageAction {
        /// 签约.
        Sign = "sign",
        /// 落地: land and approvals begin.
        Land = "land",
        /// 开工.
        Start = "start",
        /// 在建: construction goes on past the start (主体施工).
        Build = "build",
        /// 投产/竣工.
        Complete = "complete",
        /// 暂停 (reason required).
        Pause = "pause",
        /// 恢复: back to the stage it was paused in.
        Resume = "resume",
        /// 终止 (reason required).
        Terminate = "terminate",
    }
);

/// Who moves a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectSide {
    /// The lead unit (服务专班) and the leader who 包联 it: the pipeline's steps.
    Lead,
    /// The projects office (发改局 by rule `projects.office`) and the supervision office: pausing,
    /// resuming and ending a project.
    Office,
}

/// What a project's workflow needs beyond its stage: where a paused project stood.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectFacts {
    pub paused_from: Option<Stage>,
}

/// The pipeline for the duty core.
pub struct ProjectFlow;

impl Workflow for ProjectFlow {
    const KIND: &'static str = "project";
    type State = Stage;
    type Action = StageAction;
    type Side = ProjectSide;
    type Facts = ProjectFacts;

    fn states() -> &'static [Stage] {
        Stage::ALL
    }
    fn name(s: Stage) -> &'static str {
        s.as_str()
    }
    fn actions() -> &'static [StageAction] {
        StageAction::ALL
    }
    fn phase(s: Stage) -> Phase {
        match s {
            Stage::Negotiating | Stage::Signed | Stage::Landing | Stage::Started | Stage::Building | Stage::Paused => Phase::Running,
            Stage::Operating => Phase::Done,
            Stage::Terminated => Phase::Cancelled,
        }
    }
    fn side(a: StageAction) -> ProjectSide {
        match a {
            StageAction::Sign | StageAction::Land | StageAction::Start | StageAction::Build | StageAction::Complete => ProjectSide::Lead,
            StageAction::Pause | StageAction::Resume | StageAction::Terminate => ProjectSide::Office,
        }
    }
    fn apply(a: StageAction, from: Stage, facts: &ProjectFacts) -> Result<Stage, DomainError> {
        use Stage as S;
        use StageAction as A;
        match (a, from) {
            (A::Sign, S::Negotiating) => Ok(S::Signed),
            (A::Land, S::Signed) => Ok(S::Landing),
            // A project on its own land (技改) may start from signing.
            (A::Start, S::Signed | S::Landing) => Ok(S::Started),
            (A::Build, S::Started) => Ok(S::Building),
            (A::Complete, S::Started | S::Building) => Ok(S::Operating),
            (A::Pause, S::Negotiating | S::Signed | S::Landing | S::Started | S::Building) => Ok(S::Paused),
            (A::Resume, S::Paused) => facts.paused_from.ok_or_else(|| DomainError::field(ErrorCode::Required, "paused_from")),
            (A::Terminate, S::Negotiating | S::Signed | S::Landing | S::Started | S::Building | S::Paused) => Ok(S::Terminated),
            (
                A::Sign | A::Land | A::Start | A::Build | A::Complete | A::Pause | A::Resume | A::Terminate,
                S::Negotiating | S::Signed | S::Landing | S::Started | S::Building | S::Operating | S::Paused | S::Terminated,
            ) => Err(DomainError::field(ErrorCode::Conflict, "stage").with_detail(from.as_str())),
        }
    }
    // A paused project's targets wait with it.
    fn clock_runs(s: Stage) -> bool {
        !matches!(s, Stage::Paused | Stage::Operating | Stage::Terminated)
    }
}

/// Does this move need a written reason whatever the dates (暂停, 终止)?
pub fn needs_reason(a: StageAction) -> bool {
    matches!(a, StageAction::Pause | StageAction::Terminate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::{may, may_given, table};

    #[test]
    fn every_stage_against_every_action() {
        let t = table::<ProjectFlow>();
        for s in Stage::ALL.iter().filter(|s| **s != Stage::Negotiating) {
            assert!(t.iter().any(|(_, _, to)| to == &Some(*s)), "{s:?} unreachable");
        }
        for end in [Stage::Operating, Stage::Terminated] {
            assert!(t.iter().filter(|(from, _, _)| *from == end).all(|(_, _, to)| to.is_none()), "{end:?} is final");
        }
        assert_eq!(may::<ProjectFlow>(Stage::Signed, &[ProjectSide::Lead]), vec![StageAction::Land, StageAction::Start]);
        assert_eq!(may::<ProjectFlow>(Stage::Building, &[ProjectSide::Office]), vec![StageAction::Pause, StageAction::Terminate]);
        // Resume is offered to the office, and goes back where the project stood.
        assert_eq!(may::<ProjectFlow>(Stage::Paused, &[ProjectSide::Office]), vec![StageAction::Resume, StageAction::Terminate]);
        let facts = ProjectFacts { paused_from: Some(Stage::Landing) };
        assert_eq!(ProjectFlow::apply(StageAction::Resume, Stage::Paused, &facts).unwrap(), Stage::Landing);
        assert!(may_given::<ProjectFlow>(Stage::Paused, &[ProjectSide::Lead], &facts).is_empty());
        assert!(!ProjectFlow::clock_runs(Stage::Paused));
        assert_eq!(Stage::PIPELINE.iter().filter_map(|s| s.rank()).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4, 5]);
    }
}
