//! 安全生产 (work safety, rules-cn.md §4): a hazard's rectification is a kind of duty
//! ([`HazardFlow`] on the duty core); accidents are graded by 国务院令第493号 第三条 and
//! reported on an hour clock ([`accident`]).

pub mod accident;
mod accident_flow;
pub mod catalogue;
mod flow;

pub use accident_flow::{AccidentAction, AccidentFlow, AccidentSide, AccidentState};
pub use flow::{HazardAction, HazardFacts, HazardFlow, HazardGrade, HazardSide, HazardState};
