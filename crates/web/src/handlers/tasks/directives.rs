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
    /// The new-directive form as typed (empty: a fresh one) and why it was refused.
    form: DirectiveInput,
    error: Option<String>,
}

async fn directives_page(ctx: &Ctx, app: &AppState, form: DirectiveInput, error: Option<String>) -> AppResult<DirectivesPage> {
    let who = ctx.who()?;
    let list = store::list_directives(&app.db, &who.visibility()).await?;
    let can_create = who.is_supervisor() || who.role == Some(Role::Leader);
    Ok(DirectivesPage { chrome: chrome(ctx, "tasks.directives", None), list, can_create, supervisor: who.is_supervisor(), form, error })
}

pub async fn directives(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    if ctx.want == Want::Json {
        let list = store::list_directives(&app.db, &who.visibility()).await?;
        let out: Vec<_> = list.iter().map(|(d, n)| serde_json::json!({ "directive": d, "tasks": n })).collect();
        return Ok(Json(serde_json::json!({ "directives": out })).into_response());
    }
    let form = DirectiveInput { issued_on: app.today().to_string(), kind: "meeting".into(), ..DirectiveInput::default() };
    Ok(render(&directives_page(&ctx, &app, form, None).await?))
}

pub async fn directive_create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<DirectiveInput>) -> AppResult<Response> {
    match svc::create_directive(&app.db, &ctx.who()?, &input, app.today()).await.map_err(AppError::from) {
        Ok(d) => Ok(crate::handlers::done(&ctx, StatusCode::CREATED, serde_json::json!({ "directive": d }), &format!("/directives/{}?done=created", d.id))),
        Err(AppError(e)) if crate::handlers::mendable(&ctx, &e) => {
            let msg = luoshi_domain::i18n::error_message(ctx.lang, &e);
            Ok((crate::error::status_of(e.code), render(&directives_page(&ctx, &app, input, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
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
    /// The unit tree in order: id, name, depth (the picker indents and searches it).
    units: Vec<(i64, String, usize)>,
    leaders: Vec<(i64, String)>,
    /// The new-task form as typed, and why it was refused.
    form: Vec<(String, String)>,
    error: Option<(String, Option<String>)>,
}

impl DirectivePage {
    /// What was typed into `field` (empty on a fresh form).
    fn val(&self, field: &str) -> &str {
        self.form.iter().find(|(k, _)| k == field).map_or("", |(_, v)| v.as_str())
    }

    /// Was `id` chosen in `field` (a select, single or multiple)?
    fn chose<I: std::borrow::Borrow<i64>>(&self, field: &str, id: I) -> bool {
        let id = id.borrow().to_string();
        self.form.iter().any(|(k, v)| k == field && *v == id)
    }

    /// Is `field` the one the form was refused for?
    fn wrong(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|(_, f)| f.as_deref() == Some(field))
    }
}

pub async fn directive_show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<super::page::Done>) -> AppResult<Response> {
    let who = ctx.who()?;
    if ctx.want == Want::Json {
        let (d, tasks) = svc::directive(&app.db, &who, id).await?;
        return Ok(Json(serde_json::json!({ "directive": d, "tasks": tasks })).into_response());
    }
    // Said after creating it here or publishing it from 文件分解.
    let done = match q.done() {
        "created" => Some(ctx.t("directive.done.created")),
        "published" => Some(ctx.t("directive.done.published")),
        _ => None,
    };
    let form = vec![("weight".to_string(), "1".to_string()), ("term".to_string(), "current".to_string())];
    Ok(render(&directive_page(&ctx, &app, id, done, form, None).await?))
}

async fn directive_page(
    ctx: &Ctx,
    app: &AppState,
    id: i64,
    done: Option<String>,
    form: Vec<(String, String)>,
    error: Option<(String, Option<String>)>,
) -> AppResult<DirectivePage> {
    let who = ctx.who()?;
    let (d, tasks) = svc::directive(&app.db, &who, id).await?;
    let supervisor = who.is_supervisor();
    let (all_units, leaders) = if supervisor {
        let u = units::list(&app.db, &luoshi_domain::access::Scope::All)
            .await?
            .into_iter()
            .map(|u| {
                let depth = usize::try_from(u.depth).unwrap_or(0);
                (u.id, format!("{}{}", "\u{3000}".repeat(depth), u.name), depth)
            })
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
    let mut c = chrome(ctx, "tasks.directives", done);
    c.title.clone_from(&d.title);
    let cal = luoshi_storage::calendar::load(&app.db).await?;
    let rows = rows(ctx.lang, &cal, app.today(), tasks);
    // The button only where there is something in 立项 to tick.
    let bulk = supervisor && rows.iter().any(|r| r.d.state == luoshi_domain::tasks::State::Draft);
    Ok(DirectivePage { chrome: c, d, rows, supervisor, bulk, units: all_units, leaders, form, error })
}

pub async fn task_create(ctx: Ctx, State(app): State<AppState>, Path(directive_id): Path<i64>, body: Bytes) -> AppResult<Response> {
    store::get_directive(&app.db, directive_id).await?.ok_or_else(|| DomainError::not_found("directive"))?;
    let result = async {
        let input: TaskInput = if ctx.want == Want::Json {
            serde_json::from_slice(&body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?
        } else {
            task_from_form(&body)?
        };
        svc::check_dates(&app.db, &input, app.today()).await?;
        Ok::<_, AppError>(svc::create_task(&app.db, &ctx.who()?, Some(directive_id), None, &input).await?)
    }
    .await;
    match result {
        Ok(id) => Ok(crate::handlers::done(&ctx, StatusCode::CREATED, serde_json::json!({ "id": id }), &format!("/tasks/{id}?done=created"))),
        Err(AppError(e)) if crate::handlers::mendable(&ctx, &e) => {
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
            let msg = luoshi_domain::i18n::error_message(ctx.lang, &e);
            let page = directive_page(&ctx, &app, directive_id, None, form, Some((msg, e.field.clone()))).await?;
            Ok((crate::error::status_of(e.code), render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// How many milestone rows the new-task form offers.
pub(super) const MILESTONE_ROWS: usize = 4;

/// HTML forms repeat a field for each selected option; serde_urlencoded takes one value per key.
pub(super) fn task_from_form(body: &[u8]) -> AppResult<TaskInput> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?;
    let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let ids = |k: &str| -> AppResult<Vec<i64>> {
        pairs.iter().filter(|(x, v)| x == k && !v.is_empty()).map(|(_, v)| v.parse().map_err(|_| AppError(DomainError::invalid(k)))).collect()
    };
    let num = |k: &str| -> AppResult<Option<i64>> { opt_id(k, &get(k)) };
    // Milestone rows: a row with a date needs its planned percentage.
    let mut milestones = Vec::new();
    for i in 1..=MILESTONE_ROWS {
        let date = get(&format!("m{i}_date"));
        if !date.is_empty() {
            let pct: f64 = get(&format!("m{i}_percent")).trim().parse().map_err(|_| DomainError::invalid("milestones").with_detail(date.clone()))?;
            milestones.push(luoshi_domain::tasks::MilestoneInput { date, percent: pct, title: get(&format!("m{i}_title")).trim().to_string() });
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
