//! Incidents on screen: the list with the 接报 form; the command view (the facts, the report
//! upward on its clock, every assignment by unit with its light and minutes left, the stock
//! moved, the warnings issued, the log) with the forms of what the command may do now; an
//! assignment's page for the unit that holds it; the printed 突发事件信息报告.

use super::DoneQuery;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::handlers::duty::{ago_label, minutes_label};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::emergencies::{activation, incidents, plans, resources, warnings};
use luoshi_domain::emergencies::AssignmentState;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;
use luoshi_storage::emergencies::assignments::Assignment;
use luoshi_storage::emergencies::incidents::Incident;

/// How long is left (or overdue) on a minute clock, in words.
pub(crate) fn clock(lang: Lang, due: Option<i64>, now: i64) -> (String, bool) {
    match due {
        Some(d) => minutes_label(lang, (d - now).div_euclid(60_000_000)),
        None => (String::new(), false),
    }
}

/// The light of an assignment as of now (the watch stores it each minute; a page shows it exact).
pub(crate) fn light(a: &Assignment, now: i64) -> &'static str {
    match a.state {
        AssignmentState::Closed | AssignmentState::Done => "done",
        AssignmentState::StoodDown => "none",
        _ => match a.due_at {
            Some(d) if d < now => "red",
            Some(d) if d - now < 5 * 60_000_000 => "blue",
            _ => "green",
        },
    }
}

/// An incident as a line: its type, level and state in words, the upward report's clock.
pub(crate) struct Line {
    pub i: Incident,
    pub kind: String,
    pub level: String,
    pub state: String,
    pub when: String,
    pub received: String,
    pub clock: String,
    pub overdue: bool,
    pub place: String,
}

pub(crate) fn line(lang: Lang, now: i64, i: Incident) -> Line {
    let types = luoshi_domain::emergencies::event_types().unwrap_or_default();
    let kind = types
        .iter()
        .find(|x| x.code == i.event_type)
        .map(|x| if lang == Lang::ZhCn { x.zh.clone() } else { x.en.clone() })
        .unwrap_or_else(|| i.event_type.clone());
    let level = match (i.level, i.lead) {
        (Some(l), Some(lead)) => t(lang, "incidents.level_line").replace("{l}", l.roman()).replace("{lead}", t(lang, &format!("lead.{}", lead.as_str()))),
        _ => t(lang, "incidents.unassessed").to_string(),
    };
    let (mut clock, overdue) = clock(lang, i.due_at, now);
    if clock.is_empty() && i.reports_up > 0 {
        clock = t(lang, "incidents.reported_up").replace("{n}", &i.reports_up.to_string());
    }
    let place = [i.township_name.clone(), i.village_name.clone(), Some(i.place.clone())]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    Line {
        kind,
        level,
        state: t(lang, &format!("incident_state.{}", i.state.as_str())).to_string(),
        when: format!("{}（{}）", format_local(i.occurred_at), ago_label(lang, i.occurred_at, now)),
        received: format!("{}（{}）", format_local(i.received_at), ago_label(lang, i.received_at, now)),
        clock,
        overdue,
        place,
        i,
    }
}

#[derive(Template)]
#[template(path = "emergencies/incidents.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Line>,
    types: Vec<(String, String)>,
    townships: Vec<(i64, String)>,
    /// (id, township, village).
    villages: Vec<(i64, String, String)>,
    command: bool,
    error: Option<String>,
    form: IncidentForm,
}

/// The 接报 form as typed (kept when refused).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct IncidentForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    township_id: String,
    #[serde(default)]
    village_id: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    deaths: String,
    #[serde(default)]
    injured: String,
    #[serde(default)]
    missing: String,
    #[serde(default)]
    reporter: String,
}

