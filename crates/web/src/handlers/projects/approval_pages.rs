//! An approval item on screen: its project, unit, limit and the extension it allows, the
//! current visit's days left (or that its clock stands), every visit and pause with their
//! working days, the trail and the forms of what the caller may do now.

use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::handlers::duty::days_label;
use crate::handlers::emergencies::DoneQuery;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::projects::approvals::{self, ItemInput, ItemView};
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::projects::{template, ApprovalState, PauseKind};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;

#[derive(Template)]
#[template(path = "projects/approval.html")]
struct ItemPage {
    chrome: Chrome,
    v: ItemView,
    stage: String,
    state: String,
    clock: String,
    overdue: bool,
    /// (visit, from, to, how ended).
    visits: Vec<(i64, String, String, String)>,
    /// (kind, reason, from, to).
    pauses: Vec<(String, String, String, String)>,
    trail: Vec<(String, String, String, String)>,
    actions: Vec<(String, String)>,
    pause_kinds: Vec<(&'static str, String)>,
    form: ItemInput,
    error: Option<String>,
}

async fn item_page(ctx: &Ctx, app: &AppState, id: i64, done: Option<&str>, form: ItemInput, error: Option<String>) -> AppResult<ItemPage> {
    let lang = ctx.lang;
    let v = approvals::item(&app.db, &ctx.who()?, id, app.now()).await?;
    let label = |p: &str, c: &str| t(lang, &format!("{p}.{c}")).to_string();
    let (clock, overdue) = match v.item.state {
        ApprovalState::Paused => (t(lang, "approvals.clock_stands").to_string(), false),
        ApprovalState::Reviewing => days_label(lang, v.days_left),
        _ => (String::new(), false),
    };
    let actors = crate::handlers::duty::actors::Actors::load(&app.db).await?;
    let stage = template::STAGES.iter().find(|s| s.0 == v.item.stage).map(|s| if lang == Lang::ZhCn { s.1 } else { s.2 }).unwrap_or_default().to_string();
    Ok(ItemPage {
        chrome: chrome(ctx, "approvals.item", done.filter(|d| !d.is_empty()).map(|d| t(lang, &format!("approvals.done_{d}")).to_string())),
        stage,
        state: label("approval_state", v.item.state.as_str()),
        clock,
        overdue,
        visits: v
            .visits
            .iter()
            .map(|x| {
                (
                    x.visit,
                    format_local(x.started_at),
                    x.ended_at.map(format_local).unwrap_or_default(),
                    x.ended_by.as_deref().map(|b| label("approval_action", b)).unwrap_or_default(),
                )
            })
            .collect(),
        pauses: v
            .pauses
            .iter()
            .map(|p| (label("pause_kind", p.kind.as_str()), p.reason.clone(), format_local(p.from_at), p.to_at.map(format_local).unwrap_or_default()))
            .collect(),
        trail: v
            .trail
            .iter()
            .rev()
            .map(|s| (format_local(s.at), actors.label(lang, &s.actor), label("approval_action", &s.action), s.note.clone().unwrap_or_default()))
            .collect(),
        actions: v.may.iter().map(|a| (a.as_str().to_string(), label("approval_action", a.as_str()))).collect(),
        pause_kinds: PauseKind::ALL.iter().map(|k| (k.as_str(), label("pause_kind", k.as_str()))).collect(),
        form,
        error,
        v,
    })
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    Ok(render(&item_page(&ctx, &app, id, Some(&q.done), ItemInput::default(), None).await?))
}

pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ItemInput>) -> AppResult<Response> {
    match approvals::act(&app.db, &ctx.who()?, id, &input, app.now()).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/projects/approvals/{id}?done={}", input.action.trim())).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&item_page(&ctx, &app, id, None, input, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(M::GET, "/projects/approvals/{id}", R, "projects", "An approval item with its clock, visits, pauses and trail (page)", page).add(
        M::POST,
        "/projects/approvals/{id}/actions",
        R,
        "projects",
        "Act on an approval item: submit, pause, resume, extend, return, approve, refuse (form)",
        act,
    )
}
