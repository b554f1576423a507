//! The rules, the calendar and the unit tree as this node last read them, kept while their
//! versions stand (`data_versions`, moved by every writer of them in its transaction): a page
//! that needs them reads one version number instead of the tables (the calendar is two queries;
//! the rules are every version of every rule, each with its JSON to parse; a city's tree is
//! thousands of units).

use crate::versions::Cached;
use crate::{Db, Result};
use std::sync::{Arc, RwLock};

/// A table's contents as read at a version.
pub(crate) struct Kept<T>(RwLock<Option<(i64, Arc<T>)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept(RwLock::new(None))
    }
}

impl<T> Kept<T> {
    /// What is kept while `table`'s version stands, else what `read` reads, kept from now on.
    pub(crate) async fn get(&self, db: &Db, table: Cached, read: impl std::future::Future<Output = Result<T>>) -> Result<Arc<T>> {
        let version = crate::versions::of(db, table).await?;
        if let Some(kept) = self.at(version) {
            return Ok(kept);
        }
        let value = Arc::new(read.await?);
        self.keep(version, value.clone());
        Ok(value)
    }

    /// What was read at `version`, if that is what is kept.
    fn at(&self, version: i64) -> Option<Arc<T>> {
        let kept = self.0.read().ok()?;
        kept.as_ref().filter(|(v, _)| *v == version).map(|(_, t)| t.clone())
    }

    /// Keep what was read after `version` was: it is at least that new, so a change in between
    /// costs one more read, never a stale answer.
    fn keep(&self, version: i64, value: Arc<T>) {
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
    pub(crate) units: Kept<Vec<luoshi_domain::unit::Unit>>,
}
