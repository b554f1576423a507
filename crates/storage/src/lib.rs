//! luoshi-storage: all SQL lives here.
//!
//! One API over embedded SQLite (the default, bundled, WAL) and PostgreSQL, chosen by the URL.
//! SQL is written once in the dialect both share (`$1` placeholders, `BIGINT` ids and UTC
//! microseconds, `TEXT` dates); the two differ only in their migration files. Every change runs
//! in a [`WriteTx`] that appends its audit row to the hash chain before it commits.

pub mod appeals;
pub mod assessment;
pub mod audit;
pub mod audit_rows;
pub mod bulk;
pub mod calendar;
pub mod callers;
pub mod catalogue;
mod checkpoint;
mod counts_cache;
pub mod debt;
mod failover;
pub use counts_cache::PROJECTS_FRESH_FOR;
pub mod distribute;
pub mod duty;
pub mod emergencies;
pub mod hazards;
pub mod livelihood;
mod migrate;
pub mod notify;
pub mod oversight;
mod parts;
pub mod probe;
pub mod projects;
mod reference;
mod rows;
pub(crate) use rows::{each_row, get_f64, get_i64, get_opt_f64, get_opt_i64, get_opt_str, get_str};
pub mod rules;
pub mod sessions;
mod statements;
pub mod tasks;
pub mod testing;
pub mod units;
pub mod users;
pub mod versions;
mod write_tx;
pub use write_tx::WriteTx;

use luoshi_domain::{DomainError, ErrorCode};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use migrate::{MigrationInfo, MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE};

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Errors of the storage layer. `Domain` errors are the user's to fix and safe to show;
/// `Database` errors are logged and shown only as `unavailable`/`internal`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the database was migrated by a newer luoshi (schema version {found}, this build knows up to {known}); upgrade luoshi before starting it against this database")]
    NewerSchema { found: i64, known: i64 },
    #[error("migration {version} ({name}) differs from the one applied to this database; refusing to continue")]
    MigrationChanged { version: i64, name: String },
    #[error("bad database URL: {0}")]
    BadUrl(String),
}

impl StoreError {
    /// The code the user sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Domain(d) => d.code,
            StoreError::Database(e) if is_connection_error(e) => ErrorCode::Unavailable,
            StoreError::Database(e) if is_readonly_or_full(e) => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        }
    }
}

fn is_connection_error(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed)
}

/// Faults of the storage under the database rather than of the request: the file read-only,
/// the disk full or failing, the database busy, the server shutting down. The user is told the
/// database is unavailable (503) and to retry; nothing was written.
fn is_readonly_or_full(e: &sqlx::Error) -> bool {
    let Some(d) = e.as_database_error() else { return false };
    let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
    if let Ok(n) = code.parse::<i64>() {
        // SQLite: the primary result code is the low byte of the extended one.
        // 5 BUSY, 6 LOCKED, 8 READONLY, 10 IOERR, 13 FULL, 14 CANTOPEN.
        return matches!(n & 0xff, 5 | 6 | 8 | 10 | 13 | 14);
    }
    // PostgreSQL SQLSTATE: 08 connection exception, 57 operator intervention (shutdown,
    // restart), 53100 disk full, 25006 read-only transaction.
    code.starts_with("08") || code.starts_with("57") || code == "53100" || code == "25006"
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Map a unique-constraint violation to a `duplicate` error on `field`.
pub(crate) fn unique_as(field: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation => DomainError::field(ErrorCode::Duplicate, field).into(),
        Some(d) if d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation => DomainError::invalid(field).into(),
        _ => StoreError::Database(e),
    }
}

/// Who makes a change, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system() -> Self {
        Actor { id: None, name: "system".into() }
    }
    pub fn cli(what: &str) -> Self {
        Actor { id: None, name: format!("cli:{what}") }
    }
    pub fn user(id: i64, username: &str) -> Self {
        Actor { id: Some(id), name: username.to_string() }
    }
}

/// The connection to the one source of truth.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    /// Where write transactions run: for SQLite one connection of its own, for PostgreSQL the pool.
    writer: AnyPool,
    backend: Backend,
    /// SQLite allows one writer; writers queue here instead of spinning on SQLITE_BUSY.
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// The SQLite file, for `backup` and for messages.
    sqlite_path: Option<PathBuf>,
    /// The SQLite `synchronous` mode in force.
    sqlite_synchronous: &'static str,
    /// Stops the SQLite checkpointer, or the follower of a PostgreSQL primary among several
    /// hosts, when the last clone is dropped or the database closed.
    background: Option<Arc<checkpoint::Stop>>,
    /// The county's light counts, a few seconds per node (cleared by every write through it).
    counts: Arc<counts_cache::CountsCache>,
    /// The duty counters as this node knows them (`duty::mirror`).
    mirror: Arc<duty::mirror::Mirror>,
    /// Each enterprise's township, department and industry while the enterprises' version stands.
    pub(crate) enterprise_dims: hazards::findings::DimsCache,
    /// The rules and the calendar while their versions stand.
    reference: Arc<reference::Reference>,
    /// Callers resolved for reads, a moment each (`callers`).
    callers: Arc<callers::Callers>,
}

