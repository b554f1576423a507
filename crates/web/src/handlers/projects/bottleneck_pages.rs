//! Where projects get stuck, on screen: over a chosen period, bar charts (SVG) of the working
//! days projects spent per stage, approval stage, item, approving unit and project type, each
//! figure with the projects behind it; the KPIs with their formulas; the year's investment
//! against plan by township and industry.

use super::PeriodQuery;
use crate::error::AppResult;
use crate::extract::Query;
use crate::http::Ctx;
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use luoshi_app::projects::{bottleneck, kpis};
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::projects::dwell::Figure;
use luoshi_domain::projects::template;

/// One figure on screen: its label, working days, visits, projects, average and the projects
/// behind it (id, name, days, visits).
pub(crate) struct Row {
    pub label: String,
    pub days: i64,
    pub visits: i64,
    pub projects: usize,
    pub average: String,
    pub behind: Vec<(i64, String, i64, i64)>,
}

/// A section: its title, chart and rows.
pub(crate) struct Section {
    pub title: String,
    pub chart: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "projects/bottlenecks.html")]
struct Page {
    chrome: Chrome,
    from: String,
    to: String,
    sections: Vec<Section>,
    /// (name, formula, value, numerator / denominator).
    kpis: Vec<(String, String, String, String)>,
    /// (name, projects, total, plan, invested, percent).
    by_township: Vec<(String, i64, String, String, String, String)>,
    by_industry: Vec<(String, i64, String, String, String, String)>,
    year: i32,
    error: Option<String>,
}

fn section(lang: Lang, title_key: &str, figures: &[Figure], name: impl Fn(&str) -> String, projects: &std::collections::HashMap<i64, String>) -> Section {
    let title = t(lang, title_key).to_string();
    let unit = t(lang, "projects.working_days_short");
    let bars: Vec<(String, f64, String)> = figures.iter().take(12).map(|f| (name(&f.key), f.average, format!("{:.1}{unit}", f.average))).collect();
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    let rows = figures
        .iter()
        .map(|f| Row {
            label: name(&f.key),
            days: f.days,
            visits: f.visits,
            projects: f.project_count,
            average: format!("{:.1}", f.average),
            behind: f.projects.iter().take(5).map(|b| (b.project_id, projects.get(&b.project_id).cloned().unwrap_or_default(), b.days, b.visits)).collect(),
        })
        .collect();
    Section { chart: crate::charts::value_bars(&title, &bars, max * 0.6, max * 0.9), title, rows }
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Query(q): Query<PeriodQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let now = app.now();
    let today = luoshi_domain::time::local_date(now);
    let who = ctx.who()?;
    let (period, error) = match bottleneck::period(&q.from, &q.to, today) {
        Ok(p) => (p, None),
        Err(e) => (bottleneck::period("", "", today)?, Some(error_message(lang, &e))),
    };
    let b = bottleneck::report(&app.db, &who, period, now).await?;
    let stage_name = |k: &str| t(lang, &format!("project_stage.{k}")).to_string();
    let approval_stage =
        |k: &str| template::STAGES.iter().find(|s| s.0.to_string() == k).map(|s| if lang == Lang::ZhCn { s.1 } else { s.2 }).unwrap_or(k).to_string();
    let sections = vec![
        section(lang, "bottlenecks.by_stage", &b.by_stage, stage_name, &b.projects),
        section(lang, "bottlenecks.by_approval_stage", &b.by_approval_stage, approval_stage, &b.projects),
        section(lang, "bottlenecks.by_unit", &b.by_unit, |k| b.units.get(k).cloned().unwrap_or_else(|| k.to_string()), &b.projects),
        section(lang, "bottlenecks.by_item", &b.by_item, |k| b.items.get(k).cloned().unwrap_or_else(|| k.to_string()), &b.projects),
        section(lang, "bottlenecks.by_template", &b.by_template, |k| b.templates.get(k).cloned().unwrap_or_else(|| k.to_string()), &b.projects),
    ];
    let year = q.year.and_then(|y| i32::try_from(y).ok()).unwrap_or(chrono::Datelike::year(&today));
    let k = kpis::kpis(&app.db, &who, year, today).await?;
    let wan = |y: luoshi_domain::projects::Yuan| y.wan();
    let sum_row = |name: String, s: &kpis::Sum| {
        (name, s.projects, wan(s.total), wan(s.plan), wan(s.invested), s.invested.percent_of(s.plan).map(|x| format!("{x:.1}%")).unwrap_or_else(|| "—".into()))
    };
    Ok(render(&Page {
        chrome: chrome(&ctx, "bottlenecks.title", None),
        from: b.period.from.format("%Y-%m-%d").to_string(),
        to: b.period.to.format("%Y-%m-%d").to_string(),
        sections,
        kpis: k
            .kpis
            .iter()
            .map(|x| {
                let value = match (&x.error, x.percent) {
                    (Some(e), _) => format!("{}：{e}", t(lang, "projects.formula_invalid")),
                    (None, Some(p)) => format!("{p:.1}%"),
                    (None, None) => "—".into(),
                };
                let frac = if x.money {
                    format!("{} / {}", luoshi_domain::projects::Yuan(x.numerator).wan(), luoshi_domain::projects::Yuan(x.denominator).wan())
                } else {
                    format!("{} / {}", x.numerator, x.denominator)
                };
                (t(lang, &format!("kpi.{}", x.key)).to_string(), x.formula.clone(), value, frac)
            })
            .collect(),
        by_township: k.by_township.iter().map(|(n, s)| sum_row(n.clone(), s)).collect(),
        by_industry: k.by_industry.iter().map(|(n, s)| sum_row(t(lang, &format!("industry.{n}")).to_string(), s)).collect(),
        year,
        error,
    }))
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(
        M::GET,
        "/projects/bottlenecks",
        R,
        "projects",
        "中梗阻: where projects get stuck over a period, the KPIs and investment against plan (page, SVG)",
        page,
    )
}
