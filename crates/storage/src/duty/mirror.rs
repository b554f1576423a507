//! The duty counters mirrored on the node: the cockpit reads thousands of them per request, and
//! sending them through the database driver each time costs more than counting them. The
//! mirror is the table as read about [`crate::counts_cache::FRESH_FOR`] ago (a write on another
//! node shows within that and the time of a reload), with every write committed through this
//! node applied at its commit (so this node's own writes show at once).
//!
//! Exactness: a writer holds the gate (shared) from flushing its counters until it has applied
//! them here; a reload holds it alone only while it fixes the snapshot it reads the table in
//! (a read transaction's first read), then reads at leisure while writers go on; deltas
//! committed after the snapshot are applied to the new table once it is in place. A change is
//! so either in the table read or applied to it, never both nor neither.

use super::tallies::{kept_on, Key};
use crate::{Backend, Db, Result};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Hashed by foldhash: a cockpit walks every counter, and SipHash over their six strings was
/// most of its time.
type Table = HashMap<Key, i64, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
pub(crate) struct Mirror {
    pub(crate) gate: tokio::sync::RwLock<()>,
    /// One reload at a time.
    reload: std::sync::Arc<tokio::sync::Mutex<()>>,
    data: std::sync::RwLock<Option<(Instant, Table)>>,
    /// Deltas committed since a reload's snapshot, while it reads (none when no reload runs).
    missed: std::sync::Mutex<Option<Vec<BTreeMap<Key, i64>>>>,
}

impl Mirror {
    fn start_missing(&self) -> bool {
        if let Ok(mut m) = self.missed.lock() {
            *m = Some(Vec::new());
            return true;
        }
        false
    }

    fn stop_missing(&self, started: bool) {
        if let (true, Ok(mut m)) = (started, self.missed.lock()) {
            *m = None;
        }
    }

    /// Put a table read in place with the deltas committed since its snapshot.
    fn install(&self, started: bool, mut table: Table) {
        let Ok(mut data) = self.data.write() else { return };
        // Under the data lock: a writer applies either to the old table (and is in `missed`) or
        // to this one (after `missed` is closed).
        let missed = if started { self.missed.lock().ok().and_then(|mut m| m.take()).unwrap_or_default() } else { Vec::new() };
        for deltas in &missed {
            add(&mut table, deltas);
        }
        *data = Some((Instant::now(), table));
    }

    /// Apply a committed transaction's deltas (while its writer holds the gate).
    pub(crate) fn apply(&self, deltas: &BTreeMap<Key, i64>) {
        if deltas.is_empty() {
            return;
        }
        let Ok(mut data) = self.data.write() else { return };
        if let Ok(mut m) = self.missed.lock() {
            if let Some(log) = m.as_mut() {
                log.push(deltas.clone());
            }
        }
        if let Some((_, table)) = data.as_mut() {
            add(table, deltas);
        }
    }

    /// Forget the mirror (the table was rebuilt behind the writers' backs).
    pub(crate) fn forget(&self) {
        if let Ok(mut data) = self.data.write() {
            *data = None;
        }
    }

    /// `f` over the table if there is one, and whether it is older than `FRESH_FOR`.
    fn read<T>(&self, f: &mut impl FnMut(&Table) -> T) -> Option<(T, bool)> {
        let data = self.data.read().ok()?;
        data.as_ref().map(|(at, table)| (f(table), at.elapsed() >= crate::counts_cache::FRESH_FOR))
    }
}

impl Db {
    pub(crate) fn mirror_forget(&self) {
        self.mirror.forget();
    }

    /// `f` over every non-zero counter, from the node's mirror. A table older than `FRESH_FOR`
    /// is still answered from while a reload runs in the background (one at a time); only the
    /// node's first request waits for the table.
    pub(crate) async fn with_counters<T>(&self, mut f: impl FnMut(&Table) -> T) -> Result<T> {
        if let Some((v, stale)) = self.mirror.read(&mut f) {
            if stale {
                if let Ok(guard) = self.mirror.reload.clone().try_lock_owned() {
                    let db = self.clone();
                    tokio::spawn(async move {
                        let _one = guard;
                        if let Err(e) = db.reload_counters().await {
                            tracing::warn!(error = %e, "the duty counters' mirror was not reloaded");
                        }
                    });
                }
            }
            return Ok(v);
        }
        let _one = self.mirror.reload.lock().await;
        // Another request may have loaded it while this one waited.
        if let Some((v, _)) = self.mirror.read(&mut f) {
            return Ok(v);
        }
        self.reload_counters().await?;
        self.mirror.read(&mut f).map(|(v, _)| v).ok_or_else(|| luoshi_domain::DomainError::new(luoshi_domain::ErrorCode::Unavailable).into())
    }

    /// Read the table again (the caller holds the reload lock).
    async fn reload_counters(&self) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let missed = {
            let _alone = self.mirror.gate.write().await;
            if self.backend() == Backend::Postgres {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
            }
            // The snapshot is fixed by the transaction's first read; from here on writers go on
            // and their deltas wait in `missed` until the table read is in place.
            sqlx::query("SELECT kind FROM duty_counts LIMIT 1").fetch_optional(&mut *tx).await?;
            self.mirror.start_missing()
        };
        let read = kept_on(&mut tx).await;
        tx.rollback().await?;
        match read {
            Ok(t) => {
                self.mirror.install(missed, t.into_iter().collect());
                Ok(())
            }
            Err(e) => {
                self.mirror.stop_missing(missed);
                Err(e)
            }
        }
    }
}

fn add(table: &mut Table, deltas: &BTreeMap<Key, i64>) {
    for (k, n) in deltas.iter().filter(|(_, n)| **n != 0) {
        let v = table.entry(k.clone()).or_insert(0);
        *v += n;
        if *v == 0 {
            table.remove(k);
        }
    }
}
