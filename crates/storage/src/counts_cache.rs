//! The county's light counts of a kind, kept a few seconds per node instead of by a trigger
//! (a distributed engine refuses triggers): any write committed on this node clears it at once,
//! a write on another node shows within [`FRESH_FOR`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long counts read on this node stand for writes made on other nodes.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

type Slot = Option<(u64, Instant, String, Vec<(String, i64)>)>;

#[derive(Debug, Default)]
pub(crate) struct CountsCache {
    /// Moves with every write committed through this node.
    generation: AtomicU64,
    slot: Mutex<Slot>,
}

impl CountsCache {
    pub(crate) fn wrote(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The counts of `key` if read since the last write on this node and within `FRESH_FOR`.
    pub(crate) fn get(&self, key: &str) -> Option<Vec<(String, i64)>> {
        let g = self.generation.load(Ordering::SeqCst);
        let slot = self.slot.lock().ok()?;
        match &*slot {
            Some((gen, at, k, v)) if *gen == g && k == key && at.elapsed() < FRESH_FOR => Some(v.clone()),
            _ => None,
        }
    }

    /// Keep counts read when the generation was `generation`.
    pub(crate) fn put(&self, generation: u64, key: &str, v: Vec<(String, i64)>) {
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((generation, Instant::now(), key.to_string(), v));
        }
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}
