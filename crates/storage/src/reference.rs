//! The rules and the calendar as this node last read them, kept while their versions stand
//! (`data_versions`, moved by every writer of them in its transaction): a page that needs them
//! reads one version number instead of the tables (the calendar is two queries; the rules are
//! every version of every rule, each with its JSON to parse).

use std::sync::{Arc, RwLock};

/// A table's contents as read at a version.
pub(crate) struct Kept<T>(RwLock<Option<(i64, Arc<T>)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(RwLock::new(None))
    }
}

impl<T> Kept<T> {
    /// What was read at `version`, if that is what is kept.
    pub(crate) fn at(&self, version: i64) -> Option<Arc<T>> {
        let kept = self.0.read().ok()?;
        kept.as_ref().filter(|(v, _)| *v == version).map(|(_, t)| t.clone())
    }

    /// Keep what was read after `version` was: it is at least that new, so a change in between
    /// costs one more read, never a stale answer.
    pub(crate) fn keep(&self, version: i64, value: Arc<T>) {
        if let Ok(mut kept) = self.0.write() {
            if kept.as_ref().is_none_or(|(v, _)| *v <= version) {
                *kept = Some((version, value));
            }
        }
    }
}

/// Everything this node keeps by version.
#[derive(Default)]
pub(crate) struct Reference {
    pub(crate) rules: Kept<Vec<crate::rules::RuleVersion>>,
    pub(crate) calendar: Kept<luoshi_domain::calendar::Calendar>,
}
