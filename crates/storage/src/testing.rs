//! Test databases: a fresh SQLite file per test, or, when `LUOSHI_TEST_DATABASE_URL` names a
//! PostgreSQL database, a fresh database created beside it per test (named after it, so that
//! `.ci/run` can drop them all afterwards), on every node of a Citus cluster when
//! `LUOSHI_TEST_CITUS_WORKERS` names its workers. Used by the tests of every crate; no mocks.

use crate::{ConnectOptions, Db, Result, StoreError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database for one test, removed with its [`Scratch`].
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _scratch: Scratch,
}

/// What a fresh test database leaves behind, removed on drop: a SQLite file's folder, or a
/// database on every node of a Citus cluster (each keeps a background worker per database, and
/// a cluster has few). Plain PostgreSQL databases are left for the CI script to drop (they are
/// named `<scratch>_t<pid>_<n>`).
#[derive(Default)]
pub struct Scratch {
    dir: Option<PathBuf>,
    /// The cluster's databases: (an administrative URL per node, the database's name).
    cluster: Option<(Vec<String>, String)>,
}

impl Scratch {
    /// The SQLite database's folder (none on PostgreSQL).
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
        if let Some((admins, name)) = self.cluster.take() {
            // A runtime of its own on a thread of its own: drop may run inside the test's runtime.
            let dropper = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                rt.block_on(async move {
                    for admin in &admins {
                        if let Ok(mut c) = <sqlx::AnyConnection as sqlx::Connection>::connect(admin).await {
                            let _ = sqlx::Executor::execute(&mut c, format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
                        }
                    }
                });
            });
            let _ = dropper.join();
        }
    }
}

fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{}_{n}_{nanos}", std::process::id())
}

/// The URL of a fresh, empty database (not yet migrated), and what to remove after the test.
pub async fn fresh_url() -> Result<(String, Scratch)> {
    match std::env::var("LUOSHI_TEST_DATABASE_URL") {
        Ok(base) if !base.trim().is_empty() => {
            sqlx::any::install_default_drivers();
            let base = base.trim().to_string();
            let (server, name) = base.rsplit_once('/').ok_or_else(|| StoreError::BadUrl(base.clone()))?;
            let name = name.split('?').next().unwrap_or(name);
            let db_name = format!("{name}_t{}", unique());
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&base).await?;
            sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE \"{db_name}\"").as_str()).await?;
            sqlx::Connection::close(admin).await?;
            let mut scratch = Scratch::default();
            if let Ok(workers) = std::env::var("LUOSHI_TEST_CITUS_WORKERS") {
                let admins = citus_database(server, name, &db_name, &workers).await?;
                scratch.cluster = Some((admins, db_name.clone()));
            }
            Ok((format!("{server}/{db_name}"), scratch))
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("luoshi-test-{}", unique()));
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::BadUrl(e.to_string()))?;
            Ok((format!("sqlite://{}/luoshi.db", dir.display()), Scratch { dir: Some(dir), cluster: None }))
        }
    }
}

