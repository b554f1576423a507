//! Accidents on screen: the list with the form to record one (graded on saving by 第三条 with the
//! bounds in force), and an accident's page with its grade, its toll, the report awaited and how
//! long is left on the hour clock, its trail and the forms of what the caller may do now.

use super::DoneQuery;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::hazards::accidents::{self as svc, AccidentActInput, AccidentInput};
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;
use luoshi_storage::hazards::accidents::Accident;

/// An accident as a line: grade and state in words, the clock as hours left or overdue.
pub(crate) struct Line {
    pub a: Accident,
    pub grade: String,
    pub state: String,
    pub when: String,
    pub clock: String,
    pub overdue: bool,
    pub loss: String,
}

fn line(lang: Lang, now: i64, a: Accident) -> Line {
    let (clock, overdue) = match a.due_at {
        Some(d) => {
            let minutes = (d - now) / 60_000_000;
            if minutes >= 0 {
                (t(lang, "accidents.left").replace("{h}", &(minutes / 60).to_string()).replace("{m}", &(minutes % 60).to_string()), false)
            } else {
                let m = -minutes;
                (t(lang, "accidents.overdue").replace("{h}", &(m / 60).to_string()).replace("{m}", &(m % 60).to_string()), true)
            }
        }
        None => (String::new(), false),
    };
    Line {
        grade: t(lang, &format!("accident_grade.{}", a.grade.as_str())).to_string(),
        state: t(lang, &format!("accident_state.{}", a.state.as_str())).to_string(),
        when: format_local(a.occurred_at),
        loss: format!("{:.1}", a.loss_yuan as f64 / 10_000.0),
        clock,
        overdue,
        a,
    }
}

#[derive(Template)]
#[template(path = "hazards/accidents.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Line>,
    enterprises: Vec<(i64, String)>,
    error: Option<String>,
    form: AccidentForm,
}

/// The record form as typed (kept when refused).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AccidentForm {
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    road_or_fire: String,
    #[serde(default)]
    deaths: String,
    #[serde(default)]
    serious_injuries: String,
    #[serde(default)]
    loss_yuan: String,
    #[serde(default)]
    description: String,
}

async fn list_page(ctx: &Ctx, app: &AppState, form: AccidentForm, error: Option<String>) -> AppResult<ListPage> {
    let who = ctx.who()?;
    let now = app.now();
    let rows = svc::list(&app.db, &who).await?.into_iter().take(200).map(|a| line(ctx.lang, now, a)).collect();
    let path = (!who.is_supervisor() && who.role != Some(luoshi_domain::user::Role::Leader)).then_some(who.unit_path.as_str());
    let enterprises = luoshi_storage::hazards::enterprises(&app.db, path, 1000).await?.into_iter().map(|e| (e.id, e.name)).collect();
    Ok(ListPage { chrome: chrome(ctx, "accidents.title", None), rows, enterprises, error, form })
}

pub async fn list(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(render(&list_page(&ctx, &app, AccidentForm::default(), None).await?))
}

/// Record from the form: to the accident's page, or the same form with the field named.
pub async fn record(ctx: Ctx, State(app): State<AppState>, Input(form): Input<AccidentForm>) -> AppResult<Response> {
    let num = |field: &str, v: &str| -> Result<i64, luoshi_domain::DomainError> {
        if v.trim().is_empty() {
            Ok(0)
        } else {
            v.trim().parse().map_err(|_| luoshi_domain::DomainError::invalid(field))
        }
    };
    let parsed = (|| {
        Ok::<_, luoshi_domain::DomainError>(AccidentInput {
            enterprise_id: if form.enterprise_id.trim().is_empty() { None } else { Some(num("enterprise_id", &form.enterprise_id)?) },
            place: form.place.clone(),
            owner_unit_id: None,
            occurred_at: form.occurred_at.replace('T', " "),
            road_or_fire: form.road_or_fire == "true",
            deaths: num("deaths", &form.deaths)?,
            serious_injuries: num("serious_injuries", &form.serious_injuries)?,
            // Entered in 万元 as reports give it.
            loss_yuan: (form.loss_yuan.trim().parse::<f64>().unwrap_or(0.0) * 10_000.0).round() as i64,
            description: form.description.clone(),
        })
    })();
    let done = match parsed {
        Ok(input) => svc::record(&app.db, &ctx.who()?, &input, app.now()).await.map_err(AppError::from),
        Err(e) => Err(AppError(e)),
    };
    match done {
        Ok(v) => {
            super::open_incident(&app, v.accident.id).await;
            Ok(Redirect::to(&format!("/hazards/accidents/{}?done=record", v.accident.id)).into_response())
        }
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&list_page(&ctx, &app, form, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "hazards/accident.html")]
struct AccidentPage {
    chrome: Chrome,
    l: Line,
    supplement_until: String,
    /// (when, what, note, who).
    trail: Vec<(String, String, String, String)>,
    may: Vec<&'static str>,
    /// The incident it opened at the county's command (应急协同).
    incident: Option<i64>,
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let v = svc::view(&app.db, &ctx.who()?, id).await?;
    let flash = (!q.done.is_empty()).then(|| t(lang, "hazards.done").replace("{action}", t(lang, &format!("accident_action.{}", q.done))));
    let mut c = chrome(&ctx, "accidents.page", flash);
    c.title = format!("{} · {}", t(lang, "accidents.page"), v.accident.description.chars().take(24).collect::<String>());
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let trail = v
        .trail
        .iter()
        .map(|s| {
            let own = format!("accident_action.{}", s.action);
            let what = if luoshi_domain::i18n::has(&own) { t(lang, &own).to_string() } else { t(lang, &format!("event.{}", s.action)).to_string() };
            (format_local(s.at), what, s.note.clone().unwrap_or_default(), actors.label(lang, &s.actor))
        })
        .collect();
    let incident = luoshi_app::links::accident_incident::incident_of(&app.db, id).await?;
    Ok(render(&AccidentPage {
        chrome: c,
        incident,
        supplement_until: format_local(v.accident.supplement_due_at),
        trail,
        may: v.may.iter().map(|a| a.as_str()).collect(),
        l: line(lang, app.now(), v.accident),
    }))
}

pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<AccidentActInput>) -> AppResult<Response> {
    svc::act(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok(Redirect::to(&format!("/hazards/accidents/{id}?done={}", input.action.trim())).into_response())
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS;
    t.add(M::GET, "/hazards/accidents", TASK_READERS, "hazards", "Accidents with their grade and report clock, and the form to record one (page)", list)
        .add(M::POST, "/hazards/accidents", TASK_READERS, "hazards", "Record an accident (form)", record)
        .add(M::GET, "/hazards/accidents/{id}", TASK_READERS, "hazards", "An accident with its grade, clock and trail (page)", page)
        .add(M::POST, "/hazards/accidents/{id}/actions", TASK_READERS, "hazards", "Act on an accident (form)", act)
}
