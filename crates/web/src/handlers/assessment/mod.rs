//! 考核与驾驶舱 over HTTP: the cockpit (the home page of everyone with a sight of duties), its
//! 大屏, the records behind a figure, scorecards, the annual report (print, xlsx, docx), the
//! adjustments and the objections, and their JSON API. Who may see what is the use cases'.

mod card_pages;
mod cockpit_pages;
mod scheme_pages;

pub(crate) use cockpit_pages::home_cockpit;

use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::assessment::cards::{self, AdjustmentInput};
use luoshi_app::assessment::cockpit::{self, CockpitQuery};
use luoshi_app::assessment::objections::{self, Decision, ObjectionInput};
use luoshi_app::assessment::records::{self, RecordsQuery};
use luoshi_domain::assessment::Scheme;
use luoshi_domain::i18n::{t, Lang};

/// `?year=&kind=` of the report and the schemes.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct YearKind {
    #[serde(default)]
    pub(crate) year: Option<i32>,
    #[serde(default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) done: String,
}

impl YearKind {
    fn unit_kind(&self) -> &str {
        if self.kind.trim().is_empty() {
            "township"
        } else {
            self.kind.trim()
        }
    }
}

fn this_year(app: &AppState) -> i32 {
    use chrono::Datelike;
    app.today().year()
}

/// A kind's label from the catalogue.
pub(crate) fn kind_label(lang: Lang, kind: &str) -> String {
    t(lang, &format!("duty_kind.{kind}")).to_string()
}

/// A state's label as its kind names it (tasks under `state.`).
pub(crate) fn state_label(lang: Lang, kind: &str, state: &str) -> String {
    let own = format!("{kind}_state.{state}");
    let key = if luoshi_domain::i18n::has(&own) { own } else { format!("state.{state}") };
    t(lang, &key).to_string()
}

/// A grade's label: an appeal's rating, a hazard's grade, else the code.
pub(crate) fn grade_label(lang: Lang, kind: &str, grade: &str) -> String {
    let key = match kind {
        "appeal" => format!("rating.{grade}"),
        "hazard" => format!("hazard_grade.{grade}"),
        "livelihood" => format!("livelihood.choice.{grade}"),
        _ => grade.to_string(),
    };
    t(lang, &key).to_string()
}

fn event_label(lang: Lang, e: luoshi_domain::assessment::Event) -> String {
    use luoshi_domain::assessment::Event;
    let key = match e {
        Event::Opened => "cockpit.event.opened",
        Event::OnTime => "cockpit.event.on_time",
        Event::Late => "cockpit.event.late",
        Event::Closed => "cockpit.event.closed",
        Event::Open | Event::Standing => "cockpit.event.open",
        Event::Overdue => "cockpit.event.overdue",
        Event::Sum => "cockpit.event.sum",
    };
    t(lang, key).to_string()
}

/// A term as read: 「事项·按期办结」, 「项目·完成投资」.
pub(crate) fn term_text(lang: Lang, x: &luoshi_domain::assessment::Term) -> String {
    let what = match &x.measure {
        Some(m) => t(lang, &format!("cockpit.measure.{m}")).to_string(),
        None => event_label(lang, x.event),
    };
    // The narrowing, as read: （满意、基本满意）, （重办/退回后）.
    let mut only: Vec<String> = x.grades.iter().map(|g| grade_label(lang, &x.kind, g)).collect();
    only.extend(x.states.iter().map(|s| state_label(lang, &x.kind, s)));
    match x.flagged {
        Some(true) => only.push(t(lang, "cockpit.flagged_only").to_string()),
        Some(false) => only.push(t(lang, "cockpit.unflagged_only").to_string()),
        None => {}
    }
    let only = if only.is_empty() { String::new() } else { format!("（{}）", only.join("、")) };
    format!("{}·{what}{only}", kind_label(lang, &x.kind))
}

