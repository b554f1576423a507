//! Embedded migrations, one list per dialect, applied in order and recorded with a checksum.

use crate::{Backend, Db, Result, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// (version, name, SQL).
pub type Migration = (i64, &'static str, &'static str);

pub static MIGRATIONS_SQLITE: &[Migration] = &[
    (1, "foundation", include_str!("../migrations/sqlite/0001_foundation.sql")),
    (2, "duties", include_str!("../migrations/sqlite/0002_duties.sql")),
    (3, "catalogue", include_str!("../migrations/sqlite/0003_catalogue.sql")),
    (4, "appeals", include_str!("../migrations/sqlite/0004_appeals.sql")),
    (5, "duty_sight", include_str!("../migrations/sqlite/0005_duty_sight.sql")),
    (6, "data_versions", include_str!("../migrations/sqlite/0006_data_versions.sql")),
    (7, "search_signatures", include_str!("../migrations/sqlite/0007_search_signatures.sql")),
    (8, "rate_counts", include_str!("../migrations/sqlite/0008_rate_counts.sql")),
    (9, "trust", include_str!("../migrations/sqlite/0009_trust.sql")),
    (10, "duty_records", include_str!("../migrations/sqlite/0010_duty_records.sql")),
    (11, "notices_of_every_kind", include_str!("../migrations/sqlite/0011_notices_of_every_kind.sql")),
    (12, "one_core", include_str!("../migrations/sqlite/0012_one_core.sql")),
    (13, "extensions_of_every_kind", include_str!("../migrations/sqlite/0013_extensions_of_every_kind.sql")),
    (14, "no_triggers", include_str!("../migrations/sqlite/0014_no_triggers.sql")),
    (15, "keys_with_the_duty", include_str!("../migrations/sqlite/0015_keys_with_the_duty.sql")),
    (16, "audit_chains", include_str!("../migrations/sqlite/0016_audit_chains.sql")),
    (17, "appeals_by_id", include_str!("../migrations/sqlite/0017_appeals_by_id.sql")),
    (18, "tasks_by_duty", include_str!("../migrations/sqlite/0018_tasks_by_duty.sql")),
    (19, "hazards", include_str!("../migrations/sqlite/0019_hazards.sql")),
    (20, "accidents", include_str!("../migrations/sqlite/0020_accidents.sql")),
    (21, "hazard_counts", include_str!("../migrations/sqlite/0021_hazard_counts.sql")),
    (22, "inspections", include_str!("../migrations/sqlite/0022_inspections.sql")),
    (23, "emergencies", include_str!("../migrations/sqlite/0023_emergencies.sql")),
    (24, "projects", include_str!("../migrations/sqlite/0024_projects.sql")),
    (25, "debt", include_str!("../migrations/sqlite/0025_debt.sql")),
    (26, "livelihood", include_str!("../migrations/sqlite/0026_livelihood.sql")),
    (27, "duty_counts", include_str!("../migrations/sqlite/0027_duty_counts.sql")),
    (28, "assessment", include_str!("../migrations/sqlite/0028_assessment.sql")),
    (29, "duty_amounts", include_str!("../migrations/sqlite/0029_duty_amounts.sql")),
    (30, "notify", include_str!("../migrations/sqlite/0030_notify.sql")),
    (31, "appeal_photos", include_str!("../migrations/sqlite/0031_appeal_photos.sql")),
    (32, "scale", include_str!("../migrations/sqlite/0032_scale.sql")),
];
pub static MIGRATIONS_POSTGRES: &[Migration] = &[
    (1, "foundation", include_str!("../migrations/postgres/0001_foundation.sql")),
    (2, "duties", include_str!("../migrations/postgres/0002_duties.sql")),
    (3, "catalogue", include_str!("../migrations/postgres/0003_catalogue.sql")),
    (4, "appeals", include_str!("../migrations/postgres/0004_appeals.sql")),
    (5, "duty_sight", include_str!("../migrations/postgres/0005_duty_sight.sql")),
    (6, "data_versions", include_str!("../migrations/postgres/0006_data_versions.sql")),
    (7, "search_signatures", include_str!("../migrations/postgres/0007_search_signatures.sql")),
    (8, "rate_counts", include_str!("../migrations/postgres/0008_rate_counts.sql")),
    (9, "trust", include_str!("../migrations/postgres/0009_trust.sql")),
    (10, "duty_records", include_str!("../migrations/postgres/0010_duty_records.sql")),
    (11, "notices_of_every_kind", include_str!("../migrations/postgres/0011_notices_of_every_kind.sql")),
    (12, "one_core", include_str!("../migrations/postgres/0012_one_core.sql")),
    (13, "extensions_of_every_kind", include_str!("../migrations/postgres/0013_extensions_of_every_kind.sql")),
    (14, "no_triggers", include_str!("../migrations/postgres/0014_no_triggers.sql")),
    (15, "keys_with_the_duty", include_str!("../migrations/postgres/0015_keys_with_the_duty.sql")),
    (16, "audit_chains", include_str!("../migrations/postgres/0016_audit_chains.sql")),
    (17, "appeals_by_id", include_str!("../migrations/postgres/0017_appeals_by_id.sql")),
    (18, "tasks_by_duty", include_str!("../migrations/postgres/0018_tasks_by_duty.sql")),
    (19, "hazards", include_str!("../migrations/postgres/0019_hazards.sql")),
    (20, "accidents", include_str!("../migrations/postgres/0020_accidents.sql")),
    (21, "hazard_counts", include_str!("../migrations/postgres/0021_hazard_counts.sql")),
    (22, "inspections", include_str!("../migrations/postgres/0022_inspections.sql")),
    (23, "emergencies", include_str!("../migrations/postgres/0023_emergencies.sql")),
    (24, "projects", include_str!("../migrations/postgres/0024_projects.sql")),
    (25, "debt", include_str!("../migrations/postgres/0025_debt.sql")),
    (26, "livelihood", include_str!("../migrations/postgres/0026_livelihood.sql")),
    (27, "duty_counts", include_str!("../migrations/postgres/0027_duty_counts.sql")),
    (28, "assessment", include_str!("../migrations/postgres/0028_assessment.sql")),
    (29, "duty_amounts", include_str!("../migrations/postgres/0029_duty_amounts.sql")),
    (30, "notify", include_str!("../migrations/postgres/0030_notify.sql")),
    (31, "appeal_photos", include_str!("../migrations/postgres/0031_appeal_photos.sql")),
    (32, "scale", include_str!("../migrations/postgres/0032_scale.sql")),
];

/// A migration this run applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationInfo {
    pub version: i64,
    pub name: String,
}

