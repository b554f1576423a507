//! Units: the organisation tree.

use crate::{get_i64, get_opt_i64, get_opt_str, get_str, unique_as, Actor, Db, Result, WriteTx};
use luoshi_domain::access::Scope;
use luoshi_domain::unit::{check_placement, NewUnit, ParentInfo, Unit, UnitCode, UnitKind};
use luoshi_domain::{DomainError, ErrorCode};
use sqlx::any::AnyRow;

const COLS: &str = "id, parent_id, kind, name, short_name, code, leader, path, depth, active, created_at, updated_at";

fn unit(r: &AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: get_i64(r, "id")?,
        parent_id: get_opt_i64(r, "parent_id")?,
        kind: UnitKind::parse(&get_str(r, "kind")?)?,
        name: get_str(r, "name")?,
        short_name: get_opt_str(r, "short_name")?,
        code: get_opt_str(r, "code")?,
        leader: get_opt_str(r, "leader")?,
        path: get_str(r, "path")?,
        depth: get_i64(r, "depth")?,
        active: get_i64(r, "active")? != 0,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

fn json(u: &Unit) -> serde_json::Value {
    serde_json::to_value(u).unwrap_or(serde_json::Value::Null)
}

/// Every unit, parents before children, as kept on this node while the units' version stands (a
/// city's tree is thousands of rows; pages that name units read it on every request).
pub async fn all(db: &Db) -> Result<std::sync::Arc<Vec<Unit>>> {
    let read = async {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM units ORDER BY depth, sort_order, id")).fetch_all(db.pool()).await?;
        rows.iter().map(unit).collect()
    };
    db.reference.units.get(db, crate::versions::Cached::Units, read).await
}

/// Every unit the scope covers, parents before children.
pub async fn list(db: &Db, scope: &Scope) -> Result<Vec<Unit>> {
    let rows = match scope {
        Scope::All => return Ok(all(db).await?.as_ref().clone()),
        Scope::Subtree(p) => {
            sqlx::query(&format!("SELECT {COLS} FROM units WHERE path LIKE $1 ORDER BY depth, sort_order, id"))
                .bind(format!("{p}%"))
                .fetch_all(db.pool())
                .await?
        }
    };
    rows.iter().map(unit).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Unit>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM units WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(unit).transpose()
}

/// A unit the scope covers, or `not_found` (the caller must not learn that it exists).
pub async fn get_in_scope(db: &Db, scope: &Scope, id: i64) -> Result<Unit> {
    match get(db, id).await? {
        Some(u) if scope.covers(&u.path) => Ok(u),
        _ => Err(DomainError::not_found("unit").into()),
    }
}

async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Option<Unit>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM units WHERE id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(unit).transpose()
}

async fn parent_info(tx: &mut WriteTx, parent_id: Option<i64>) -> Result<Option<Unit>> {
    match parent_id {
        None => Ok(None),
        Some(pid) => match get_tx(tx, pid).await? {
            Some(p) => Ok(Some(p)),
            None => Err(DomainError::invalid("parent_id").into()),
        },
    }
}

fn info(p: &Unit) -> Result<ParentInfo> {
    Ok(ParentInfo { kind: p.kind, code: p.code.as_deref().map(|c| UnitCode::parse(p.kind, c)).transpose()?.flatten(), path: p.path.clone() })
}

/// Create a unit under its parent (or the county root), audited.
pub async fn create(tx: &mut WriteTx, actor: &Actor, u: &NewUnit) -> Result<Unit> {
    tx.lock_shared().await?;
    let parent = parent_info(tx, u.parent_id).await?;
    check_placement(u, parent.as_ref().map(info).transpose()?.as_ref(), None)?;
    let now = crate::now_micros();
    let row = sqlx::query(
        "INSERT INTO units (parent_id, kind, name, short_name, code, leader, path, depth, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, '', 0, $7, $7) RETURNING id",
    )
    .bind(u.parent_id)
    .bind(u.kind.as_str())
    .bind(&u.name)
    .bind(&u.short_name)
    .bind(u.code.as_ref().map(|c| c.as_str().to_string()))
    .bind(&u.leader)
    .bind(now)
    .fetch_one(tx.conn())
    .await
    .map_err(unique_as(if u.code.is_some() { "code" } else { "name" }))?;
    let id = get_i64(&row, "id")?;
    let (path, depth) = match &parent {
        Some(p) => (format!("{}{id}/", p.path), p.depth + 1),
        None => (format!("/{id}/"), 0),
    };
    sqlx::query("UPDATE units SET path = $1, depth = $2 WHERE id = $3").bind(&path).bind(depth).bind(id).execute(tx.conn()).await?;
    let created = get_tx(tx, id).await?.ok_or_else(|| DomainError::not_found("unit"))?;
    crate::versions::bump(tx, crate::versions::Cached::Units).await?;
    tx.audit(actor, "unit.create", "unit", &id.to_string(), None, Some(&json(&created))).await?;
    Ok(created)
}

