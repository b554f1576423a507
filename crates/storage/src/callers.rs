//! Callers as this node last resolved them, for reads: a page's request need not ask the
//! database who its session (or API token) belongs to when the same one asked a moment ago. A caller kept
//! stands while no write has committed through this node since (a logout, a disabled account,
//! a changed role or unit through this node shows at once) and for at most [`FRESH_FOR`] (one
//! made through another node shows within it), never past its session's expiry. Changes
//! (anything but GET and HEAD) always ask the database.

use crate::sessions::Principal;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a caller resolved on this node stands for reads, for changes made on other nodes.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// More sessions than this at once and the node forgets them all (a bound on memory, not a
/// limit on sessions).
const MAX_KEPT: usize = 10_000;

/// (this node's write generation when read, when read, the session's expiry in µs, the caller).
type Kept = (u64, Instant, i64, Principal);

#[derive(Default)]
pub(crate) struct Callers(Mutex<HashMap<String, Kept>>);

impl Callers {
    /// The caller kept for `key` if it still stands at generation `g` and time `now` (µs).
    pub(crate) fn get(&self, key: &str, g: u64, now: i64) -> Option<Principal> {
        let kept = self.0.lock().ok()?;
        let (at_g, at, expires, p) = kept.get(key)?;
        (*at_g == g && at.elapsed() < FRESH_FOR && *expires > now).then(|| p.clone())
    }

    /// Keep a caller read after generation `g` was current.
    pub(crate) fn keep(&self, key: String, g: u64, expires: i64, p: Principal) {
        if let Ok(mut kept) = self.0.lock() {
            if kept.len() >= MAX_KEPT {
                kept.clear();
            }
            kept.insert(key, (g, Instant::now(), expires, p));
        }
    }
}
