//! Who sees what, as data: the principal county leaders (县委书记, 县长: a flag on the leader's
//! account) and the units each deputy leader oversees (分管单位: the overseer on the unit tree).
//! The rule that reads them is one: `luoshi_domain::access::Sight`.

use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};

/// The paths of the units this leader oversees.
pub async fn overseen_by(db: &Db, user_id: i64) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT path FROM units WHERE overseer_id = $1 ORDER BY path").bind(user_id).fetch_all(db.pool()).await?;
    rows.iter().map(|r| get_str(r, "path")).collect()
}

/// Every unit with an overseer: (unit id, overseer's user id).
pub async fn overseers(db: &Db) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query("SELECT id, overseer_id FROM units WHERE overseer_id IS NOT NULL ORDER BY id").fetch_all(db.pool()).await?;
    rows.iter().filter_map(|r| Some(Ok((get_i64(r, "id").ok()?, get_opt_i64(r, "overseer_id").ok()??)))).collect()
}

/// The principal leaders' user ids.
pub async fn principals(db: &Db) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT id FROM users WHERE principal = 1 ORDER BY id").fetch_all(db.pool()).await?;
    rows.iter().map(|r| get_i64(r, "id")).collect()
}

async fn leader(tx: &mut WriteTx, user_id: i64) -> Result<()> {
    let row = sqlx::query("SELECT role FROM users WHERE id = $1").bind(user_id).fetch_optional(tx.conn()).await?;
    match row.map(|r| get_str(&r, "role")).transpose()? {
        Some(r) if r == Role::Leader.as_str() => Ok(()),
        Some(_) => Err(DomainError::field(ErrorCode::Invalid, "overseer_id").with_detail("not a county leader").into()),
        None => Err(DomainError::not_found("user").into()),
    }
}

/// Set (or clear) the deputy leader who oversees a unit (分管领导), audited.
pub async fn set_overseer(tx: &mut WriteTx, actor: &Actor, unit_id: i64, overseer: Option<i64>) -> Result<()> {
    tx.lock_shared().await?;
    if let Some(u) = overseer {
        leader(tx, u).await?;
    }
    let n = sqlx::query("UPDATE units SET overseer_id = $1, updated_at = $2 WHERE id = $3")
        .bind(overseer)
        .bind(crate::now_micros())
        .bind(unit_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DomainError::not_found("unit").into());
    }
    crate::versions::bump(tx, crate::versions::Cached::Units).await?;
    tx.audit(actor, "unit.overseer", "unit", &unit_id.to_string(), None, Some(&serde_json::json!({ "overseer_id": overseer }))).await?;
    Ok(())
}

/// Mark a county leader as principal (县委书记, 县长: sees the whole county) or not, audited.
pub async fn set_principal(tx: &mut WriteTx, actor: &Actor, user_id: i64, principal: bool) -> Result<()> {
    tx.lock_shared().await?;
    leader(tx, user_id).await.map_err(|e| match e {
        crate::StoreError::Domain(d) if d.code == ErrorCode::Invalid => {
            DomainError::field(ErrorCode::Invalid, "principal").with_detail("not a county leader").into()
        }
        other => other,
    })?;
    sqlx::query("UPDATE users SET principal = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(principal))
        .bind(crate::now_micros())
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    tx.audit(actor, "user.principal", "user", &user_id.to_string(), None, Some(&serde_json::json!({ "principal": principal }))).await?;
    Ok(())
}
