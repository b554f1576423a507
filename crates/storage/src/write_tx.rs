//! The write transaction: its audit chain, its duty counters, and a commit that refuses a
//! write without its audit row.

use crate::*;

/// A write transaction. Dropping it without [`WriteTx::commit`] rolls everything back.
pub struct WriteTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// The audit chain this transaction appends to, once it has appended (the first record it
    /// audits chooses it; one chain per transaction, so two writers never lock heads crosswise).
    pub(crate) chain: Option<i64>,
    /// [`WriteTx::lock_shared`] taken.
    pub(crate) shared_locked: bool,
    pub(crate) backend: Backend,
    pub(crate) counts: Arc<counts_cache::CountsCache>,
    pub(crate) mirror: Arc<duty::mirror::Mirror>,
    pub(crate) hazards_touched: bool,
    /// The duty counters this transaction moves, written in key order at commit.
    pub(crate) tallies: std::collections::BTreeMap<duty::tallies::Key, i64>,
}

impl WriteTx {
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Append one audit row to the chain, in this transaction.
    pub async fn audit(
        &mut self,
        actor: &Actor,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<i64> {
        audit::append(self, actor, action, entity, entity_id, before, after).await
    }

    /// Before writing a table every node copies (the unit tree, users, rules, calendar, taxonomy,
    /// keys, cache versions): one such writer at a time. On a distributed engine two
    /// transactions writing reference tables at once can deadlock across nodes; on one
    /// PostgreSQL this costs a lock only these rare administrative writes take. SQLite has one
    /// writer anyway.
    pub(crate) async fn lock_shared(&mut self) -> Result<()> {
        if self.backend == Backend::Postgres && !self.shared_locked {
            sqlx::query("SELECT pg_advisory_xact_lock(7243101)").execute(&mut *self.tx).await?;
            self.shared_locked = true;
        }
        Ok(())
    }

    pub(crate) fn chain(&self) -> Option<i64> {
        self.chain
    }

    pub(crate) fn set_chain(&mut self, chain: i64) {
        self.chain = Some(chain);
    }

    /// Commit. Every write transaction must have written its audit row.
    pub async fn commit(self) -> Result<()> {
        if self.chain.is_none() {
            return Err(DomainError::new(ErrorCode::Internal).with_detail("write without audit row").into());
        }
        self.finish().await
    }

    /// Counters flushed, committed and applied to the node's mirror under its gate; the node's
    /// caches told.
    async fn finish(mut self) -> Result<()> {
        let deltas = std::mem::take(&mut self.tallies);
        let mirror = self.mirror.clone();
        let _gate = if deltas.is_empty() { None } else { Some(mirror.gate.read().await) };
        duty::tallies::flush(&mut self, &deltas).await?;
        self.tx.commit().await?;
        mirror.apply(&deltas);
        self.counts.wrote();
        if self.hazards_touched {
            self.counts.hazards_wrote();
        }
        Ok(())
    }

    /// Move a duty counter by `delta` at commit.
    pub(crate) fn tally(&mut self, key: duty::tallies::Key, delta: i64) {
        *self.tallies.entry(key).or_insert(0) += delta;
    }

    /// This transaction writes hazards or enterprises: the statistics kept per node are stale
    /// once it commits.
    pub(crate) fn touched_hazards(&mut self) {
        self.hazards_touched = true;
    }

    /// Commit a transaction that only touched bookkeeping (login failures, expired sessions):
    /// records that are not business data and carry no audit row.
    pub async fn commit_unaudited(self) -> Result<()> {
        self.finish().await
    }
}