/// Options for [`Db::connect`].
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    /// SQLite `synchronous`: `FULL` (default: an acknowledged write survives power loss) or `NORMAL`.
    pub sqlite_synchronous: String,
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions { max_connections: 8, sqlite_synchronous: "FULL".into(), acquire_timeout: Duration::from_secs(10) }
    }
}

const SQLITE_PRAGMAS_FULL: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 65536; PRAGMA journal_size_limit = 67108864;";
const SQLITE_PRAGMAS_NORMAL: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 65536; PRAGMA journal_size_limit = 67108864;";

/// The default database: an SQLite file under `./luoshi-data`.
pub const DEFAULT_URL: &str = "sqlite://./luoshi-data/luoshi.db";

impl Db {
    /// Connect to the database the URL names, creating an SQLite file (and its folder) if missing.
    pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let (backend, url, sqlite_path) = parse_url(url)?;
        // Several PostgreSQL hosts: connect to the primary and follow it (`failover`).
        let hosts = if backend == Backend::Postgres { failover::hosts(&url)? } else { None };
        let (url, primary) = match &hosts {
            Some(urls) => {
                let i = failover::primary(urls, opts.acquire_timeout).await?;
                (urls[i].clone(), i)
            }
            None => (url, 0),
        };
        let pragmas: &'static str = match opts.sqlite_synchronous.to_ascii_uppercase().as_str() {
            "FULL" => SQLITE_PRAGMAS_FULL,
            "NORMAL" => SQLITE_PRAGMAS_NORMAL,
            other => return Err(StoreError::BadUrl(format!("unknown SQLite synchronous mode {other}"))),
        };
        let is_sqlite = backend == Backend::Sqlite;
        // SQLite runs each connection on a thread of its own: a few connections serve readers in
        // WAL mode best on a small machine, and a connection to a local file needs no ping
        // before use (PostgreSQL keeps it, to notice a restarted server).
        // Page caches: the writer's keeps what it changes between writes; each reader's is half
        // that (reads of a large file come from the system's cache; five connections' caches are
        // most of a node's memory).
        const READER_CACHE: &str = "PRAGMA cache_size = -8000";
        const WRITER_CACHE: &str = "PRAGMA cache_size = -16000";
        let options = |max: u32, cache: &'static str| {
            AnyPoolOptions::new().max_connections(max).test_before_acquire(!is_sqlite).acquire_timeout(opts.acquire_timeout).after_connect(
                move |conn, _meta| {
                    Box::pin(async move {
                        if is_sqlite {
                            sqlx::Executor::execute(&mut *conn, pragmas).await?;
                            sqlx::Executor::execute(&mut *conn, cache).await?;
                        } else {
                            // On a distributed engine a transaction that touched many shards in
                            // parallel may not then write a table keyed to a reference table;
                            // one connection per node for such writes keeps every transaction
                            // possible (ours write one or a few shards).
                            let citus = sqlx::query("SELECT 1 AS x FROM pg_extension WHERE extname = 'citus'").fetch_optional(&mut *conn).await?;
                            if citus.is_some() {
                                sqlx::Executor::execute(&mut *conn, "SET citus.multi_shard_modify_mode TO 'sequential'").await?;
                            }
                        }
                        Ok(())
                    })
                },
            )
        };
        let pool = options(if is_sqlite { opts.max_connections.clamp(2, 4) } else { opts.max_connections }, READER_CACHE).connect(&url).await?;
        // SQLite has one writer at a time: it gets a connection of its own, which keeps its
        // page cache across writes (a connection that made the last change need not reload),
        // and never waits for a reader to hand back a pooled connection.
        // A write that failed so badly that even its rollback failed (a disk gone read-only)
        // leaves the connection inside a transaction: it is closed on release, the next write
        // gets a fresh one. (The `SELECT 1` waits until the queued rollback has run.)
        let writer = if is_sqlite {
            options(1, WRITER_CACHE)
                .after_release(|conn, _| {
                    Box::pin(async move {
                        let alive = sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok();
                        Ok(alive && !sqlx::Connection::is_in_transaction(conn))
                    })
                })
                .connect(&url)
                .await?
        } else {
            pool.clone()
        };
        let write_lock = is_sqlite.then(|| Arc::new(tokio::sync::Mutex::new(())));
        let sqlite_synchronous = if pragmas.contains("synchronous = FULL") { "FULL" } else { "NORMAL" };
        let background = match (&write_lock, hosts) {
            (Some(lock), _) => Some(Arc::new(checkpoint::start(&url, lock.clone()).await?)),
            (None, Some(urls)) => Some(Arc::new(failover::follow(pool.clone(), urls, primary))),
            (None, None) => None,
        };
        Ok(Db {
            pool,
            writer,
            backend,
            write_lock,
            sqlite_path,
            sqlite_synchronous,
            background,
            counts: Arc::default(),
            mirror: Arc::default(),
            enterprise_dims: Arc::default(),
            reference: Arc::default(),
            callers: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }

    pub fn sqlite_synchronous(&self) -> &'static str {
        self.sqlite_synchronous
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Apply the embedded migrations that this database lacks. Refuses a database migrated
    /// by a newer luoshi. Safe to run from several nodes at once on PostgreSQL.
    pub async fn migrate(&self) -> Result<Vec<MigrationInfo>> {
        migrate::run(self).await
    }

    /// Refuse to serve a database that is behind or ahead of this build.
    pub async fn check_schema(&self) -> Result<()> {
        migrate::check(self).await
    }

    /// Start a write transaction. On SQLite it queues behind other writers and takes the write
    /// lock at once (`BEGIN IMMEDIATE`), so it never fails half-way on a busy database.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let guard = match &self.write_lock {
            Some(l) => Some(l.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            _guard: guard,
            chain: None,
            shared_locked: false,
            backend: self.backend,
            counts: self.counts.clone(),
            mirror: self.mirror.clone(),
            hazards_touched: false,
            tallies: Default::default(),
        })
    }

    /// Is the database answering?
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// A consistent online copy of the SQLite database into `dest` (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, dest: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BadUrl("backup copies SQLite databases; for PostgreSQL use pg_dump".into()));
        }
        if dest.exists() {
            return Err(DomainError::field(ErrorCode::Duplicate, "file").with_detail(dest.display().to_string()).into());
        }
        let d = dest.to_str().ok_or_else(|| DomainError::invalid("file"))?;
        sqlx::query("VACUUM INTO $1").bind(d.to_string()).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(c) = &self.background {
            c.stop().await;
        }
        self.pool.close().await;
        self.writer.close().await;
    }
}

