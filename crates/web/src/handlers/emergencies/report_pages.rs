//! An assignment's page for the unit that holds it (its clock, its limits, the person on duty,
//! its trail and the forms of what the caller may do now) and the printed 突发事件信息报告
//! (首报/续报/终报) drawn from the incident's records as they stand.

use super::incident_pages::{clock, light, line, Line, Row};
use super::DoneQuery;
use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::emergencies::{assignments, incidents};
use luoshi_domain::emergencies::{AssignmentState, Level};
use luoshi_domain::i18n::t;
use luoshi_domain::time::format_local;
use luoshi_storage::emergencies::incidents::Incident;

#[derive(Template)]
#[template(path = "emergencies/assignment.html")]
struct AssignmentPage {
    chrome: Chrome,
    r: Row,
    light_label: String,
    incident: Incident,
    level: String,
    may: Vec<&'static str>,
    /// (when, what, note, who).
    trail: Vec<(String, String, String, String)>,
}

pub async fn assignment(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let now = app.now();
    let v = assignments::view(&app.db, &ctx.who()?, id).await?;
    let flash = (!q.done.is_empty()).then(|| t(lang, "incidents.done").replace("{action}", t(lang, &format!("emergency_task_action.{}", q.done))));
    let mut c = chrome(&ctx, "assignments.page", flash);
    c.title = format!("{} · {}", t(lang, "assignments.page"), v.assignment.unit_name);
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let trail = v
        .trail
        .iter()
        .map(|s| {
            let own = format!("emergency_task_action.{}", s.action);
            let what = if luoshi_domain::i18n::has(&own) { t(lang, &own).to_string() } else { t(lang, &format!("event.{}", s.action)).to_string() };
            (format_local(s.at), what, s.note.clone().unwrap_or_default(), actors.label(lang, &s.actor))
        })
        .collect();
    let (clock, overdue) = clock(lang, v.assignment.due_at, now);
    let level = v.incident.level.map(|l: Level| format!("{}级", l.roman())).unwrap_or_default();
    let light_label = t(lang, &format!("light.{}", light(&v.assignment, now))).to_string();
    Ok(render(&AssignmentPage {
        chrome: c,
        light_label,
        may: v.may.iter().map(|a| a.as_str()).collect(),
        trail,
        level,
        r: Row {
            parent: String::new(),
            state: t(lang, &format!("emergency_task_state.{}", v.assignment.state.as_str())).to_string(),
            light: light(&v.assignment, now),
            clock,
            overdue,
            last: v.assignment.last_report.clone().unwrap_or_default(),
            a: v.assignment,
        },
        incident: v.incident,
    }))
}

pub async fn assignment_act(
    ctx: Ctx,
    State(app): State<AppState>,
    Path(id): Path<i64>,
    Input(input): Input<assignments::AssignmentActInput>,
) -> AppResult<Response> {
    assignments::act(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok(Redirect::to(&format!("/emergencies/assignments/{id}?done={}", input.action.trim())).into_response())
}

/// `?kind=first|followup|final`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    kind: String,
}

#[derive(Template)]
#[template(path = "emergencies/report.html")]
struct ReportPage {
    chrome: Chrome,
    l: Line,
    kind: String,
    printed: String,
    activations: Vec<(String, String, String)>,
    tally: Vec<(String, usize)>,
    /// Units not yet signed or overdue: (unit, state, clock).
    lagging: Vec<(String, String, String)>,
    timeline: Vec<(String, String, String, String)>,
}

/// 突发事件信息报告 (首报/续报/终报), printable: the facts, the response, the assignments'
/// standing and the log, from the records as they are now.
pub async fn printed(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<ReportQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let now = app.now();
    // The whole log and every lagging unit: the printed report is the record.
    let v = incidents::view_page(&app.db, &ctx.who()?, id, 5000, now).await?;
    if !v.command {
        return Err(luoshi_domain::DomainError::forbidden().into());
    }
    let kind = match q.kind.as_str() {
        k @ ("first" | "followup" | "final") => k,
        _ => "followup",
    };
    let lagging = v
        .assignments
        .iter()
        .filter(|a| light(a, now) == "red" || a.state == AssignmentState::Assigned)
        .take(100)
        .map(|a| (a.unit_name.clone(), t(lang, &format!("emergency_task_state.{}", a.state.as_str())).to_string(), clock(lang, a.due_at, now).0))
        .collect();
    let activations = v.activations.iter().map(|a| (a.plan_title.clone(), format!("{}级", a.level.roman()), format_local(a.activated_at))).collect();
    let tally =
        v.tally.iter().map(|x| (t(lang, &format!("emergency_task_state.{}", x.state.as_str())).to_string(), usize::try_from(x.total).unwrap_or(0))).collect();
    let timeline = v
        .timeline
        .iter()
        .filter(|s| !matches!(s.what.as_str(), "sign" | "first_report" | "followup_report"))
        .map(|s| {
            let own = format!("incident_log.{}", s.what);
            (
                format_local(s.at),
                if luoshi_domain::i18n::has(&own) { t(lang, &own).to_string() } else { s.what.clone() },
                s.unit_name.clone().unwrap_or_default(),
                s.text.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut c = chrome(&ctx, "report.title", None);
    c.title = format!("{}（{}）", t(lang, "incident_report.title"), t(lang, &format!("incident_report.{kind}")));
    Ok(render(&ReportPage {
        chrome: c,
        kind: kind.to_string(),
        printed: format_local(now),
        activations,
        tally,
        lagging,
        timeline,
        l: line(lang, now, v.incident),
    }))
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(M::GET, "/emergencies/incidents/{id}/report", R, "emergencies", "突发事件信息报告 (首报/续报/终报, ?kind=), printable (page)", printed)
        .add(M::GET, "/emergencies/assignments/{id}", R, "emergencies", "An emergency assignment with its clock, trail and forms (page)", assignment)
        .add(
            M::POST,
            "/emergencies/assignments/{id}/actions",
            R,
            "emergencies",
            "Sign, report or finish an assignment; confirm, reopen or stand it down (form)",
            assignment_act,
        )
}
