//! Reading rows: typed columns, and a query's rows one at a time.

use crate::{Db, Result};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Each row of a query in turn, never all of them at once: for a table whose rows would not
/// fit a server's memory as decoded rows (a metropolis's million debt schedule rows).
pub(crate) async fn each_row<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    db: &Db,
    mut f: impl FnMut(&AnyRow) -> Result<()>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    let mut rows = q.fetch(db.pool());
    while let Some(r) = rows.try_next().await? {
        f(&r)?;
    }
    Ok(())
}

pub(crate) fn get_i64(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}
pub(crate) fn get_opt_i64(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}
pub(crate) fn get_str(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}
pub(crate) fn get_f64(row: &AnyRow, col: &str) -> Result<f64> {
    Ok(row.try_get::<f64, _>(col)?)
}
pub(crate) fn get_opt_f64(row: &AnyRow, col: &str) -> Result<Option<f64>> {
    Ok(row.try_get::<Option<f64>, _>(col)?)
}
pub(crate) fn get_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}
