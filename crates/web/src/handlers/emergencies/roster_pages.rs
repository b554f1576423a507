//! The duty roster (值班表) and resources (应急资源) on screen: a week of the roster from a day,
//! its import (every problem by row and column on the same page), and the stock of teams,
//! supplies and shelters with the form to register one.

use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use luoshi_app::emergencies::resources::{self, ResourceInput};
use luoshi_app::emergencies::roster;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::emergencies::resources::Resource;
use luoshi_storage::emergencies::roster::OnDuty;

#[derive(Template)]
#[template(path = "emergencies/roster.html")]
struct RosterPage {
    chrome: Chrome,
    from: String,
    /// (day, weekday, people of the day).
    days: Vec<(String, String, Vec<OnDuty>)>,
    errors: Vec<(usize, String, String)>,
}

/// `?from=YYYY-MM-DD` (today by default).
#[derive(Debug, Default, serde::Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    from: String,
}

async fn roster_page(ctx: &Ctx, app: &AppState, from: &str, flash: Option<String>, errors: Vec<(usize, String, String)>) -> AppResult<RosterPage> {
    let lang = ctx.lang;
    let start = chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap_or_else(|_| app.today());
    let rows = roster::week(&app.db, &ctx.who()?, start).await?;
    let days = (0..7)
        .map(|i| {
            let d = start + chrono::Days::new(i);
            let day = luoshi_app::ymd(d);
            let wd = t(lang, &format!("weekday.{}", chrono::Datelike::weekday(&d).num_days_from_monday())).to_string();
            let people = rows.iter().filter(|r| r.day == day).cloned().collect();
            (day, wd, people)
        })
        .collect();
    Ok(RosterPage { chrome: chrome(ctx, "roster.title", flash), from: luoshi_app::ymd(start), days, errors })
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Query(q): Query<RosterQuery>) -> AppResult<Response> {
    Ok(render(&roster_page(&ctx, &app, &q.from, None, Vec::new()).await?))
}

fn row_errors(lang: Lang, errors: &[luoshi_domain::unit_import::RowError]) -> Vec<(usize, String, String)> {
    errors.iter().map(|e| (e.row, e.column.clone(), error_message(lang, &e.as_domain()))).collect()
}

pub async fn import_form(ctx: Ctx, State(app): State<AppState>, mut form: Multipart) -> AppResult<Response> {
    let bad = || AppError(DomainError::field(ErrorCode::BadFile, "file"));
    let (mut name, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        if field.name() == Some("file") {
            name = field.file_name().unwrap_or("").to_string();
            bytes = field.bytes().await.map_err(|_| bad())?.to_vec();
        }
    }
    match roster::import(&app.db, &ctx.who()?, &bytes, &name, app.now()).await? {
        Ok(r) => {
            let flash = t(ctx.lang, "roster.imported").replace("{n}", &r.rows.to_string()).replace("{u}", &r.units.to_string());
            let from = r.from.unwrap_or_default();
            Ok(render(&roster_page(&ctx, &app, &from, Some(flash), Vec::new()).await?))
        }
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&roster_page(&ctx, &app, "", None, row_errors(ctx.lang, &e)).await?)).into_response()),
    }
}

/// `?name=` the file's name (xlsx or csv).
#[derive(Debug, Default, serde::Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    name: String,
}

pub async fn import_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<ImportQuery>, body: Bytes) -> AppResult<Response> {
    match roster::import(&app.db, &ctx.who()?, &body, &q.name, app.now()).await? {
        Ok(r) => Ok(Json(r).into_response()),
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(crate::handlers::tasks::row_errors_json(ctx.lang, &e))).into_response()),
    }
}

pub async fn roster_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<RosterQuery>) -> AppResult<Response> {
    let start = chrono::NaiveDate::parse_from_str(&q.from, "%Y-%m-%d").unwrap_or_else(|_| app.today());
    Ok(Json(serde_json::json!({ "roster": roster::week(&app.db, &ctx.who()?, start).await? })).into_response())
}

#[derive(Template)]
#[template(path = "emergencies/resources.html")]
struct ResourcesPage {
    chrome: Chrome,
    rows: Vec<(Resource, String)>,
    units: Vec<(i64, String)>,
    error: Option<String>,
}

async fn resources_page(ctx: &Ctx, app: &AppState, flash: Option<String>, error: Option<String>) -> AppResult<ResourcesPage> {
    let lang = ctx.lang;
    let rows = resources::list(&app.db, &ctx.who()?)
        .await?
        .into_iter()
        .map(|r| (t(lang, &format!("resource_kind.{}", r.kind)).to_string(), r))
        .map(|(k, r)| (r, k))
        .collect();
    let units = luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All).await?.into_iter().map(|u| (u.id, u.name)).collect();
    Ok(ResourcesPage { chrome: chrome(ctx, "resources.title", flash), rows, units, error })
}

pub async fn resources_list(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(render(&resources_page(&ctx, &app, None, None).await?))
}

pub async fn resource_create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<ResourceInput>) -> AppResult<Response> {
    match resources::create(&app.db, &ctx.who()?, &input, app.now()).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to("/emergencies/resources").into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&resources_page(&ctx, &app, None, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(M::GET, "/emergencies/roster", R, "emergencies", "值班表: a week of the duty roster from ?from= (page)", page)
        .add(M::POST, "/emergencies/roster/import", R, "emergencies", "Import the duty roster (multipart form; all rows or none)", import_form)
        .add(M::GET, "/api/v1/roster", R, "emergencies", "The duty roster for seven days from ?from=", roster_api)
        .add(
            M::POST,
            "/api/v1/roster/import",
            R,
            "emergencies",
            "Import the duty roster (xlsx or csv body, ?name=; all rows or none, problems by row and column)",
            import_api,
        )
        .add(M::GET, "/emergencies/resources", R, "emergencies", "应急资源: teams, supplies and shelters with the form to register one (page)", resources_list)
        .add(M::POST, "/emergencies/resources", R, "emergencies", "Register a resource (form)", resource_create)
}
