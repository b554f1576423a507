//! Sessions, API tokens and failed-login bookkeeping: all in the database, so that any node
//! behind a load balancer can answer any request.

use crate::{get_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::user::User;
use luoshi_domain::DomainError;

/// Who is calling, as resolved from a session cookie or an API token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub unit_path: String,
    pub unit_name: String,
    /// The session's token hash (absent for API tokens).
    pub session: Option<String>,
    /// 县委书记 or 县长: a leader who sees the whole county.
    pub principal: bool,
    /// The units a deputy leader oversees (分管单位), as paths.
    pub overseen: Vec<String>,
}

const PRINCIPAL_COLS: &str =
    "u.id, u.username, u.display_name, u.unit_id, u.role, u.phone, u.disabled, u.created_at, u.updated_at, n.path AS unit_path, n.name AS unit_name, u.principal";

async fn principal(db: &Db, r: &sqlx::any::AnyRow, session: Option<String>) -> Result<Principal> {
    let user = crate::users::user(r)?;
    let principal = get_i64(r, "principal")? != 0;
    // Only a deputy leader's sight depends on the units he oversees.
    let overseen = if user.role == luoshi_domain::user::Role::Leader && !principal { crate::oversight::overseen_by(db, user.id).await? } else { Vec::new() };
    Ok(Principal { user, unit_path: get_str(r, "unit_path")?, unit_name: get_str(r, "unit_name")?, session, principal, overseen })
}

/// Record a login: store the session (only the token's hash) and audit it.
pub async fn create(db: &Db, user: &User, token_hash: &str, expires_at: i64, ip: Option<&str>) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(user.id)
        .bind(crate::now_micros())
        .bind(expires_at)
        .bind(ip.map(str::to_string))
        .execute(tx.conn())
        .await?;
    let after = serde_json::json!({ "user_id": user.id, "expires_at": expires_at, "ip": ip });
    tx.audit(&Actor::user(user.id, &user.username), "session.login", "user", &user.id.to_string(), None, Some(&after)).await?;
    tx.commit().await
}

/// The live session with this token hash, if any, and its user (who must not be disabled).
pub async fn lookup(db: &Db, token_hash: &str, now: i64) -> Result<Option<Principal>> {
    Ok(lookup_with_expiry(db, token_hash, now).await?.map(|(p, _)| p))
}

/// [`lookup`] for a read: the caller as this node resolved it a moment ago, if that stands
/// (`callers`), else as the database says.
pub async fn lookup_for_read(db: &Db, token_hash: &str, now: i64) -> Result<Option<Principal>> {
    kept(db, format!("session:{token_hash}"), now, lookup_with_expiry(db, token_hash, now)).await
}

/// [`lookup_token`] for a read, kept like a session (a token never expires; it is revoked).
pub async fn lookup_token_for_read(db: &Db, token_hash: &str, now: i64) -> Result<Option<Principal>> {
    let read = async { Ok(lookup_token(db, token_hash).await?.map(|p| (p, i64::MAX))) };
    kept(db, format!("token:{token_hash}"), now, read).await
}

/// The caller kept under `key` if it stands, else what `read` finds (with its expiry), kept.
async fn kept(db: &Db, key: String, now: i64, read: impl std::future::Future<Output = Result<Option<(Principal, i64)>>>) -> Result<Option<Principal>> {
    // The generation before the read: a write committed during it makes what is kept stale.
    let g = db.counts.generation();
    if let Some(p) = db.callers.get(&key, g, now) {
        return Ok(Some(p));
    }
    let Some((p, expires)) = read.await? else { return Ok(None) };
    db.callers.keep(key, g, expires, p.clone());
    Ok(Some(p))
}

async fn lookup_with_expiry(db: &Db, token_hash: &str, now: i64) -> Result<Option<(Principal, i64)>> {
    let row = sqlx::query(&format!(
        "SELECT {PRINCIPAL_COLS}, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id JOIN units n ON n.id = u.unit_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
    ))
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => Ok(Some((principal(db, &r, Some(token_hash.to_string())).await?, get_i64(&r, "expires_at")?))),
        None => Ok(None),
    }
}

pub async fn delete(db: &Db, p: &Principal) -> Result<()> {
    let Some(hash) = &p.session else { return Ok(()) };
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(hash).execute(tx.conn()).await?;
    tx.audit(&Actor::user(p.user.id, &p.user.username), "session.logout", "user", &p.user.id.to_string(), None, None).await?;
    tx.commit().await
}

/// Remove expired sessions and old failure records (bookkeeping, not audited).
pub async fn sweep(db: &Db, now: i64) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(tx.conn()).await?.rows_affected();
    let b = sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(now - 86_400_000_000).execute(tx.conn()).await?.rows_affected();
    // Rate windows are numbered by their start (microseconds); none is longer than a day.
    let c = sqlx::query("DELETE FROM rate_counts WHERE window_no < $1").bind(now - 2 * 86_400_000_000).execute(tx.conn()).await?.rows_affected();
    tx.commit_unaudited().await?;
    Ok(a + b + c)
}