async fn list_page(ctx: &Ctx, app: &AppState, form: IncidentForm, error: Option<String>, flash: Option<String>) -> AppResult<ListPage> {
    let who = ctx.who()?;
    let now = app.now();
    let lang = ctx.lang;
    let rows = incidents::list(&app.db, &who).await?.into_iter().map(|i| line(lang, now, i)).collect();
    let types = luoshi_domain::emergencies::event_types()?
        .into_iter()
        .map(|x| (x.code, format!("{}·{}", t(lang, &format!("category.{}", x.category.as_str())), if lang == Lang::ZhCn { x.zh } else { x.en })))
        .collect();
    let all = luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All).await?;
    let townships: Vec<(i64, String)> = all.iter().filter(|u| u.kind == luoshi_domain::unit::UnitKind::Township).map(|u| (u.id, u.name.clone())).collect();
    let villages = all
        .iter()
        .filter(|u| u.kind == luoshi_domain::unit::UnitKind::Village)
        .filter_map(|v| townships.iter().find(|(t, _)| Some(*t) == v.parent_id).map(|(_, t)| (v.id, t.clone(), v.name.clone())))
        .collect();
    let office = luoshi_app::emergencies::office(&app.db, app.today()).await?;
    let command = luoshi_app::emergencies::commands(&who, &office.path);
    Ok(ListPage { chrome: chrome(ctx, "incidents.title", flash), rows, types, townships, villages, command, error, form })
}

pub async fn list(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(render(&list_page(&ctx, &app, IncidentForm::default(), None, None).await?))
}

fn num(field: &str, v: &str) -> Result<i64, luoshi_domain::DomainError> {
    if v.trim().is_empty() {
        Ok(0)
    } else {
        v.trim().parse().map_err(|_| luoshi_domain::DomainError::invalid(field))
    }
}

