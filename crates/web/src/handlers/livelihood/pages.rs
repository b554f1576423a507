//! The proposals on screen: the list (the desk's screening desk, a unit's, a deputy's own), the
//! form to propose, a proposal's page with what the caller may do now, and the hotline's form
//! turning an appeal into a proposal.

use super::{label, refusal, Params};
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::handlers::duty::days_label;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::routes::AUTH;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::livelihood::proposals::{self, Detail, View};
use luoshi_app::livelihood::screening::ActInput;
use luoshi_app::livelihood::{self as svc};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::livelihood::{Area, ProposalInput, ProposalState};
use luoshi_domain::time::format_local;

/// One row of the list.
pub(crate) struct Row {
    pub(crate) v: View,
    pub(crate) source: String,
    pub(crate) area: String,
    pub(crate) state: String,
    pub(crate) days: String,
    pub(crate) overdue: bool,
}

pub(crate) fn row(lang: Lang, v: View) -> Row {
    let (days, overdue) = days_label(lang, v.days_left);
    Row {
        source: label(lang, "source", v.source.as_str()),
        area: label(lang, "area", v.area.as_str()),
        state: label(lang, "state", v.state.as_str()),
        days,
        overdue,
        v,
    }
}

#[derive(Template)]
#[template(path = "livelihood/list.html")]
struct ListPage {
    chrome: Chrome,
    year: i64,
    state: String,
    states: Vec<(&'static str, String, i64)>,
    rows: Vec<Row>,
    may_propose: bool,
    period: String,
    next_before: Option<i64>,
}

async fn list_page(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let year = p.year.unwrap_or_else(|| i64::from(svc::project_year(app.today())));
    // The counts by state over the whole year; the rows a page at a time.
    let counts = proposals::counts(&app.db, &who, Some(year), app.now()).await?;
    let states = counts.iter().map(|(s, n)| (s.as_str(), label(lang, "state", s.as_str()), *n)).collect();
    let page = proposals::list(&app.db, &who, &p.query(Some(year), None), app.now()).await?;
    let next_before = page.next_before;
    let rows = page.proposals.into_iter().map(|v| row(lang, v)).collect();
    let y = svc::year_settings(&app.db, i32::try_from(year).unwrap_or(2027), app.today()).await?;
    let period = t(lang, "livelihood.not_collecting").replace("{from}", &y.collect_from).replace("{to}", &y.collect_to);
    let flash = (!p.done.is_empty()).then(|| t(lang, &format!("livelihood.done_{}", p.done)).to_string());
    let may_propose = luoshi_domain::access::PROPOSERS.allows(Some(ctx.user()?.user.role));
    Ok(render(&ListPage { chrome: chrome(&ctx, "livelihood.title", flash), year, state: p.state, states, rows, may_propose, period, next_before }))
}

#[derive(Template)]
#[template(path = "livelihood/new.html")]
struct NewPage {
    chrome: Chrome,
    form: ProposalInput,
    areas: Vec<(&'static str, String)>,
    error: Option<String>,
    /// The hotline records a caller's name and phone; an appeal's proposal has its own page.
    hotline: bool,
    appeal_id: Option<i64>,
}

fn areas(lang: Lang) -> Vec<(&'static str, String)> {
    Area::ALL.iter().map(|a| (a.as_str(), label(lang, "area", a.as_str()))).collect()
}

fn new_page(ctx: &Ctx, form: ProposalInput, error: Option<String>, appeal_id: Option<i64>) -> AppResult<NewPage> {
    let hotline = ctx.user()?.user.role == luoshi_domain::user::Role::Hotline;
    Ok(NewPage {
        chrome: chrome(ctx, if appeal_id.is_some() { "livelihood.to_proposal" } else { "livelihood.new" }, None),
        areas: areas(ctx.lang),
        form,
        error,
        hotline,
        appeal_id,
    })
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    Ok(render(&new_page(&ctx, ProposalInput::default(), None, None)?))
}

async fn submit(ctx: Ctx, State(app): State<AppState>, Input(form): Input<ProposalInput>) -> AppResult<Response> {
    match proposals::submit(&app.db, &ctx.who()?, &form, app.now()).await.map_err(AppError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/livelihood/proposals/{id}?done=submit")).into_response()),
        Err(e) => {
            let msg = refusal(ctx.lang, e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&new_page(&ctx, form, Some(msg), None)?)).into_response())
        }
    }
}

async fn from_appeal_form(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(render(&new_page(&ctx, ProposalInput::default(), None, Some(id))?))
}

