//! Figures kept per node instead of by a trigger (a distributed engine refuses triggers): the
//! work-safety statistics and the cockpit while no write that moves them went through this node
//! and for at most [`FRESH_FOR`] (another node's writes show within that); the projects'
//! bottleneck report for [`PROJECTS_FRESH_FOR`], recounted in the background after.

use crate::Result;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long counts read on this node stand for writes made on other nodes.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

/// How long the projects' bottleneck report read on this node stands (dwell is counted in
/// working days: a minute is nothing).
pub const PROJECTS_FRESH_FOR: Duration = Duration::from_secs(60);

/// How long a figure kept by version stands at most (it is exact while its version stands; this
/// only bounds the memory of a figure nobody asks for).
const VERSIONED_FRESH_FOR: Duration = Duration::from_secs(3600);

/// A figure computed from the hazards' kept counts, with the hazards' generation it was read at.
type Memo = (u64, Instant, std::sync::Arc<dyn std::any::Any + Send + Sync>);

#[derive(Debug, Default)]
pub(crate) struct CountsCache {
    /// Moves with every write committed through this node.
    generation: AtomicU64,
    /// Moves with every write of hazards or enterprises committed through this node.
    hazards: AtomicU64,
    /// Work-safety statistics by their question (sight and period), a few seconds each.
    memos: Mutex<std::collections::HashMap<String, Memo>>,
    /// The projects' questions being counted again in the background.
    recounting: Mutex<std::collections::HashSet<String>>,
    /// A question being computed: one request computes it, the others asking the same wait
    /// for its figure instead of each computing it too (a page recomputed after a write).
    flights: Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl CountsCache {
    pub(crate) fn wrote(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub(crate) fn hazards_wrote(&self) {
        self.hazards.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn hazards_generation(&self) -> u64 {
        self.hazards.load(Ordering::SeqCst)
    }

    /// A figure asked the same way since the last write of its records on this node
    /// (generation `g`), within `fresh`.
    pub(crate) fn memo<T: Clone + Send + Sync + 'static>(&self, key: &str, g: u64, fresh: Duration) -> Option<T> {
        let memos = self.memos.lock().ok()?;
        match memos.get(key) {
            Some((gen, at, v)) if *gen == g && at.elapsed() < fresh => v.downcast_ref::<T>().cloned(),
            _ => None,
        }
    }

    /// Whether this call is the one to count `key` again (none is under way).
    fn start_recount(&self, key: &str) -> bool {
        self.recounting.lock().map(|mut r| r.insert(key.to_string())).unwrap_or(false)
    }

    fn end_recount(&self, key: &str) {
        if let Ok(mut r) = self.recounting.lock() {
            r.remove(key);
        }
    }

    /// The lock of one question's computation.
    fn flight(&self, key: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let Ok(mut f) = self.flights.lock() else { return Default::default() };
        // Questions nobody is computing are forgotten past a few hundred.
        if f.len() > 256 {
            f.retain(|_, m| std::sync::Arc::strong_count(m) > 1);
        }
        f.entry(key.to_string()).or_default().clone()
    }

    pub(crate) fn put_memo<T: Clone + Send + Sync + 'static>(&self, generation: u64, key: &str, v: T) {
        if let Ok(mut memos) = self.memos.lock() {
            // A few hundred questions at most (a sight and a period each): forget them all past that.
            if memos.len() > 256 {
                memos.clear();
            }
            memos.insert(key.to_string(), (generation, Instant::now(), std::sync::Arc::new(v)));
        }
    }
}

/// The node's caches as the database's readers use them.
impl crate::Db {
    /// A work-safety statistic from this node's memo while no hazard or enterprise was written
    /// through it and for at most `FRESH_FOR` (a write on another node shows
    /// within that), else computed by `read`.
    pub async fn memo<T, F, Fut>(&self, key: &str, read: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        self.memo_by(key, || self.counts.hazards_generation(), read).await
    }

    /// A figure read from what any write may move (the cockpit from the duty counters, the
    /// unit tree): from this node's memo while no write went through it and for at most
    /// [`FRESH_FOR`] (a write on another node shows within that), else read by `read`.
    pub async fn memo_written<T, F, Fut>(&self, key: &str, read: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        self.memo_by(&format!("written:{key}"), || self.counts.generation(), read).await
    }

    /// A figure kept while `generation` stands and for at most [`FRESH_FOR`]; when it is
    /// computed again, one request computes it and the others asking the same wait for it.
    async fn memo_by<T, F, Fut>(&self, key: &str, generation: impl Fn() -> u64, read: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        if let Some(v) = self.counts.memo::<T>(key, generation(), FRESH_FOR) {
            return Ok(v);
        }
        let flight = self.counts.flight(key);
        let _one = flight.lock().await;
        // Read before computing: a write meanwhile leaves the figure stale, never wrongly fresh.
        let g = generation();
        if let Some(v) = self.counts.memo::<T>(key, g, FRESH_FOR) {
            return Ok(v);
        }
        let v = read().await?;
        self.counts.put_memo(g, key, v.clone());
        Ok(v)
    }

    /// A projects figure (the bottleneck report) from this node's memo, at most
    /// [`PROJECTS_FRESH_FOR`] old (dwell is counted in working days: a write anywhere shows
    /// within a minute and the recount it starts; counting every visit of a metropolis takes
    /// seconds), else computed by `read`.
    pub async fn memo_projects<T, F, Fut>(&self, key: &str, read: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T>> + Send + 'static,
    {
        let key = format!("projects:{key}");
        if let Some(v) = self.counts.memo::<T>(&key, 0, PROJECTS_FRESH_FOR) {
            return Ok(v);
        }
        // Past its minute but within ten: answer with it and count again in the background, one
        // recount at a time (a metropolis's takes seconds: no request waits for it).
        if let Some(v) = self.counts.memo::<T>(&key, 0, PROJECTS_FRESH_FOR * 10) {
            if self.counts.start_recount(&key) {
                let counts = self.counts.clone();
                tokio::spawn(async move {
                    match read().await {
                        Ok(v) => counts.put_memo(0, &key, v),
                        Err(e) => tracing::warn!(error = %e, "counting a projects figure again failed; the last one stands"),
                    }
                    counts.end_recount(&key);
                });
            }
            return Ok(v);
        }
        let flight = self.counts.flight(&key);
        let _one = flight.lock().await;
        if let Some(v) = self.counts.memo::<T>(&key, 0, PROJECTS_FRESH_FOR * 10) {
            return Ok(v);
        }
        let v = read().await?;
        self.counts.put_memo(0, &key, v.clone());
        Ok(v)
    }

    /// A value kept on this node for at most `fresh` (a unit a rule names: read on every
    /// request that checks who may see the debt book), else read by `read`.
    pub async fn memo_for<T, F, Fut>(&self, key: &str, fresh: Duration, read: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        if let Some(v) = self.counts.memo::<T>(key, 0, fresh) {
            return Ok(v);
        }
        let v = read().await?;
        self.counts.put_memo(0, key, v.clone());
        Ok(v)
    }

    /// A figure computed from records that carry a version moved by every write of them (the
    /// debt book): kept on this node while the version stands (read on every call, so a write on
    /// any node shows at once), else computed by `read`.
    pub async fn memo_versioned<T, F, Fut>(&self, key: &str, version: i64, read: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let g = u64::try_from(version).unwrap_or(0);
        if let Some(v) = self.counts.memo::<T>(key, g, VERSIONED_FRESH_FOR) {
            return Ok(v);
        }
        let v = read().await?;
        self.counts.put_memo(g, key, v.clone());
        Ok(v)
    }
}