/// 接报 from the form: to the command view, or the same form with the field named.
pub async fn report(ctx: Ctx, State(app): State<AppState>, Input(form): Input<IncidentForm>) -> AppResult<Response> {
    let parsed = (|| {
        Ok::<_, luoshi_domain::DomainError>(incidents::IncidentInput {
            title: form.title.clone(),
            event_type: form.event_type.clone(),
            occurred_at: form.occurred_at.clone(),
            township_id: if form.township_id.trim().is_empty() { None } else { Some(num("township_id", &form.township_id)?) },
            village_id: if form.village_id.trim().is_empty() { None } else { Some(num("village_id", &form.village_id)?) },
            place: form.place.clone(),
            facts: form.facts.clone(),
            deaths: num("deaths", &form.deaths)?,
            injured: num("injured", &form.injured)?,
            missing: num("missing", &form.missing)?,
            reporter: form.reporter.clone(),
            source: String::new(),
            source_ref: String::new(),
        })
    })();
    let done = match parsed {
        Ok(input) => incidents::report(&app.db, &ctx.who()?, &input, app.now()).await.map_err(AppError::from),
        Err(e) => Err(AppError(e)),
    };
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/emergencies/incidents/{id}?done=receive")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&list_page(&ctx, &app, form, Some(msg), None).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// An assignment as a row of the command view.
pub(crate) struct Row {
    pub a: Assignment,
    /// The unit above a village or community (the township whose plan assigned it).
    pub parent: String,
    pub state: String,
    pub light: &'static str,
    pub clock: String,
    pub overdue: bool,
    pub last: String,
}

#[derive(Template)]
#[template(path = "emergencies/incident.html")]
struct CommandPage {
    chrome: Chrome,
    l: Line,
    command: bool,
    may: Vec<&'static str>,
    /// (plan title, level, activated at, ended, assignments).
    activations: Vec<(String, String, String, bool, usize)>,
    /// (state in words, count).
    tally: Vec<(String, usize)>,
    /// (light, count) of the open ones.
    lights: Vec<(&'static str, usize)>,
    rows: Vec<Row>,
    more: usize,
    plans: Vec<(i64, String)>,
    resources: Vec<(i64, String)>,
    moves: Vec<(String, String, String)>,
    /// (id, colour, headline, state in words).
    warnings: Vec<(i64, String, String, String)>,
    /// (when, who, what, unit, text).
    timeline: Vec<(String, String, String, String, String)>,
    error: Option<String>,
}

/// How many assignments the page lists (the most urgent first); the API pages with `?limit=`.
const SHOWN: i64 = 400;

async fn command_page(ctx: &Ctx, app: &AppState, id: i64, flash: Option<String>, error: Option<String>) -> AppResult<CommandPage> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let now = app.now();
    let v = incidents::view_page(&app.db, &who, id, SHOWN, now).await?;
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let names: std::collections::HashMap<i64, String> =
        luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All).await?.into_iter().map(|u| (u.id, u.name)).collect();
    let rows: Vec<Row> = v
        .assignments
        .iter()
        .cloned()
        .map(|a| {
            let (clock, overdue) = clock(lang, a.due_at, now);
            Row {
                parent: a.parent_unit_id.filter(|p| *p != a.unit_id).and_then(|p| names.get(&p).cloned()).unwrap_or_default(),
                state: t(lang, &format!("emergency_task_state.{}", a.state.as_str())).to_string(),
                light: light(&a, now),
                clock,
                overdue,
                last: a.last_report.clone().unwrap_or_default(),
                a,
            }
        })
        .collect();
    // Counted over every assignment in the database; the rows are the most urgent page.
    let open = |st: AssignmentState| matches!(st, AssignmentState::Assigned | AssignmentState::Signed | AssignmentState::Reporting);
    let sum =
        |f: &dyn Fn(&luoshi_storage::emergencies::assignments::Tally) -> i64| -> usize { usize::try_from(v.tally.iter().map(f).sum::<i64>()).unwrap_or(0) };
    let late = sum(&|x| if open(x.state) { x.late } else { 0 });
    let soon = sum(&|x| if open(x.state) { x.soon } else { 0 });
    let running = sum(&|x| if open(x.state) { x.total } else { 0 });
    let done = sum(&|x| if matches!(x.state, AssignmentState::Done | AssignmentState::Closed) { x.total } else { 0 });
    let lights = [("red", late), ("blue", soon), ("green", running.saturating_sub(late + soon)), ("done", done)].into_iter().filter(|(_, n)| *n > 0).collect();
    let more = usize::try_from(v.total).unwrap_or(0).saturating_sub(rows.len());
    let tally =
        v.tally.iter().map(|x| (t(lang, &format!("emergency_task_state.{}", x.state.as_str())).to_string(), usize::try_from(x.total).unwrap_or(0))).collect();
    let per = luoshi_storage::emergencies::assignments::per_activation(&app.db, id).await?;
    let activations = v
        .activations
        .iter()
        .map(|a| {
            (
                a.plan_title.clone(),
                format!("{}级", a.level.roman()),
                format_local(a.activated_at),
                a.ended_at.is_some(),
                usize::try_from(per.get(&a.id).copied().unwrap_or(0)).unwrap_or(0),
            )
        })
        .collect();
    let plans = if v.command {
        plans::list(&app.db, &who)
            .await?
            .into_iter()
            .filter(|p| <luoshi_domain::emergencies::PlanFlow as luoshi_domain::duty::Workflow>::clock_runs(p.state))
            .map(|p| (p.id, p.title))
            .collect()
    } else {
        Vec::new()
    };
    let resources = if v.command {
        resources::list(&app.db, &who).await?.into_iter().map(|r| (r.id, format!("{} · {}（{}{}）", r.unit_name, r.name, r.quantity, r.measure))).collect()
    } else {
        Vec::new()
    };
    let moves = v
        .moves
        .iter()
        .map(|m| {
            (
                format_local(m.at),
                format!("{} {}{}", m.resource_name, if m.delta < 0 { -m.delta } else { m.delta }, m.measure),
                t(lang, if m.delta < 0 { "resources.out" } else { "resources.back" }).to_string(),
            )
        })
        .collect();
    let warnings = luoshi_storage::emergencies::alerts::of_incident(&app.db, id)
        .await?
        .into_iter()
        .map(|w| {
            let state = warnings::shown_state(&w, now).to_string();
            (w.id, w.colour.clone().unwrap_or_default(), w.headline.clone(), t(lang, &format!("warning_state.{state}")).to_string())
        })
        .collect();
    let timeline = v
        .timeline
        .iter()
        .map(|s| {
            let own = format!("incident_log.{}", s.what);
            let what = if luoshi_domain::i18n::has(&own) { t(lang, &own).to_string() } else { s.what.clone() };
            (format_local(s.at), actors.label(lang, &s.actor), what, s.unit_name.clone().unwrap_or_default(), s.text.clone().unwrap_or_default())
        })
        .collect();
    let mut c = chrome(ctx, "incidents.page", flash);
    c.title = format!("{} · {}", t(lang, "incidents.page"), v.incident.title);
    Ok(CommandPage {
        chrome: c,
        command: v.command,
        may: v.may.iter().map(|a| a.as_str()).filter(|a| *a != "activate" || !plans.is_empty()).collect(),
        activations,
        tally,
        lights,
        rows,
        more,
        plans,
        resources,
        moves,
        warnings,
        timeline,
        error,
        l: line(lang, now, v.incident),
    })
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let flash = (!q.done.is_empty()).then(|| t(ctx.lang, "incidents.done").replace("{action}", t(ctx.lang, &format!("incident_action.{}", q.done))));
    Ok(render(&command_page(&ctx, &app, id, flash, None).await?))
}

