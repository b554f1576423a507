//! The limits `luoshi bench baseline` measures beside the real endpoints: a bare primary-key
//! read of a task, and a bare durable single-row insert into a probe table of its own.

use crate::{Backend, ConnectOptions, Db, Result};

/// `SELECT` one task by primary key: the least any read of a task costs.
pub async fn pk_read(db: &Db, id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT id, title, state FROM duties WHERE id = $1").bind(id).fetch_optional(db.pool()).await?.is_some())
}

/// The database's size on disk in bytes: the SQLite file with its log, or PostgreSQL's
/// `pg_database_size`.
pub async fn database_bytes(db: &Db) -> Result<u64> {
    if let Some(path) = db.sqlite_path() {
        let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
        return Ok(size(path) + size(&wal));
    }
    let row = sqlx::query("SELECT pg_database_size(current_database()) AS n").fetch_one(db.pool()).await?;
    Ok(u64::try_from(crate::get_i64(&row, "n")?).unwrap_or(0))
}

/// Where bare durable inserts go: for SQLite a file beside the database, with the same
/// `synchronous` mode; for PostgreSQL a table `luoshi_bench_probe`, dropped on `close`.
#[derive(Clone)]
pub struct Probe {
    db: Db,
    mode: String,
}

impl Probe {
    pub async fn open(main: &Db) -> Result<Probe> {
        match main.backend() {
            Backend::Sqlite => {
                let dir = main.sqlite_path().and_then(|p| p.parent()).map(|p| p.to_path_buf()).unwrap_or_else(std::env::temp_dir);
                let file = dir.join("luoshi-bench-probe.db");
                let _ = std::fs::remove_file(&file);
                let sync = main.sqlite_synchronous().to_string();
                let db = Db::connect(
                    &format!("sqlite://{}", file.display()),
                    &ConnectOptions { max_connections: 4, sqlite_synchronous: sync.clone(), ..ConnectOptions::default() },
                )
                .await?;
                sqlx::query("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").execute(db.pool()).await?;
                Ok(Probe { db, mode: format!("SQLite WAL, synchronous={sync}") })
            }
            Backend::Postgres => {
                sqlx::query("CREATE TABLE IF NOT EXISTS luoshi_bench_probe (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)").execute(main.pool()).await?;
                Ok(Probe { db: main.clone(), mode: "PostgreSQL, synchronous_commit default".into() })
            }
        }
    }

    pub fn describe(&self) -> &str {
        &self.mode
    }

    /// One row in its own committed transaction (a write transaction, as the app's are).
    pub async fn insert(&self, n: u64) -> Result<()> {
        let table = if self.db.backend() == Backend::Sqlite { "probe" } else { "luoshi_bench_probe" };
        let mut tx = self.db.begin_write().await?;
        sqlx::query(&format!("INSERT INTO {table} (v) VALUES ($1)")).bind(format!("probe {n}")).execute(tx.conn()).await?;
        tx.commit_unaudited().await
    }

    pub async fn close(&self) -> Result<()> {
        if self.db.backend() == Backend::Postgres {
            sqlx::query("DROP TABLE IF EXISTS luoshi_bench_probe").execute(self.db.pool()).await?;
        } else {
            self.db.close().await;
        }
        Ok(())
    }
}
