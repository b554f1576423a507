//! The cockpit's pages: the home page of everyone with a sight of duties, the 大屏 and the
//! records behind a figure. Every figure is a link to the records it counts.

use super::{grade_label, kind_label, percent, state_label};
use crate::error::AppResult;
use crate::extract::Query;
use crate::handlers::duty::{duty_line, DutyLine};
use crate::http::Ctx;
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::assessment::cockpit::{self, Cockpit, CockpitQuery, KindCard, Ranking};
use luoshi_app::assessment::records::{self, RecordsQuery};
use luoshi_domain::i18n::{t, Lang};

/// A figure with its label and the link to its records.
pub(crate) struct Figure {
    pub label: String,
    pub n: i64,
    pub href: String,
    pub class: &'static str,
}

pub(crate) struct CardView {
    pub kind: String,
    pub name: String,
    pub open: i64,
    pub open_href: String,
    pub lights: Vec<Figure>,
    pub rate: String,
    pub rate_class: &'static str,
    pub flows: Vec<Figure>,
    pub states: Vec<(String, i64)>,
    pub grades_open: Vec<Figure>,
    pub grades_closed: Vec<Figure>,
    /// Amounts (元 shown in 万元): investment this year and the year's plan.
    pub money: Vec<String>,
    pub money_rate: String,
    pub soonest: Vec<SoonView>,
}

/// An open record falling due, with its amount.
pub(crate) struct SoonView {
    pub title: String,
    pub href: String,
    pub unit: String,
    pub amount: String,
    pub days: String,
    pub overdue: bool,
}

pub(crate) struct RankRow {
    pub rank: String,
    pub name: String,
    pub drill: String,
    pub card: String,
    pub rate: String,
    pub sample: i64,
    pub on_time: i64,
    pub late: i64,
    pub open_overdue: i64,
    pub total: String,
    pub grade: String,
    pub small: bool,
}

pub(crate) struct RankView {
    pub title: String,
    pub rule: String,
    pub rows: Vec<RankRow>,
}

/// Everything the cockpit and the 大屏 show.
pub(crate) struct View {
    pub year: i32,
    /// The top of the drill-down (全县, 分管范围), none for a unit's people.
    pub root: Option<String>,
    pub unit: String,
    pub heading: String,
    pub trail: Vec<(String, String)>,
    pub cards: Vec<CardView>,
    pub rankings: Vec<RankView>,
    pub chart: String,
    pub trend: Vec<(String, i64, i64, i64)>,
    pub place: Option<String>,
    pub scorecard: Option<String>,
    pub wall_href: String,
    pub page_href: String,
}

fn records_href(kind: &str, event: &str, c: &Cockpit, extra: &str) -> String {
    let unit = c.node.unit_id.map(|u| format!("&unit={u}")).unwrap_or_default();
    format!("/cockpit/records?kind={kind}&event={event}&year={}{unit}{extra}", c.year)
}

fn card_view(lang: Lang, c: &Cockpit, k: &KindCard) -> CardView {
    let light_class = |l: &str| match l {
        "red" => "red",
        "yellow" => "yellow",
        "blue" => "blue",
        _ => "green",
    };
    let lights = k
        .lights
        .iter()
        .map(|(l, n)| Figure {
            label: t(lang, &format!("light.{l}")).to_string(),
            n: *n,
            href: if l == "red" { records_href(&k.kind, "overdue", c, "") } else { records_href(&k.kind, "open", c, "") },
            class: light_class(l),
        })
        .collect();
    let flow =
        |key: &str, n: i64, event: &str, class: &'static str| Figure { label: t(lang, key).to_string(), n, href: records_href(&k.kind, event, c, ""), class };
    let mut flows = vec![
        flow("cockpit.opened_year", k.opened_year, "opened", ""),
        flow("cockpit.on_time", k.on_time, "on_time", "green"),
        flow("cockpit.late", k.late, "late", "red"),
    ];
    if k.closed_free > 0 {
        flows.push(flow("cockpit.closed_free", k.closed_free, "closed", ""));
    }
    if k.flagged_closed > 0 {
        flows.push(Figure {
            label: t(lang, "cockpit.flagged").into(),
            n: k.flagged_closed,
            href: records_href(&k.kind, "closed", c, "&flagged=true"),
            class: "yellow",
        });
    }
    let grades = |v: &[(String, i64)], event: &str| {
        v.iter()
            .map(|(g, n)| Figure { label: grade_label(lang, &k.kind, g), n: *n, href: records_href(&k.kind, event, c, &format!("&grade={g}")), class: "" })
            .collect::<Vec<_>>()
    };
    let sum = |m: &str| k.sums.iter().find(|(x, _)| x == m).map(|(_, v)| *v);
    let (invested, planned) = (sum("invested"), sum("planned"));
    let money: Vec<String> = [("cockpit.invested", invested), ("cockpit.planned", planned)]
        .iter()
        .filter_map(|(key, v)| v.map(|v| t(lang, key).replace("{v}", &super::wan(v))))
        .collect();
    let soonest = k
        .soonest
        .iter()
        .map(|s| {
            let line = crate::handlers::duty::duty_line(lang, s.item.clone());
            SoonView {
                title: s.item.title.clone(),
                href: s.item.href.clone(),
                unit: s.unit_name.clone(),
                amount: t(lang, "cockpit.amount_wan").replace("{v}", &super::wan(s.amount)),
                days: line.days,
                overdue: line.overdue,
            }
        })
        .collect();
    CardView {
        money,
        money_rate: match (invested, planned) {
            (Some(i), Some(p)) if p > 0 => percent(Some(i as f64 / p as f64)),
            _ => String::new(),
        },
        soonest,
        kind: k.kind.clone(),
        name: kind_label(lang, &k.kind),
        open: k.open,
        open_href: records_href(&k.kind, "open", c, ""),
        lights,
        rate: percent(k.rate),
        rate_class: match k.rate {
            Some(r) if r < 0.8 => "red",
            Some(r) if r < 0.95 => "yellow",
            Some(_) => "green",
            None => "",
        },
        flows,
        states: k.states.iter().map(|(s, n)| (state_label(lang, &k.kind, s), *n)).collect(),
        grades_open: grades(&k.grades_open, "open"),
        grades_closed: grades(&k.grades_closed, "closed"),
    }
}

