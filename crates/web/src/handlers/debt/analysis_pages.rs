//! The figures on screen: the maturity wall (an SVG chart by month with its peak, quarters and
//! years), the indicators against their thresholds with the warnings and the debt duties, the
//! 置换 scenario form and its before-and-after, and the printable disclosure table.

use super::ledger_pages::label;
use super::Params;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::handlers::duty::days_label;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use luoshi_app::debt::duties::{self, DutyView};
use luoshi_app::debt::figures::{self, Disclosure};
use luoshi_app::debt::scenarios::{self, Run, ScenarioInput};
use luoshi_domain::debt::ratios::Indicators;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::money::{percent, Fen};
use luoshi_domain::ErrorCode;

fn yi(f: Fen) -> f64 {
    f.0 as f64 / 10_000_000_000.0
}

#[derive(Template)]
#[template(path = "debt/wall.html")]
struct WallPage {
    chrome: Chrome,
    chart: String,
    months: i64,
    peak: String,
    overdue: String,
    /// (quarter, principal 亿, interest 亿).
    quarters: Vec<(String, String, String)>,
    years: Vec<(i32, String, String)>,
}

pub async fn wall(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let lang = ctx.lang;
    let months = p.months.unwrap_or(36).clamp(6, 120);
    let w = figures::wall(&app.db, &ctx.who()?, u32::try_from(months).unwrap_or(36), app.now()).await?;
    let labels: Vec<String> = w.months.iter().map(|m| m.month.clone()).collect();
    let colours = ["#2e86c1", "#27ae60", "#d68910", "#c0392b"];
    let series: Vec<(&str, String, Vec<f64>)> = luoshi_domain::debt::Category::ALL
        .iter()
        .enumerate()
        .map(|(k, c)| (colours[k], label(lang, "debt.category", c.as_str()), w.months.iter().map(|m| yi(m.by_category[k])).collect()))
        .collect();
    let mark = w.peak.as_ref().and_then(|p| labels.iter().position(|l| l == p));
    let chart = crate::charts::stacked_columns(t(lang, "debt.wall"), &labels, &series, t(lang, "debt.yi_principal"), mark, 3);
    let peak = match (&w.peak, mark) {
        (Some(p), Some(k)) => t(lang, "debt.peak").replace("{m}", p).replace("{v}", &w.months[k].principal.yi4()),
        _ => String::new(),
    };
    Ok(render(&WallPage {
        chrome: chrome(&ctx, "debt.wall", None),
        chart,
        months,
        peak,
        overdue: w.overdue.yi4(),
        quarters: w.quarters.iter().map(|q| (q.0.clone(), q.1.yi4(), q.2.yi4())).collect(),
        years: w.years.iter().map(|y| (y.0, y.1.yi4(), y.2.yi4())).collect(),
    }))
}

/// One indicator's line: name, value, what it is measured against, whether it warns.
type Row = (String, String, String, bool);

fn rows(lang: Lang, x: &Indicators, th: &luoshi_domain::debt::ratios::Thresholds, warned: &[&str]) -> Vec<Row> {
    let p = |v: Option<i64>| v.map(percent).unwrap_or_else(|| "—".into());
    let n = |k: &str| t(lang, &format!("debt.indicator.{k}")).to_string();
    vec![
        (
            n("debt_ratio"),
            p(x.debt_ratio_bp),
            t(lang, "debt.bands")
                .replace("{y}", &percent(th.ratio_bands[0]))
                .replace("{o}", &percent(th.ratio_bands[1]))
                .replace("{r}", &percent(th.ratio_bands[2])),
            warned.contains(&"debt_ratio"),
        ),
        (n("broad_ratio"), p(x.broad_ratio_bp), String::new(), false),
        (n("service_ratio"), p(x.service_bp), format!("≤ {}", percent(th.service_bp)), warned.contains(&"service_ratio")),
        (
            n("overdue_ratio"),
            p(x.overdue_bp),
            t(lang, "debt.grades")
                .replace("{a}", &percent(th.overdue_grades[0]))
                .replace("{b}", &percent(th.overdue_grades[1]))
                .replace("{c}", &percent(th.overdue_grades[2])),
            warned.contains(&"overdue_ratio"),
        ),
        (n("nonstandard_share"), p(x.nonstandard_bp), format!("≤ {}", percent(th.nonstandard_target_bp)), warned.contains(&"nonstandard_share")),
        (n("trust_leasing_share"), p(x.trust_leasing_bp), format!("≤ {}", percent(th.trust_leasing_target_bp)), warned.contains(&"trust_leasing_share")),
        (n("average_rate"), x.average_rate.show(), format!("≤ {}", th.rate_cap.show()), warned.contains(&"average_rate")),
        (n("days_to_maturity"), t(lang, "debt.years").replace("{n}", &format!("{:.1}", x.average_days_to_maturity as f64 / 365.0)), String::new(), false),
        (n("within_12_months"), format!("{}（{} {}）", p(x.within_12_months_bp), x.within_12_months.yi4(), t(lang, "debt.yi")), String::new(), false),
    ]
}

