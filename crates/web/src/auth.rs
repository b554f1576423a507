//! Authentication: Argon2id passwords, random session and API tokens (only their SHA-256 is
//! stored), the CSRF token derived from the session, and login with rate limiting.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use luoshi_domain::user::User;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::sessions::{self, Principal};
use luoshi_storage::{rules, users, Db};
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "luoshi_session";

fn random_bytes<const N: usize>() -> Result<[u8; N], DomainError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    Ok(b)
}

/// A new random token (256 bits, hex).
pub fn new_token() -> Result<String, DomainError> {
    Ok(hex::encode(random_bytes::<32>()?))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The CSRF token of a session: derived from the secret session token, so it needs no storage
/// and is the same on every node.
pub fn csrf_for(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"luoshi-csrf:");
    h.update(session_token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Hash a password with Argon2id (OWASP parameters of the crate's default).
pub fn hash_password(password: &str) -> Result<String, DomainError> {
    let salt_bytes = random_bytes::<16>()?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| DomainError::new(ErrorCode::Internal))?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| DomainError::new(ErrorCode::Internal))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Hash off the async threads (Argon2 takes tens of milliseconds on purpose).
pub async fn hash_password_blocking(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|_| AppError(DomainError::new(ErrorCode::Internal)))?.map_err(AppError)
}

/// A hash to verify against when the user does not exist, so that an unknown user and a wrong
/// password take the same time and give the same answer.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn dummy_hash() -> &'static str {
    DUMMY_HASH.get_or_init(|| hash_password("luoshi-dummy-password").unwrap_or_default())
}

const WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;
const MAX_FAILURES_PER_IP: i64 = 50;
/// Failures on one account from every address together before it pauses for everyone: far
/// above the per-address limit, so one attacker cannot lock the owner out, but a guesser
/// spread over many addresses is still stopped.
const ACCOUNT_FACTOR: i64 = 20;

/// Check a user name and password. On success returns the user; on failure records it and
/// answers `bad_credentials` whether the user exists or not.
pub async fn login(db: &Db, username: &str, password: &str, ip: Option<&str>) -> AppResult<User> {
    let name = username.trim().to_ascii_lowercase();
    if name.is_empty() {
        return Err(DomainError::required("username").into());
    }
    if password.is_empty() {
        return Err(DomainError::required("password").into());
    }
    let now = luoshi_storage::now_micros();
    let since = now - WINDOW_MICROS;
    // Failures count per account and address: wrong passwords typed elsewhere do not lock
    // the owner out.
    let pair_key = format!("user:{name}@{}", ip.unwrap_or("?"));
    let user_key = format!("user:{name}");
    let ip_key = ip.map(|i| format!("ip:{i}"));
    let today = luoshi_domain::time::local_date(now).format("%Y-%m-%d").to_string();
    let max_user = rules::int_value(db, "auth.login_max_failures", &today).await?;
    let mut limited = sessions::failures_since(db, &pair_key, since).await? >= max_user;
    limited |= sessions::failures_since(db, &user_key, since).await? >= max_user * ACCOUNT_FACTOR;
    if let Some(k) = &ip_key {
        limited |= sessions::failures_since(db, k, since).await? >= MAX_FAILURES_PER_IP;
    }
    if limited {
        return Err(DomainError::new(ErrorCode::TooManyAttempts).into());
    }
    let creds = users::credentials(db, &name).await?;
    let hash = creds.as_ref().map(|c| c.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
    match creds {
        Some(c) if ok => {
            if c.user.disabled {
                return Err(DomainError::new(ErrorCode::AccountDisabled).into());
            }
            Ok(c.user)
        }
        _ => {
            let mut keys = vec![pair_key, user_key];
            keys.extend(ip_key);
            sessions::record_failure(db, &keys).await?;
            Err(DomainError::new(ErrorCode::BadCredentials).into())
        }
    }
}

/// Open a session for a user; returns the raw token for the cookie and its lifetime in seconds.
pub async fn open_session(db: &Db, user: &User, ip: Option<&str>) -> AppResult<(String, i64)> {
    let now = luoshi_storage::now_micros();
    let today = luoshi_domain::time::local_date(now).format("%Y-%m-%d").to_string();
    let hours = rules::int_value(db, "auth.session_hours", &today).await?;
    let token = new_token()?;
    sessions::create(db, user, &token_hash(&token), now + hours * 3_600_000_000, ip).await?;
    Ok((token, hours * 3600))
}

/// Resolve a caller from a session cookie or a bearer token; for a read (`read`), a session or
/// token as this node resolved it a moment ago stands (`luoshi_storage::callers`).
pub async fn resolve(db: &Db, session_token: Option<&str>, bearer: Option<&str>, read: bool) -> AppResult<Option<Principal>> {
    let now = luoshi_storage::now_micros();
    if let Some(t) = bearer {
        let hash = token_hash(t);
        return Ok(if read { sessions::lookup_token_for_read(db, &hash, now).await? } else { sessions::lookup_token(db, &hash).await? });
    }
    if let Some(t) = session_token {
        let hash = token_hash(t);
        return Ok(if read { sessions::lookup_for_read(db, &hash, now).await? } else { sessions::lookup(db, &hash, now).await? });
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Luoshi-2026!").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Luoshi-2026!", &h));
        assert!(!verify_password("luoshi-2026!", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(csrf_for(&a), csrf_for(&a));
        assert_ne!(csrf_for(&a), csrf_for(&b));
    }
}
