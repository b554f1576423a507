//! The hazard ledger (台账) and a hazard's page with the forms of what the caller may do now.
//! Names, not ids; working days left or overdue, not bare dates.

use crate::error::AppResult;
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{Redirect, Response};
use luoshi_app::hazards::{self as svc, ActInput};
use luoshi_domain::duty::working_days_left;
use luoshi_domain::hazards::{HazardGrade, HazardState};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::time::{format_local, local_date};
use luoshi_storage::hazards::Hazard;
use luoshi_storage::{calendar, units};

/// A hazard as a line of the ledger or the head of its page.
pub(crate) struct Line {
    pub h: Hazard,
    pub where_: String,
    pub grade: String,
    pub state: String,
    pub days: String,
    pub overdue: bool,
}

fn line(lang: Lang, cal: &luoshi_domain::calendar::Calendar, today: chrono::NaiveDate, h: Hazard) -> Line {
    let open = !matches!(h.state, HazardState::Closed | HazardState::Cancelled);
    let left = h.due_at.filter(|_| open).map(|d| working_days_left(cal, today, local_date(d - 1)));
    let (days, overdue) = crate::handlers::duty::days_label(lang, left);
    Line {
        where_: h.enterprise_name.clone().or_else(|| h.place.clone()).unwrap_or_default(),
        grade: match h.grade {
            Some(g) => t(lang, &format!("hazard_grade.{}", g.as_str())).to_string(),
            None => t(lang, "hazards.ungraded").to_string(),
        },
        state: t(lang, &format!("hazard_state.{}", h.state.as_str())).to_string(),
        days,
        overdue,
        h,
    }
}

