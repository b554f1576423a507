//! 安全生产 over HTTP (JSON API): the enterprise ledger, registering a hazard found on an
//! inspection, its page with what the caller may do, its actions and the hazard ledger (台账).
//! Each route is one line of the table below with its policy; the use cases check the rest.

mod accident_pages;
mod enterprises;
mod inspections;
mod pages;

use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::hazards::{self as svc, accidents, ActInput, EnterpriseInput, HazardInput};
use luoshi_domain::hazards::{HazardGrade, HazardState};
use luoshi_domain::i18n::t;
use luoshi_domain::DomainError;

pub async fn create_enterprise(ctx: Ctx, State(app): State<AppState>, Input(input): Input<EnterpriseInput>) -> AppResult<Response> {
    let (e, warnings) = svc::create_enterprise(&app.db, &ctx.who()?, &input, app.now()).await?;
    let warnings: Vec<_> = warnings.iter().map(|w| serde_json::json!({ "code": w, "message": t(ctx.lang, w) })).collect();
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "enterprise": e, "warnings": warnings }))).into_response())
}

pub async fn enterprises(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    // The supervision office sees the county's ledger; a department the enterprises it regulates.
    let path = (!who.is_supervisor() && who.role != Some(luoshi_domain::user::Role::Leader)).then_some(who.unit_path.as_str());
    let rows = luoshi_storage::hazards::enterprises(&app.db, path, 500).await?;
    Ok(Json(serde_json::json!({ "enterprises": rows })).into_response())
}

pub async fn register(ctx: Ctx, State(app): State<AppState>, Input(input): Input<HazardInput>) -> AppResult<Response> {
    let v = svc::register(&app.db, &ctx.who()?, &input, app.today(), app.now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!(v))).into_response())
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(svc::view(&app.db, &ctx.who()?, id).await?).into_response())
}

pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ActInput>) -> AppResult<Response> {
    let v = svc::act(&app.db, &ctx.who()?, id, &input, app.today(), app.now()).await?;
    Ok(Json(v).into_response())
}

/// What a page was sent back to say it did (`?done=…`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub(crate) done: String,
}

/// An optional filter value: empty for none, else one the parser knows (or `invalid` naming it).
fn pick<T>(s: &str, field: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, DomainError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some).ok_or_else(|| DomainError::invalid(field))
    }
}

/// The ledger's filters, for the page and the API alike.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    pub(crate) state: String,
    #[serde(default)]
    pub(crate) grade: String,
    pub(crate) before: Option<i64>,
}

impl LedgerQuery {
    /// The state and grade asked for; an unknown one is `invalid` naming it.
    pub(crate) fn filters(&self) -> Result<(Option<HazardState>, Option<HazardGrade>), DomainError> {
        Ok((pick(&self.state, "state", HazardState::parse)?, pick(&self.grade, "grade", HazardGrade::parse)?))
    }
}

pub async fn ledger(ctx: Ctx, State(app): State<AppState>, Query(q): Query<LedgerQuery>) -> AppResult<Response> {
    let (state, grade) = q.filters()?;
    let rows = svc::ledger(&app.db, &ctx.who()?, state, grade, q.before).await?;
    let next = if rows.len() == 100 { rows.last().map(|h| h.id) } else { None };
    Ok(Json(serde_json::json!({ "hazards": rows, "next_before": next })).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CatalogueQuery {
    #[serde(default)]
    on: String,
}

/// The 重大事故隐患判定标准 shipped, each with whether it is in force on `on` (today by default).
pub async fn catalogues(State(app): State<AppState>, Query(q): Query<CatalogueQuery>) -> AppResult<Response> {
    let on = if q.on.trim().is_empty() { app.today() } else { luoshi_domain::time::parse_date("on", &q.on)? };
    let all = luoshi_domain::hazards::catalogue::shipped()?;
    let rows: Vec<_> = all.iter().map(|c| serde_json::json!({ "catalogue": c, "in_force": c.in_force(on) })).collect();
    Ok(Json(serde_json::json!({ "on": on.to_string(), "catalogues": rows })).into_response())
}

pub async fn accidents_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "accidents": accidents::list(&app.db, &ctx.who()?).await? })).into_response())
}

/// The accident's incident at the county's command (the integration room's link); a failure
/// is logged and the minute watch's sweep opens it later: the accident stands either way.
pub(crate) async fn open_incident(app: &AppState, accident: i64) {
    if let Err(e) = luoshi_app::links::accident_incident::open(&app.db, accident, app.now()).await {
        tracing::warn!(error = %e, accident, "the accident's incident waits for the watch");
    }
}

pub async fn record_accident(ctx: Ctx, State(app): State<AppState>, Input(input): Input<accidents::AccidentInput>) -> AppResult<Response> {
    let v = accidents::record(&app.db, &ctx.who()?, &input, app.now()).await?;
    open_incident(&app, v.accident.id).await;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn accident(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(accidents::view(&app.db, &ctx.who()?, id).await?).into_response())
}