#[derive(Template)]
#[template(path = "debt/ratios.html")]
struct RatiosPage {
    chrome: Chrome,
    rows: Vec<Row>,
    totals: Vec<(String, String)>,
    capacity: Vec<(String, String)>,
    /// (duty, state label, days left label, overdue).
    maturities: Vec<(DutyView, String, String, bool)>,
    warnings: Vec<(DutyView, String, String, bool)>,
    may_write: bool,
}

pub async fn ratios(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let r = figures::ratios(&app.db, &who, app.now()).await?;
    let rules = luoshi_app::RulesInForce::load(&app.db, app.today()).await?;
    let th = luoshi_app::debt::thresholds(&rules);
    let warned: Vec<&str> = r.warnings.iter().map(|w| w.indicator).collect();
    let (m, w) = duties::list(&app.db, &who, app.now()).await?;
    let line = |d: DutyView| {
        let (days, overdue) = days_label(lang, d.days_left);
        let s = label(lang, "debt.state", d.state.as_str());
        (d, s, days, overdue)
    };
    let x = &r.indicators;
    let flash = (!p.done.is_empty()).then(|| t(lang, &format!("debt.done_{}", p.done)).to_string());
    Ok(render(&RatiosPage {
        chrome: chrome(&ctx, "debt.ratios", flash),
        rows: rows(lang, x, &th, &warned),
        totals: vec![
            (t(lang, "debt.government_balance").to_string(), x.government_balance.yi4()),
            (t(lang, "debt.total_balance").to_string(), x.total_balance.yi4()),
            (t(lang, "debt.capacity").to_string(), x.capacity.yi4()),
            (t(lang, "debt.service").to_string(), x.service.yi4()),
            (t(lang, "debt.overdue").to_string(), x.overdue.yi4()),
        ],
        capacity: r.capacity_parts.iter().map(|(n, a)| (n.clone(), a.yi4())).collect(),
        maturities: m.into_iter().filter(|d| d.state != luoshi_domain::debt::DebtState::Closed).take(30).map(line).collect(),
        warnings: w.into_iter().map(line).collect(),
        may_write: luoshi_app::debt::access(&app.db, &who, app.today()).await?.write,
    }))
}

/// Run the watch from the page: back to the indicators saying what it opened.
pub async fn watch(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    let a = luoshi_app::debt::access(&app.db, &who, app.today()).await?;
    if !(a.write || a.decide) {
        return Err(luoshi_domain::DomainError::forbidden().into());
    }
    let r = duties::watch(&app.db, app.now()).await?;
    let to = format!("/debt/ratios?done={}", if r.maturities_opened + r.warnings_raised > 0 { "watch" } else { "watch_nothing" });
    Ok(axum::response::Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "debt/scenario.html")]
struct ScenarioPage {
    chrome: Chrome,
    form: ScenarioInput,
    result: Option<Run>,
    /// (indicator, before, after).
    compare: Vec<(String, String, String)>,
    saved: Vec<luoshi_storage::debt::Scenario>,
    reference: &'static [luoshi_domain::debt::Reference],
    error: Option<String>,
}