fn rank_view(lang: Lang, c: &Cockpit, r: &Ranking) -> RankView {
    let kind = t(lang, &format!("kind.{}", r.unit_kind)).to_string();
    let rows = r
        .lines
        .iter()
        .map(|l| RankRow {
            rank: match (l.rank, l.tied) {
                (Some(n), true) => t(lang, "cockpit.rank_tied").replace("{n}", &n.to_string()),
                (Some(n), false) => t(lang, "cockpit.rank_n").replace("{n}", &n.to_string()),
                (None, _) => t(lang, "cockpit.small_sample").to_string(),
            },
            name: l.name.clone(),
            drill: format!("/cockpit?unit={}&year={}", l.unit_id, c.year),
            card: format!("/assessment/units/{}?year={}", l.unit_id, c.year),
            rate: percent(l.rate.or_else(|| (l.sample > 0).then(|| l.on_time as f64 / l.sample as f64))),
            sample: l.sample,
            on_time: l.on_time,
            late: l.late,
            open_overdue: l.open_overdue,
            total: l.total.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into()),
            grade: l.grade.clone().unwrap_or_default(),
            small: l.rank.is_none(),
        })
        .collect();
    RankView {
        title: t(lang, "cockpit.ranking").replace("{kind}", &kind),
        rule: t(lang, "cockpit.ranking_rule").replace("{n}", &r.min_sample.to_string()),
        rows,
    }
}

pub(crate) fn view(lang: Lang, c: &Cockpit) -> View {
    let labels: Vec<String> = c.trend.iter().map(|m| m.month.clone()).collect();
    let series = [
        ("#2e7d32", t(lang, "cockpit.on_time").to_string(), c.trend.iter().map(|m| m.on_time as f64).collect::<Vec<_>>()),
        ("#c0392b", t(lang, "cockpit.late").to_string(), c.trend.iter().map(|m| m.late as f64).collect::<Vec<_>>()),
    ];
    let series: Vec<(&str, String, Vec<f64>)> = series.into_iter().collect();
    let chart = crate::charts::stacked_columns(t(lang, "cockpit.trend"), &labels, &series, "", None, 2);
    let unit = c.node.unit_id.map(|u| format!("&unit={u}")).unwrap_or_default();
    let heading = if c.node.unit_id.is_some() { c.node.name.clone() } else { String::new() };
    let place = match (c.node.unit_id, c.place, &c.node.unit_kind) {
        (Some(_), Some((n, m)), Some(k)) => {
            Some(t(lang, "cockpit.place").replace("{kind}", t(lang, &format!("kind.{k}"))).replace("{n}", &n.to_string()).replace("{m}", &m.to_string()))
        }
        (Some(_), None, Some(k)) if k != "county" => Some(t(lang, "cockpit.no_place").to_string()),
        _ => None,
    };
    View {
        year: c.year,
        root: match c.sight.as_str() {
            "county" => Some(t(lang, "cockpit.whole").to_string()),
            "oversight" => Some(t(lang, "cockpit.my_sight").to_string()),
            _ => None,
        },
        unit: c.node.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        heading,
        trail: c.trail.iter().map(|(id, name)| (format!("/cockpit?unit={id}&year={}", c.year), name.clone())).collect(),
        cards: c.cards.iter().map(|k| card_view(lang, c, k)).collect(),
        rankings: c.rankings.iter().filter(|r| !r.lines.is_empty()).map(|r| rank_view(lang, c, r)).collect(),
        chart,
        trend: c.trend.iter().map(|m| (m.month.clone(), m.opened, m.on_time, m.late)).collect(),
        place,
        scorecard: c.node.unit_id.filter(|_| c.node.unit_kind.as_deref() != Some("county")).map(|u| format!("/assessment/units/{u}?year={}", c.year)),
        wall_href: format!("/cockpit/wall?year={}{unit}", c.year),
        page_href: format!("/cockpit?year={}{unit}", c.year),
    }
}

