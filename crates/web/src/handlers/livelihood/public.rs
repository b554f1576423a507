//! The public pages (no account): citizens propose (征集) with the intake's protections, see the
//! year's candidates and chosen projects with their delivery, and rate a chosen project once per
//! phone. Nothing published carries a name, a phone or an internal note.

use super::label;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Want};
use crate::pages::{chrome, render, Chrome};
use crate::public_guard::{check, form_token, read, Guard};
use crate::routes::PUBLIC;
use crate::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use luoshi_app::livelihood::ratings::{self, PublicRatingInput};
use luoshi_app::livelihood::report::{public_year, Published};
use luoshi_app::livelihood::{self as svc, proposals};
use luoshi_domain::i18n::error_message;
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::livelihood::{Area, ProposalInput, ProposalState};
use luoshi_domain::ErrorCode;

/// A published project as shown.
struct Shown {
    p: Published,
    area: String,
    state: String,
    delivery: String,
    public: String,
    deputies: String,
}

fn shown(lang: Lang, p: Published) -> Shown {
    let delivery = match (&p.task_state, &p.task_light) {
        (Some(s), Some(l)) => format!("{} · {}", t(lang, &format!("state.{s}")), t(lang, &format!("light.{l}"))),
        _ => String::new(),
    };
    let public = p
        .public
        .satisfied_bp()
        .map(|bp| t(lang, "livelihood.public_rating_of").replace("{n}", &p.public.total().to_string()).replace("{p}", &luoshi_domain::money::percent(bp)))
        .unwrap_or_default();
    Shown {
        area: label(lang, "area", p.area.as_str()),
        state: label(lang, "state", p.state.as_str()),
        deputies: p.deputies_rating.as_deref().map(|x| label(lang, "choice", x)).unwrap_or_default(),
        delivery,
        public,
        p,
    }
}

#[derive(Template)]
#[template(path = "livelihood/public.html")]
struct PublicPage {
    chrome: Chrome,
    year: i64,
    period: String,
    areas: Vec<(&'static str, String)>,
    projects: Vec<Shown>,
    form: ProposalInput,
    started: String,
    error: Option<String>,
}

async fn public_page(ctx: &Ctx, app: &AppState, flash: Option<String>, form: ProposalInput, error: Option<String>) -> AppResult<PublicPage> {
    let lang = ctx.lang;
    let year = i64::from(svc::project_year(app.today()));
    // What the deputies chose this year, else what they are to choose from.
    let this_year = i64::from(chrono::Datelike::year(&app.today()));
    let mut projects = public_year(&app.db, this_year).await?;
    projects.extend(public_year(&app.db, year).await?);
    projects.retain(|p| p.state != ProposalState::NotChosen);
    let y = svc::year_settings(&app.db, i32::try_from(year).unwrap_or(2027), app.today()).await?;
    let period = t(lang, "livelihood.not_collecting").replace("{from}", &y.collect_from).replace("{to}", &y.collect_to);
    Ok(PublicPage {
        chrome: chrome(ctx, "livelihood.public_title", flash),
        year,
        period,
        areas: Area::ALL.iter().map(|a| (a.as_str(), label(lang, "area", a.as_str()))).collect(),
        projects: projects.into_iter().map(|p| shown(lang, p)).collect(),
        form,
        started: form_token(app, luoshi_storage::now_micros()).await?,
        error,
    })
}

/// `?rated=1` after a rating.
#[derive(Debug, Default, serde::Deserialize)]
struct Rated {
    #[serde(default)]
    rated: String,
}

async fn page(ctx: Ctx, State(app): State<AppState>, Query(q): Query<Rated>) -> AppResult<Response> {
    let flash = (!q.rated.is_empty()).then(|| t(ctx.lang, "livelihood.rated").to_string());
    Ok(render(&public_page(&ctx, &app, flash, ProposalInput::default(), None).await?))
}

/// A citizen proposes (page form or JSON).
async fn submit(ctx: Ctx, State(app): State<AppState>, req: Request) -> AppResult<Response> {
    let (input, guard): (ProposalInput, Guard) = read(req).await?;
    check(&ctx, &app, &guard, &input.phone, "livelihood").await?;
    match proposals::submit_public(&app.db, &input, app.now()).await.map_err(AppError::from) {
        Ok(id) if ctx.want == Want::Json => Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response()),
        Ok(id) => {
            let flash = t(ctx.lang, "livelihood.submitted").replace("{id}", &id.to_string());
            Ok((StatusCode::CREATED, render(&public_page(&ctx, &app, Some(flash), ProposalInput::default(), None).await?)).into_response())
        }
        Err(AppError(e)) if ctx.want == Want::Html && !matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden | ErrorCode::TooManyAttempts) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&public_page(&ctx, &app, None, input, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The year's candidates and projects as published (JSON).
async fn published_api(State(app): State<AppState>) -> AppResult<Response> {
    let year = i64::from(svc::project_year(app.today()));
    let this_year = year - 1;
    Ok(Json(serde_json::json!({ "projects": public_year(&app.db, this_year).await?, "candidates": public_year(&app.db, year).await? })).into_response())
}

/// A citizen rates a chosen project (once per phone).
async fn rate(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, req: Request) -> AppResult<Response> {
    let (input, guard): (PublicRatingInput, Guard) = read(req).await?;
    // An id that is no chosen project is not found, before anything else is asked.
    ratings::ratable(&app.db, id).await?;
    check(&ctx, &app, &guard, &input.phone, "livelihood").await?;
    match ratings::rate_public(&app.db, id, &input, app.now()).await.map_err(AppError::from) {
        Ok(()) if ctx.want == Want::Json => Ok((StatusCode::CREATED, Json(serde_json::json!({ "ok": true }))).into_response()),
        Ok(()) => Ok(Redirect::to("/public/livelihood?rated=1").into_response()),
        Err(AppError(e)) if ctx.want == Want::Html && !matches!(e.code, ErrorCode::NotFound | ErrorCode::TooManyAttempts) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&public_page(&ctx, &app, None, ProposalInput::default(), Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    t.add(M::GET, "/public/livelihood", PUBLIC, "public", "民生实事: propose, see the candidates and projects, rate (page)", page)
        .add(M::POST, "/public/livelihood", PUBLIC, "public", "A citizen proposes (form)", submit)
        .add(M::POST, "/public/livelihood/{id}/rate", PUBLIC, "public", "A citizen rates a chosen project, once per phone (form)", rate)
        .add(
            M::GET,
            "/api/v1/public/livelihood",
            PUBLIC,
            "public",
            "The year's chosen projects with their delivery and ratings, and the candidates: no name, phone or internal note",
            published_api,
        )
        .add(M::POST, "/api/v1/public/livelihood", PUBLIC, "public", "A citizen proposes {title, content, area, place, name, phone}", submit)
        .add(
            M::POST,
            "/api/v1/public/livelihood/{id}/rating",
            PUBLIC,
            "public",
            "A citizen rates a chosen project {phone, rating: satisfied|basic|unsatisfied}",
            rate,
        )
}
