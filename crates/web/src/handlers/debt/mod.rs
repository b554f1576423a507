//! 债务风险 over HTTP: the JSON API (the ledger, instruments, transactions, borrowers, the year's
//! 限额 and 综合财力, grants, the maturity wall, indicators and warnings, scenarios, disclosure,
//! the debt duties) and the pages ([`ledger_pages`], [`instrument_pages`], [`analysis_pages`]).
//! Every route is behind [`DEBT`]: the guard admits only the book's audience.

mod analysis_pages;
mod instrument_pages;
mod ledger_pages;

use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::debt::{duties, figures, instruments, io, scenarios, settings, transactions};
use luoshi_storage::debt::Filter;
use serde_json::json;

/// `?after=` for the next page; `?months=` for the wall; `?year=` for a year's figures.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Params {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub(crate) after: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub(crate) months: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub(crate) year: Option<i64>,
    /// What the last action did (for the line that says so).
    #[serde(default)]
    pub(crate) done: String,
}

/// The page size of the ledger.
pub(crate) const PAGE: i64 = 100;

async fn ledger_api(ctx: Ctx, State(app): State<AppState>, Query(f): Query<Filter>, Query(p): Query<Params>) -> AppResult<Response> {
    let rows = instruments::ledger(&app.db, &ctx.who()?, &f, p.after.unwrap_or(0), PAGE, app.now()).await?;
    let next = (rows.len() as i64 == PAGE).then(|| rows.last().map(|i| i.id)).flatten();
    Ok(Json(json!({ "instruments": rows, "next_after": next })).into_response())
}

async fn create_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<instruments::InstrumentInput>) -> AppResult<Response> {
    let id = instruments::create(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn view_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(instruments::page(&app.db, &ctx.who()?, id, app.now()).await?).into_response())
}

async fn txn_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<transactions::TxnInput>) -> AppResult<Response> {
    let t = transactions::record(&app.db, &ctx.who()?, id, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": t }))).into_response())
}

async fn borrowers_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let list = settings::borrowers(&app.db, &ctx.who()?, app.now()).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|b| json!({ "id": b.id, "name": b.name, "kind": b.kind, "uscc": b.uscc, "owner": b.owner, "exited_on": b.exited_on, "unit_id": b.unit_id, "unit_name": b.unit_name, "note": b.note }))
        .collect();
    Ok(Json(json!({ "borrowers": rows })).into_response())
}

async fn borrower_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<settings::BorrowerInput>) -> AppResult<Response> {
    let id = settings::put_borrower(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok(Json(json!({ "id": id })).into_response())
}

async fn year_api(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let year = p.year.unwrap_or(i64::from(chrono::Datelike::year(&app.today())));
    let (limits, capacity) = settings::year(&app.db, &ctx.who()?, year, app.now()).await?;
    Ok(Json(json!({ "year": year, "limits": limits, "capacity": capacity })).into_response())
}

async fn set_year_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<settings::YearInput>) -> AppResult<Response> {
    settings::set_year(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

async fn grants_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let g = settings::grants(&app.db, &ctx.who()?, app.now()).await?;
    let rows: Vec<_> = g.iter().map(|g| json!({ "user_id": g.user_id, "display_name": g.display_name, "unit_name": g.unit_name, "granted_by": g.granted_by, "reason": g.reason, "granted_at": g.granted_at })).collect();
    Ok(Json(json!({ "grants": rows })).into_response())
}

async fn grant_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<settings::GrantInput>) -> AppResult<Response> {
    settings::grant(&app.db, &ctx.who()?, &input, app.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "ok": true }))).into_response())
}

async fn revoke_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    settings::revoke(&app.db, &ctx.who()?, id, app.now()).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

async fn wall_api(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let months = u32::try_from(p.months.unwrap_or(36)).unwrap_or(36);
    Ok(Json(figures::wall(&app.db, &ctx.who()?, months, app.now()).await?.as_ref().clone()).into_response())
}

async fn ratios_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(figures::ratios(&app.db, &ctx.who()?, app.now()).await?.as_ref().clone()).into_response())
}

async fn scenario_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<scenarios::ScenarioInput>) -> AppResult<Response> {
    Ok(Json(scenarios::run(&app.db, &ctx.who()?, &input, app.now()).await?).into_response())
}

