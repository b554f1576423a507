//! A record's lists read with it in one query. Each list a page shows with its record (a task's
//! reports, its trail, its co-units…) is a [`Part`]: its columns, where its rows come from and
//! their order. It is read on its own as rows, or as one JSON array column of its record's query
//! (SQLite `json_group_array`, PostgreSQL `json_agg`), and one decoder reads both (`Fields`).
//! One query for a record and its lists instead of one per list: through SQLite's driver each
//! query is a round trip to a connection's thread, which costs more than a small list's rows.
//! On a distributed engine a record's lists live on its shard, so the query stays on one shard.

use crate::{Backend, Result};
use sqlx::any::AnyRow;

/// One list of a record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part {
    /// The columns as a `SELECT` lists them; each is named by its alias (`AS`), else by what
    /// follows its last dot, as the database names it.
    pub cols: &'static str,
    /// Tables and condition (`FROM` without the keyword, with its `WHERE`): `$1` is the record's id.
    pub from: &'static str,
    pub order: &'static str,
}

/// A list's object as it is decoded: the columns by name.
pub(crate) type Object = serde_json::Map<String, serde_json::Value>;

impl Part {
    /// The list's rows on their own.
    pub(crate) fn select(&self) -> String {
        format!("SELECT {} FROM {} ORDER BY {}", self.cols, self.from, self.order)
    }

    /// The list as one column named `name` of its record's query: a JSON array of objects,
    /// `[]` when there are none.
    pub(crate) fn json(&self, backend: Backend, name: &str) -> String {
        let value = |e: &str| match backend {
            // SQLite writes a real into JSON with 15 digits; `quote` writes it exactly (as text).
            Backend::Sqlite => format!("CASE typeof({e}) WHEN 'real' THEN quote({e}) ELSE {e} END"),
            // PostgreSQL writes the shortest text that reads back exactly.
            Backend::Postgres => e.to_string(),
        };
        let pairs = split_top(self.cols).into_iter().map(|c| format!("'{}', {}", column_name(c), value(column_expr(c)))).collect::<Vec<_>>().join(", ");
        let (from, order) = (self.from, self.order);
        match backend {
            Backend::Sqlite => format!("(SELECT json_group_array(json_object({pairs}) ORDER BY {order}) FROM {from}) AS {name}"),
            Backend::Postgres => format!("(SELECT COALESCE(json_agg(json_build_object({pairs}) ORDER BY {order})::text, '[]') FROM {from}) AS {name}"),
        }
    }
}

/// Several lists as columns of one record's query, each named as given.
pub(crate) fn columns(backend: Backend, lists: &[(Part, &str)]) -> String {
    lists.iter().map(|(part, name)| part.json(backend, name)).collect::<Vec<_>>().join(", ")
}

/// Decode the list read as column `name` with the decoder its rows use.
pub(crate) fn decode<T>(row: &AnyRow, name: &str, f: impl Fn(&Object) -> Result<T>) -> Result<Vec<T>> {
    let text = crate::get_str(row, name)?;
    let objects: Vec<Object> = serde_json::from_str(&text).map_err(|e| sqlx::Error::ColumnDecode { index: name.to_string(), source: Box::new(e) })?;
    objects.iter().map(f).collect()
}

/// The items of a column list, split at the commas outside parentheses.
fn split_top(cols: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, ch) in cols.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cols[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(cols[start..].trim());
    out
}

/// `expr AS name` → (expr, name).
fn alias(col: &str) -> Option<(&str, &str)> {
    let at = col.rfind(" AS ")?;
    Some((col[..at].trim(), col[at + 4..].trim()))
}

fn column_name(col: &str) -> &str {
    match alias(col) {
        Some((_, name)) => name,
        None => col.rsplit('.').next().unwrap_or(col),
    }
}

fn column_expr(col: &str) -> &str {
    alias(col).map_or(col, |(expr, _)| expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_the_database_names_them() {
        let cols = split_top("r.unit_id, u.name, COALESCE(a, b) AS c, id");
        assert_eq!(cols, ["r.unit_id", "u.name", "COALESCE(a, b) AS c", "id"]);
        let named: Vec<(&str, &str)> = cols.iter().map(|c| (column_expr(c), column_name(c))).collect();
        assert_eq!(named, [("r.unit_id", "unit_id"), ("u.name", "name"), ("COALESCE(a, b)", "c"), ("id", "id")]);
    }
}