/// The start (µs) of the wall-clock window of `window_micros` that holds `now`: how every shared
/// rate count names its window.
pub fn window_start(now: i64, window_micros: i64) -> i64 {
    now - now.rem_euclid(window_micros.max(1))
}

/// A named secret shared by every node (the public form key): the first node to ask stores
/// its candidate, and every node reads the stored one. Bookkeeping, not audited.
pub async fn secret(db: &Db, name: &str, candidate: &str) -> Result<String> {
    let mut tx = db.begin_write().await?;
    tx.lock_shared().await?;
    sqlx::query("INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING").bind(name).bind(candidate).execute(tx.conn()).await?;
    let row = sqlx::query("SELECT value FROM secrets WHERE name = $1").bind(name).fetch_one(tx.conn()).await?;
    let value = get_str(&row, "value")?;
    tx.commit_unaudited().await?;
    Ok(value)
}

/// Count one hit of a shared rate limit (e.g. `intake:ADDR` in the wall-clock window of
/// `window_micros` that holds `now`, at most a day) and return the count so far, atomically on
/// every node. Bookkeeping, not audited.
pub async fn count_hit(db: &Db, key: &str, window_micros: i64, now: i64) -> Result<i64> {
    let window = window_start(now, window_micros);
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "INSERT INTO rate_counts (key, window_no, n) VALUES ($1, $2, 1) ON CONFLICT (key, window_no) DO UPDATE SET n = rate_counts.n + 1 RETURNING n",
    )
    .bind(key)
    .bind(window)
    .fetch_one(tx.conn())
    .await?;
    let n = get_i64(&row, "n")?;
    tx.commit_unaudited().await?;
    Ok(n)
}

/// The hits counted so far under a key in the wall-clock window of `window_micros` that holds
/// `now` (a read: the count itself is written with what it counts, see `appeals::insert_many`).
pub async fn hits(db: &Db, key: &str, window_micros: i64, now: i64) -> Result<i64> {
    let window = window_start(now, window_micros);
    let row = sqlx::query("SELECT n FROM rate_counts WHERE key = $1 AND window_no = $2").bind(key).bind(window).fetch_optional(db.pool()).await?;
    row.map(|r| get_i64(&r, "n")).transpose().map(|n| n.unwrap_or(0))
}

/// Count failures for a key (`user:NAME` or `ip:ADDR`) since a moment.
pub async fn failures_since(db: &Db, key: &str, since: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at >= $2").bind(key).bind(since).fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}

pub async fn record_failure(db: &Db, keys: &[String]) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let now = crate::now_micros();
    for k in keys {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)").bind(k).bind(now).execute(tx.conn()).await?;
    }
    tx.commit_unaudited().await
}

/// An API token's public record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub user_id: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

pub async fn create_token(tx: &mut WriteTx, actor: &Actor, user_id: i64, name: &str, token_hash: &str) -> Result<ApiToken> {
    let now = crate::now_micros();
    let row = sqlx::query("INSERT INTO api_tokens (name, token_hash, user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(name)
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
    let t = ApiToken { id: get_i64(&row, "id")?, name: name.to_string(), user_id, created_at: now, revoked_at: None };
    tx.audit(actor, "token.create", "api_token", &t.id.to_string(), None, Some(&serde_json::to_value(&t).unwrap_or_default())).await?;
    Ok(t)
}

pub async fn tokens_of(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query("SELECT id, name, user_id, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: get_i64(r, "id")?,
                name: get_str(r, "name")?,
                user_id: get_i64(r, "user_id")?,
                created_at: get_i64(r, "created_at")?,
                revoked_at: crate::get_opt_i64(r, "revoked_at")?,
            })
        })
        .collect()
}

/// Revoke a token of `owner` (so nobody revokes another user's token by guessing ids).
pub async fn revoke_token(tx: &mut WriteTx, actor: &Actor, owner: i64, id: i64) -> Result<()> {
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(crate::now_micros())
        .bind(id)
        .bind(owner)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DomainError::not_found("token").into());
    }
    tx.audit(actor, "token.revoke", "api_token", &id.to_string(), None, None).await?;
    Ok(())
}

pub async fn lookup_token(db: &Db, token_hash: &str) -> Result<Option<Principal>> {
    let row = sqlx::query(&format!(
        "SELECT {PRINCIPAL_COLS} FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN units n ON n.id = u.unit_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0"
    ))
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => Ok(Some(principal(db, &r, None).await?)),
        None => Ok(None),
    }
}
