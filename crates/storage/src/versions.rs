//! Versions of the reference data nodes cache (`data_versions`, bumped by triggers).

use crate::{get_i64, get_str, Db, Result};

/// Every version, by table name, in one read: equal versions mean an unchanged table.
pub async fn all(db: &Db) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT name, n FROM data_versions ORDER BY name").fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "name")?, get_i64(r, "n")?))).collect()
}