async fn from_appeal(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(form): Input<ProposalInput>) -> AppResult<Response> {
    match luoshi_app::links::appeal_proposal::propose(&app.db, &ctx.who()?, id, &form, app.now()).await.map_err(AppError::from) {
        Ok(pid) => Ok(Redirect::to(&format!("/livelihood/proposals/{pid}?done=appeal")).into_response()),
        Err(e) => {
            let msg = refusal(ctx.lang, e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&new_page(&ctx, form, Some(msg), Some(id))?)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "livelihood/proposal.html")]
struct ProposalPage {
    chrome: Chrome,
    d: Detail,
    r: Row,
    actions: Vec<(&'static str, String)>,
    /// The department's assessment fields (when it may assess).
    assess: bool,
    /// The form recording money spent (a chosen project, its unit or the desk).
    may_spend: bool,
    units: Vec<(i64, String)>,
    /// (time, who, what, note)
    trail: Vec<(String, String, String, String)>,
    similar: Vec<(i64, String, String, i64)>,
    excluded: Vec<String>,
    debt_line: String,
    form: ActInput,
    error: Option<String>,
}

async fn proposal_page(ctx: &Ctx, app: &AppState, id: i64, done: &str, form: ActInput, error: Option<String>) -> AppResult<ProposalPage> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let d = proposals::one(&app.db, &who, id, app.now()).await?;
    let actors = crate::handlers::duty::actors::Actors::load(&app.db).await?;
    let trail = d
        .trail
        .iter()
        .map(|s| (format_local(s.at), actors.label(lang, &s.actor), label(lang, "action", &s.action), s.note.clone().unwrap_or_default()))
        .collect();
    let similar = d.similar.iter().map(|(i, title, st, pct)| (*i, title.clone(), label(lang, "state", st.as_str()), *pct)).collect();
    // The desk sees, before shortlisting, which rules would refuse it and the debt ratio they read.
    let (excluded, debt_line) = if d.may.contains(&luoshi_domain::livelihood::ProposalAction::Shortlist) {
        let debt = luoshi_app::links::livelihood_debt::standing(&app.db, app.now()).await?;
        let row = luoshi_storage::livelihood::proposals::get(&app.db, id).await?;
        let ex = match row {
            Some(p) => luoshi_app::livelihood::screening::excluded_by(&app.db, &p, debt, app.now()).await?,
            None => Vec::new(),
        };
        let rules = luoshi_app::RulesInForce::load(&app.db, app.today()).await?;
        let block = luoshi_domain::money::percent((rules.num("livelihood.debt_block_percent").unwrap_or(300.0) * 100.0).round() as i64);
        let line = match debt.ratio_bp {
            Some(r) => t(lang, "livelihood.debt_ratio").replace("{r}", &luoshi_domain::money::percent(r)).replace("{b}", &block),
            None => t(lang, "livelihood.debt_ratio_none").to_string(),
        };
        (ex.iter().map(|e| label(lang, "exclusion", e.as_str())).collect(), line)
    } else {
        (Vec::new(), String::new())
    };
    let units = if d.may.contains(&luoshi_domain::livelihood::ProposalAction::Assign) {
        luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All)
            .await?
            .into_iter()
            .filter(|u| u.path.matches('/').count() <= 3)
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        Vec::new()
    };
    let actions = d.may.iter().map(|a| (a.as_str(), label(lang, "action", a.as_str()))).collect();
    let flash = (!done.is_empty()).then(|| t(lang, &format!("livelihood.done_{done}")).to_string());
    let assess = d.may.contains(&luoshi_domain::livelihood::ProposalAction::Assess);
    let may_spend = d.p.state == ProposalState::Chosen
        && (ctx.realms.contains(&luoshi_domain::access::Realm::LivelihoodDesk) || (d.p.unit_id.is_some() && d.p.unit_id == who.unit_id));
    Ok(ProposalPage {
        chrome: chrome(ctx, "livelihood.proposal", flash),
        r: row(lang, d.p.clone()),
        d,
        actions,
        assess,
        may_spend,
        units,
        trail,
        similar,
        excluded,
        debt_line,
        form,
        error,
    })
}

async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(p): Query<Params>) -> AppResult<Response> {
    Ok(render(&proposal_page(&ctx, &app, id, &p.done, ActInput::default(), None).await?))
}

async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(form): Input<ActInput>) -> AppResult<Response> {
    match luoshi_app::links::livelihood_debt::act(&app.db, &ctx.who()?, id, &form, app.now()).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/livelihood/proposals/{id}?done=act")).into_response()),
        Err(e) => {
            let msg = refusal(ctx.lang, e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&proposal_page(&ctx, &app, id, "", form, Some(msg)).await?)).into_response())
        }
    }
}

async fn spent(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(form): Input<proposals::SpentInput>) -> AppResult<Response> {
    match proposals::record_spent(&app.db, &ctx.who()?, id, &form, app.now()).await.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/livelihood/proposals/{id}?done=spent")).into_response()),
        Err(e) => {
            let msg = refusal(ctx.lang, e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&proposal_page(&ctx, &app, id, "", ActInput::default(), Some(msg)).await?)).into_response())
        }
    }
}

pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{OPERATORS, PROPOSERS};
    t.add(M::GET, "/livelihood", AUTH, "livelihood", "民生实事: the year's proposals by state (page)", list_page)
        .add(M::GET, "/livelihood/new", PROPOSERS, "livelihood", "Propose a project (page)", new_form)
        .add(M::POST, "/livelihood/new", PROPOSERS, "livelihood", "Propose a project (form)", submit)
        .add(M::GET, "/livelihood/proposals/{id}", AUTH, "livelihood", "A proposal with its assessment, trail and what the caller may do now (page)", page)
        .add(M::POST, "/livelihood/proposals/{id}/actions", AUTH, "livelihood", "Screen or assess a proposal (form)", act)
        .add(M::POST, "/livelihood/proposals/{id}/spent", AUTH, "livelihood", "Record what a chosen project has spent (form)", spent)
        .add(M::GET, "/livelihood/from-appeal/{id}", OPERATORS, "livelihood", "Turn an appeal into a proposal (page)", from_appeal_form)
        .add(M::POST, "/livelihood/from-appeal/{id}", OPERATORS, "livelihood", "Turn an appeal into a proposal (form)", from_appeal)
}