async fn scenarios_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let list = scenarios::saved(&app.db, &ctx.who()?, app.now()).await?;
    let rows: Vec<_> = list.iter().map(|s| json!({ "id": s.id, "name": s.name, "created_by": s.created_by, "created_at": s.created_at })).collect();
    Ok(Json(json!({ "scenarios": rows, "reference": luoshi_domain::debt::NATIONAL_2024 })).into_response())
}

async fn rerun_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, input, r) = scenarios::rerun(&app.db, &ctx.who()?, id, app.now()).await?;
    Ok(Json(json!({ "name": name, "input": input, "result": r })).into_response())
}

async fn disclosure_api(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let year = p.year.and_then(|y| i32::try_from(y).ok()).unwrap_or(chrono::Datelike::year(&app.today()));
    Ok(Json(figures::disclosure(&app.db, &ctx.who()?, year, app.now()).await?).into_response())
}

pub(crate) async fn disclosure_xlsx(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let year = p.year.and_then(|y| i32::try_from(y).ok()).unwrap_or(chrono::Datelike::year(&app.today()));
    let d = figures::disclosure(&app.db, &ctx.who()?, year, app.now()).await?;
    let (head, rows) = figures::disclosure_table(&d);
    let bytes = luoshi_ledger::write_xlsx(&format!("{year}年政府债务"), &head, &rows)?;
    Ok(crate::handlers::tasks::xlsx(&format!("{year}年地方政府债务限额及余额情况表（亿元）"), bytes))
}

pub(crate) async fn export(ctx: Ctx, State(app): State<AppState>, Query(f): Query<Filter>) -> AppResult<Response> {
    Ok(crate::handlers::tasks::xlsx("债务台账", io::export(&app.db, &ctx.who()?, &f, app.now()).await?))
}

async fn import_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<crate::handlers::units::ImportQuery>, body: Bytes) -> AppResult<Response> {
    Ok(crate::handlers::import_answer(ctx.lang, io::import(&app.db, &ctx.who()?, &body, &q.name, q.dry_run, app.now()).await?))
}

async fn duties_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let (m, w) = duties::list(&app.db, &ctx.who()?, app.now()).await?;
    Ok(Json(json!({ "maturities": m, "warnings": w })).into_response())
}

async fn maturity_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (d, trail) = duties::one(&app.db, &ctx.who()?, "debt_maturity", id, app.now()).await?;
    Ok(Json(json!({ "duty": d, "trail": trail })).into_response())
}

async fn warning_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (d, trail) = duties::one(&app.db, &ctx.who()?, "debt_warning", id, app.now()).await?;
    Ok(Json(json!({ "duty": d, "trail": trail })).into_response())
}

async fn maturity_act_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<duties::ActInput>) -> AppResult<Response> {
    Ok(Json(duties::act(&app.db, &ctx.who()?, "debt_maturity", id, &input, app.now()).await?).into_response())
}

async fn warning_act_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<duties::ActInput>) -> AppResult<Response> {
    Ok(Json(duties::act(&app.db, &ctx.who()?, "debt_warning", id, &input, app.now()).await?).into_response())
}

