//! Lists and search: filters, the 检索签名 test inside the index walked, a unit's own walk
//! newest first, reindexing, and the figures the desk and routing read.

use super::*;
use crate::{get_i64, get_opt_str, get_str, Db, Result};
use luoshi_domain::appeals::{signature, AppealState};

/// A list query. `owner_paths` limits to appeals owned by units in those subtrees (the caller's
/// sight: a unit's, or the units a deputy leader oversees; none at all sees nothing).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub owner_paths: Option<Vec<String>>,
    pub owner_unit_id: Option<i64>,
    pub states: Vec<AppealState>,
    pub categories: Vec<String>,
    pub township_id: Option<i64>,
    pub ids: Vec<i64>,
    /// Tracking codes.
    pub codes: Vec<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    /// Words that must all appear in the content or address.
    pub words: Vec<String>,
    /// Open and past their limit at this moment.
    pub overdue_at: Option<i64>,
    /// Open and due before this moment (due soon), not yet overdue at `overdue_at`.
    pub due_before: Option<i64>,
    /// Only these channels (the county's publication setting).
    pub channels: Vec<String>,
    /// Only what may be published: confidential (保密) appeals left out, and the citizen's
    /// personal data and the internal notes never read at all (`PUBLIC_COLS`).
    pub published: bool,
    pub order: Order,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Newest first.
    #[default]
    Newest,
    /// Soonest limit first (inboxes).
    Due,
}

