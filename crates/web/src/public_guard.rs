//! What guards every form that needs no account (an appeal, a livelihood proposal, a rating): a
//! limit per address and hour and per phone number and day (counted in the database, so nodes
//! share them), and on the page form a honeypot field and a time-to-fill check signed with the
//! county's form key. The limits are the intake's rules (`appeals.intake.*`).

use crate::error::{AppError, AppResult};
use crate::http::{Ctx, Want};
use crate::AppState;
use luoshi_domain::{DomainError, ErrorCode};

pub(crate) const HOUR: i64 = 3_600_000_000;
pub(crate) const DAY: i64 = 24 * HOUR;

/// Count a public submission under `key` in a wall-clock window; refuse past `limit`. The
/// count lives in the database, so several nodes behind one address limit it together.
pub(crate) async fn admit(app: &AppState, key: &str, window: i64, limit: i64) -> AppResult<()> {
    let n = luoshi_storage::sessions::count_hit(&app.db, key, window, luoshi_storage::now_micros()).await?;
    if n > limit {
        return Err(AppError(DomainError::new(ErrorCode::TooManyAttempts)));
    }
    Ok(())
}

/// The fields of a page form that are not the record: the honeypot (hidden from people,
/// filled by bots) and when the form was handed out.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Guard {
    #[serde(default)]
    pub(crate) website: String,
    #[serde(default)]
    pub(crate) started: String,
}

/// A form token: when the form was handed out, signed with the county's form key so that a
/// bot cannot claim it waited.
pub async fn form_token(app: &AppState, at: i64) -> AppResult<String> {
    Ok(format!("{at}.{}", sign(&app.form_key().await?, at)))
}

fn sign(key: &str, at: i64) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(format!("{key}:form:{at}").as_bytes())[..16])
}

/// Seconds since a valid token was handed out, or `None` for a forged or missing one.
async fn form_age(app: &AppState, token: &str, now: i64) -> AppResult<Option<i64>> {
    let Some((at, mac)) = token.split_once('.') else { return Ok(None) };
    let Ok(at) = at.parse::<i64>() else { return Ok(None) };
    Ok((sign(&app.form_key().await?, at) == mac).then_some((now - at) / 1_000_000))
}

/// A public form's body, page form or JSON, read once: the record's fields and the guard's.
pub(crate) async fn read<T: serde::de::DeserializeOwned>(req: axum::extract::Request) -> AppResult<(T, Guard)> {
    let (t, g, _) = read_with_files(req, "").await?;
    Ok((t, g))
}

/// [`read`], and the files of field `files` when the form is multipart (a page form with photos):
/// each file's name and bytes, empty file inputs left out.
pub(crate) async fn read_with_files<T: serde::de::DeserializeOwned>(req: axum::extract::Request, files: &str) -> AppResult<(T, Guard, Vec<(String, Vec<u8>)>)> {
    let kind = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if kind.starts_with("multipart/form-data") && !files.is_empty() {
        let bad = || AppError(DomainError::field(ErrorCode::BadFile, files));
        let mut form = <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(req, &()).await.map_err(|_| bad())?;
        let (mut pairs, mut sent) = (Vec::new(), Vec::new());
        while let Some(field) = form.next_field().await.map_err(|_| bad())? {
            let name = field.name().unwrap_or("").to_string();
            if name == files {
                let file = field.file_name().unwrap_or("").to_string();
                let data = field.bytes().await.map_err(|_| bad())?;
                if !data.is_empty() {
                    sent.push((file, data.to_vec()));
                }
            } else {
                pairs.push((name, field.text().await.map_err(|_| bad())?));
            }
        }
        // The text fields read as the urlencoded form they would otherwise be.
        let bytes = serde_urlencoded::to_string(&pairs).map_err(|_| bad())?.into_bytes();
        return Ok((crate::extract::form(&bytes, "body")?, crate::extract::form(&bytes, "body")?, sent));
    }
    let bytes = crate::extract::body_bytes(req).await?;
    Ok(if kind.starts_with("application/json") {
        (crate::extract::json(&bytes)?, crate::extract::json(&bytes)?, Vec::new())
    } else {
        (crate::extract::form(&bytes, "body")?, crate::extract::form(&bytes, "body")?, Vec::new())
    })
}

/// Check a public submission before anything is read into a record: the honeypot, the time
/// to fill (page forms), then the limits per address (`{prefix}:ADDR`) and, for a phone number
/// of the right shape, per phone (`{prefix}-phone:DIGITS`).
pub(crate) async fn check(ctx: &Ctx, app: &AppState, guard: &Guard, phone: &str, prefix: &str) -> AppResult<()> {
    let r = luoshi_app::RulesInForce::load(&app.db, app.today()).await?;
    // People never see the honeypot; whatever fills it is a program.
    if !guard.website.trim().is_empty() {
        return Err(DomainError::field(ErrorCode::Invalid, "form").into());
    }
    if ctx.want == Want::Html {
        let min = r.int("appeals.intake.min_fill_seconds").unwrap_or(3);
        match form_age(app, &guard.started, luoshi_storage::now_micros()).await? {
            Some(age) if age >= min && age <= DAY / 1_000_000 => {}
            Some(age) if (0..min).contains(&age) => return Err(DomainError::field(ErrorCode::TooManyAttempts, "form").with_detail(min.to_string()).into()),
            _ => return Err(DomainError::field(ErrorCode::Invalid, "form").into()),
        }
    }
    let per_hour = r.int("appeals.intake.per_address_per_hour").unwrap_or(20);
    admit(app, &format!("{prefix}:{}", ctx.ip.as_deref().unwrap_or("?")), HOUR, per_hour).await?;
    // A phone number of the wrong shape is the form's error to report, later.
    if let Some(phone) = luoshi_domain::user::check_phone(phone).ok().flatten() {
        let per_day = r.int("appeals.intake.per_phone_per_day").unwrap_or(5);
        admit(app, &format!("{prefix}-phone:{phone}"), DAY, per_day).await?;
    }
    Ok(())
}