async fn watch_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    let a = luoshi_app::debt::access(&app.db, &who, app.today()).await?;
    if !(a.write || a.decide) {
        return Err(luoshi_domain::DomainError::forbidden().into());
    }
    Ok(Json(duties::watch(&app.db, app.now()).await?).into_response())
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::DEBT as D;
    let t = ledger_pages::routes(t);
    let t = instrument_pages::routes(t);
    let t = analysis_pages::routes(t);
    t.add(M::GET, "/api/v1/debt/instruments", D, "debt", "债务台账: a page of instruments (?kind, category, borrower_id, q, after) with the principal outstanding", ledger_api)
        .add(M::POST, "/api/v1/debt/instruments", D, "debt", "Record an instrument {borrower, code, name, kind, category, lender, principal_wan, rate_percent, rate_reference, spread_bp, fees_wan, day_count, start_on, maturity_on, amortisation, every_months, custom_schedule, guarantee, collateral, project, drawn_wan}", create_api)
        .add(M::GET, "/api/v1/debt/instruments/export.xlsx", D, "debt", "The debt ledger as xlsx (the import's columns and the balance)", export)
        .add(M::POST, "/api/v1/debt/instruments/import", D, "debt", "Import the debt ledger (xlsx or CSV body, ?name=&dry_run=): all rows or none, every problem by row and column", import_api)
        .add(M::GET, "/api/v1/debt/instruments/{id}", D, "debt", "An instrument with its schedule, transactions, what is overdue, the next payment and its maturity duties (the read is audited)", view_api)
        .add(M::POST, "/api/v1/debt/instruments/{id}/transactions", D, "debt", "Record a transaction {kind: drawdown|repayment|interest|prepayment|rollover|swap, happened_on, amount_wan, counterpart_id, note}", txn_api)
        .add(M::GET, "/api/v1/debt/borrowers", D, "debt", "The borrowers: the government, platform companies (USCC, owner, 退出平台) and others", borrowers_api)
        .add(M::POST, "/api/v1/debt/borrowers", D, "debt", "Register or update a borrower {name, kind, uscc, owner, exited_on, unit, note}", borrower_api)
        .add(M::GET, "/api/v1/debt/year", D, "debt", "A year's 限额 by category and 综合财力 components (?year=)", year_api)
        .add(M::PUT, "/api/v1/debt/year", D, "debt", "Set a year's 限额 and 综合财力 {year, general_limit_wan, special_limit_wan, capacity: one 'name amount' per line}", set_year_api)
        .add(M::GET, "/api/v1/debt/grants", D, "debt", "Who besides the finance bureau and the principal leaders sees the book", grants_api)
        .add(M::POST, "/api/v1/debt/grants", D, "debt", "Grant a user sight of the book {username, reason} (the bureau's managers, a principal leader)", grant_api)
        .add(M::DELETE, "/api/v1/debt/grants/{id}", D, "debt", "Withdraw a user's grant (by user id)", revoke_api)
        .add(M::GET, "/api/v1/debt/wall", D, "debt", "到期墙: principal and interest due by month, quarter and year (?months=, default 36), by category and borrower kind, and what is overdue", wall_api)
        .add(M::GET, "/api/v1/debt/ratios", D, "debt", "债务率, 偿债率, 逾期债务率, 非标 and trust/leasing shares, weighted rate, time to maturity, due within 12 months, and the warnings they raise", ratios_api)
        .add(M::POST, "/api/v1/debt/scenarios", D, "debt", "Run a 置换 scenario {select: ids|nonstandard|trust_leasing|rate_above, instruments, min_rate_percent, limit, kind, category, rate_percent, on, years, name}: saved when named", scenario_api)
        .add(M::GET, "/api/v1/debt/scenarios", D, "debt", "The named scenarios and the national reference figures with their sources", scenarios_api)
        .add(M::GET, "/api/v1/debt/scenarios/{id}", D, "debt", "A named scenario run again on the book as it stands", rerun_api)
        .add(M::GET, "/api/v1/debt/disclosure", D, "debt", "The year's 一般/专项债务 限额 and 余额 table (opening, issuance and its parts, repayment, closing) from the transactions (?year=)", disclosure_api)
        .add(M::GET, "/api/v1/debt/disclosure.xlsx", D, "debt", "The disclosure table as xlsx (亿元, four decimals)", disclosure_xlsx)
        .add(M::GET, "/api/v1/debt/duties", D, "debt", "The maturity duties (资金接续) and the warnings with their state, light and days left", duties_api)
        .add(M::POST, "/api/v1/debt/watch", D, "debt", "Open the duties of large maturities and raise the warnings now (the daily run does it too)", watch_api)
        .add(M::GET, "/api/v1/debt/maturities/{id}", D, "debt", "A maturity duty with its trail and what the caller may do", maturity_api)
        .add(M::POST, "/api/v1/debt/maturities/{id}/actions", D, "debt", "Act on a maturity duty {action: submit|return|accept|close, text, version}", maturity_act_api)
        .add(M::GET, "/api/v1/debt/warnings/{id}", D, "debt", "A warning duty with its trail and what the caller may do", warning_api)
        .add(M::POST, "/api/v1/debt/warnings/{id}/actions", D, "debt", "Act on a warning {action: submit|return|accept|close, text, version}", warning_act_api)
}