const BOOKKEEPING: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// An arbitrary constant that names luoshi's migration lock among PostgreSQL advisory locks.
const PG_LOCK_KEY: i64 = 0x6c75_6f73_6869;

fn list(backend: Backend) -> &'static [Migration] {
    match backend {
        Backend::Sqlite => MIGRATIONS_SQLITE,
        Backend::Postgres => MIGRATIONS_POSTGRES,
    }
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

pub(crate) async fn run(db: &Db) -> Result<Vec<MigrationInfo>> {
    let _guard = match &db.write_lock {
        Some(l) => Some(l.clone().lock_owned().await),
        None => None,
    };
    let mut conn = db.pool.acquire().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock($1)").bind(PG_LOCK_KEY).execute(&mut *conn).await?;
    }
    let result = match db.backend {
        // SQLite: one IMMEDIATE transaction holds the database's write lock from reading what is
        // applied to recording what was, so two processes starting at once cannot both apply a
        // migration (DDL is transactional in SQLite).
        Backend::Sqlite => {
            let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
            let r = apply_all(db.backend, &mut tx, false).await;
            match r {
                Ok(done) => {
                    tx.commit().await?;
                    Ok(done)
                }
                Err(e) => Err(e),
            }
        }
        Backend::Postgres => match apply_all(db.backend, &mut conn, true).await {
            // On a distributed engine, each table to its place (under the same lock).
            Ok(done) => crate::distribute::apply(&mut conn).await.map(|placed| {
                if !placed.is_empty() {
                    tracing::info!(?placed, "distributed");
                }
                done
            }),
            Err(e) => Err(e),
        },
    };
    if db.backend == Backend::Postgres {
        // Unlock even when a migration failed; a failure to unlock ends with the connection.
        let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(PG_LOCK_KEY).execute(&mut *conn).await;
    }
    result
}

/// Apply what is missing. With `own_transactions`, each migration runs in a transaction of its own
/// (PostgreSQL, under the advisory lock); without, the caller's transaction holds them all.
async fn apply_all(backend: Backend, conn: &mut sqlx::AnyConnection, own_transactions: bool) -> Result<Vec<MigrationInfo>> {
    sqlx::query(BOOKKEEPING).execute(&mut *conn).await?;
    let applied = applied(conn).await?;
    let known = list(backend);
    let max_known = known.iter().map(|m| m.0).max().unwrap_or(0);
    if let Some((found, _, _)) = applied.iter().find(|(v, _, _)| *v > max_known) {
        return Err(StoreError::NewerSchema { found: *found, known: max_known });
    }
    let mut done = Vec::new();
    for (version, name, sql) in known {
        match applied.iter().find(|(v, _, _)| v == version) {
            Some((_, _, sum)) if *sum == checksum(sql) => continue,
            Some(_) => return Err(StoreError::MigrationChanged { version: *version, name: (*name).to_string() }),
            None => {}
        }
        let record = sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(*version)
            .bind(*name)
            .bind(checksum(sql))
            .bind(crate::now_micros());
        if own_transactions {
            // One statement at a time: a distributed engine takes no more in one command.
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            for st in crate::statements::split(sql) {
                sqlx::raw_sql(&st).execute(&mut *tx).await?;
            }
            record.execute(&mut *tx).await?;
            tx.commit().await?;
        } else {
            sqlx::raw_sql(sql).execute(&mut *conn).await?;
            record.execute(&mut *conn).await?;
        }
        tracing::info!(version, name, "applied migration");
        done.push(MigrationInfo { version: *version, name: (*name).to_string() });
    }
    Ok(done)
}

async fn applied(conn: &mut sqlx::AnyConnection) -> Result<Vec<(i64, String, String)>> {
    let rows = sqlx::query("SELECT version, name, checksum FROM schema_migrations ORDER BY version").fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok((r.try_get::<i64, _>("version")?, r.try_get("name")?, r.try_get("checksum")?))).collect()
}

pub(crate) async fn check(db: &Db) -> Result<()> {
    let mut conn = db.pool.acquire().await?;
    sqlx::query(BOOKKEEPING).execute(&mut *conn).await?;
    let applied = applied(&mut conn).await?;
    let max_known = list(db.backend).iter().map(|m| m.0).max().unwrap_or(0);
    let max_applied = applied.iter().map(|a| a.0).max().unwrap_or(0);
    if max_applied > max_known {
        return Err(StoreError::NewerSchema { found: max_applied, known: max_known });
    }
    Ok(())
}