/// The hash of an appeal's rating secret, if it has one.
pub async fn rate_secret(db: &Db, id: i64) -> Result<Option<String>> {
    let row = sqlx::query("SELECT rate_secret FROM appeals WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(row.map(|r| get_opt_str(&r, "rate_secret")).transpose()?.flatten())
}

pub async fn list(db: &Db, f: &Filter) -> Result<Vec<Appeal>> {
    // Tracking codes are found in their own table (one shard each), then the orders by id.
    if !f.codes.is_empty() {
        let found = ids_of_codes(db, &f.codes).await?;
        let ids: Vec<i64> = if f.ids.is_empty() { found } else { f.ids.iter().copied().filter(|i| found.contains(i)).collect() };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        return list_by(db, &Filter { codes: Vec::new(), ids, ..f.clone() }).await;
    }
    list_by(db, f).await
}

async fn ids_of_codes(db: &Db, codes: &[String]) -> Result<Vec<i64>> {
    let sql = format!("SELECT appeal_id FROM appeal_codes WHERE code IN ({})", (1..=codes.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "));
    let mut q = sqlx::query(&sql);
    for c in codes {
        q = q.bind(c);
    }
    q.fetch_all(db.pool()).await?.iter().map(|r| crate::get_i64(r, "appeal_id")).collect()
}

async fn list_by(db: &Db, f: &Filter) -> Result<Vec<Appeal>> {
    // A unit's newest first: each of its (few) units walks its own appeals newest first and
    // stops once it has a page, instead of reading every appeal of the subtree to sort them.
    if f.owner_paths.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let per_unit = match (&f.owner_paths, f.order) {
        (Some(paths), Order::Newest) => {
            let mut ids = Vec::new();
            for path in paths {
                ids.extend(crate::duty::subtree_ids(db, path, None).await?);
            }
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            (ids.len() <= 64).then_some(ids)
        }
        _ => None,
    };
    // A page among a few states (Open311, the desk's queues): each state walks its own appeals
    // in the page's order (`appeals_state_created` newest first, `appeals_state` by due time)
    // and stops at a page, instead of sorting every appeal in those states. A category or a
    // township walks its own index instead (`appeals_category`, `appeals_township`).
    let per_state = per_unit.is_none()
        && (1..=8).contains(&f.states.len())
        && f.categories.is_empty()
        && f.township_id.is_none()
        && f.owner_paths.is_none()
        && f.owner_unit_id.is_none()
        && f.ids.is_empty()
        && f.words.is_empty();
    let mut sql = String::from("1 = 1");
    let mut args: Vec<Arg> = Vec::new();
    let mut n = 0;
    let mut p = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        n += 1;
        format!("${n}")
    };
    if let (Some(paths), None) = (&f.owner_paths, &per_unit) {
        let likes: Vec<String> = paths.iter().map(|path| format!("path LIKE {}", p(&mut args, Arg::S(format!("{path}%"))))).collect();
        sql += &format!(" AND a.owner_unit_id IN (SELECT id FROM units WHERE {})", likes.join(" OR "));
    }
    if let Some(u) = f.owner_unit_id {
        let x = p(&mut args, Arg::I(u));
        sql += &format!(" AND a.owner_unit_id = {x}");
    }
    if !f.states.is_empty() && !per_state {
        let xs: Vec<String> = f.states.iter().map(|s| p(&mut args, Arg::S(s.as_str().into()))).collect();
        sql += &format!(" AND a.state IN ({})", xs.join(", "));
    }
    if !f.categories.is_empty() {
        let xs: Vec<String> = f.categories.iter().map(|s| p(&mut args, Arg::S(s.clone()))).collect();
        sql += &format!(" AND a.category IN ({})", xs.join(", "));
    }
    if !f.ids.is_empty() {
        let xs: Vec<String> = f.ids.iter().map(|i| p(&mut args, Arg::I(*i))).collect();
        sql += &format!(" AND a.id IN ({})", xs.join(", "));
    }
    if !f.channels.is_empty() {
        let xs: Vec<String> = f.channels.iter().map(|s| p(&mut args, Arg::S(s.clone()))).collect();
        sql += &format!(" AND a.channel IN ({})", xs.join(", "));
    }
    if f.published {
        sql += " AND a.confidential = 0";
    }
    if let Some(t) = f.township_id {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.township_id = {x}");
    }
    if let Some(t) = f.created_from {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.created_at >= {x}");
    }
    if let Some(t) = f.created_to {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.created_at < {x}");
    }
    for w in &f.words {
        // The signature first: tested in the index, it spares reading appeals without the word.
        let sig: Vec<String> =
            signature([w.as_str()]).iter().enumerate().filter(|(_, m)| **m != 0).map(|(i, m)| format!("(a.sig{i} & ({m})) = ({m})")).collect();
        if !sig.is_empty() {
            sql += &format!(" AND {}", sig.join(" AND "));
        }
        let pat = format!("%{}%", w.to_ascii_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let x = p(&mut args, Arg::S(pat.clone()));
        let y = p(&mut args, Arg::S(pat));
        // Latin letters match in either case on both databases (SQLite's LIKE folds them;
        // PostgreSQL's does not, so the text is folded the same way there).
        let fold = |col: &str| match db.backend() {
            crate::Backend::Sqlite => col.to_string(),
            crate::Backend::Postgres => format!("translate({col}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"),
        };
        sql += &format!(" AND ({} LIKE {x} ESCAPE '\\' OR {} LIKE {y} ESCAPE '\\')", fold("a.content"), fold("a.address"));
    }
    if let Some(t) = f.overdue_at {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.state NOT IN ('closed', 'rejected', 'replied') AND a.due_at <= {x}");
    }
    if let Some(t) = f.due_before {
        let x = p(&mut args, Arg::I(t));
        sql += &format!(" AND a.state NOT IN ('closed', 'rejected', 'replied') AND a.due_at < {x}");
    }
    let order = match f.order {
        Order::Newest => "ORDER BY a.created_at DESC, a.id DESC",
        Order::Due => "ORDER BY a.due_at, a.id",
    };
    let (limit, offset) = (f.limit.clamp(1, 1000), f.offset.max(0));
    let lim = p(&mut args, Arg::I(limit));
    let off = p(&mut args, Arg::I(offset));
    let (cols, from) = if f.published { (PUBLIC_COLS, PUBLIC_FROM) } else { (COLS, FROM) };
    let sql = match per_unit {
        // Unit ids are integers read from the database, written in as literals.
        Some(ids) => {
            let enough = p(&mut args, Arg::I(limit + offset));
            let branches: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| format!("SELECT b{i}.id FROM (SELECT a.id FROM appeals a WHERE a.owner_unit_id = {id} AND {sql} {order} LIMIT {enough}) b{i}"))
                .collect();
            format!("SELECT {cols} {from} WHERE a.id IN ({}) {order} LIMIT {lim} OFFSET {off}", branches.join(" UNION ALL "))
        }
        // States are our own words (`AppealState::as_str`), written in as literals.
        None if per_state => {
            let enough = p(&mut args, Arg::I(limit + offset));
            let branches: Vec<String> = f
                .states
                .iter()
                .enumerate()
                .map(|(i, st)| {
                    format!("SELECT s{i}.id FROM (SELECT a.id FROM appeals a WHERE a.state = '{}' AND {sql} {order} LIMIT {enough}) s{i}", st.as_str())
                })
                .collect();
            format!("SELECT {cols} {from} WHERE a.id IN ({}) {order} LIMIT {lim} OFFSET {off}", branches.join(" UNION ALL "))
        }
        None => format!("SELECT {cols} {from} WHERE {sql} {order} LIMIT {lim} OFFSET {off}"),
    };
    let mut q = sqlx::query(&sql);
    for a in args {
        q = match a {
            Arg::I(i) => q.bind(i),
            Arg::S(s) => q.bind(s),
        };
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter().map(appeal).collect()
}

pub(super) enum Arg {
    I(i64),
    S(String),
}

/// Recompute the search signatures of a page of appeals after `after_id` (derived data, so no
/// audit row); the last id done and how many, or `None` at the end.
pub async fn reindex_page(db: &Db, after_id: i64, limit: i64) -> Result<Option<(i64, usize)>> {
    let rows =
        sqlx::query("SELECT id, content, address FROM appeals WHERE id > $1 ORDER BY id LIMIT $2").bind(after_id).bind(limit).fetch_all(db.pool()).await?;
    let Some(last) = rows.last().map(|r| get_i64(r, "id")).transpose()? else { return Ok(None) };
    let sql = format!(
        "UPDATE appeals SET sig0 = v.column2, sig1 = v.column3, sig2 = v.column4, sig3 = v.column5 FROM (VALUES {}) AS v WHERE appeals.id = v.column1",
        crate::values(db.backend(), rows.len(), 5)
    );
    let mut q = sqlx::query(&sql);
    for r in &rows {
        let content = get_str(r, "content")?;
        let address = get_opt_str(r, "address")?.unwrap_or_default();
        q = q.bind(get_i64(r, "id")?);
        for w in signature([content.as_str(), address.as_str()]) {
            q = q.bind(w);
        }
    }
    let mut tx = db.begin_write().await?;
    q.execute(tx.conn()).await?;
    tx.commit_unaudited().await?;
    Ok(Some((last, rows.len())))
}

/// Recent appeals of a place (or of everywhere when none), for duplicate detection.
pub async fn recent(db: &Db, township_id: Option<i64>, since: i64, limit: i64) -> Result<Vec<(i64, String, String, i64)>> {
    let rows = match township_id {
        Some(t) => {
            sqlx::query("SELECT id, code, content, created_at FROM appeals WHERE township_id = $1 AND created_at >= $2 AND duplicate_of IS NULL ORDER BY created_at DESC LIMIT $3")
                .bind(t)
                .bind(since)
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
        None => {
            sqlx::query("SELECT id, code, content, created_at FROM appeals WHERE created_at >= $1 AND duplicate_of IS NULL ORDER BY created_at DESC LIMIT $2")
                .bind(since)
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
    };
    rows.iter().map(|r| Ok((get_i64(r, "id")?, get_str(r, "code")?, get_str(r, "content")?, get_i64(r, "created_at")?))).collect()
}

/// Closed appeals with the unit that handled them, for training: (content, unit id, unit kind).
pub async fn training_examples(db: &Db, limit: i64) -> Result<Vec<(String, i64, String)>> {
    let rows = sqlx::query(
        "SELECT a.content, a.owner_unit_id, u.kind FROM appeals a JOIN units u ON u.id = a.owner_unit_id \
         WHERE a.state = 'closed' AND a.duplicate_of IS NULL ORDER BY a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_str(r, "content")?, get_i64(r, "owner_unit_id")?, get_str(r, "kind")?))).collect()
}
