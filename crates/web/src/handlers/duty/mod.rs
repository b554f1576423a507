//! The duty core's views across every kind (a room of their own: they call `luoshi_app::board`
//! and `luoshi_app::inbox`, which read the record of duties, never a kind's module): the one
//! board 全部事项, and the line every list of duties shows.

use crate::error::AppResult;
use crate::extract::Query;
use crate::http::{Ctx, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::board::BoardQuery;
use luoshi_app::inbox::InboxItem;
use luoshi_domain::i18n::{t, Lang};

pub(crate) mod actors;
pub(crate) use actors::Actors;

/// A line of a list of duties with its labels.
pub(crate) struct DutyLine {
    pub item: InboxItem,
    pub kind: String,
    pub state: String,
    pub light: String,
    /// 剩余N个工作日 / 今日到期 / 已逾期N个工作日.
    pub days: String,
    pub overdue: bool,
}

/// 剩余N个工作日 / 今日到期 / 已逾期N个工作日, and whether it is overdue (empty without a limit).
pub(crate) fn days_label(lang: Lang, days_left: Option<i64>) -> (String, bool) {
    match days_left {
        Some(n) if n > 0 => (t(lang, "inbox.days_left").replace("{n}", &n.to_string()), false),
        Some(0) => (t(lang, "inbox.due_today").to_string(), false),
        Some(n) => (t(lang, "inbox.days_overdue").replace("{n}", &(-n).to_string()), true),
        None => (String::new(), false),
    }
}

/// 剩余X小时Y分 / 已超时X小时Y分 for a duty on a minute clock, and whether it is overdue.
pub(crate) fn minutes_label(lang: Lang, minutes_left: i64) -> (String, bool) {
    let m = minutes_left.abs();
    // Under an hour the hours are left out (还剩25分, not 还剩0小时25分).
    let key = |long: &'static str, short: &'static str| if m >= 60 { long } else { short };
    let text = |k: &str| t(lang, k).replace("{h}", &(m / 60).to_string()).replace("{m}", &(m % 60).to_string());
    if minutes_left >= 0 {
        (text(key("accidents.left", "clock.left_minutes")), false)
    } else {
        (text(key("accidents.overdue", "clock.overdue_minutes")), true)
    }
}

/// How long ago a moment was, in words (刚刚, 25分钟前, 3小时前, 2天前).
pub(crate) fn ago_label(lang: Lang, at: i64, now: i64) -> String {
    let m = (now - at).div_euclid(60_000_000);
    match m {
        i64::MIN..=0 => t(lang, "clock.just_now").to_string(),
        1..=59 => t(lang, "clock.minutes_ago").replace("{n}", &m.to_string()),
        60..=1439 => t(lang, "clock.hours_ago").replace("{n}", &(m / 60).to_string()),
        _ => t(lang, "clock.days_ago").replace("{n}", &(m / 1440).to_string()),
    }
}

pub(crate) fn duty_line(lang: Lang, item: InboxItem) -> DutyLine {
    // Each kind names its states in its own part of the catalogue (tasks under `state.`).
    let own = format!("{}_state.{}", item.kind, item.state);
    let state_key = if luoshi_domain::i18n::has(&own) { own } else { format!("state.{}", item.state) };
    let (days, overdue) = match item.minutes_left {
        Some(m) => minutes_label(lang, m),
        None => days_label(lang, item.days_left),
    };
    DutyLine {
        kind: t(lang, &format!("duty_kind.{}", item.kind)).to_string(),
        state: t(lang, &state_key).to_string(),
        light: t(lang, &format!("light.{}", item.light.as_str())).to_string(),
        days,
        overdue,
        item,
    }
}

/// One kind's row of the counts: its name, each light's count, the total.
pub(crate) struct CountRow {
    pub kind: String,
    pub code: String,
    pub by_light: Vec<(String, i64)>,
    pub total: i64,
}

const LIGHTS: [&str; 4] = ["red", "yellow", "blue", "green"];

#[derive(Template)]
#[template(path = "duty/board.html")]
struct BoardPage {
    chrome: Chrome,
    counts: Vec<CountRow>,
    lights: Vec<(String, String)>,
    duties: Vec<DutyLine>,
    next: Option<String>,
    q_kind: String,
    q_light: String,
}

/// 全部事项: every open duty in the caller's sight, of every kind.
pub async fn board(ctx: Ctx, State(app): State<AppState>, Query(q): Query<BoardQuery>) -> AppResult<Response> {
    let who = ctx.who()?;
    let b = luoshi_app::board::board(&app.db, &who, app.today(), &q).await?;
    if ctx.want == Want::Json {
        return Ok(Json(b).into_response());
    }
    let lang = ctx.lang;
    let mut counts: Vec<CountRow> = Vec::new();
    for c in &b.counts {
        if !counts.iter().any(|r| r.code == c.kind) {
            counts.push(CountRow {
                kind: t(lang, &format!("duty_kind.{}", c.kind)).to_string(),
                code: c.kind.clone(),
                by_light: LIGHTS.iter().map(|l| (l.to_string(), 0)).collect(),
                total: 0,
            });
        }
        if let Some(r) = counts.iter_mut().find(|r| r.code == c.kind) {
            r.total += c.n;
            if let Some(e) = r.by_light.iter_mut().find(|(l, _)| *l == c.light) {
                e.1 += c.n;
            }
        }
    }
    let page = BoardPage {
        chrome: chrome(&ctx, "duties.title", None),
        counts,
        lights: LIGHTS.iter().map(|l| (l.to_string(), t(lang, &format!("light.{l}")).to_string())).collect(),
        duties: b.rows.into_iter().map(|i| duty_line(lang, i)).collect(),
        next: b.next,
        q_kind: q.kind.clone(),
        q_light: q.light.clone(),
    };
    Ok(render(&page))
}

/// This module's routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::AUTH;
    use axum::http::Method as M;
    t.add(M::GET, "/duties", AUTH, "duty", "全部事项: every open duty in my sight, of every kind, by kind and light (page)", board).add(
        M::GET,
        "/api/v1/duties",
        AUTH,
        "duty",
        "Every open duty in my sight, of every kind: counts by kind and light, a keyset page soonest limit first",
        board,
    )
}