/// A formula as read: (terms) ÷ (terms).
pub(crate) fn formula_text(lang: Lang, f: &luoshi_domain::assessment::Formula) -> String {
    let side = |v: &[luoshi_domain::assessment::Term]| v.iter().map(|x| term_text(lang, x)).collect::<Vec<_>>().join(" + ");
    format!("({}) ÷ ({})", side(&f.num), side(&f.den))
}

/// 元 shown in 万元 with two decimals (the cockpit's amounts).
pub(crate) fn wan(yuan: i64) -> String {
    luoshi_domain::money::Fen(yuan.saturating_mul(100)).wan2()
}

/// A share as a percentage to one decimal (— without one).
pub(crate) fn percent(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| "—".into())
}

async fn cockpit_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<CockpitQuery>) -> AppResult<Response> {
    let c = cockpit::cockpit(&app.db, &ctx.who()?, app.today(), &q).await?;
    Ok(Json(c).into_response())
}

async fn records_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<RecordsQuery>) -> AppResult<Response> {
    Ok(Json(records::records(&app.db, &ctx.who()?, app.today(), &q).await?).into_response())
}

async fn scorecard_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<YearKind>) -> AppResult<Response> {
    Ok(Json(cards::scorecard(&app.db, &ctx.who()?, id, q.year, this_year(&app)).await?).into_response())
}

async fn report_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<YearKind>) -> AppResult<Response> {
    Ok(Json(cards::report(&app.db, &ctx.who()?, q.year, q.unit_kind(), this_year(&app)).await?).into_response())
}

async fn schemes_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<YearKind>) -> AppResult<Response> {
    let who = ctx.who()?;
    let year = luoshi_app::assessment::year_or(q.year, this_year(&app))?;
    let (scheme, version) = luoshi_app::assessment::scheme(&app.db, year, q.unit_kind()).await?;
    let history = if who.is_supervisor() { luoshi_storage::assessment::scheme_versions(&app.db, year, q.unit_kind()).await? } else { Vec::new() };
    Ok(Json(serde_json::json!({ "scheme": scheme, "version": version, "history": history })).into_response())
}

#[derive(serde::Deserialize)]
struct SchemeInput {
    scheme: Scheme,
    #[serde(default)]
    note: String,
}

async fn put_scheme(ctx: Ctx, State(app): State<AppState>, Input(i): Input<SchemeInput>) -> AppResult<Response> {
    let v = luoshi_app::assessment::put_scheme(&app.db, &ctx.who()?, &i.scheme, &i.note, app.now()).await?;
    Ok(Json(serde_json::json!({ "version": v })).into_response())
}

