//! Users and their password hashes.

use crate::{get_i64, get_opt_str, get_str, unique_as, Actor, Db, Result, WriteTx};
use luoshi_domain::access::Scope;
use luoshi_domain::user::{NewUser, Role, User};
use luoshi_domain::DomainError;
use sqlx::any::AnyRow;

const COLS: &str = "u.id, u.username, u.display_name, u.unit_id, u.role, u.phone, u.disabled, u.created_at, u.updated_at";

pub(crate) fn user(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: get_i64(r, "id")?,
        username: get_str(r, "username")?,
        display_name: get_str(r, "display_name")?,
        unit_id: get_i64(r, "unit_id")?,
        role: Role::parse(&get_str(r, "role")?)?,
        phone: get_opt_str(r, "phone")?,
        disabled: get_i64(r, "disabled")? != 0,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

fn json(u: &User) -> serde_json::Value {
    serde_json::to_value(u).unwrap_or(serde_json::Value::Null)
}

/// A user with what authentication needs: the hash and the unit's path.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub unit_path: String,
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, u: &NewUser, password_hash: &str) -> Result<User> {
    tx.lock_shared().await?;
    let now = crate::now_micros();
    let unit_exists = sqlx::query("SELECT id FROM units WHERE id = $1").bind(u.unit_id).fetch_optional(tx.conn()).await?;
    if unit_exists.is_none() {
        return Err(DomainError::invalid("unit_id").into());
    }
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, unit_id, role, phone, password_hash, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) RETURNING id",
    )
    .bind(u.username.as_str())
    .bind(&u.display_name)
    .bind(u.unit_id)
    .bind(u.role.as_str())
    .bind(&u.phone)
    .bind(password_hash)
    .bind(now)
    .fetch_one(tx.conn())
    .await
    .map_err(unique_as("username"))?;
    let id = get_i64(&row, "id")?;
    let created = get_tx(tx, id).await?;
    tx.audit(actor, "user.create", "user", &id.to_string(), None, Some(&json(&created))).await?;
    Ok(created)
}

async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<User> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM users u WHERE u.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(user).transpose()?.ok_or_else(|| DomainError::not_found("user").into())
}

/// Users whose unit lies in the scope.
pub async fn list(db: &Db, scope: &Scope) -> Result<Vec<(User, String)>> {
    let sql = format!("SELECT {COLS}, n.name AS unit_name FROM users u JOIN units n ON n.id = u.unit_id WHERE n.path LIKE $1 ORDER BY n.path, u.id");
    let prefix = match scope {
        Scope::All => "/%".to_string(),
        Scope::Subtree(p) => format!("{p}%"),
    };
    let rows = sqlx::query(&sql).bind(prefix).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((user(r)?, get_str(r, "unit_name")?))).collect()
}

/// A user in the scope, else `not_found`.
pub async fn get_in_scope(db: &Db, scope: &Scope, id: i64) -> Result<(User, String)> {
    let row = sqlx::query(&format!("SELECT {COLS}, n.path AS unit_path FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(r) => {
            let path = get_str(&r, "unit_path")?;
            if scope.covers(&path) {
                Ok((user(&r)?, path))
            } else {
                Err(DomainError::not_found("user").into())
            }
        }
        None => Err(DomainError::not_found("user").into()),
    }
}

pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>> {
    let row = sqlx::query(&format!("SELECT {COLS}, u.password_hash, n.path AS unit_path FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = $1"))
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| Ok(Credentials { user: user(&r)?, password_hash: get_str(&r, "password_hash")?, unit_path: get_str(&r, "unit_path")? })).transpose()
}

pub async fn set_password(tx: &mut WriteTx, actor: &Actor, id: i64, password_hash: &str) -> Result<User> {
    tx.lock_shared().await?;
    let before = get_tx(tx, id).await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(crate::now_micros())
        .bind(id)
        .execute(tx.conn())
        .await?;
    // Every session and API token of the user ends with a password change (a reset by an
    // administrator is how a leaked credential is shut out).
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(tx.conn()).await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(crate::now_micros())
        .bind(id)
        .execute(tx.conn())
        .await?;
    let after = get_tx(tx, id).await?;
    tx.audit(actor, "user.password", "user", &id.to_string(), Some(&json(&before)), Some(&json(&after))).await?;
    Ok(after)
}

pub async fn set_disabled(tx: &mut WriteTx, actor: &Actor, id: i64, disabled: bool) -> Result<User> {
    tx.lock_shared().await?;
    let before = get_tx(tx, id).await?;
    sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(crate::now_micros())
        .bind(id)
        .execute(tx.conn())
        .await?;
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(tx.conn()).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(crate::now_micros())
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    let after = get_tx(tx, id).await?;
    tx.audit(actor, if disabled { "user.disable" } else { "user.enable" }, "user", &id.to_string(), Some(&json(&before)), Some(&json(&after))).await?;
    Ok(after)
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    let row =
        sqlx::query(&format!("SELECT {COLS} FROM users u WHERE u.username = $1")).bind(username.trim().to_ascii_lowercase()).fetch_optional(db.pool()).await?;
    row.as_ref().map(user).transpose()
}

pub async fn count(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}
