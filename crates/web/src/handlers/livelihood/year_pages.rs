//! The year's settings (the desk's collection period, the finance bureau's 可用财力), the
//! year's report (printable) and the proposals list as xlsx.

use super::{label, refusal, Params};
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::routes::AUTH;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::livelihood::report::{self, Report};
use luoshi_app::livelihood::{self as svc, YearInput};
use luoshi_domain::access::Realm;
use luoshi_domain::i18n::t;
use luoshi_storage::livelihood::YearRow;

#[derive(Template)]
#[template(path = "livelihood/year.html")]
struct YearPage {
    chrome: Chrome,
    y: YearRow,
    desk: bool,
    finance: bool,
    form: YearInput,
    error: Option<String>,
}

async fn year_page(ctx: &Ctx, app: &AppState, year: Option<i64>, done: &str, form: Option<YearInput>, error: Option<String>) -> AppResult<YearPage> {
    let year = year.and_then(|y| i32::try_from(y).ok()).unwrap_or_else(|| svc::project_year(app.today()));
    let y = svc::year_settings(&app.db, year, app.today()).await?;
    let form = form.unwrap_or_else(|| YearInput {
        year: y.year.to_string(),
        collect_from: y.collect_from.clone(),
        collect_to: y.collect_to.clone(),
        capacity_wan: if y.capacity.0 > 0 { y.capacity.wan() } else { String::new() },
    });
    let flash = (!done.is_empty()).then(|| t(ctx.lang, &format!("livelihood.done_{done}")).to_string());
    Ok(YearPage {
        chrome: chrome(ctx, "livelihood.year", flash),
        desk: ctx.realms.contains(&Realm::LivelihoodDesk),
        finance: ctx.realms.contains(&Realm::LivelihoodFinance),
        y,
        form,
        error,
    })
}

async fn year_get(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    Ok(render(&year_page(&ctx, &app, p.year, &p.done, None, None).await?))
}

async fn year_post(ctx: Ctx, State(app): State<AppState>, Input(form): Input<YearInput>) -> AppResult<Response> {
    match svc::set_year(&app.db, &ctx.who()?, &form, app.now()).await.map_err(AppError::from) {
        Ok(y) => Ok(Redirect::to(&format!("/livelihood/year?year={}&done=year", y.year)).into_response()),
        Err(e) => {
            let msg = refusal(ctx.lang, e)?;
            let year = form.year.trim().parse().ok();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&year_page(&ctx, &app, year, "", Some(form), Some(msg)).await?)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "livelihood/report.html")]
struct ReportPage {
    chrome: Chrome,
    r: Report,
    by_source: Vec<(String, usize)>,
    by_state: Vec<(String, usize)>,
    /// (project, area, state of its task, deputies' rating, citizens' line)
    projects: Vec<(String, String, String, String, String)>,
    money: String,
}

async fn report_page(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let lang = ctx.lang;
    let year = p.year.unwrap_or_else(|| i64::from(svc::project_year(app.today())));
    let r = report::year_report(&app.db, year, app.now()).await?;
    let by_source = r.by_source.iter().map(|(s, n)| (label(lang, "source", s.as_str()), *n)).collect();
    let by_state = r.by_state.iter().filter(|(_, n)| *n > 0).map(|(s, n)| (label(lang, "state", s.as_str()), *n)).collect();
    let projects = r
        .projects
        .iter()
        .map(|p| {
            let task = match (&p.task_state, &p.task_light) {
                (Some(s), Some(l)) => format!("{} · {}", t(lang, &format!("state.{s}")), t(lang, &format!("light.{l}"))),
                _ => String::new(),
            };
            let deputies = p.deputies_rating.as_deref().map(|x| label(lang, "choice", x)).unwrap_or_default();
            let public = match p.public.satisfied_bp() {
                Some(bp) => {
                    t(lang, "livelihood.public_rating_of").replace("{n}", &p.public.total().to_string()).replace("{p}", &luoshi_domain::money::percent(bp))
                }
                None => String::new(),
            };
            (p.title.clone(), label(lang, "area", p.area.as_str()), task, deputies, public)
        })
        .collect();
    let money = t(lang, "livelihood.chosen_money").replace("{c}", &r.chosen_county_wan).replace("{s}", &r.spent_wan).replace("{a}", &r.capacity_wan);
    Ok(render(&ReportPage { chrome: chrome(&ctx, "livelihood.report", None), r, by_source, by_state, projects, money }))
}

async fn export(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let year = p.year.unwrap_or_else(|| i64::from(svc::project_year(app.today())));
    let (head, table) = report::proposals_table(&app.db, &ctx.who()?, year, p.states(), app.now()).await?;
    let bytes = luoshi_ledger::write_xlsx("民生实事", &head, &table)?;
    Ok(crate::handlers::tasks::xlsx(&format!("{year}年民生实事项目建议"), bytes))
}

pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{LIVELIHOOD_DESK, LIVELIHOOD_FINANCE};
    t.add(M::GET, "/livelihood/year", AUTH, "livelihood", "A year's collection period and 可用财力 (page)", year_get)
        .add(M::POST, "/livelihood/year", LIVELIHOOD_DESK, "livelihood", "Set the collection period (form, the desk)", year_post)
        .add(M::POST, "/livelihood/year/capacity", LIVELIHOOD_FINANCE, "livelihood", "Set 可用财力 (form, the finance bureau)", year_post)
        .add(M::GET, "/livelihood/report", AUTH, "livelihood", "The year's report (page, printable)", report_page)
        .add(M::GET, "/livelihood/export.xlsx", AUTH, "livelihood", "The proposals the caller sees as xlsx (?year, state)", export)
}