/// Change a unit; a new parent moves its whole subtree.
pub async fn update(tx: &mut WriteTx, actor: &Actor, id: i64, u: &NewUnit) -> Result<Unit> {
    tx.lock_shared().await?;
    let before = get_tx(tx, id).await?.ok_or_else(|| DomainError::not_found("unit"))?;
    let parent = parent_info(tx, u.parent_id).await?;
    check_placement(u, parent.as_ref().map(info).transpose()?.as_ref(), Some(&before.path))?;
    let now = crate::now_micros();
    sqlx::query("UPDATE units SET parent_id = $1, kind = $2, name = $3, short_name = $4, code = $5, leader = $6, updated_at = $7 WHERE id = $8")
        .bind(u.parent_id)
        .bind(u.kind.as_str())
        .bind(&u.name)
        .bind(&u.short_name)
        .bind(u.code.as_ref().map(|c| c.as_str().to_string()))
        .bind(&u.leader)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(unique_as(if u.code.is_some() { "code" } else { "name" }))?;
    if before.parent_id != u.parent_id {
        let (new_path, new_depth) = match &parent {
            Some(p) => (format!("{}{id}/", p.path), p.depth + 1),
            None => (format!("/{id}/"), 0),
        };
        let old_len = i64::try_from(before.path.len()).unwrap_or(0);
        sqlx::query("UPDATE units SET path = CAST($1 AS TEXT) || substr(path, CAST($2 AS INTEGER)), depth = depth + $3 WHERE path LIKE $4")
            .bind(&new_path)
            .bind(old_len + 1)
            .bind(new_depth - before.depth)
            .bind(format!("{}%", before.path))
            .execute(tx.conn())
            .await?;
    }
    let after = get_tx(tx, id).await?.ok_or_else(|| DomainError::not_found("unit"))?;
    crate::versions::bump(tx, crate::versions::Cached::Units).await?;
    tx.audit(actor, "unit.update", "unit", &id.to_string(), Some(&json(&before)), Some(&json(&after))).await?;
    Ok(after)
}

/// The root unit (the county), if the tree has one.
pub async fn root(db: &Db) -> Result<Option<Unit>> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1")).fetch_optional(db.pool()).await?;
    row.as_ref().map(unit).transpose()
}

/// The units whose name is `name` or ends with it (a rule names 应急管理局, the county's unit is
/// 县应急管理局), exact matches first.
pub async fn named(db: &Db, name: &str) -> Result<Vec<Unit>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM units WHERE name LIKE $1 ORDER BY id"))
        .bind(format!("%{}", name.replace(['%', '_'], "")))
        .fetch_all(db.pool())
        .await?;
    let mut out = rows.iter().map(unit).collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|u| u.name != name);
    Ok(out)
}

pub async fn count(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM units").fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}

/// Find the unit a ledger row names: by code, else by full or short name (unique match only).
pub fn resolve<'a>(units: &'a [Unit], name_or_code: &str) -> Result<&'a Unit, DomainError> {
    let n = name_or_code.trim();
    if let Some(u) = units.iter().find(|u| u.code.as_deref() == Some(n)) {
        return Ok(u);
    }
    let mut hits = units.iter().filter(|u| u.matches_name(n));
    match (hits.next(), hits.next()) {
        (Some(u), None) => Ok(u),
        (Some(_), Some(_)) => Err(DomainError::field(ErrorCode::Duplicate, "unit").with_detail(n.to_string())),
        (None, _) => Err(DomainError::not_found("unit").with_detail(n.to_string())),
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Carry out a planned import in the caller's transaction (all rows or none).
pub async fn apply_import(tx: &mut WriteTx, actor: &Actor, plan: &[luoshi_domain::unit_import::PlannedUnit]) -> Result<ImportCounts> {
    tx.lock_shared().await?;
    use luoshi_domain::unit_import::ParentRef;
    let mut ids: Vec<i64> = Vec::with_capacity(plan.len());
    let mut counts = ImportCounts::default();
    for p in plan {
        let mut u = p.unit.clone();
        u.parent_id = match p.parent {
            ParentRef::Root => None,
            ParentRef::Existing(id) => Some(id),
            ParentRef::Planned(i) => Some(*ids.get(i).ok_or_else(|| DomainError::invalid("parent_id"))?),
        };
        let id = match p.existing {
            Some(id) if p.unchanged => {
                counts.unchanged += 1;
                id
            }
            Some(id) => {
                counts.updated += 1;
                update(tx, actor, id, &u).await?.id
            }
            None => {
                counts.created += 1;
                create(tx, actor, &u).await?.id
            }
        };
        ids.push(id);
    }
    Ok(counts)
}
