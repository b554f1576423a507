//! The public pages (submit, track, rate) that need no account, guarded by
//! [`crate::public_guard`].

use super::when;
use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::appeals::{self as svc, Tracked};
use luoshi_domain::appeals::{AppealInput, Channel};
use luoshi_domain::i18n::{t, Lang};
use luoshi_storage::appeals::CategoryRow;

use crate::public_guard::{admit, check, form_token, read_with_files, Guard, HOUR};

async fn rules(app: &AppState) -> AppResult<luoshi_app::RulesInForce> {
    Ok(luoshi_app::RulesInForce::load(&app.db, app.today()).await?)
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
    /// The code typed on the tracking form, and why it found nothing.
    track_code: String,
    track_error: Option<String>,
    /// The form as typed when it was refused, and why.
    form: AppealInput,
    error: Option<String>,
    /// The county's hotline: its name and number, and how long a reply may take.
    hotline: (String, String),
    limits: String,
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
        // Before dispatch the clock has not started: said, not left blank.
        due: tr.due_at.map(when).unwrap_or_else(|| t(lang, "public.due_after_dispatch").to_string()),
        t: tr,
    }
}

async fn public_page(ctx: &Ctx, app: &AppState, code: Option<String>, tracked: Option<Tracked>) -> AppResult<PublicPage> {
    let cats: Vec<CategoryRow> = super::categories_in(app, ctx.lang).await?.into_iter().filter(|c| c.active).collect();
    let lang = ctx.lang;
    let kinds = luoshi_domain::appeals::Kind::ALL.iter().map(|k| (k.as_str(), t(lang, &format!("appeal_kind.{}", k.as_str())).to_string())).collect();
    let tracked = tracked.map(|tr| tracked_view(lang, &cats, tr));
    let started = form_token(app, luoshi_storage::now_micros()).await?;
    let r = rules(app).await?;
    let county = luoshi_storage::units::root(&app.db).await?.map(|u| u.name).unwrap_or_default();
    let hotline = (
        r.text("appeals.public.service_name").unwrap_or_default().replace("{county}", &county),
        r.text("appeals.public.phone").unwrap_or_else(|| "12345".into()),
    );
    let days = |k: &str| r.int(&format!("appeals.limit.{k}")).unwrap_or(0).to_string();
    let limits = t(lang, "public.limits")
        .replace("{consult}", &days("consult_working_days"))
        .replace("{help}", &days("help_working_days"))
        .replace("{complaint}", &days("complaint_working_days"))
        .replace("{report}", &days("report_working_days"))
        .replace("{suggestion}", &days("suggestion_working_days"))
        .replace("{urgent}", &days("urgent_hours"));
    let mut c = chrome(ctx, "public.title", None);
    c.title.clone_from(&hotline.0);
    c.brand = Some(format!("{} {}", hotline.0, hotline.1));
    Ok(PublicPage {
        chrome: c,
        form: AppealInput::default(),
        error: None,
        hotline,
        limits,
        cats,
        kinds,
        code,
        rating_code: None,
        tracked,
        started,
        track_code: String::new(),
        track_error: None,
    })
}

/// The public page: submit an appeal, or follow one by its tracking code.
pub async fn public_form(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(render(&public_page(&ctx, &app, None, None).await?))
}

/// A citizen submits (page form or JSON), with up to three photos on the page form: answers
/// with the tracking code and the rating code. Refused, the page form comes back as typed.
pub async fn public_submit(ctx: Ctx, State(app): State<AppState>, req: Request) -> AppResult<Response> {
    let (input, guard, sent): (AppealInput, Guard, _) = read_with_files(req, "photos").await?;
    check(&ctx, &app, &guard, &input.phone, "intake").await?;
    let result = async {
        let photos = svc::clean_photos(sent)?;
        svc::receive_with_photos(&app.db, &app.routing, None, &input, Channel::Web, None, photos, app.now()).await
    }
    .await
    .map_err(crate::error::AppError::from);
    let received = match result {
        Ok(r) => r,
        Err(crate::error::AppError(e)) if crate::handlers::mendable(&ctx, &e) => {
            let mut page = public_page(&ctx, &app, None, None).await?;
            page.error = Some(luoshi_domain::i18n::error_message(ctx.lang, &e));
            page.form = input;
            return Ok((crate::error::status_of(e.code), render(&page)).into_response());
        }
        Err(e) => return Err(e),
    };
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
    match svc::track(&app.db, &q.code).await {
        Ok(tr) => Ok(render(&public_page(&ctx, &app, None, Some(tr)).await?)),
        // A code that finds nothing: said on the same form, the code kept.
        Err(luoshi_storage::StoreError::Domain(e)) if e.code == luoshi_domain::ErrorCode::NotFound => {
            let mut page = public_page(&ctx, &app, None, None).await?;
            page.track_error = Some(luoshi_domain::i18n::error_message(ctx.lang, &e));
            page.track_code = q.code.trim().chars().take(20).collect();
            Ok((StatusCode::NOT_FOUND, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
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