#[derive(Template)]
#[template(path = "hazards/ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    rows: Vec<Line>,
    states: Vec<(&'static str, String)>,
    grades: Vec<(&'static str, String)>,
    state: String,
    grade: String,
    next: Option<i64>,
}

pub async fn ledger(ctx: Ctx, State(app): State<AppState>, Query(q): Query<super::LedgerQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let (state, grade) = q.filters()?;
    let rows = svc::ledger(&app.db, &ctx.who()?, state, grade, q.before).await?;
    let next = if rows.len() == 100 { rows.last().map(|h| h.id) } else { None };
    let cal = calendar::load(&app.db).await?;
    let today = app.today();
    Ok(render(&LedgerPage {
        chrome: chrome(&ctx, "hazards.title", None),
        rows: rows.into_iter().map(|h| line(lang, &cal, today, h)).collect(),
        states: HazardState::ALL.iter().map(|s| (s.as_str(), t(lang, &format!("hazard_state.{}", s.as_str())).to_string())).collect(),
        grades: HazardGrade::ALL.iter().map(|g| (g.as_str(), t(lang, &format!("hazard_grade.{}", g.as_str())).to_string())).collect(),
        state: q.state,
        grade: q.grade,
        next,
    }))
}

#[derive(Template)]
#[template(path = "hazards/page.html")]
struct HazardPage {
    chrome: Chrome,
    l: Line,
    owner: String,
    regulator: String,
    township: String,
    found: String,
    deadline: String,
    /// (when, what, to which state, note, who).
    trail: Vec<(String, String, String, String, String)>,
    may: Vec<&'static str>,
    version: i64,
    /// The 判定标准 in force on the day found: (code, name and source).
    catalogues: Vec<(String, String)>,
    /// The cited catalogue's name and source.
    basis: String,
    deliveries: Vec<crate::handlers::notify::DeliveryRow>,
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<super::DoneQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let v = svc::view(&app.db, &ctx.who()?, id).await?;
    let name = |u: Option<luoshi_domain::unit::Unit>| u.map(|u| u.name).unwrap_or_default();
    let regulator = name(units::get(&app.db, v.hazard.regulator_unit_id).await?);
    let township = match v.hazard.township_id {
        Some(t) => name(units::get(&app.db, t).await?),
        None => String::new(),
    };
    let cal = calendar::load(&app.db).await?;
    let action_label = |a: &str| {
        let own = format!("hazard_action.{a}");
        if luoshi_domain::i18n::has(&own) {
            t(lang, &own).to_string()
        } else {
            t(lang, &format!("event.{a}")).to_string()
        }
    };
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let trail = v
        .trail
        .iter()
        .map(|s| {
            let action = if s.action == "register" { t(lang, "hazards.found").to_string() } else { action_label(&s.action) };
            let to = s.to_state.as_deref().map(|x| t(lang, &format!("hazard_state.{x}")).to_string()).unwrap_or_default();
            (format_local(s.at), action, to, s.note.clone().unwrap_or_default(), actors.label(lang, &s.actor))
        })
        .collect();
    let done = luoshi_domain::hazards::HazardAction::parse(&q.done)
        .map(|a| t(lang, "hazards.done").replace("{action}", t(lang, &format!("hazard_action.{}", a.as_str()))));
    let mut c = chrome(&ctx, "hazards.page", done);
    c.title = format!("{} · {}", t(lang, "hazards.page"), v.hazard.description.chars().take(24).collect::<String>());
    let deadline = v.hazard.deadline.clone().unwrap_or_default();
    let all = luoshi_domain::hazards::catalogue::shipped()?;
    let found = chrono::NaiveDate::parse_from_str(&v.hazard.found_on, "%Y-%m-%d").ok();
    let catalogues = all.iter().filter(|c| found.is_some_and(|d| c.in_force(d))).map(|c| (c.code.clone(), format!("{}（{}）", c.name, c.source))).collect();
    let basis = match &v.hazard.basis_catalogue {
        Some(code) => all.iter().find(|c| &c.code == code).map(|c| format!("{}（{}）", c.name, c.source)).unwrap_or_else(|| code.clone()),
        None => String::new(),
    };
    let deliveries = crate::handlers::notify::deliveries_of(&app, lang, "hazard", id).await?;
    Ok(render(&HazardPage {
        chrome: c,
        deliveries,
        owner: v.hazard.owner_name.clone(),
        regulator,
        township,
        found: format!("{} · {}", v.hazard.found_on, actors.label(lang, &v.hazard.found_by)),
        deadline,
        trail,
        may: v.may.iter().map(|a| a.as_str()).collect(),
        version: v.version.unwrap_or_default(),
        catalogues,
        basis,
        l: line(lang, &cal, app.today(), v.hazard),
    }))
}

/// An action from the page's form: back to the page saying what was done.
pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<ActInput>) -> AppResult<Response> {
    svc::act(&app.db, &ctx.who()?, id, &input, app.today(), app.now()).await?;
    Ok(axum::response::IntoResponse::into_response(Redirect::to(&format!("/hazards/{id}?done={}", input.action.trim()))))
}

/// The ledger's columns as offices keep them (隐患排查治理台账).
const EXPORT_COLUMNS: [&str; 12] =
    ["序号", "隐患描述", "生产经营单位/场所", "属地乡镇", "监管部门", "整改责任单位", "隐患等级", "状态", "发现日期", "整改期限", "判定依据", "销号日期"];

/// The ledger as xlsx, the filters as on screen, every page of it up to 5,000 rows.
pub async fn export(ctx: Ctx, State(app): State<AppState>, Query(q): Query<super::LedgerQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let (state, grade) = q.filters()?;
    let names: std::collections::HashMap<i64, String> =
        units::list(&app.db, &luoshi_domain::access::Scope::All).await?.into_iter().map(|u| (u.id, u.name)).collect();
    let name = |id: Option<i64>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut before = q.before;
    while rows.len() < 5_000 {
        let page = svc::ledger(&app.db, &who, state, grade, before).await?;
        let Some(last) = page.last().map(|h| h.id) else { break };
        for h in page {
            rows.push(vec![
                (rows.len() + 1).to_string(),
                h.description.clone(),
                h.enterprise_name.clone().or_else(|| h.place.clone()).unwrap_or_default(),
                name(h.township_id),
                name(Some(h.regulator_unit_id)),
                h.owner_name.clone(),
                h.grade.map(|g| t(lang, &format!("hazard_grade.{}", g.as_str())).to_string()).unwrap_or_else(|| t(lang, "hazards.ungraded").to_string()),
                t(lang, &format!("hazard_state.{}", h.state.as_str())).to_string(),
                h.found_on.clone(),
                h.deadline.clone().unwrap_or_default(),
                [h.basis_catalogue.clone(), h.basis_article.clone(), h.basis_item.clone()].into_iter().flatten().collect::<Vec<_>>().join(" "),
                h.closed_on.clone().unwrap_or_default(),
            ]);
        }
        before = Some(last);
    }
    let bytes = luoshi_ledger::write_xlsx("隐患台账", &EXPORT_COLUMNS, &rows)?;
    Ok(crate::handlers::tasks::xlsx("隐患台账", bytes))
}