fn compare(lang: Lang, r: &Run) -> Vec<(String, String, String)> {
    let (a, b) = (&r.outcome.before, &r.outcome.after);
    let p = |v: Option<i64>| v.map(percent).unwrap_or_else(|| "—".into());
    let n = |k: &str| t(lang, &format!("debt.indicator.{k}")).to_string();
    vec![
        (n("debt_ratio"), p(a.debt_ratio_bp), p(b.debt_ratio_bp)),
        (n("broad_ratio"), p(a.broad_ratio_bp), p(b.broad_ratio_bp)),
        (n("service_ratio"), p(a.service_bp), p(b.service_bp)),
        (n("nonstandard_share"), p(a.nonstandard_bp), p(b.nonstandard_bp)),
        (n("trust_leasing_share"), p(a.trust_leasing_bp), p(b.trust_leasing_bp)),
        (n("average_rate"), a.average_rate.show(), b.average_rate.show()),
        (n("within_12_months"), p(a.within_12_months_bp), p(b.within_12_months_bp)),
        (n("days_to_maturity"), format!("{:.1}", a.average_days_to_maturity as f64 / 365.0), format!("{:.1}", b.average_days_to_maturity as f64 / 365.0)),
    ]
}

async fn scenario_page(ctx: &Ctx, app: &AppState, form: ScenarioInput, result: Option<Run>, error: Option<String>) -> AppResult<ScenarioPage> {
    let flash = result.as_ref().and_then(|r| r.saved_id).map(|_| t(ctx.lang, "debt.done_scenario").to_string());
    Ok(ScenarioPage {
        chrome: chrome(ctx, "debt.scenario", flash),
        compare: result.as_ref().map(|r| compare(ctx.lang, r)).unwrap_or_default(),
        saved: scenarios::saved(&app.db, &ctx.who()?, app.now()).await?,
        reference: luoshi_domain::debt::NATIONAL_2024,
        form,
        result,
        error,
    })
}

pub async fn scenario_form(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    // A saved scenario opens with its input and its result on today's book.
    if let Some(id) = p.after {
        let (_, input, r) = scenarios::rerun(&app.db, &ctx.who()?, id, app.now()).await?;
        return Ok(render(&scenario_page(&ctx, &app, input, Some(r), None).await?));
    }
    let form = ScenarioInput {
        select: "nonstandard".into(),
        kind: "swap_bond".into(),
        category: "general".into(),
        rate_percent: "2.5".into(),
        years: "10".into(),
        ..Default::default()
    };
    Ok(render(&scenario_page(&ctx, &app, form, None, None).await?))
}

pub async fn scenario_run(ctx: Ctx, State(app): State<AppState>, Input(form): Input<ScenarioInput>) -> AppResult<Response> {
    match scenarios::run(&app.db, &ctx.who()?, &form, app.now()).await.map_err(AppError::from) {
        Ok(r) => Ok(render(&scenario_page(&ctx, &app, form, Some(r), None).await?)),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&scenario_page(&ctx, &app, form, None, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "debt/disclosure.html")]
struct DisclosurePage {
    chrome: Chrome,
    d: Disclosure,
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    year: i32,
    checks: bool,
}

pub async fn disclosure(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let year = p.year.and_then(|y| i32::try_from(y).ok()).unwrap_or(chrono::Datelike::year(&app.today()));
    let d = figures::disclosure(&app.db, &ctx.who()?, year, app.now()).await?;
    let (head, rows) = figures::disclosure_table(&d);
    let checks = d.rows.iter().all(|r| r.roll.closing == r.roll.closing_direct);
    Ok(render(&DisclosurePage { chrome: chrome(&ctx, "debt.disclosure", None), d, head, rows, year, checks }))
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::DEBT as D;
    t.add(M::GET, "/debt/wall", D, "debt", "到期墙: the maturity wall by month with its peak, by quarter and year (page)", wall)
        .add(M::GET, "/debt/ratios", D, "debt", "债务率 and the other indicators against their thresholds, the warnings and the debt duties (page)", ratios)
        .add(M::POST, "/debt/watch", D, "debt", "Open the duties of large maturities and raise the warnings now (form)", watch)
        .add(M::GET, "/debt/scenario", D, "debt", "The 置换 scenario form, the saved scenarios and the national reference figures (page)", scenario_form)
        .add(
            M::POST,
            "/debt/scenario",
            D,
            "debt",
            "Run a 置换 scenario: interest saved, maturity extended, every indicator before and after (form)",
            scenario_run,
        )
        .add(M::GET, "/debt/disclosure", D, "debt", "The year's 一般/专项债务 限额 and 余额 table, printable (page)", disclosure)
        .add(M::GET, "/debt/disclosure.xlsx", D, "debt", "The disclosure table as xlsx", super::disclosure_xlsx)
}
