//! 民生实事 over HTTP: the JSON API (proposals, screening, the year's settings, sessions,
//! ballots, the report, an appeal turned into a proposal) and the pages ([`pages`],
//! [`session_pages`], [`public`]). Who may do what is the use cases'; the route policies put the
//! desk, the finance bureau and the congress office behind their realms.

mod pages;
mod public;
mod session_pages;
mod year_pages;

use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::routes::AUTH;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::livelihood::screening::ActInput;
use luoshi_app::livelihood::sessions::{self, BallotInput, PaperInput, SessionInput};
use luoshi_app::livelihood::{self as svc, proposals, report, YearInput};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::livelihood::vote::SessionAction;
use luoshi_domain::livelihood::{ProposalInput, ProposalState};
use serde_json::json;

/// `?year=`, `?state=`, `?done=` (what the last action did).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Params {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub(crate) year: Option<i64>,
    #[serde(default)]
    pub(crate) state: String,
    #[serde(default)]
    pub(crate) done: String,
    /// The next page of a list.
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub(crate) before: Option<i64>,
}

impl Params {
    pub(crate) fn states(&self) -> Vec<ProposalState> {
        self.state.split(',').filter_map(ProposalState::parse).collect()
    }
    pub(crate) fn query(&self, year: Option<i64>, limit: Option<i64>) -> proposals::ListQuery {
        proposals::ListQuery { year: year.or(self.year), states: self.states(), before: self.before, limit }
    }
}

/// What a refused form says on its own page, the input kept (answered 422); a missing record
/// or a refused caller stays an error page.
pub(crate) fn refusal(lang: Lang, e: crate::error::AppError) -> AppResult<String> {
    match e.0.code {
        luoshi_domain::ErrorCode::NotFound | luoshi_domain::ErrorCode::Forbidden => Err(e),
        _ => Ok(luoshi_domain::i18n::error_message(lang, &e.0)),
    }
}

/// A label from the catalogue: `livelihood.<group>.<code>`.
pub(crate) fn label(lang: Lang, group: &str, code: &str) -> String {
    t(lang, &format!("livelihood.{group}.{code}")).to_string()
}

async fn list_api(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    Ok(Json(proposals::list(&app.db, &ctx.who()?, &p.query(None, None), app.now()).await?).into_response())
}

async fn submit_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<ProposalInput>) -> AppResult<Response> {
    let id = proposals::submit(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn one_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(proposals::one(&app.db, &ctx.who()?, id, app.now()).await?).into_response())
}

async fn act_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ActInput>) -> AppResult<Response> {
    let state = luoshi_app::links::livelihood_debt::act(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok(Json(json!({ "id": id, "state": state })).into_response())
}

async fn spent_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<proposals::SpentInput>) -> AppResult<Response> {
    proposals::record_spent(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

async fn from_appeal_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ProposalInput>) -> AppResult<Response> {
    let pid = luoshi_app::links::appeal_proposal::propose(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": pid }))).into_response())
}

/// A year's settings (`?year=`, default the coming year).
async fn year_api(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    ctx.who()?;
    let year = p.year.and_then(|y| i32::try_from(y).ok()).unwrap_or_else(|| svc::project_year(app.today()));
    Ok(Json(svc::year_settings(&app.db, year, app.today()).await?).into_response())
}

async fn set_year_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<YearInput>) -> AppResult<Response> {
    Ok(Json(svc::set_year(&app.db, &ctx.who()?, &input, app.now()).await?).into_response())
}

async fn sessions_api(State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(json!({ "sessions": sessions::list(&app.db).await? })).into_response())
}

async fn create_session_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<SessionInput>) -> AppResult<Response> {
    let id = sessions::create(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn session_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(sessions::one(&app.db, &ctx.who()?, id, app.now()).await?).into_response())
}

/// `{present}` when opening.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct MoveInput {
    #[serde(default)]
    pub(crate) present: String,
    #[serde(default)]
    pub(crate) role: String,
}

async fn open_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(m): Input<MoveInput>) -> AppResult<Response> {
    let s = sessions::move_to(&app.db, &ctx.who()?, id, SessionAction::Open, Some(&m.present), app.now()).await?;
    Ok(Json(json!({ "state": s })).into_response())
}

async fn close_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let s = sessions::move_to(&app.db, &ctx.who()?, id, SessionAction::Close, None, app.now()).await?;
    Ok(Json(json!({ "state": s })).into_response())
}

async fn paper_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(p): Input<PaperInput>) -> AppResult<Response> {
    sessions::import_paper(&app.db, &ctx.who()?, id, &p, app.now()).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

async fn sign_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(m): Input<MoveInput>) -> AppResult<Response> {
    let chosen = sessions::sign(&app.db, &ctx.who()?, id, &m.role, app.now()).await?;
    let delivered = deliver(&app, !chosen.is_empty()).await;
    Ok(Json(json!({ "chosen": chosen, "tasks_made": delivered })).into_response())
}

