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

/// A row's columns by name: a database row, or one object of a list read as JSON with its
/// record (`parts`), so one decoder serves both.
pub(crate) trait Fields {
    fn i64_at(&self, col: &str) -> Result<Option<i64>>;
    fn f64_at(&self, col: &str) -> Result<Option<f64>>;
    fn str_at(&self, col: &str) -> Result<Option<String>>;
}

impl Fields for AnyRow {
    fn i64_at(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get::<Option<i64>, _>(col)?)
    }
    fn f64_at(&self, col: &str) -> Result<Option<f64>> {
        Ok(self.try_get::<Option<f64>, _>(col)?)
    }
    fn str_at(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get::<Option<String>, _>(col)?)
    }
}

/// One object of a JSON list: a column missing or of another type is an error, as in a row.
impl Fields for serde_json::Map<String, serde_json::Value> {
    fn i64_at(&self, col: &str) -> Result<Option<i64>> {
        json_field(self, col, serde_json::Value::as_i64)
    }
    fn f64_at(&self, col: &str) -> Result<Option<f64>> {
        // A real may come as the exact text SQLite's `quote` wrote (`parts`).
        json_field(self, col, |v| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
    }
    fn str_at(&self, col: &str) -> Result<Option<String>> {
        json_field(self, col, |v| v.as_str().map(str::to_string))
    }
}

fn json_field<T>(o: &serde_json::Map<String, serde_json::Value>, col: &str, f: impl Fn(&serde_json::Value) -> Option<T>) -> Result<Option<T>> {
    match o.get(col) {
        Some(serde_json::Value::Null) => Ok(None),
        Some(v) => f(v).map(Some).ok_or_else(|| sqlx::Error::ColumnDecode { index: col.to_string(), source: "unexpected JSON type".into() }.into()),
        None => Err(sqlx::Error::ColumnNotFound(col.to_string()).into()),
    }
}

/// A column that may not be NULL.
fn required<T>(v: Option<T>, col: &str) -> Result<T> {
    v.ok_or_else(|| sqlx::Error::ColumnDecode { index: col.to_string(), source: "unexpected NULL".into() }.into())
}

pub(crate) fn get_i64(row: &impl Fields, col: &str) -> Result<i64> {
    required(row.i64_at(col)?, col)
}
pub(crate) fn get_opt_i64(row: &impl Fields, col: &str) -> Result<Option<i64>> {
    row.i64_at(col)
}
pub(crate) fn get_str(row: &impl Fields, col: &str) -> Result<String> {
    required(row.str_at(col)?, col)
}
pub(crate) fn get_f64(row: &impl Fields, col: &str) -> Result<f64> {
    required(row.f64_at(col)?, col)
}
pub(crate) fn get_opt_f64(row: &impl Fields, col: &str) -> Result<Option<f64>> {
    row.f64_at(col)
}
pub(crate) fn get_opt_str(row: &impl Fields, col: &str) -> Result<Option<String>> {
    row.str_at(col)
}
