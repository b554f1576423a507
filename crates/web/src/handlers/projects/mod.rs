//! 重大项目 over HTTP: the JSON API (the ledger, each project, its moves, approvals, monthly
//! reports and problems, the bottleneck report and KPIs, the xlsx ledger and OC4IDS) and the
//! pages ([`ledger_pages`], [`project_pages`], [`approval_pages`], [`bottleneck_pages`]). Each
//! route is one line of the tables below with its policy; the use cases check the rest.

mod approval_pages;
mod bottleneck_pages;
mod ledger_pages;
mod project_pages;

use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::links::project_problem::{self, ProblemInput};
use luoshi_app::projects::{approvals, bottleneck, io, kpis, oc4ids, register, reports, stages};
use luoshi_storage::duty;
use luoshi_storage::projects::ledger::{self, Filter};

/// `?after=` (an id) for the next page of the ledger.
#[derive(Debug, Default, serde::Deserialize)]
struct After {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    after: Option<i64>,
}

/// The page size of the ledger.
const PAGE: i64 = 100;

async fn ledger_api(ctx: Ctx, State(app): State<AppState>, Query(f): Query<Filter>, Query(a): Query<After>) -> AppResult<Response> {
    let sight = duty::resolve(&app.db, &ctx.who()?.sight()).await?;
    let rows = ledger::page(&app.db, &sight, &f, a.after.unwrap_or(0), PAGE).await?;
    let (by_stage, by_light) = ledger::counts(&app.db, &sight, &f).await?;
    let next = (rows.len() as i64 == PAGE).then(|| rows.last().map(|p| p.id)).flatten();
    Ok(Json(serde_json::json!({ "projects": rows, "by_stage": by_stage, "by_light": by_light, "next_after": next })).into_response())
}

async fn create_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<register::ProjectInput>) -> AppResult<Response> {
    let p = register::create(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

async fn view_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(luoshi_app::projects::view(&app.db, &ctx.who()?, id, app.now()).await?).into_response())
}

/// An edit: the project as typed, the version read and the reason for changed plans.
#[derive(Debug, Default, serde::Deserialize)]
struct EditInput {
    #[serde(flatten)]
    project: register::ProjectInput,
    #[serde(default)]
    version: Option<i64>,
}

async fn update_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<EditInput>) -> AppResult<Response> {
    Ok(Json(register::update(&app.db, &ctx.who()?, id, &input.project, input.version, app.now()).await?).into_response())
}

async fn move_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<stages::MoveInput>) -> AppResult<Response> {
    Ok(Json(stages::act(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

async fn start_approvals_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let ids = approvals::start(&app.db, &ctx.who()?, id, app.now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "approvals": ids }))).into_response())
}

async fn report_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<reports::ReportInput>) -> AppResult<Response> {
    Ok(Json(reports::report(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

async fn problem_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ProblemInput>) -> AppResult<Response> {
    let (problem, task) = project_problem::raise(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "problem_id": problem, "task_id": task }))).into_response())
}

async fn item_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(approvals::item(&app.db, &ctx.who()?, id, app.now()).await?).into_response())
}

async fn item_act_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<approvals::ItemInput>) -> AppResult<Response> {
    Ok(Json(approvals::act(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

/// `?from=&to=` (dates) for the bottleneck report; `?year=` for the KPIs.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub(crate) year: Option<i64>,
}

async fn bottleneck_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<PeriodQuery>) -> AppResult<Response> {
    let now = app.now();
    let p = bottleneck::period(&q.from, &q.to, luoshi_domain::time::local_date(now))?;
    Ok(Json(bottleneck::report(&app.db, &ctx.who()?, p, now).await?).into_response())
}

async fn kpis_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<PeriodQuery>) -> AppResult<Response> {
    let today = luoshi_domain::time::local_date(app.now());
    let year = q.year.and_then(|y| i32::try_from(y).ok()).unwrap_or(chrono::Datelike::year(&today));
    Ok(Json(kpis::kpis(&app.db, &ctx.who()?, year, today).await?).into_response())
}

async fn oc4ids_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(oc4ids::package(&app.db, &ctx.who()?, app.now()).await?).into_response())
}