/// Hand chosen projects to their units as tasks now (the minute watch catches any missed).
pub(crate) async fn deliver(app: &AppState, any: bool) -> usize {
    if !any {
        return 0;
    }
    match luoshi_app::links::livelihood_delivery::sweep(&app.db, app.now()).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "livelihood delivery left to the sweep");
            0
        }
    }
}

async fn ballot_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(b): Input<BallotInput>) -> AppResult<Response> {
    sessions::cast(&app.db, &ctx.who()?, id, &b, app.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "ok": true }))).into_response())
}

async fn report_api(State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let year = p.year.unwrap_or_else(|| i64::from(svc::project_year(app.today())));
    Ok(Json(report::year_report(&app.db, year, app.now()).await?).into_response())
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{CONGRESS, DEPUTIES, LIVELIHOOD_DESK, LIVELIHOOD_FINANCE, OPERATORS, PROPOSERS};
    let t = pages::routes(t);
    let t = session_pages::routes(t);
    let t = public::routes(t);
    let t = year_pages::routes(t);
    t.add(M::GET, "/api/v1/livelihood/proposals", AUTH, "livelihood", "民生实事 proposals the caller may see (?year, state=a,b): a deputy his own, a unit what it assesses; names and phones only for the desk and the hotline", list_api)
        .add(M::POST, "/api/v1/livelihood/proposals", PROPOSERS, "livelihood", "Propose {title, content, area, place; name, phone for a caller the hotline records}: a deputy's, a unit's, a citizen's by phone", submit_api)
        .add(M::GET, "/api/v1/livelihood/proposals/{id}", AUTH, "livelihood", "A proposal with its assessment, trail, what the caller may do now and similar proposals (the desk)", one_api)
        .add(M::POST, "/api/v1/livelihood/proposals/{id}/actions", AUTH, "livelihood", "Screen a proposal {action: assign|assess|return|shortlist|withdraw|exclude|reserve|merge, unit_id, reason, merge_into, version; the assessment's fields}: shortlisting checks the exclusion rules (the debt ratio among them) and the year's pool", act_api)
        .add(M::POST, "/api/v1/livelihood/proposals/{id}/spent", AUTH, "livelihood", "Record what a chosen project has spent so far {spent_wan} (its delivering unit or the desk; never above its cost)", spent_api)
        .add(M::POST, "/api/v1/livelihood/from-appeal/{id}", OPERATORS, "livelihood", "Turn a recurring appeal into a proposal {title, area, content}: linked, once per appeal, no contact data carried", from_appeal_api)
        .add(M::GET, "/api/v1/livelihood/year", AUTH, "livelihood", "A year's collection period and 可用财力 (?year=, default the coming year)", year_api)
        .add(M::PUT, "/api/v1/livelihood/year", LIVELIHOOD_DESK, "livelihood", "Set a year's collection period {year, collect_from, collect_to} (the desk)", set_year_api)
        .add(M::PUT, "/api/v1/livelihood/year/capacity", LIVELIHOOD_FINANCE, "livelihood", "Set a year's 可用财力 {year, capacity_wan} (the finance bureau)", set_year_api)
        .add(M::GET, "/api/v1/livelihood/sessions", AUTH, "livelihood", "The vote and rating sessions", sessions_api)
        .add(M::POST, "/api/v1/livelihood/sessions", CONGRESS, "livelihood", "Set up a session {kind: vote|rating, title, members, year} over the year's candidates or chosen projects, the rules in force fixed on it", create_session_api)
        .add(M::GET, "/api/v1/livelihood/sessions/{id}", AUTH, "livelihood", "A session: its items, counts once voting closed, the tellers' signatures, whether the caller voted", session_api)
        .add(M::POST, "/api/v1/livelihood/sessions/{id}/open", CONGRESS, "livelihood", "Open voting {present}: more than half of all members present", open_api)
        .add(M::POST, "/api/v1/livelihood/sessions/{id}/close", CONGRESS, "livelihood", "Close voting", close_api)
        .add(M::POST, "/api/v1/livelihood/sessions/{id}/paper", CONGRESS, "livelihood", "Import the paper count {ballots, counts: one 'id,a,b,c' line per item}: refused above those present", paper_api)
        .add(M::POST, "/api/v1/livelihood/sessions/{id}/sign", CONGRESS, "livelihood", "A teller signs {role: counter|scrutineer}; the last signature fixes the result, moves the proposals and hands the chosen to their units as tasks", sign_api)
        .add(M::POST, "/api/v1/livelihood/sessions/{id}/ballot", DEPUTIES, "livelihood", "A deputy's ballot {marks: {proposal id: yes|no|abstain or satisfied|basic|unsatisfied}}: once, while open; a secret session keeps who voted, not how", ballot_api)
        .add(M::GET, "/api/v1/livelihood/report", AUTH, "livelihood", "The year's report (?year=): proposals by source and state, the projects with delivery, money and both ratings", report_api)
}
