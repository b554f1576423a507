//! Versions of the reference data nodes cache (`data_versions`): each writer of a cached table
//! bumps its version in the same transaction (no triggers: a distributed engine refuses them).

use crate::{get_i64, get_str, Db, Result, WriteTx};

/// Every version, by table name, in one read: equal versions mean an unchanged table.
pub async fn all(db: &Db) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT name, n FROM data_versions ORDER BY name").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "name")?, get_i64(r, "n")?))).collect()
}

/// The cached tables, by the name their version goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cached {
    Units,
    AppealCategories,
    Responsibilities,
    RouteModels,
    Open311Keys,
    Enterprises,
    Rules,
    Calendar,
}

impl Cached {
    fn name(self) -> &'static str {
        match self {
            Cached::Units => "units",
            Cached::AppealCategories => "appeal_categories",
            Cached::Responsibilities => "responsibilities",
            Cached::RouteModels => "route_models",
            Cached::Open311Keys => "open311_keys",
            Cached::Enterprises => "enterprises",
            Cached::Rules => "rules",
            Cached::Calendar => "calendar",
        }
    }
}

/// One table's version (0 before its first change).
pub async fn of(db: &Db, table: Cached) -> Result<i64> {
    let row = sqlx::query("SELECT n FROM data_versions WHERE name = $1").bind(table.name()).fetch_optional(db.pool()).await?;
    row.map_or(Ok(0), |r| get_i64(&r, "n"))
}

/// A cached table changed in this transaction: every node's cache of it is stale once it commits.
pub async fn bump(tx: &mut WriteTx, table: Cached) -> Result<()> {
    tx.lock_shared().await?;
    sqlx::query("UPDATE data_versions SET n = n + 1 WHERE name = $1").bind(table.name()).execute(tx.conn()).await?;
    Ok(())
}