async fn oc4ids_one_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(oc4ids::one(&app.db, &ctx.who()?, id, app.now()).await?).into_response())
}

pub(crate) async fn export(ctx: Ctx, State(app): State<AppState>, Query(f): Query<Filter>) -> AppResult<Response> {
    Ok(crate::handlers::tasks::xlsx("重大项目台账", io::export(&app.db, &ctx.who()?, &f, app.now()).await?))
}

async fn import_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<crate::handlers::units::ImportQuery>, body: Bytes) -> AppResult<Response> {
    Ok(crate::handlers::import_answer(ctx.lang, io::import(&app.db, &ctx.who()?, &body, &q.name, q.dry_run, app.now()).await?))
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    let t = ledger_pages::routes(t);
    let t = project_pages::routes(t);
    let t = approval_pages::routes(t);
    let t = bottleneck_pages::routes(t);
    t.add(M::GET, "/api/v1/projects", R, "projects", "重大项目台账: a page of the caller's projects (?stage, light, township_id, industry, leader_user_id, lead_unit_id, q, after) with counts by stage and light", ledger_api)
        .add(M::POST, "/api/v1/projects", R, "projects", "Register a project {code, name, investor, investment, route, template, industry, scope, total_wan, land_mu, township_id, leader_user_id, lead_unit_id, stage, since, planned_*_on, annual_plan_wan, funds}", create_api)
        .add(M::GET, "/api/v1/projects/export.xlsx", R, "projects", "The project ledger as xlsx (the import's columns, this year's investment, the light)", export)
        .add(M::POST, "/api/v1/projects/import", R, "projects", "Import the project ledger (xlsx or CSV body, ?name=&dry_run=): all rows or none, every problem by row and column", import_api)
        .add(M::GET, "/api/v1/projects/oc4ids", R, "projects", "The caller's projects as an OC4IDS project package (no person, no internal note)", oc4ids_api)
        .add(M::GET, "/api/v1/projects/bottlenecks", R, "projects", "中梗阻: working days in each stage, approval stage, item, unit and project type over ?from=&to=, with the projects behind each figure", bottleneck_api)
        .add(M::GET, "/api/v1/projects/kpis", R, "projects", "履约率, 开竣工率, 资金到位率, 计划开工率 (rule formulas) and the year's investment by township and industry (?year=)", kpis_api)
        .add(M::GET, "/api/v1/projects/{id}", R, "projects", "A project with its light and reasons, stages, approvals, reports, investment curve, deviations, problems, trail and what the caller may do", view_api)
        .add(M::PUT, "/api/v1/projects/{id}", R, "projects", "Edit a project (a changed plan on a project past 洽谈 needs change_reason; kept as a deviation)", update_api)
        .add(M::GET, "/api/v1/projects/{id}/oc4ids", R, "projects", "One project in the OC4IDS project shape", oc4ids_one_api)
        .add(M::POST, "/api/v1/projects/{id}/actions", R, "projects", "Move a project {action: sign|land|start|build|complete|pause|resume|terminate, happened_on, reason, version}", move_api)
        .add(M::POST, "/api/v1/projects/{id}/approvals", R, "projects", "Start the project's approval items under its template", start_approvals_api)
        .add(M::POST, "/api/v1/projects/{id}/reports", R, "projects", "A monthly report {month, invested_wan, in_place_wan, progress, problems}", report_api)
        .add(M::POST, "/api/v1/projects/{id}/problems", R, "projects", "Raise a problem for coordination {kind, text, unit_id, due_on}: it becomes a task of that unit", problem_api)
        .add(M::GET, "/api/v1/approvals/{id}", R, "projects", "An approval item with its visits, pauses, dwell, days left, trail and what the caller may do", item_api)
        .add(M::POST, "/api/v1/approvals/{id}/actions", R, "projects", "Act on an approval item {action: submit|pause|resume|extend|return|approve|refuse, pause_kind, reason, version}", item_act_api)
}