#[derive(Template)]
#[template(path = "assessment/cockpit.html")]
struct CockpitPage {
    chrome: Chrome,
    v: View,
}

async fn render_page(ctx: &Ctx, app: &AppState, q: &CockpitQuery) -> AppResult<Response> {
    let c = cockpit::cockpit(&app.db, &ctx.who()?, app.today(), q).await?;
    let v = view(ctx.lang, &c);
    let mut chrome = chrome(ctx, "cockpit.title", None);
    if !v.heading.is_empty() {
        chrome.title = t(ctx.lang, "cockpit.title_of").replace("{name}", &v.heading);
    }
    Ok(render(&CockpitPage { chrome, v }))
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Query(q): Query<CockpitQuery>) -> AppResult<Response> {
    render_page(&ctx, &app, &q).await
}

/// The home page: the cockpit for everyone with a sight of duties; deputies go to their module.
pub(crate) async fn home_cockpit(ctx: &Ctx, app: &AppState) -> AppResult<Response> {
    if ctx.user()?.user.role == luoshi_domain::user::Role::Deputy {
        return Ok(Redirect::to("/livelihood").into_response());
    }
    render_page(ctx, app, &CockpitQuery::default()).await
}

#[derive(Template)]
#[template(path = "assessment/wall.html")]
struct WallPage {
    chrome: Chrome,
    v: View,
    refresh: u32,
    as_of: String,
}

/// 大屏: the same figures, large, for the command centre's wall; it reloads itself every minute.
pub async fn wall(ctx: Ctx, State(app): State<AppState>, Query(q): Query<CockpitQuery>) -> AppResult<Response> {
    let c = cockpit::cockpit(&app.db, &ctx.who()?, app.today(), &q).await?;
    let v = view(ctx.lang, &c);
    let mut chrome = chrome(&ctx, "cockpit.title", None);
    if !v.heading.is_empty() {
        chrome.title = t(ctx.lang, "cockpit.title_of").replace("{name}", &v.heading);
    }
    let as_of = luoshi_domain::time::format_local(app.now());
    Ok(render(&WallPage { chrome, v, refresh: 60, as_of }))
}

#[derive(Template)]
#[template(path = "assessment/records.html")]
struct RecordsPage {
    chrome: Chrome,
    back: String,
    duties: Vec<DutyLine>,
    next: Option<String>,
}

/// The records behind a figure.
pub async fn records(ctx: Ctx, State(app): State<AppState>, Query(q): Query<RecordsQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let r = records::records(&app.db, &ctx.who()?, app.today(), &q).await?;
    let mut what = t(lang, &format!("cockpit.event.{}", q.event.trim())).to_string();
    if let Some(g) = q.grade.as_deref().filter(|g| !g.is_empty()) {
        what = format!("{what} · {}", grade_label(lang, &q.kind, g));
    }
    if q.flagged == Some(true) {
        what = format!("{what} · {}", t(lang, "cockpit.flagged"));
    }
    let mut chrome = chrome(&ctx, "cockpit.records", None);
    let place = r.unit_name.clone().unwrap_or_default();
    chrome.title =
        format!("{} {}", place, t(lang, "cockpit.records_of").replace("{kind}", &kind_label(lang, &q.kind)).replace("{what}", &what)).trim().to_string();
    let unit = q.unit.map(|u| format!("&unit={u}")).unwrap_or_default();
    let back = format!("/cockpit?year={}{unit}", r.year);
    let keep = |b: i64| {
        let mut s = format!("/cockpit/records?kind={}&event={}&year={}{unit}&before={b}", q.kind.trim(), q.event.trim(), r.year);
        if let Some(g) = q.grade.as_deref().filter(|g| !g.is_empty()) {
            s.push_str(&format!("&grade={g}"));
        }
        if let Some(f) = q.flagged {
            s.push_str(&format!("&flagged={f}"));
        }
        s
    };
    Ok(render(&RecordsPage { chrome, back, next: r.next.map(keep), duties: r.rows.into_iter().map(|i| duty_line(lang, i)).collect() }))
}
