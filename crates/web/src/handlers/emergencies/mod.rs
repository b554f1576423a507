//! 应急协同 over HTTP: the JSON API (plans, incidents, assignments, resources, warnings, the
//! CAP inbox), the pages ([`incident_pages`], [`plan_pages`], [`warning_pages`],
//! [`roster_pages`]) and the public CAP feed ([`cap_feed`]). Each route is one line of the table
//! below with its policy; the use cases check the rest.

mod cap_feed;
mod incident_pages;
mod plan_pages;
mod report_pages;
mod roster_pages;
mod warning_pages;

use crate::error::AppResult;
use crate::extract::Path;
use crate::http::{Ctx, Input};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::emergencies::{activation, assignments, exchange, incidents, plans, resources, warnings};

/// `?done=…` after an action: the page says what happened.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub(crate) done: String,
}

async fn plans_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "plans": plans::list(&app.db, &ctx.who()?).await? })).into_response())
}

async fn plan_create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<plans::PlanInput>) -> AppResult<Response> {
    let who = ctx.who()?;
    let id = plans::create(&app.db, &who, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(plans::view(&app.db, &who, id, app.now()).await?)).into_response())
}

async fn plan_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(plans::view(&app.db, &ctx.who()?, id, app.now()).await?).into_response())
}

async fn plan_contents(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<plans::ContentsInput>) -> AppResult<Response> {
    Ok(Json(plans::set_contents(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

async fn plan_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<plans::PlanActInput>) -> AppResult<Response> {
    Ok(Json(plans::act(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

async fn incidents_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "incidents": incidents::list(&app.db, &ctx.who()?).await? })).into_response())
}

async fn incident_report(ctx: Ctx, State(app): State<AppState>, Input(input): Input<incidents::IncidentInput>) -> AppResult<Response> {
    let who = ctx.who()?;
    let id = incidents::report(&app.db, &who, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(incidents::view(&app.db, &who, id).await?)).into_response())
}

/// `?limit=` assignments (the most urgent first; 200 by default).
#[derive(Debug, Default, serde::Deserialize)]
struct PageQuery {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    limit: Option<i64>,
}

async fn incident_api(
    ctx: Ctx,
    State(app): State<AppState>,
    Path(id): Path<i64>,
    crate::extract::Query(q): crate::extract::Query<PageQuery>,
) -> AppResult<Response> {
    let limit = q.limit.unwrap_or(incidents::PAGE);
    Ok(Json(incidents::view_page(&app.db, &ctx.who()?, id, limit, app.now()).await?).into_response())
}

async fn incident_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<incidents::IncidentActInput>) -> AppResult<Response> {
    Ok(Json(incidents::act(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
struct ActivateInput {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    plan_id: Option<i64>,
    #[serde(default)]
    level: String,
}

async fn incident_activate(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ActivateInput>) -> AppResult<Response> {
    let level = if input.level.trim().is_empty() { None } else { incidents::level_of(&input.level).ok() };
    let done = activation::activate(&app.db, &ctx.who()?, id, input.plan_id, level, app.now()).await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

async fn assignment_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(assignments::view(&app.db, &ctx.who()?, id).await?).into_response())
}

async fn assignment_act(
    ctx: Ctx,
    State(app): State<AppState>,
    Path(id): Path<i64>,
    Input(input): Input<assignments::AssignmentActInput>,
) -> AppResult<Response> {
    Ok(Json(assignments::act(&app.db, &ctx.who()?, id, &input, app.now()).await?).into_response())
}

async fn resources_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "resources": resources::list(&app.db, &ctx.who()?).await? })).into_response())
}

async fn resource_create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<resources::ResourceInput>) -> AppResult<Response> {
    let id = resources::create(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

async fn allocate_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<resources::AllocateInput>) -> AppResult<Response> {
    let left = resources::allocate(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok(Json(serde_json::json!({ "left": left })).into_response())
}

async fn warnings_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "warnings": warnings::list(&app.db, &ctx.who()?).await? })).into_response())
}

async fn warning_compose(ctx: Ctx, State(app): State<AppState>, Input(input): Input<warnings::WarningInput>) -> AppResult<Response> {
    let who = ctx.who()?;
    let id = warnings::compose(&app.db, &who, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(warnings::view(&app.db, &who, id).await?.0)).into_response())
}

async fn warning_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (s, a) = warnings::view(&app.db, &ctx.who()?, id).await?;
    Ok(Json(serde_json::json!({ "warning": s, "alert": a, "expired": warnings::expired(&s, app.now()) })).into_response())
}

/// A step of a warning, or a change composed from it (`update` with the new content, `cancel` with `note`).
#[derive(Debug, Default, serde::Deserialize)]
struct WarningActInput {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    content: warnings::WarningInput,
}

async fn warning_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<WarningActInput>) -> AppResult<Response> {
    let who = ctx.who()?;
    let now = app.now();
    match input.action.trim() {
        a @ ("update" | "cancel") => {
            let new = warnings::compose_change(&app.db, &who, id, a == "cancel", &input.content, &input.note, now).await?;
            Ok((StatusCode::CREATED, Json(warnings::view(&app.db, &who, new).await?.0)).into_response())
        }
        a => Ok(Json(warnings::act(&app.db, &who, id, a, now).await?).into_response()),
    }
}

