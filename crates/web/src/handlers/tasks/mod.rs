//! 决策落实·督查督办: directives, tasks, the unit inbox, the supervisor's board, the task page
//! and its actions, extensions, 容错免责, incentives, the supervision run, 通报 reports and the
//! 任务分解表 ledger.

mod board;
mod directives;
mod ledger;
mod page;
mod supervision;

pub use board::*;
pub use directives::*;
pub use ledger::*;
pub use page::*;
pub use supervision::*;

use luoshi_domain::i18n::{t, Lang};
use luoshi_storage::tasks::Duty;

pub(super) fn label(lang: Lang, prefix: &str, key: &str) -> String {
    t(lang, &format!("{prefix}.{key}")).to_string()
}

/// A row of a task list, with its labels in the caller's language.
pub struct Row {
    pub d: Duty,
    pub state: String,
    pub light: String,
}

pub(super) fn rows(lang: Lang, list: Vec<Duty>) -> Vec<Row> {
    list.into_iter().map(|d| Row { state: label(lang, "state", d.state.as_str()), light: label(lang, "light", d.light.as_str()), d }).collect()
}
