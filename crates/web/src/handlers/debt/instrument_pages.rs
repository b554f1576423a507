//! An instrument on screen (its terms, balance, what is overdue and the next payment in days,
//! its schedule, transactions and maturity duties; the transaction form), and a debt duty's
//! page (a maturity's 资金接续 or a warning's 处置, its trail and the forms of what the caller
//! may do now).

use super::ledger_pages::{days_to, label};
use super::Params;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::handlers::duty::days_label;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::debt::duties::{self, ActInput, DutyView};
use luoshi_app::debt::instruments::{self, Page};
use luoshi_app::debt::transactions::{self, TxnInput};
use luoshi_domain::debt::TxnKind;
use luoshi_domain::i18n::{error_message, t};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;

#[derive(Template)]
#[template(path = "debt/instrument.html")]
struct InstrumentPage {
    chrome: Chrome,
    v: Page,
    kind: String,
    category: String,
    amortisation: String,
    day_count: String,
    maturity: String,
    past: bool,
    /// The next payment: date, principal, interest, how far.
    next: Option<(String, String, String, String)>,
    /// (date, kind label, 万元, flagged over the limit, note, who).
    txns: Vec<(String, String, String, bool, String, String)>,
    maturities: Vec<(DutyView, String, String)>,
    txn_kinds: Vec<(&'static str, String)>,
    form: TxnInput,
    error: Option<String>,
    today: String,
}

async fn instrument_page(ctx: &Ctx, app: &AppState, id: i64, done: &str, form: TxnInput, error: Option<String>) -> AppResult<InstrumentPage> {
    let lang = ctx.lang;
    let v = instruments::page(&app.db, &ctx.who()?, id, app.now()).await?;
    let (maturity, past) = days_to(lang, v.instrument.days_to_maturity);
    let flash = (!done.is_empty()).then(|| t(lang, &format!("debt.done_{done}")).to_string());
    let actors = crate::handlers::duty::actors::Actors::load(&app.db).await?;
    Ok(InstrumentPage {
        chrome: chrome(ctx, "debt.instrument", flash),
        kind: label(lang, "debt.kind", v.instrument.kind.as_str()),
        category: label(lang, "debt.category", v.instrument.category.as_str()),
        amortisation: label(lang, "debt.amortisation", v.instrument.amortisation.as_str()),
        day_count: label(lang, "debt.day_count", v.instrument.day_count.as_str()),
        maturity,
        past: past && v.instrument.outstanding_fen > 0,
        next: v.next.clone().map(|(on, p, i, days)| (on, p, i, days_to(lang, days).0)),
        txns: v
            .transactions
            .iter()
            .map(|x| {
                (
                    x.happened_on.clone(),
                    label(lang, "debt.txn", x.kind.as_str()),
                    x.amount_wan.clone(),
                    x.over_limit,
                    x.note.clone(),
                    actors.label(lang, &x.actor),
                )
            })
            .collect(),
        maturities: v
            .maturities
            .iter()
            .map(|m| {
                let (days, _) = days_label(lang, m.days_left);
                (m.clone(), label(lang, "debt.state", m.state.as_str()), days)
            })
            .collect(),
        txn_kinds: TxnKind::ALL.iter().map(|k| (k.as_str(), label(lang, "debt.txn", k.as_str()))).collect(),
        form,
        error,
        today: app.today().to_string(),
        v,
    })
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(p): Query<Params>) -> AppResult<Response> {
    Ok(render(&instrument_page(&ctx, &app, id, &p.done, TxnInput::default(), None).await?))
}

pub async fn record(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(form): Input<TxnInput>) -> AppResult<Response> {
    match transactions::record(&app.db, &ctx.who()?, id, &form, app.now()).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/debt/instruments/{id}?done=txn")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&instrument_page(&ctx, &app, id, "", form, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "debt/duty.html")]
struct DutyPage {
    chrome: Chrome,
    duty: DutyView,
    indicator: String,
    level: String,
    kind_path: &'static str,
    state: String,
    clock: String,
    overdue: bool,
    trail: Vec<(String, String, String, String)>,
    actions: Vec<(String, String)>,
    form: ActInput,
    error: Option<String>,
}

fn path_of(kind: &str) -> &'static str {
    if kind == "debt_maturity" {
        "maturities"
    } else {
        "warnings"
    }
}

async fn duty_page(ctx: &Ctx, app: &AppState, kind: &'static str, id: i64, done: &str, form: ActInput, error: Option<String>) -> AppResult<DutyPage> {
    let lang = ctx.lang;
    let (d, trail) = duties::one(&app.db, &ctx.who()?, kind, id, app.now()).await?;
    let actors = crate::handlers::duty::actors::Actors::load(&app.db).await?;
    let (clock, overdue) = days_label(lang, d.days_left);
    let flash = (!done.is_empty()).then(|| t(lang, &format!("debt.done_{done}")).to_string());
    Ok(DutyPage {
        chrome: chrome(ctx, if kind == "debt_maturity" { "debt.maturity" } else { "debt.warning" }, flash),
        kind_path: path_of(kind),
        indicator: label(lang, "debt.indicator", &d.indicator),
        level: label(lang, "debt.level", &d.level),
        state: label(lang, "debt.state", d.state.as_str()),
        clock,
        overdue,
        trail: trail
            .iter()
            .rev()
            .map(|s| (format_local(s.at), actors.label(lang, &s.actor), label(lang, "debt.action", &s.action), s.note.clone().unwrap_or_default()))
            .collect(),
        actions: d.may.iter().map(|a| (a.as_str().to_string(), label(lang, "debt.action", a.as_str()))).collect(),
        form,
        error,
        duty: d,
    })
}

async fn duty_view(ctx: Ctx, app: AppState, kind: &'static str, id: i64, done: String) -> AppResult<Response> {
    Ok(render(&duty_page(&ctx, &app, kind, id, &done, ActInput::default(), None).await?))
}

async fn duty_act(ctx: Ctx, app: AppState, kind: &'static str, id: i64, form: ActInput) -> AppResult<Response> {
    match duties::act(&app.db, &ctx.who()?, kind, id, &form, app.now()).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/debt/{}/{id}?done={}", path_of(kind), form.action.trim())).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&duty_page(&ctx, &app, kind, id, "", form, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn maturity(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(p): Query<Params>) -> AppResult<Response> {
    duty_view(ctx, app, "debt_maturity", id, p.done).await
}

pub async fn warning(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(p): Query<Params>) -> AppResult<Response> {
    duty_view(ctx, app, "debt_warning", id, p.done).await
}

pub async fn maturity_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(form): Input<ActInput>) -> AppResult<Response> {
    duty_act(ctx, app, "debt_maturity", id, form).await
}

pub async fn warning_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(form): Input<ActInput>) -> AppResult<Response> {
    duty_act(ctx, app, "debt_warning", id, form).await
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::DEBT as D;
    t.add(M::GET, "/debt/instruments/{id}", D, "debt", "An instrument with its schedule, transactions and maturity duties (page; the read is audited)", page)
        .add(M::POST, "/debt/instruments/{id}/transactions", D, "debt", "Record a transaction (form)", record)
        .add(M::GET, "/debt/maturities/{id}", D, "debt", "A maturity duty: the funding plan, its days left, trail and actions (page)", maturity)
        .add(M::POST, "/debt/maturities/{id}/actions", D, "debt", "Act on a maturity duty (form)", maturity_act)
        .add(M::GET, "/debt/warnings/{id}", D, "debt", "A warning: the indicator, level, measures, trail and actions (page)", warning)
        .add(M::POST, "/debt/warnings/{id}/actions", D, "debt", "Act on a warning (form)", warning_act)
}
