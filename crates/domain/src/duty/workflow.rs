//! The shape every kind of duty gives its workflow: its states, its actions, which side takes
//! each, how its states map onto the core's phases, and the whole workflow as one exhaustive
//! match. "What may this caller do now" is derived from that match, never kept as a second list.

use crate::error::{DomainError, ErrorCode};

crate::duty::str_enum!(
    /// The phases every kind's states map onto; boards, inboxes, lights and the ladder reason
    /// about phases, never about one kind's states.
    Phase {
        /// Registered, not yet handed to anyone (立项, 受理).
        Drafted = "drafted",
        /// With the owner unit, the clock running (交办, 承办, 治理…).
        Running = "running",
        /// Back with the office that hands it out (退单, 退回): the owner's clock still runs.
        Waiting = "waiting",
        /// Done by the owner, under review (申请办结, 已答复, 验收).
        UnderReview = "under_review",
        /// Finished (办结, 销号).
        Done = "done",
        /// Ended without being done (不予受理, 终止).
        Cancelled = "cancelled",
    }
);

impl Phase {
    /// Is the duty still someone's to act on?
    pub fn is_open(self) -> bool {
        matches!(self, Phase::Running | Phase::Waiting | Phase::UnderReview)
    }
}

/// One kind of duty's workflow.
pub trait Workflow {
    /// The kind's name in the record of duties (`task`, `appeal`, …).
    const KIND: &'static str;
    type State: Copy + Eq + std::fmt::Debug + 'static;
    type Action: Copy + Eq + std::fmt::Debug + 'static;
    /// Who takes an action (the supervising office, the owner unit, the citizen …).
    type Side: Copy + Eq;
    /// Facts an action may depend on beyond the state (a rating, a rework count); the default
    /// is what "may I do this now" assumes.
    type Facts: Default;

    fn states() -> &'static [Self::State];
    /// A state's name as stored (the record of duties, the trail).
    fn name(state: Self::State) -> &'static str;
    fn actions() -> &'static [Self::Action];
    fn phase(state: Self::State) -> Phase;
    fn side(action: Self::Action) -> Self::Side;
    /// The state after the action, or a `conflict` naming the state: the whole workflow.
    fn apply(action: Self::Action, from: Self::State, facts: &Self::Facts) -> Result<Self::State, DomainError>;

    /// Does the owner's clock run in this state? By default while running or sent back; a kind
    /// stops it where the owner has done its part (an appeal replied, awaiting the rating).
    fn clock_runs(state: Self::State) -> bool {
        matches!(Self::phase(state), Phase::Running | Phase::Waiting | Phase::UnderReview)
    }
}

/// The actions a caller holding `sides` may take now: each action of those sides that the
/// workflow accepts from `state` (an action refused only for a missing input, such as a rating
/// not yet chosen, is available: the form asks for it).
pub fn may<W: Workflow>(state: W::State, sides: &[W::Side]) -> Vec<W::Action> {
    may_given::<W>(state, sides, &W::Facts::default())
}

/// [`may`] knowing some facts of this duty (a hazard whose enterprise stopped production may
/// resume): still the workflow's own answer, never a second list.
pub fn may_given<W: Workflow>(state: W::State, sides: &[W::Side], facts: &W::Facts) -> Vec<W::Action> {
    W::actions()
        .iter()
        .copied()
        .filter(|a| sides.contains(&W::side(*a)))
        .filter(|a| match W::apply(*a, state, facts) {
            Ok(_) => true,
            Err(e) => e.code != ErrorCode::Conflict,
        })
        .collect()
}

/// One cell of a workflow's table: from a state, an action, and the state it leads to (none
/// where the workflow refuses it).
pub type Step<W> = (<W as Workflow>::State, <W as Workflow>::Action, Option<<W as Workflow>::State>);

/// Every (state, action) pair of a workflow with its outcome: the table a test walks to prove
/// the workflow whole (every state reachable, every done state final).
pub fn table<W: Workflow>() -> Vec<Step<W>> {
    let facts = W::Facts::default();
    let mut out = Vec::new();
    for s in W::states() {
        for a in W::actions() {
            out.push((*s, *a, W::apply(*a, *s, &facts).ok()));
        }
    }
    out
}
