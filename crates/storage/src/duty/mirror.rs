//! The duty counters mirrored on the node: the cockpit reads thousands of them per request, and
//! sending them through the database driver each time costs more than counting them. The
//! mirror is the table as read at most [`crate::counts_cache::FRESH_FOR`] ago (a write on
//! another node shows within that), with every write committed through this node applied at
//! its commit (so this node's own writes show at once).
//!
//! Exactness: a writer holds the gate (shared) from flushing its counters until it has applied
//! them here; a reload holds it alone while it reads the table. A change is so either in the
//! table read (and not applied again) or applied to the table read, never both nor neither.

use super::tallies::{kept, Key};
use crate::{Db, Result};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

type Table = HashMap<Key, i64>;

#[derive(Debug, Default)]
pub(crate) struct Mirror {
    pub(crate) gate: tokio::sync::RwLock<()>,
    data: std::sync::RwLock<Option<(Instant, Table)>>,
}

impl Mirror {
    /// Apply a committed transaction's deltas (while its writer holds the gate).
    pub(crate) fn apply(&self, deltas: &BTreeMap<Key, i64>) {
        let Ok(mut data) = self.data.write() else { return };
        if let Some((_, table)) = data.as_mut() {
            for (k, n) in deltas.iter().filter(|(_, n)| **n != 0) {
                let v = table.entry(k.clone()).or_insert(0);
                *v += n;
                if *v == 0 {
                    table.remove(k);
                }
            }
        }
    }

    /// Forget the mirror (the table was rebuilt behind the writers' backs).
    pub(crate) fn forget(&self) {
        if let Ok(mut data) = self.data.write() {
            *data = None;
        }
    }

    fn read_fresh<T>(&self, f: &mut impl FnMut(&Table) -> T) -> Option<T> {
        let data = self.data.read().ok()?;
        match &*data {
            Some((at, table)) if at.elapsed() < crate::counts_cache::FRESH_FOR => Some(f(table)),
            _ => None,
        }
    }
}

impl Db {
    pub(crate) fn mirror_forget(&self) {
        self.mirror.forget();
    }

    /// `f` over every non-zero counter, from the node's mirror (reloaded when older than
    /// `FRESH_FOR`).
    pub(crate) async fn with_counters<T>(&self, mut f: impl FnMut(&Table) -> T) -> Result<T> {
        if let Some(v) = self.mirror.read_fresh(&mut f) {
            return Ok(v);
        }
        let _alone = self.mirror.gate.write().await;
        // Another request may have reloaded it while this one waited.
        if let Some(v) = self.mirror.read_fresh(&mut f) {
            return Ok(v);
        }
        let table: Table = kept(self).await?.into_iter().collect();
        let v = f(&table);
        if let Ok(mut data) = self.mirror.data.write() {
            *data = Some((Instant::now(), table));
        }
        Ok(v)
    }
}
