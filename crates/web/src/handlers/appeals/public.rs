//! The public pages (submit, track, rate) that need no account, and what guards them: a limit
//! per address and hour and per phone number and day (counted in the database, so nodes share
//! them), and on the page form a honeypot field and a time-to-fill check.

use super::when;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::appeals::{self as svc, Tracked};
use luoshi_domain::appeals::{AppealInput, Channel};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals::CategoryRow;

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

/// Count a public submission under `key` in a wall-clock window; refuse past `limit`. The
/// count lives in the database, so several nodes behind one address limit it together.
async fn admit(app: &AppState, key: &str, window: i64, limit: i64) -> AppResult<()> {
    let n = luoshi_storage::sessions::count_hit(&app.db, key, window, luoshi_storage::now_micros()).await?;
    if n > limit {
        return Err(AppError(DomainError::new(ErrorCode::TooManyAttempts)));
    }
    Ok(())
}

async fn rules(app: &AppState) -> AppResult<luoshi_app::RulesInForce> {
    Ok(luoshi_app::RulesInForce::load(&app.db, app.today()).await?)
}

/// The fields of the page form that are not the appeal: the honeypot (hidden from people,
/// filled by bots) and when the form was handed out.
#[derive(Debug, Default, serde::Deserialize)]
struct Guard {
    #[serde(default)]
    website: String,
    #[serde(default)]
    started: String,
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

#[derive(Template)]
#[template(path = "public_appeal.html")]
struct PublicPage {
    chrome: Chrome,
    cats: Vec<CategoryRow>,
    kinds: Vec<(&'static str, String)>,
    code: Option<String>,
    /// Shown once, right after submitting.
    rating_code: Option<String>,
    tracked: Option<TrackedView>,
    started: String,
}

/// What the citizen sees of their appeal.
pub struct TrackedView {
    pub t: Tracked,
    pub state: String,
    pub category: String,
    pub steps: Vec<(String, String)>,
    pub due: String,
}

fn tracked_view(lang: Lang, cats: &[CategoryRow], tr: Tracked) -> TrackedView {
    TrackedView {
        state: t(lang, &format!("appeal_state.{}", tr.state.as_str())).to_string(),
        category: cats.iter().find(|c| c.code == tr.category).map(|c| c.name.clone()).unwrap_or_else(|| tr.category.clone()),
        steps: tr.steps.iter().map(|(at, s)| (when(*at), t(lang, &format!("appeal_state.{s}")).to_string())).collect(),
        due: tr.due_at.map(when).unwrap_or_default(),
        t: tr,
    }
}

async fn public_page(ctx: &Ctx, app: &AppState, code: Option<String>, tracked: Option<Tracked>) -> AppResult<PublicPage> {
    let cats: Vec<CategoryRow> = luoshi_storage::appeals::categories(&app.db).await?.into_iter().filter(|c| c.active).collect();
    let lang = ctx.lang;
    let kinds = luoshi_domain::appeals::Kind::ALL.iter().map(|k| (k.as_str(), t(lang, &format!("appeal_kind.{}", k.as_str())).to_string())).collect();
    let tracked = tracked.map(|tr| tracked_view(lang, &cats, tr));
    let started = form_token(app, luoshi_storage::now_micros()).await?;
    Ok(PublicPage { chrome: chrome(ctx, "public.title", None), cats, kinds, code, rating_code: None, tracked, started })
}

/// The public page: submit an appeal, or follow one by its tracking code.
pub async fn public_form(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(render(&public_page(&ctx, &app, None, None).await?))
}

/// A citizen submits (page form or JSON): answers with the tracking code and the rating code.
pub async fn public_submit(ctx: Ctx, State(app): State<AppState>, req: Request) -> AppResult<Response> {
    let is_json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    let bytes = crate::extract::body_bytes(req).await?;
    let (input, guard): (AppealInput, Guard) = if is_json {
        (crate::extract::json(&bytes)?, crate::extract::json(&bytes)?)
    } else {
        (crate::extract::form(&bytes, "body")?, crate::extract::form(&bytes, "body")?)
    };
    let r = rules(&app).await?;
    // People never see the honeypot; whatever fills it is a program.
    if !guard.website.trim().is_empty() {
        return Err(DomainError::field(ErrorCode::Invalid, "form").into());
    }
    if ctx.want == Want::Html {
        let min = r.int("appeals.intake.min_fill_seconds").unwrap_or(3);
        match form_age(&app, &guard.started, luoshi_storage::now_micros()).await? {
            Some(age) if age >= min && age <= DAY / 1_000_000 => {}
            Some(age) if (0..min).contains(&age) => return Err(DomainError::field(ErrorCode::TooManyAttempts, "form").with_detail(min.to_string()).into()),
            _ => return Err(DomainError::field(ErrorCode::Invalid, "form").into()),
        }
    }
    let per_hour = r.int("appeals.intake.per_address_per_hour").unwrap_or(20);
    admit(&app, &format!("intake:{}", ctx.ip.as_deref().unwrap_or("?")), HOUR, per_hour).await?;
    // A phone number of the wrong shape is the form's error to report, below.
    if let Some(phone) = luoshi_domain::appeals::check_phone(&input.phone).ok().flatten() {
        let per_day = r.int("appeals.intake.per_phone_per_day").unwrap_or(5);
        admit(&app, &format!("intake-phone:{phone}"), DAY, per_day).await?;
    }
    let received = svc::receive(&app.db, &app.routing, None, &input, Channel::Web, None, app.now()).await?;
    let code = received.appeal.code.clone();
    if ctx.want == Want::Json {
        let body = serde_json::json!({ "code": code, "rating_code": received.rating_code, "state": received.appeal.state });
        return Ok((StatusCode::CREATED, Json(body)).into_response());
    }
    let tr = svc::track(&app.db, &code).await?;
    let mut page = public_page(&ctx, &app, Some(code), Some(tr)).await?;
    page.rating_code = Some(received.rating_code);
    Ok((StatusCode::CREATED, render(&page)).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TrackQuery {
    #[serde(default)]
    code: String,
}

/// Follow an appeal by its tracking code (page: `?code=`; API: in the path).
pub async fn public_track(ctx: Ctx, State(app): State<AppState>, Query(q): Query<TrackQuery>) -> AppResult<Response> {
    let tr = svc::track(&app.db, &q.code).await?;
    Ok(render(&public_page(&ctx, &app, None, Some(tr)).await?))
}

pub async fn public_track_api(State(app): State<AppState>, Path(code): Path<String>) -> AppResult<Response> {
    Ok(Json(serde_json::to_value(svc::track(&app.db, &code).await?).unwrap_or_default()).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RateForm {
    #[serde(default)]
    rating_code: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// The citizen rates the reply with the rating code they were given: 满意 / 基本满意 / 不满意
/// (the first 不满意 sends it back for 重办).
pub async fn public_rate(ctx: Ctx, State(app): State<AppState>, Path(code): Path<String>, Input(f): Input<RateForm>) -> AppResult<Response> {
    let per_hour = rules(&app).await?.int("appeals.intake.per_address_per_hour").unwrap_or(20);
    admit(&app, &format!("intake:{}", ctx.ip.as_deref().unwrap_or("?")), HOUR, per_hour).await?;
    let tr = svc::rate_by_code(&app.db, &code, &f.rating_code, &f.rating, &f.comment, app.now()).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::to_value(&tr).unwrap_or_default()).into_response());
    }
    Ok(axum::response::Redirect::to(&format!("/public/track?code={}", tr.code)).into_response())
}