/// Make the fresh database a Citus cluster's, as `citus-cluster.sh createdb` does: the same
/// database on every worker (`host:port`, comma-separated; each has the base database too), the
/// extension on every node, the workers registered. `luoshi migrate` then distributes the tables.
/// Returns an administrative URL per node (the coordinator's first), to drop it after.
async fn citus_database(server: &str, base_name: &str, db_name: &str, workers: &str) -> Result<Vec<String>> {
    use sqlx::{Connection, Executor};
    // Registering nodes propagates roles; two tests doing it at once collide ("tuple concurrently updated").
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one = ONE_AT_A_TIME.lock().await;
    let coordinator = server.rsplit_once('@').map_or(server, |(_, hp)| hp).to_string();
    let user = server.trim_start_matches("postgres://").split('@').next().unwrap_or("postgres").to_string();
    let workers: Vec<&str> = workers.split(',').map(str::trim).filter(|w| !w.is_empty()).collect();
    for w in &workers {
        let mut c = sqlx::AnyConnection::connect(&format!("postgres://{user}@{w}/{base_name}")).await?;
        c.execute(format!("CREATE DATABASE \"{db_name}\"").as_str()).await?;
        c.close().await?;
    }
    for node in workers.iter().copied().chain([coordinator.as_str()]) {
        let mut c = sqlx::AnyConnection::connect(&format!("postgres://{user}@{node}/{db_name}")).await?;
        c.execute("CREATE EXTENSION IF NOT EXISTS citus").await?;
        c.close().await?;
    }
    let mut c = sqlx::AnyConnection::connect(&format!("{server}/{db_name}")).await?;
    // Four shards per table, not 32: a test's few rows still spread over both workers, and
    // its migration places tables in a fraction of the time.
    c.execute(format!("ALTER DATABASE \"{db_name}\" SET citus.shard_count = 4").as_str()).await?;
    let split = |hp: &str| hp.rsplit_once(':').map(|(h, p)| (h.to_string(), p.parse::<i32>().unwrap_or(5432))).unwrap_or((hp.to_string(), 5432));
    let (h, p) = split(&coordinator);
    sqlx::query("SELECT citus_set_coordinator_host($1, $2)").bind(h).bind(p).execute(&mut c).await?;
    for w in &workers {
        let (h, p) = split(w);
        sqlx::query("SELECT citus_add_node($1, $2)").bind(h).bind(p).execute(&mut c).await?;
    }
    c.close().await?;
    Ok(std::iter::once(coordinator.as_str()).chain(workers.iter().copied()).map(|n| format!("postgres://{user}@{n}/{base_name}")).collect())
}

impl TestDb {
    /// A fresh, migrated database with the shipped calendar and rules.
    pub async fn new() -> Result<TestDb> {
        let mut t = Self::empty().await?;
        if let Err(e) = t.db.migrate().await {
            // Citus sometimes fails to place a table while other tests' databases are being
            // placed at the same moment (an engine race in its sequence bookkeeping, seen once
            // in about a hundred databases); a fresh database the second time.
            if std::env::var("LUOSHI_TEST_CITUS_WORKERS").is_err() {
                return Err(e);
            }
            tracing::warn!(error = %e, "placing a test database on Citus failed; trying a fresh one");
            t = Self::empty().await?;
            t.db.migrate().await?;
        }
        crate::calendar::ensure_shipped(&t.db).await?;
        crate::rules::ensure_shipped(&t.db).await?;
        Ok(t)
    }

    /// A fresh database with nothing in it.
    pub async fn empty() -> Result<TestDb> {
        let (url, scratch) = fresh_url().await?;
        let db = Db::connect(&url, &ConnectOptions { max_connections: 4, ..ConnectOptions::default() }).await?;
        Ok(TestDb { db, url, _scratch: scratch })
    }
}

/// Change one audit row behind the application's back, as someone with the database owner's
/// rights could: drop (SQLite) or disable (PostgreSQL) the append-only trigger, then update.
/// For tests of `luoshi audit verify` only.
pub async fn tamper_audit_row(db: &Db, chain: i64, seq: i64, actor: &str) -> Result<()> {
    unguard(db, "audit_log").await?;
    sqlx::query("UPDATE audit_log SET actor = $1 WHERE chain = $2 AND seq = $3").bind(actor).bind(chain).bind(seq).execute(db.pool()).await?;
    Ok(())
}

/// Disable a table's append-only guard, as someone with the database owner's rights could
/// (`audit_log`, `audit_anchors`, `duty_trail`). For tests of the audit only.
pub async fn unguard(db: &Db, table: &str) -> Result<()> {
    match db.backend() {
        crate::Backend::Sqlite => {
            sqlx::raw_sql(&format!("DROP TRIGGER IF EXISTS {table}_no_update; DROP TRIGGER IF EXISTS {table}_no_delete")).execute(db.pool()).await?
        }
        // On a distributed engine a trigger on a sharded table is changed only with this set.
        crate::Backend::Postgres => {
            let mut c = db.pool().acquire().await?;
            sqlx::raw_sql("SET citus.enable_unsafe_triggers TO on").execute(&mut *c).await?;
            sqlx::raw_sql(&format!("ALTER TABLE {table} DISABLE TRIGGER {table}_no_change")).execute(&mut *c).await?
        }
    };
    Ok(())
}