/// A CAP message from a peer, as the request's body (XML).
async fn cap_inbox(ctx: Ctx, State(app): State<AppState>, body: axum::body::Bytes) -> AppResult<Response> {
    let xml = std::str::from_utf8(&body).map_err(|_| luoshi_domain::DomainError::invalid("cap").with_detail("not UTF-8"))?;
    let (id, new) = exchange::receive(&app.db, &ctx.who()?, xml, app.now()).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(serde_json::json!({ "id": id, "new": new }))).into_response())
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    let t = incident_pages::routes(t);
    let t = plan_pages::routes(t);
    let t = report_pages::routes(t);
    let t = warning_pages::routes(t);
    let t = roster_pages::routes(t);
    let t = cap_feed::routes(t);
    t.add(M::GET, "/api/v1/emergency-plans", R, "emergencies", "预案: every plan with its kind, category, owner and state", plans_api)
        .add(
            M::POST,
            "/api/v1/emergency-plans",
            R,
            "emergencies",
            "Create a plan (drafted) {title, kind, category, event_type, owner_unit_id, parent_plan_id, doc_no}",
            plan_create,
        )
        .add(
            M::GET,
            "/api/v1/emergency-plans/{id}",
            R,
            "emergencies",
            "A plan with its levels, responsibility matrix, linked plans, trail and what the caller may do",
            plan_api,
        )
        .add(
            M::PUT,
            "/api/v1/emergency-plans/{id}/contents",
            R,
            "emergencies",
            "Replace a draft's levels, matrix and links {levels, matrix, links}",
            plan_contents,
        )
        .add(
            M::POST,
            "/api/v1/emergency-plans/{id}/actions",
            R,
            "emergencies",
            "Act on a plan {action: submit|publish|reject|drill|evaluate|revise|withdraw, on, trigger, note}",
            plan_act,
        )
        .add(M::GET, "/api/v1/incidents", R, "emergencies", "突发事件 the caller may see, newest first", incidents_api)
        .add(
            M::POST,
            "/api/v1/incidents",
            R,
            "emergencies",
            "接报: record an incident {title, event_type, occurred_at, township_id, village_id, place, facts, deaths, injured, missing}",
            incident_report,
        )
        .add(
            M::GET,
            "/api/v1/incidents/{id}",
            R,
            "emergencies",
            "The command view: the incident, activations, every assignment counted by state (late, due soon), the most urgent ?limit= (200) of them, log, resources moved",
            incident_api,
        )
        .add(
            M::POST,
            "/api/v1/incidents/{id}/actions",
            R,
            "emergencies",
            "A command's action {action: assess|change_level|report_up|update|stand_down|close, level, note, deaths, injured, missing}",
            incident_act,
        )
        .add(
            M::POST,
            "/api/v1/incidents/{id}/activations",
            R,
            "emergencies",
            "启动响应: activate a plan at a level {plan_id, level}: assignments for every unit of its matrix and its linked plans",
            incident_activate,
        )
        .add(
            M::POST,
            "/api/v1/incidents/{id}/allocations",
            R,
            "emergencies",
            "Allocate (or return) a resource for the incident {resource_id, assignment_id, quantity, back, note}",
            allocate_api,
        )
        .add(
            M::GET,
            "/api/v1/emergency-assignments/{id}",
            R,
            "emergencies",
            "An emergency assignment with its trail and what the caller may do",
            assignment_api,
        )
        .add(
            M::POST,
            "/api/v1/emergency-assignments/{id}/actions",
            R,
            "emergencies",
            "Act on an assignment {action: sign|report|finish|confirm|reopen|stand_down, text}",
            assignment_act,
        )
        .add(M::GET, "/api/v1/emergency-resources", R, "emergencies", "Teams, supplies and shelters with their quantities", resources_api)
        .add(
            M::POST,
            "/api/v1/emergency-resources",
            R,
            "emergencies",
            "Register a resource {kind: team|supply|shelter, name, unit_id, township_id, place, quantity, measure}",
            resource_create,
        )
        .add(M::GET, "/api/v1/warnings", R, "emergencies", "预警: every warning issued or received, newest first", warnings_api)
        .add(M::POST, "/api/v1/warnings", R, "emergencies", "Compose a warning (a draft CAP Alert) in both languages", warning_compose)
        .add(M::GET, "/api/v1/warnings/{id}", R, "emergencies", "A warning with its CAP message and whether it has expired", warning_api)
        .add(
            M::POST,
            "/api/v1/warnings/{id}/actions",
            R,
            "emergencies",
            "A warning's step {action: submit|approve|publish|withdraw} or a change composed from it {action: update|cancel, …}",
            warning_act,
        )
        .add(
            M::POST,
            "/api/v1/cap/inbox",
            R,
            "emergencies",
            "Receive a CAP 1.2 message from a peer (XML body; no DTD, checked against the standard)",
            cap_inbox,
        )
}
