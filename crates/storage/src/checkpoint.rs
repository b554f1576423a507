//! SQLite checkpoints off the request path.
//!
//! In WAL mode every commit appends pages to the log, and the pages must be copied back into
//! the database file (a checkpoint). Left to SQLite, the commit that crosses the threshold does
//! it itself, holding the write lock: at a million appeals that writer stalls for tens of
//! milliseconds every few hundred commits. Here a connection of its own copies what is
//! committed every [`EVERY`] without taking the write lock (a passive checkpoint: readers and
//! the writer carry on), and once the log is long it takes the write lock for a moment to
//! finish the last frames and start the log again from its beginning, so the file stays
//! bounded. SQLite's own threshold stays as a safety net far above ours.

use crate::Result;
use sqlx::{Connection, Row};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Mutex};

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(100);
/// Log frames (pages) past which the log is started again: 8,192 pages of 4 KiB, 32 MiB.
const RESTART_FRAMES: i64 = 8192;

/// Ends a background task (the checkpointer, the primary's follower) when dropped or told to.
pub(crate) struct Stop {
    tx: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    done: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Stop {
    /// A background task told to end by `tx` (its receiver resolves when `tx` is dropped).
    pub(crate) fn new(tx: oneshot::Sender<()>, handle: tokio::task::JoinHandle<()>) -> Stop {
        Stop { tx: std::sync::Mutex::new(Some(tx)), done: Mutex::new(Some(handle)) }
    }

    /// Stop and wait until its connection is closed.
    pub(crate) async fn stop(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(h) = self.done.lock().await.take() {
            let _ = h.await;
        }
    }
}

/// Open the checkpointer's own connection and start it.
pub(crate) async fn start(url: &str, write_lock: Arc<Mutex<()>>) -> Result<Stop> {
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    // Waiting for readers happens under the write lock: a short wait, else the next tick.
    sqlx::query("PRAGMA busy_timeout = 50").execute(&mut conn).await?;
    sqlx::query("PRAGMA journal_size_limit = 67108864").execute(&mut conn).await?;
    let (tx, rx) = oneshot::channel();
    Ok(Stop::new(tx, tokio::spawn(run(conn, write_lock, rx))))
}

async fn run(mut conn: sqlx::AnyConnection, write_lock: Arc<Mutex<()>>, mut stop: oneshot::Receiver<()>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_warning: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {}
        }
        let outcome = async {
            let frames = checkpoint(&mut conn, "PASSIVE").await?;
            if frames > RESTART_FRAMES {
                // Copy what came in meanwhile without the lock too, so that under the lock
                // only the last few pages are copied and synced: the pause is short.
                checkpoint(&mut conn, "PASSIVE").await?;
                let _writers = write_lock.lock().await;
                checkpoint(&mut conn, "RESTART").await?;
            }
            Ok::<_, crate::StoreError>(())
        }
        .await;
        if let Err(e) = outcome {
            // A full or read-only disk: say so now and then, try again at the next tick.
            if last_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                tracing::warn!(error = %e, "SQLite checkpoint failed; retrying");
                last_warning = Some(Instant::now());
            }
        }
    }
    let _ = conn.close().await;
}

/// Run a checkpoint; the frames in the log.
async fn checkpoint(conn: &mut sqlx::AnyConnection, mode: &str) -> Result<i64> {
    let row = sqlx::query(&format!("PRAGMA wal_checkpoint({mode})")).fetch_one(&mut *conn).await?;
    Ok(row.try_get::<i64, _>(1)?)
}
