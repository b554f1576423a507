//! Directives: the list, creation, a directive's page, and tasks created under it.

use super::*;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::tasks::{self as svc};
use luoshi_domain::tasks::TaskInput;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store, DirectiveInput};
use luoshi_storage::{units, users};

#[derive(Template)]
#[template(path = "directives.html")]
pub(super) struct DirectivesPage {
    chrome: Chrome,
    list: Vec<(store::Directive, i64)>,
    can_create: bool,
    supervisor: bool,
    today: String,
}

pub async fn directives(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    let list = store::list_directives(&app.db, &who.visibility()).await?;
    if ctx.want == Want::Json {
        let out: Vec<_> = list.iter().map(|(d, n)| serde_json::json!({ "directive": d, "tasks": n })).collect();
        return Ok(Json(serde_json::json!({ "directives": out })).into_response());
    }
    let can_create = who.is_supervisor() || who.role == Some(Role::Leader);
    Ok(render(&DirectivesPage {
        chrome: chrome(&ctx, "tasks.directives", None),
        list,
        can_create,
        supervisor: who.is_supervisor(),
        today: app.today().to_string(),
    }))
}

pub async fn directive_create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<DirectiveInput>) -> AppResult<Response> {
    let d = svc::create_directive(&app.db, &ctx.who()?, &input, app.today()).await?;
    Ok(crate::handlers::done(&ctx, StatusCode::CREATED, serde_json::json!({ "directive": d }), &format!("/directives/{}?done=created", d.id)))
}

#[derive(Template)]
#[template(path = "directive.html")]
pub(super) struct DirectivePage {
    chrome: Chrome,
    d: store::Directive,
    rows: Vec<Row>,
    supervisor: bool,
    /// The office may tick tasks in 立项 and 交办 them at once.
    bulk: bool,
    units: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
}

pub async fn directive_show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<super::page::Done>) -> AppResult<Response> {
    let who = ctx.who()?;
    let (d, tasks) = svc::directive(&app.db, &who, id).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "directive": d, "tasks": tasks })).into_response());
    }
    let supervisor = who.is_supervisor();
    let (all_units, leaders) = if supervisor {
        let u = units::list(&app.db, &luoshi_domain::access::Scope::All)
            .await?
            .into_iter()
            .map(|u| (u.id, format!("{}{}", "\u{3000}".repeat(usize::try_from(u.depth).unwrap_or(0)), u.name)))
            .collect();
        let l = users::list(&app.db, &luoshi_domain::access::Scope::All)
            .await?
            .into_iter()
            .filter(|(u, _)| u.role == Role::Leader)
            .map(|(u, _)| (u.id, u.display_name))
            .collect();
        (u, l)
    } else {
        (Vec::new(), Vec::new())
    };
    // Said after creating it here or publishing it from 文件分解.
    let done = match q.done() {
        "created" => Some(ctx.t("directive.done.created")),
        "published" => Some(ctx.t("directive.done.published")),
        _ => None,
    };
    let mut c = chrome(&ctx, "tasks.directives", done);
    c.title.clone_from(&d.title);
    let cal = luoshi_storage::calendar::load(&app.db).await?;
    let rows = rows(ctx.lang, &cal, app.today(), tasks);
    // The button only where there is something in 立项 to tick.
    let bulk = supervisor && rows.iter().any(|r| r.d.state == luoshi_domain::tasks::State::Draft);
    Ok(render(&DirectivePage { chrome: c, d, rows, supervisor, bulk, units: all_units, leaders }))
}

pub async fn task_create(ctx: Ctx, State(app): State<AppState>, Path(directive_id): Path<i64>, body: Bytes) -> AppResult<Response> {
    store::get_directive(&app.db, directive_id).await?.ok_or_else(|| DomainError::not_found("directive"))?;
    let input: TaskInput = if ctx.want == Want::Json {
        serde_json::from_slice(&body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?
    } else {
        task_from_form(&body)?
    };
    svc::check_dates(&app.db, &input, app.today()).await?;
    let id = svc::create_task(&app.db, &ctx.who()?, Some(directive_id), None, &input).await?;
    Ok(crate::handlers::done(&ctx, StatusCode::CREATED, serde_json::json!({ "id": id }), &format!("/tasks/{id}?done=created")))
}

/// HTML forms repeat a field for each selected option; serde_urlencoded takes one value per key.
pub(super) fn task_from_form(body: &[u8]) -> AppResult<TaskInput> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?;
    let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let ids = |k: &str| -> AppResult<Vec<i64>> {
        pairs.iter().filter(|(x, v)| x == k && !v.is_empty()).map(|(_, v)| v.parse().map_err(|_| AppError(DomainError::invalid(k)))).collect()
    };
    let num = |k: &str| -> AppResult<Option<i64>> { opt_id(k, &get(k)) };
    let mut milestones = Vec::new();
    for i in 1..=4 {
        let date = get(&format!("m{i}_date"));
        if !date.is_empty() {
            let pct: f64 = get(&format!("m{i}_percent")).trim().parse().map_err(|_| DomainError::invalid("milestones"))?;
            milestones.push(luoshi_domain::tasks::MilestoneInput { date, percent: pct, title: String::new() });
        }
    }
    Ok(TaskInput {
        parent_id: num("parent_id")?,
        title: get("title"),
        measures: get("measures"),
        lead_leader_id: num("lead_leader_id")?,
        lead_unit_id: num("lead_unit_id")?.unwrap_or(0),
        responsible_unit_ids: ids("responsible_unit_ids")?,
        cooperating_unit_ids: ids("cooperating_unit_ids")?,
        deadline: get("deadline"),
        deadline_working_days: num("deadline_working_days")?,
        term: get("term"),
        weight: get("weight").trim().parse().ok(),
        milestones,
        remarks: get("remarks"),
        backfill: matches!(get("backfill").trim(), "on" | "true" | "1"),
    })
}
