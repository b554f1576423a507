//! PostgreSQL with standbys: the pool follows the primary.
//!
//! A URL may name several hosts as libpq does (`postgres://u@h1:5433,h2:5434/db`). The node
//! connects to the one that is not in recovery, and a follower of its own asks that host every
//! [`PROBE_EVERY`] whether it still is the primary. When it is gone (killed, or demoted) the
//! follower asks every host until one answers as primary (a standby promoted by the operator or
//! by a failover manager) and points the pool there: new connections go to it, connections to
//! the lost host fail their ping before use and are dropped. Requests meanwhile wait for a
//! connection up to the acquire timeout, then answer `unavailable`; nothing is acknowledged that
//! the synchronous standby has not flushed, so the promoted standby holds every acknowledged write.

use crate::checkpoint::Stop;
use crate::{Result, StoreError};
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, AnyPool, Connection, Row};
use std::str::FromStr;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How often the follower asks the primary whether it still is one.
const PROBE_EVERY: Duration = Duration::from_millis(200);
/// How long one host may take to answer the follower before the next is asked.
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

/// The single-host URLs of a multi-host URL, in its order; `None` for a URL naming one host.
pub(crate) fn hosts(url: &str) -> Result<Option<Vec<String>>> {
    let Some((scheme, rest)) = url.split_once("://") else { return Ok(None) };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let (user, hostlist) = authority.rsplit_once('@').map_or(("", authority), |(u, h)| (u, h));
    if !hostlist.contains(',') {
        return Ok(None);
    }
    // libpq's `target_session_attrs` is what the follower does; sqlx does not know the key.
    let (db, query) = path.split_once('?').map_or((path, ""), |(d, q)| (d, q));
    let query: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("target_session_attrs=")).collect();
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    let at = if user.is_empty() { String::new() } else { format!("{user}@") };
    let urls: Vec<String> = hostlist.split(',').map(|h| format!("{scheme}://{at}{}/{db}{query}", h.trim())).collect();
    if urls.iter().any(|u| u.contains(":///") || u.contains("@/")) {
        return Err(StoreError::BadUrl("an empty host in the list of hosts".into()));
    }
    Ok(Some(urls))
}

/// The host of a single-host URL, for messages (never the user or password).
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// Whether the host answers as a primary (a server that takes writes).
async fn is_primary(conn: &mut AnyConnection) -> Result<bool> {
    let row = sqlx::query("SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS r").fetch_one(&mut *conn).await?;
    Ok(row.try_get::<i32, _>("r")? == 0)
}

/// A connection to `url` if it answers as primary within [`ANSWER_WITHIN`].
async fn primary_at(url: &str) -> Option<AnyConnection> {
    let attempt = async {
        let mut conn = AnyConnection::connect(url).await.ok()?;
        is_primary(&mut conn).await.ok()?.then_some(conn)
    };
    tokio::time::timeout(ANSWER_WITHIN, attempt).await.ok().flatten()
}

/// The first host, from `first` on, that answers as primary, with a connection to it.
async fn find(urls: &[String], first: usize) -> Option<(usize, AnyConnection)> {
    for k in 0..urls.len() {
        let i = (first + k) % urls.len();
        if let Some(conn) = primary_at(&urls[i]).await {
            return Some((i, conn));
        }
    }
    None
}

/// Which host is the primary now, asking them all until one is or `wait` has passed.
pub(crate) async fn primary(urls: &[String], wait: Duration) -> Result<usize> {
    let until = Instant::now() + wait;
    loop {
        if let Some((i, conn)) = find(urls, 0).await {
            let _ = conn.close().await;
            return Ok(i);
        }
        if Instant::now() >= until {
            let names: Vec<&str> = urls.iter().map(|u| host_of(u)).collect();
            return Err(StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                format!("no primary among {}", names.join(", ")),
            ))));
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
}

/// Start the follower of the pool, whose connections now go to `urls[current]`.
pub(crate) fn follow(pool: AnyPool, urls: Vec<String>, current: usize) -> Stop {
    let (tx, rx) = oneshot::channel();
    Stop::new(tx, tokio::spawn(run(pool, urls, current, rx)))
}

async fn run(pool: AnyPool, urls: Vec<String>, mut current: usize, mut stop: oneshot::Receiver<()>) {
    let mut tick = tokio::time::interval(PROBE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut probe: Option<AnyConnection> = None;
    let mut lost_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {}
        }
        if let Some(conn) = probe.as_mut() {
            let answer = tokio::time::timeout(ANSWER_WITHIN, is_primary(conn)).await;
            if matches!(answer, Ok(Ok(true))) {
                continue;
            }
            probe = None;
        }
        // The primary is gone or demoted: the same host first (it may only have restarted).
        let Some((i, conn)) = find(&urls, current).await else {
            if lost_since.is_none() {
                tracing::warn!(host = host_of(&urls[current]), "the database primary does not answer; looking for a promoted standby");
                lost_since = Some(Instant::now());
            }
            continue;
        };
        probe = Some(conn);
        if i != current {
            match AnyConnectOptions::from_str(&urls[i]) {
                Ok(options) => {
                    pool.set_connect_options(options);
                    tracing::warn!(from = host_of(&urls[current]), to = host_of(&urls[i]), "the database primary moved; new connections go to it");
                    current = i;
                }
                Err(e) => tracing::error!(error = %e, "cannot use the new primary's URL"),
            }
        }
        if let Some(t) = lost_since.take() {
            tracing::warn!(host = host_of(&urls[current]), after_ms = t.elapsed().as_millis() as u64, "the database primary answers again");
        }
    }
    if let Some(conn) = probe {
        let _ = conn.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_hosts_becomes_one_url_per_host() {
        let urls = hosts("postgres://app:pw@10.0.0.1:5433,10.0.0.2:5434/luoshi?sslmode=disable&target_session_attrs=read-write").unwrap().unwrap();
        assert_eq!(urls, ["postgres://app:pw@10.0.0.1:5433/luoshi?sslmode=disable", "postgres://app:pw@10.0.0.2:5434/luoshi?sslmode=disable"]);
        assert_eq!(host_of(&urls[1]), "10.0.0.2:5434");
        assert!(hosts("postgres://app@10.0.0.1:5433/luoshi").unwrap().is_none());
        assert_eq!(hosts("postgresql://h1,h2/db").unwrap().unwrap(), ["postgresql://h1/db", "postgresql://h2/db"]);
        assert!(hosts("postgres://u@h1,/db").is_err());
    }
}
