//! 任务 (tasks): the duties of a directive, the first kind of duty. Their workflow (立项 → 交办 →
//! 承办 → 申请办结 → 退回重办/办结), task and report validation, planned progress (序时进度), the
//! extension rule and the six conditions of 容错免责. Light, ladder and clock are the core's
//! (`crate::duty`), fed with a task's facts here.

mod flow;
mod input;
mod rules;

pub use flow::*;
pub use input::*;
pub use rules::*;

#[cfg(test)]
mod tests;