/// One line of the statistics' tables, its figures written out.
pub(crate) struct StatLine {
    pub name: String,
    pub found: i64,
    pub closed: i64,
    pub rate: String,
    pub major: String,
    pub enterprises: i64,
    pub zero_report: i64,
    pub per_enterprise: String,
}

fn stat_line(name: String, r: &luoshi_app::hazards::stats::Rates) -> StatLine {
    let pct = |x: Option<f64>| x.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_else(|| "—".into());
    StatLine {
        name,
        found: r.found,
        closed: r.closed,
        rate: pct(r.rate),
        major: format!("{}/{} · {}", r.major_closed, r.major_found, pct(r.major_rate)),
        enterprises: r.enterprises,
        zero_report: r.zero_report,
        per_enterprise: r.per_enterprise.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
    }
}

#[derive(Template)]
#[template(path = "hazards/stats.html")]
struct StatsPage {
    chrome: Chrome,
    from: String,
    to: String,
    total: StatLine,
    overdue: Option<i64>,
    chart: String,
    by_township: Vec<StatLine>,
    by_regulator: Vec<StatLine>,
    by_industry: Vec<StatLine>,
    rebound: Option<luoshi_app::hazards::stats::Rebound>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// 安全生产 statistics: the rates (重大 apart), a chart by township, tables by department and
/// industry, and for the county's leaders the 翘尾 alert of the period.
pub async fn stats(ctx: Ctx, State(app): State<AppState>, Query(q): Query<StatsQuery>) -> AppResult<Response> {
    use chrono::Datelike;
    let lang = ctx.lang;
    let who = ctx.who()?;
    let today = app.today();
    let to = if q.to.trim().is_empty() { today } else { luoshi_domain::time::parse_date("to", &q.to)? };
    let from = if q.from.trim().is_empty() {
        chrono::NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to)
    } else {
        luoshi_domain::time::parse_date("from", &q.from)?
    };
    let s = luoshi_app::hazards::stats::stats(&app.db, &who, from, to, today).await?;
    let chart = crate::charts::share_bars(t(lang, "hazards.rate_by_township"), &s.by_township.iter().map(|(n, r)| (n.clone(), r.rate)).collect::<Vec<_>>());
    let leaders = matches!(who.role, None | Some(luoshi_domain::user::Role::Admin | luoshi_domain::user::Role::Supervisor | luoshi_domain::user::Role::Leader));
    let rebound = if leaders { Some(luoshi_app::hazards::stats::rebound(&app.db, from, to).await?) } else { None };
    Ok(render(&StatsPage {
        chrome: chrome(&ctx, "hazards.stats", None),
        from: from.to_string(),
        to: to.to_string(),
        total: stat_line(t(lang, "duties.total").to_string(), &s.total),
        overdue: s.overdue,
        chart,
        by_township: s.by_township.iter().map(|(n, r)| stat_line(n.clone(), r)).collect(),
        by_regulator: s.by_regulator.iter().map(|(n, r)| stat_line(n.clone(), r)).collect(),
        by_industry: s.by_industry.iter().map(|(n, r)| stat_line(luoshi_domain::hazards::industry_label(n), r)).collect(),
        rebound,
    }))
}