fn parse_url(url: &str) -> Result<(Backend, String, Option<PathBuf>)> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::BadUrl("SQLite needs a file path, e.g. sqlite://./luoshi-data/luoshi.db".into()));
        }
        let p = PathBuf::from(path);
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::BadUrl(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut q = if query.is_empty() { String::from("mode=rwc") } else { query.to_string() };
        if !q.contains("mode=") {
            q.push_str("&mode=rwc");
        }
        Ok((Backend::Sqlite, format!("sqlite://{path}?{q}"), Some(p)))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string(), None))
    } else {
        Err(StoreError::BadUrl("use sqlite://PATH or postgres://USER@HOST/DB".into()))
    }
}

/// Placeholders of a multi-row `VALUES`: `rows` groups of `cols` parameters, numbered from `$1`
/// on PostgreSQL. SQLite gets anonymous `?`: it looks a numbered parameter up by walking the
/// list of names, once per parameter bound, so a statement of thousands of `$N` costs time
/// quadratic in its size (an activation of 3,500 assignments: 1.6 s with `$N`, 0.1 s with `?`).
/// The statement must hold no other parameter.
pub(crate) fn values(b: Backend, rows: usize, cols: usize) -> String {
    (0..rows).map(|r| format!("({})", (1..=cols).map(|c| param(b, r * cols + c)).collect::<Vec<_>>().join(", "))).collect::<Vec<_>>().join(", ")
}

/// The `n`-th parameter of a statement whose parameters are all bound in order (see [`values`]).
pub(crate) fn param(b: Backend, n: usize) -> String {
    match b {
        Backend::Sqlite => String::from("?"),
        Backend::Postgres => format!("${n}"),
    }
}

/// Current time as UTC microseconds.
pub fn now_micros() -> i64 {
    luoshi_domain::time::to_micros(chrono::Utc::now())
}

/// A versioned update that changed no row: the record moved on meanwhile (`conflict`).
pub(crate) fn moved_on(done: &sqlx::any::AnyQueryResult) -> Result<()> {
    if done.rows_affected() == 0 {
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("version").into());
    }
    Ok(())
}
