//! A project on screen: its light and why, the pipeline's timeline (planned against actual,
//! each stay's working days), the approval items with days left or overdue, the investment
//! curve against the year's plan (SVG), monthly reports, problems with their tasks, deviations,
//! the trail and the forms of what the caller may do now; each refused on the same page naming
//! the field, the input kept; each done says what happened.

use super::ledger_pages::{options, Form, NewPage};
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
use luoshi_app::links::project_problem::{self, ProblemInput, KINDS};
use luoshi_app::projects::register::{FundInput, ProjectInput};
use luoshi_app::projects::reports::{last_month, ReportInput};
use luoshi_app::projects::stages::{timeline, MoveInput};
use luoshi_app::projects::{self as app_projects, approvals, register, stages, View};
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::projects::{show_mu, template};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;

/// An approval item as a line: (id, stage name, item, unit, state, visits, days label, overdue, light).
pub(crate) type ItemLine = (i64, String, String, String, String, i64, String, bool, String);

/// A problem as a line: (kind, text, unit, due, task id, task state, task light).
pub(crate) type ProblemLine = (String, String, String, String, Option<i64>, String, String);

#[derive(Template)]
#[template(path = "projects/project.html")]
struct ProjectPage {
    chrome: Chrome,
    deliveries: Vec<crate::handlers::notify::DeliveryRow>,
    v: View,
    stage: String,
    light_text: String,
    why: Vec<String>,
    days: String,
    overdue: bool,
    industry: String,
    kind: String,
    template: String,
    land: String,
    /// (milestone, planned, actual, late).
    timeline: Vec<(String, String, String, bool)>,
    /// (stage, from, to, working days, reason).
    stays: Vec<(String, String, String, i64, String)>,
    items: Vec<ItemLine>,
    curve: String,
    percent_of_plan: String,
    /// (month, invested, in place, progress, problems, reporter, at).
    reports: Vec<(String, String, String, String, String, String, String)>,
    /// (kind, text, unit, due, task id, task state, light).
    problems: Vec<ProblemLine>,
    /// (when, field, old, new, reason).
    changes: Vec<(String, String, String, String, String)>,
    /// (when, who, what, note).
    trail: Vec<(String, String, String, String)>,
    actions: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
    units: Vec<(i64, String)>,
    report_form: ReportInput,
    problem_form: ProblemForm,
    move_form: MoveInput,
    error: Option<String>,
}

/// The problem form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ProblemForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    due_on: String,
}

/// The forms of the page as they were typed (kept when one is refused).
#[derive(Default)]
struct Typed {
    report: Option<ReportInput>,
    problem: Option<ProblemForm>,
    moved: Option<MoveInput>,
}

fn label(lang: Lang, prefix: &str, code: &str) -> String {
    t(lang, &format!("{prefix}.{code}")).to_string()
}