/// A command's action from the page's forms (activation included): back to the view saying
/// what happened, or the view with the refusal named.
pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<incidents::IncidentActInput>) -> AppResult<Response> {
    match incidents::act(&app.db, &ctx.who()?, id, &input, app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/emergencies/incidents/{id}?done={}", input.action.trim())).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e.0.code, ErrorCode::Forbidden | ErrorCode::NotFound) {
                return Err(e);
            }
            let msg = error_message(ctx.lang, &e.0);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&command_page(&ctx, &app, id, None, Some(msg)).await?)).into_response())
        }
    }
}

pub async fn allocate(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<resources::AllocateInput>) -> AppResult<Response> {
    match resources::allocate(&app.db, &ctx.who()?, id, &input, app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/emergencies/incidents/{id}?done=allocate")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e.0.code, ErrorCode::Forbidden | ErrorCode::NotFound) {
                return Err(e);
            }
            let msg = error_message(ctx.lang, &e.0);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&command_page(&ctx, &app, id, None, Some(msg)).await?)).into_response())
        }
    }
}

/// An activation from the page (plan and level chosen): the same use case as the API.
pub async fn activate(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<incidents::IncidentActInput>) -> AppResult<Response> {
    let level = if input.level.trim().is_empty() { None } else { incidents::level_of(&input.level).ok() };
    match activation::activate(&app.db, &ctx.who()?, id, input.plan_id, level, app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/emergencies/incidents/{id}?done=activate")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e.0.code, ErrorCode::Forbidden | ErrorCode::NotFound) {
                return Err(e);
            }
            let msg = error_message(ctx.lang, &e.0);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&command_page(&ctx, &app, id, None, Some(msg)).await?)).into_response())
        }
    }
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(M::GET, "/emergencies", R, "emergencies", "突发事件: the incidents in my sight and the 接报 form (page)", list)
        .add(M::POST, "/emergencies/incidents", R, "emergencies", "接报: record an incident (form)", report)
        .add(M::GET, "/emergencies/incidents/{id}", R, "emergencies", "The command view of an incident (page)", page)
        .add(M::POST, "/emergencies/incidents/{id}/actions", R, "emergencies", "A command's action on an incident (form)", act)
        .add(M::POST, "/emergencies/incidents/{id}/activate", R, "emergencies", "启动响应: activate a plan at a level (form)", activate)
        .add(M::POST, "/emergencies/incidents/{id}/allocate", R, "emergencies", "Allocate or return a resource for the incident (form)", allocate)
}