async fn adjust_api(ctx: Ctx, State(app): State<AppState>, Input(i): Input<AdjustmentInput>) -> AppResult<Response> {
    let id = cards::adjust(&app.db, &ctx.who()?, &i, this_year(&app), app.now()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

async fn objections_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<YearKind>) -> AppResult<Response> {
    Ok(Json(objections::list(&app.db, &ctx.who()?, q.year, this_year(&app)).await?).into_response())
}

async fn object_api(ctx: Ctx, State(app): State<AppState>, Input(i): Input<ObjectionInput>) -> AppResult<Response> {
    let id = objections::file(&app.db, &ctx.who()?, &i, this_year(&app), app.now()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

async fn decide_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(d): Input<Decision>) -> AppResult<Response> {
    Ok(Json(objections::decide(&app.db, &ctx.who()?, id, &d, app.now()).await?).into_response())
}

/// This module's routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{APPEAL_READERS, DIRECTIVE_WRITERS, SUPERVISORS, UNIT_MANAGERS};
    t.add(M::GET, "/cockpit", APPEAL_READERS, "assessment", "驾驶舱 (page): ?unit=&year=; every card, ranking and trend in one request", cockpit_pages::page)
        .add(M::GET, "/cockpit/wall", APPEAL_READERS, "assessment", "大屏: the cockpit full-screen, refreshing itself", cockpit_pages::wall)
        .add(
            M::GET,
            "/cockpit/records",
            APPEAL_READERS,
            "assessment",
            "The records behind a cockpit figure (page): ?kind=&event=&unit=&year=&grade=&flagged=&before=",
            cockpit_pages::records,
        )
        .add(
            M::GET,
            "/api/v1/cockpit",
            APPEAL_READERS,
            "assessment",
            "The cockpit (?unit=&year=): cards per kind, rankings worst first, 12-month trend, drill-down trail",
            cockpit_api,
        )
        .add(
            M::GET,
            "/api/v1/cockpit/records",
            APPEAL_READERS,
            "assessment",
            "The records behind a figure (?kind=&event=opened|on_time|late|closed|open|overdue&unit=&year=&grade=&flagged=&before=)",
            records_api,
        )
        .add(
            M::GET,
            "/assessment/units/{id}",
            APPEAL_READERS,
            "assessment",
            "A unit's scorecard of a year (page) with formulas, records, adjustments and objections",
            card_pages::scorecard,
        )
        .add(M::GET, "/api/v1/assessment/units/{id}", APPEAL_READERS, "assessment", "A unit's scorecard of a year (?year=)", scorecard_api)
        .add(
            M::POST,
            "/assessment/units/{id}/adjustments",
            SUPERVISORS,
            "assessment",
            "Enter a bonus or penalty under a rule, with its basis (form)",
            card_pages::adjust,
        )
        .add(
            M::POST,
            "/assessment/units/{id}/objections",
            UNIT_MANAGERS,
            "assessment",
            "Object to a figure of the unit's scorecard (form; the unit's manager)",
            card_pages::object,
        )
        .add(
            M::POST,
            "/assessment/objections/{id}/decision",
            SUPERVISORS,
            "assessment",
            "Decide an objection with a reason, upheld with a correction or not (form)",
            card_pages::decide,
        )
        .add(
            M::GET,
            "/assessment/report",
            DIRECTIVE_WRITERS,
            "assessment",
            "The annual ranking report of townships or departments (page, A4 print)",
            card_pages::report,
        )
        .add(M::GET, "/assessment/report.xlsx", DIRECTIVE_WRITERS, "assessment", "The annual ranking report as xlsx (?year=&kind=)", card_pages::report_xlsx)
        .add(M::GET, "/assessment/report.docx", DIRECTIVE_WRITERS, "assessment", "The annual ranking report as Word (?year=&kind=)", card_pages::report_docx)
        .add(M::GET, "/api/v1/assessment/report", DIRECTIVE_WRITERS, "assessment", "The annual ranking report (?year=&kind=township|department)", report_api)
        .add(
            M::GET,
            "/api/v1/assessment/schemes",
            APPEAL_READERS,
            "assessment",
            "The scheme in force (?year=&kind=) and, for the supervision office, its versions",
            schemes_api,
        )
        .add(M::PUT, "/api/v1/assessment/schemes", SUPERVISORS, "assessment", "Save a new version of a scheme {scheme, note}", put_scheme)
        .add(
            M::GET,
            "/assessment/schemes",
            APPEAL_READERS,
            "assessment",
            "考核方案 (page): ?year=&kind=; the form of a new version for the office",
            scheme_pages::show,
        )
        .add(M::POST, "/assessment/schemes", SUPERVISORS, "assessment", "Save the scheme form as a new version (form, with its note)", scheme_pages::save)
        .add(
            M::POST,
            "/api/v1/assessment/adjustments",
            SUPERVISORS,
            "assessment",
            "Enter a bonus or penalty {unit_id, year, rule, points, grounds}",
            adjust_api,
        )
        .add(M::GET, "/api/v1/assessment/objections", APPEAL_READERS, "assessment", "The year's objections the caller may see (?year=)", objections_api)
        .add(
            M::POST,
            "/api/v1/assessment/objections",
            UNIT_MANAGERS,
            "assessment",
            "Object to a figure {unit_id, year, indicator, reason} (the unit's manager)",
            object_api,
        )
        .add(M::POST, "/api/v1/assessment/objections/{id}/decision", SUPERVISORS, "assessment", "Decide an objection {upheld, reason, points}", decide_api)
}