async fn project_page(ctx: &Ctx, app: &AppState, id: i64, done: Option<&str>, typed: Typed, error: Option<String>) -> AppResult<ProjectPage> {
    let lang = ctx.lang;
    let now = app.now();
    let v = app_projects::view(&app.db, &ctx.who()?, id, now).await?;
    let p = &v.project;
    let (days, overdue) = days_label(lang, v.days_left);
    let stage_names: Vec<(i64, String)> =
        template::STAGES.iter().map(|(n, zh, en)| (*n, if lang == Lang::ZhCn { (*zh).to_string() } else { (*en).to_string() })).collect();
    let items = v
        .approvals
        .iter()
        .map(|(a, left)| {
            let (d, late) = days_label(lang, *left);
            let stage = stage_names.iter().find(|s| s.0 == a.stage).map(|s| s.1.clone()).unwrap_or_default();
            let lit = if a.due_at.is_some() {
                if late {
                    "red"
                } else {
                    "green"
                }
            } else {
                "none"
            };
            (a.id, stage, a.name.clone(), a.unit_name.clone(), label(lang, "approval_state", a.state.as_str()), a.visits, d, late, lit.to_string())
        })
        .collect();
    let wan = |y: luoshi_domain::projects::Yuan| format!("{}{}", y.wan(), t(lang, "projects.wan"));
    let months: Vec<String> = v.curve.iter().map(|c| c.0.to_string()).collect();
    let actual: Vec<f64> = v.curve.iter().map(|c| c.1 .0 as f64).collect();
    let plan: Vec<f64> = v.curve.iter().map(|c| c.2 .0 as f64).collect();
    let curve = crate::charts::curve(
        t(lang, "projects.curve"),
        &months,
        &actual,
        &plan,
        &wan(luoshi_domain::projects::Yuan(actual.iter().chain(&plan).copied().fold(0.0, f64::max) as i64)),
        (t(lang, "projects.invested"), t(lang, "projects.plan_line")),
    );
    let percent_of_plan = v.invested_year.percent_of(v.plan_year).map(|x| format!("{x:.1}%")).unwrap_or_else(|| "—".into());
    let timeline = timeline(p)
        .into_iter()
        .map(|(s, plan, actual)| {
            let late = matches!((&plan, &actual), (Some(pl), Some(a)) if a > pl);
            (label(lang, "project_stage", s.as_str()), plan.unwrap_or_default(), actual.unwrap_or_default(), late)
        })
        .collect();
    let actors = crate::handlers::duty::actors::Actors::load(&app.db).await?;
    let trail = v
        .trail
        .iter()
        .rev()
        .map(|s| (format_local(s.at), actors.label(lang, &s.actor), label(lang, "project_action", &s.action), s.note.clone().unwrap_or_default()))
        .collect();
    let deliveries = crate::handlers::notify::deliveries_of(app, lang, "project", p.id).await?;
    let page = ProjectPage {
        deliveries,
        chrome: chrome(ctx, "projects.project", done.filter(|d| !d.is_empty()).map(|d| t(lang, &format!("projects.done_{d}")).to_string())),
        stage: label(lang, "project_stage", p.stage.as_str()),
        light_text: label(lang, "light", v.light.as_str()),
        why: v
            .why
            .iter()
            .map(|(_, w)| label(lang, "project_why", serde_json::to_value(w).ok().and_then(|x| x.as_str().map(str::to_string)).unwrap_or_default().as_str()))
            .collect(),
        days,
        overdue,
        industry: label(lang, "industry", p.industry.as_str()),
        kind: format!("{}·{}", label(lang, "investment", p.investment.as_str()), label(lang, "route", p.route.as_str())),
        template: template::shipped()?.into_iter().find(|x| x.code == p.template).map(|x| if lang == Lang::ZhCn { x.zh } else { x.en }).unwrap_or_default(),
        land: show_mu(p.land_mu),
        timeline,
        stays: v
            .stays
            .iter()
            .map(|(s, d)| {
                (
                    label(lang, "project_stage", s.stage.as_str()),
                    s.entered_on.clone(),
                    s.left_on.clone().unwrap_or_default(),
                    *d,
                    s.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        items,
        curve,
        percent_of_plan,
        reports: v
            .reports
            .iter()
            .map(|r| {
                (
                    r.month.clone(),
                    r.invested.wan(),
                    r.in_place.wan(),
                    r.progress.clone(),
                    r.problems.clone(),
                    actors.label(lang, &r.reporter),
                    format_local(r.reported_at),
                )
            })
            .collect(),
        problems: v
            .problems
            .iter()
            .map(|(pr, task)| {
                let (state, lit) = task.as_ref().map(|r| (label(lang, "state", &r.state), r.light.clone())).unwrap_or_default();
                (label(lang, "problem_kind", &pr.kind), pr.text.clone(), pr.unit_name.clone(), pr.due_on.clone(), pr.task_id, state, lit)
            })
            .collect(),
        changes: v
            .changes
            .iter()
            .map(|c| (format_local(c.at), label(lang, "field", &c.field), c.old_value.clone(), c.new_value.clone(), c.reason.clone()))
            .collect(),
        trail,
        actions: v.may.iter().map(|a| (a.as_str().to_string(), label(lang, "project_action", a.as_str()))).collect(),
        kinds: KINDS.iter().map(|k| (*k, label(lang, "problem_kind", k))).collect(),
        units: options(app, lang).await?.units,
        report_form: typed.report.unwrap_or(ReportInput { month: last_month(luoshi_domain::time::local_date(now)), ..ReportInput::default() }),
        problem_form: typed.problem.unwrap_or_default(),
        move_form: typed.moved.unwrap_or_default(),
        error,
        v,
    };
    Ok(page)
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    Ok(render(&project_page(&ctx, &app, id, Some(&q.done), Typed::default(), None).await?))
}

/// After a form: to the page saying what happened, or the page again with the error and the input kept.
async fn after(ctx: &Ctx, app: &AppState, id: i64, r: luoshi_app::Result<&str>, typed: Typed) -> AppResult<Response> {
    match r.map_err(AppError::from) {
        Ok(done) => Ok(Redirect::to(&format!("/projects/{id}?done={done}")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&project_page(ctx, app, id, None, typed, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<MoveInput>) -> AppResult<Response> {
    let done = input.action.trim().to_string();
    let r = stages::act(&app.db, &ctx.who()?, id, &input, app.now()).await.map(|_| done.as_str());
    after(&ctx, &app, id, r, Typed { moved: Some(input.clone()), ..Typed::default() }).await
}

pub async fn report(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ReportInput>) -> AppResult<Response> {
    let r = luoshi_app::projects::reports::report(&app.db, &ctx.who()?, id, &input, app.now()).await.map(|_| "report");
    after(&ctx, &app, id, r, Typed { report: Some(input), ..Typed::default() }).await
}

pub async fn problem(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(form): Input<ProblemForm>) -> AppResult<Response> {
    let input = ProblemInput { kind: form.kind.clone(), text: form.text.clone(), unit_id: form.unit_id.trim().parse().ok(), due_on: form.due_on.clone() };
    let r = project_problem::raise(&app.db, &ctx.who()?, id, &input, app.now()).await.map(|_| "problem");
    after(&ctx, &app, id, r, Typed { problem: Some(form), ..Typed::default() }).await
}

pub async fn start_approvals(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let r = approvals::start(&app.db, &ctx.who()?, id, app.now()).await.map(|_| "approvals");
    after(&ctx, &app, id, r, Typed::default()).await
}

/// The project as the edit form shows it.
fn form_of(v: &View) -> Form {
    let p = &v.project;
    let year = i64::from(chrono::Datelike::year(&luoshi_domain::time::local_date(luoshi_storage::now_micros())));
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    Form::of(ProjectInput {
        code: opt(&p.code),
        name: p.name.clone(),
        investor: p.investor.clone(),
        investment: p.investment.as_str().into(),
        route: p.route.as_str().into(),
        template: p.template.clone(),
        industry: p.industry.as_str().into(),
        scope: p.scope.clone(),
        total_wan: p.total.wan(),
        land_mu: show_mu(p.land_mu),
        township_id: p.township_id,
        leader_user_id: p.leader_user_id,
        lead_unit_id: Some(p.lead_unit_id),
        planned_sign_on: opt(&p.planned_sign_on),
        planned_start_on: opt(&p.planned_start_on),
        planned_complete_on: opt(&p.planned_complete_on),
        annual_plan_wan: v.plans.iter().find(|(y, _)| *y == year).map(|(_, y)| y.wan()).unwrap_or_default(),
        funds: v.funds.iter().map(|f| FundInput { source: f.source.clone(), planned_wan: f.planned.wan(), in_place_wan: f.in_place.wan() }).collect(),
        ..ProjectInput::default()
    })
}

pub async fn edit_form(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let v = app_projects::view(&app.db, &ctx.who()?, id, app.now()).await?;
    let page = NewPage {
        chrome: chrome(&ctx, "projects.edit", None),
        form: form_of(&v),
        error: None,
        options: options(&app, ctx.lang).await?,
        edit: Some((id, v.version)),
    };
    Ok(render(&page))
}

/// The edit form with the version read.
#[derive(Debug, Default, serde::Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    form: Form,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    version: Option<i64>,
}

pub async fn edit(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<EditForm>) -> AppResult<Response> {
    match register::update(&app.db, &ctx.who()?, id, &input.form.input(), input.version, app.now()).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=edit")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::NotFound) => {
            let status = if e.code == ErrorCode::Forbidden { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            let page = NewPage {
                chrome: chrome(&ctx, "projects.edit", None),
                error: Some(error_message(ctx.lang, &e)),
                options: options(&app, ctx.lang).await?,
                form: input.form,
                edit: Some((id, input.version.unwrap_or_default())),
            };
            Ok((status, render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(M::GET, "/projects/{id}", R, "projects", "A project: light, timeline, approvals, investment curve, reports, problems, deviations, trail (page)", page)
        .add(M::POST, "/projects/{id}/actions", R, "projects", "Move a project along its pipeline (form)", act)
        .add(M::POST, "/projects/{id}/reports", R, "projects", "Report a month's progress (form)", report)
        .add(M::POST, "/projects/{id}/problems", R, "projects", "Raise a problem for coordination: a task of the unit named (form)", problem)
        .add(M::POST, "/projects/{id}/approvals", R, "projects", "Start the approval items of the project's template (form)", start_approvals)
        .add(M::GET, "/projects/{id}/edit", R, "projects", "The form to edit a project (page)", edit_form)
        .add(M::POST, "/projects/{id}/edit", R, "projects", "Edit a project; changed plans need their reason (form)", edit)
}