pub async fn accident_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<accidents::AccidentActInput>) -> AppResult<Response> {
    Ok(Json(accidents::act(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LookBackQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    percent: Option<i64>,
}

impl LookBackQuery {
    /// `from` (required) to `to` (today when empty), each named when it is not a date.
    fn period(&self, today: chrono::NaiveDate) -> Result<(chrono::NaiveDate, chrono::NaiveDate), DomainError> {
        let from = luoshi_domain::time::parse_date("from", &self.from)?;
        let to = if self.to.trim().is_empty() { today } else { luoshi_domain::time::parse_date("to", &self.to)? };
        Ok((from, to))
    }
}

pub async fn look_back(ctx: Ctx, State(app): State<AppState>, Query(q): Query<LookBackQuery>) -> AppResult<Response> {
    let (from, to) = q.period(app.today())?;
    Ok(Json(luoshi_app::hazards::lookback::look_back(&app.db, &ctx.who()?, from, to, q.percent).await?).into_response())
}

pub async fn stats(ctx: Ctx, State(app): State<AppState>, Query(q): Query<LookBackQuery>) -> AppResult<Response> {
    let (from, to) = q.period(app.today())?;
    Ok(Json(luoshi_app::hazards::stats::stats(&app.db, &ctx.who()?, from, to, app.today()).await?).into_response())
}

pub async fn rebound(State(app): State<AppState>, Query(q): Query<LookBackQuery>) -> AppResult<Response> {
    let (from, to) = q.period(app.today())?;
    Ok(Json(luoshi_app::hazards::stats::rebound(&app.db, from, to).await?).into_response())
}

/// This module's routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{DIRECTIVE_WRITERS, TASK_READERS};
    let t = accident_pages::routes(inspections::routes(enterprises::routes(t)));
    t.add(M::GET, "/hazards", TASK_READERS, "hazards", "The hazard ledger (page)", pages::ledger)
        .add(M::GET, "/hazards/stats", TASK_READERS, "hazards", "安全生产 statistics (page): rates, a chart by township, tables by department and industry, the 翘尾 alert", pages::stats)
        .add(M::GET, "/hazards/export.xlsx", TASK_READERS, "hazards", "The hazard ledger as xlsx (the filters as on screen, up to 5,000 rows)", pages::export)
        .add(M::GET, "/api/v1/hazards/export.xlsx", TASK_READERS, "hazards", "The hazard ledger as xlsx (?state=&grade=), up to 5,000 rows", pages::export)
        .add(M::GET, "/hazards/{id}", TASK_READERS, "hazards", "A hazard with its trail and the forms of what the caller may do (page)", pages::page)
        .add(M::POST, "/hazards/{id}/actions", TASK_READERS, "hazards", "Act on a hazard (form)", pages::act)
        .add(M::GET, "/api/v1/enterprises", TASK_READERS, "hazards", "The enterprise ledger the caller may see (the county's for the supervision office)", enterprises)
        .add(
            M::POST,
            "/api/v1/enterprises",
            TASK_READERS,
            "hazards",
            "Add an enterprise {name, credit_code, industry, regulator_unit_id, township_id, address, size, flags[], hazard_source_level}; a failing credit-code check is a warning",
            create_enterprise,
        )
        .add(M::GET, "/api/v1/hazards", TASK_READERS, "hazards", "The hazard ledger (台账) the caller may see (?state=&grade=&before=ID), newest first", ledger)
        .add(
            M::POST,
            "/api/v1/hazards",
            TASK_READERS,
            "hazards",
            "Register a hazard found on an inspection {enterprise_id | place + owner_unit_id, description, found_on, control_measures}",
            register,
        )
        .add(M::GET, "/api/v1/accidents", TASK_READERS, "hazards", "Accidents the caller may see, newest first, with their grade and the report due", accidents_api)
        .add(
            M::POST,
            "/api/v1/accidents",
            TASK_READERS,
            "hazards",
            "Record an accident {enterprise_id | place + owner_unit_id, occurred_at (local YYYY-MM-DD HH:MM), road_or_fire, deaths, serious_injuries, loss_yuan, description}: graded by 国务院令第493号 第三条, the unit's report due within the hour",
            record_accident,
        )
        .add(M::GET, "/api/v1/accidents/{id}", TASK_READERS, "hazards", "An accident with its trail and what the caller may do now", accident)
        .add(M::POST, "/api/v1/accidents/{id}/actions", TASK_READERS, "hazards", "Act on an accident's record {action: report|forward|supplement|close, deaths, serious_injuries, loss_yuan, note}", accident_act)
        .add(
            M::GET,
            "/api/v1/hazards/look-back",
            TASK_READERS,
            "hazards",
            "回头看: a stable sample of the hazards closed in ?from=&to= (percent by rule or ?percent=) and the enterprises that reported none",
            look_back,
        )
        .add(
            M::GET,
            "/api/v1/hazards/stats",
            TASK_READERS,
            "hazards",
            "隐患整改率 and 重大隐患整改率 apart, by township, department and industry, for the months of ?from=&to= (kept counts), and the hazards overdue now",
            stats,
        )
        .add(
            M::GET,
            "/api/v1/hazards/rebound",
            DIRECTIVE_WRITERS,
            "hazards",
            "翘尾: hazards found and accidents in the months of ?from=&to= against the same period last year and the year's monthly pace, with the rule's alert",
            rebound,
        )
        .add(M::GET, "/api/v1/hazards/catalogues", TASK_READERS, "hazards", "The 重大事故隐患判定标准 with their sources, each in force or not on ?on=DATE", catalogues)
        .add(M::GET, "/api/v1/hazards/{id}", TASK_READERS, "hazards", "A hazard with its trail and the actions the caller may take now", page)
        .add(
            M::POST,
            "/api/v1/hazards/{id}/actions",
            TASK_READERS,
            "hazards",
            "Act on a hazard {action, version, deadline, basis_catalogue, basis_article, basis_item, five{measures, responsibility, funds, time_limit, plan}, evidence, stop_production, note}",
            act,
        )
}