/// Remove the newest `n` rows of the chain written last and rewind its head to the row before
/// them, with the anchors that pinned the removed rows (rewinding the anchors' head too), as an
/// attacker with the database owner's rights could. Only an anchor kept outside the database
/// then tells. For tests of the anchor only.
pub async fn cut_audit_tail(db: &Db, n: i64) -> Result<()> {
    use luoshi_domain::audit::{genesis, parse_heads};
    unguard(db, "audit_log").await?;
    unguard(db, "audit_anchors").await?;
    let newest = sqlx::query("SELECT chain FROM audit_log ORDER BY at DESC, seq DESC LIMIT 1").fetch_one(db.pool()).await?;
    let chain = crate::get_i64(&newest, "chain")?;
    let top = crate::get_i64(&sqlx::query("SELECT seq FROM audit_heads WHERE chain = $1").bind(chain).fetch_one(db.pool()).await?, "seq")?;
    let keep = (top - n).max(0);
    sqlx::query("DELETE FROM audit_log WHERE chain = $1 AND seq > $2").bind(chain).bind(keep).execute(db.pool()).await?;
    let hash = match sqlx::query("SELECT hash FROM audit_log WHERE chain = $1 AND seq = $2").bind(chain).bind(keep).fetch_optional(db.pool()).await? {
        Some(r) => crate::get_str(&r, "hash")?,
        None => genesis(chain),
    };
    sqlx::query("UPDATE audit_heads SET seq = $1, hash = $2 WHERE chain = $3").bind(keep).bind(hash).bind(chain).execute(db.pool()).await?;
    // The anchors that pin a removed row (of any chain) go too.
    let now: std::collections::HashMap<i64, i64> = crate::audit::heads(db).await?.into_iter().map(|h| (h.chain, h.seq)).collect();
    let anchors = sqlx::query("SELECT seq, heads, hash FROM audit_anchors ORDER BY seq").fetch_all(db.pool()).await?;
    let mut head = (0i64, genesis(-1));
    for a in &anchors {
        let pins = parse_heads(&crate::get_str(a, "heads")?).unwrap_or_default();
        if pins.iter().any(|h| h.seq > now.get(&h.chain).copied().unwrap_or(0)) {
            break;
        }
        head = (crate::get_i64(a, "seq")?, crate::get_str(a, "hash")?);
    }
    sqlx::query("DELETE FROM audit_anchors WHERE seq > $1").bind(head.0).execute(db.pool()).await?;
    sqlx::query("UPDATE audit_heads SET seq = $1, hash = $2 WHERE chain = -1").bind(head.0).bind(head.1).execute(db.pool()).await?;
    Ok(())
}

/// Run one statement behind the application's back (an edit of a business row that no audit
/// row describes). For tests of `luoshi audit verify` only.
pub async fn edit_behind_the_back(db: &Db, sql: &str) -> Result<u64> {
    Ok(sqlx::query(sql).execute(db.pool()).await?.rows_affected())
}

/// Rows of a table (a name from the schema, never user input). For tests of upgrades.
pub async fn count_rows(db: &Db, table: &str) -> Result<i64> {
    let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(db.pool()).await?;
    crate::get_i64(&row, "n")
}

/// The token hashes of all stored sessions (to prove raw tokens are never stored).
pub async fn session_token_hashes(db: &Db) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT token_hash FROM sessions").fetch_all(db.pool()).await?;
    rows.iter().map(|r| crate::get_str(r, "token_hash")).collect()
}

/// Record a migration this build does not know, as a newer luoshi would have.
pub async fn pretend_newer_schema(db: &Db) -> Result<()> {
    sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', 0)").execute(db.pool()).await?;
    Ok(())
}

/// Run a statement inside a write transaction (a test's own table for a kind it defines).
pub async fn execute_in(tx: &mut crate::WriteTx, sql: &str) -> crate::Result<u64> {
    Ok(sqlx::query(sql).execute(tx.conn()).await?.rows_affected())
}

/// The co-location group of each of these distributed tables (Citus).
pub async fn colocation_ids(db: &Db, tables: &[&str]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for t in tables {
        let row = sqlx::query("SELECT colocation_id::bigint AS c FROM citus_tables WHERE table_name::text = $1").bind(*t).fetch_one(db.pool()).await?;
        out.push(crate::get_i64(&row, "c")?);
    }
    Ok(out)
}
