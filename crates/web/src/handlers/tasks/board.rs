//! The 督办看板 (board, filtered, with light counts) and the 待办 inbox.

use super::*;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::http::{Ctx, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::Who;
use luoshi_domain::duty::Light;
use luoshi_domain::user::Role;
use luoshi_domain::DomainError;
use luoshi_storage::tasks::{self as store, Filter};
use luoshi_storage::{units, users};

#[derive(Template)]
#[template(path = "board.html")]
pub(super) struct BoardPage {
    chrome: Chrome,
    rows: Vec<Row>,
    /// The office may tick tasks in 立项 and 交办 them at once.
    bulk: bool,
    /// What each light means, from the rules in force.
    legend: String,
    counts: Vec<(&'static str, String, i64)>,
    f: BoardQuery,
    units: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    directives: Vec<(i64, String)>,
    next: Option<String>,
    supervisor: bool,
    states: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct BoardQuery {
    #[serde(default)]
    pub light: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub directive_id: String,
    #[serde(default)]
    pub leader_id: String,
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub limit: String,
    /// What the page was sent back after: `assigned:N:M` (交办 N of M), `supervision:a:b:c`.
    #[serde(default)]
    pub done: String,
}

/// The sentence for `?done=` on the board.
fn board_done(lang: Lang, done: &str) -> Option<String> {
    let parts: Vec<&str> = done.split(':').collect();
    match parts.as_slice() {
        ["assigned", n, m] => Some(t(lang, "tasks.assigned_many").replace("{n}", n).replace("{m}", m)),
        ["supervision", a, b, c] => Some(t(lang, "tasks.supervised").replace("{reminders}", a).replace("{notices}", b).replace("{reports}", c)),
        _ => None,
    }
}

pub(super) fn opt_id(field: &str, s: &str) -> AppResult<Option<i64>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    s.trim().parse().map(Some).map_err(|_| AppError(DomainError::invalid(field)))
}

impl BoardQuery {
    fn filter(&self, who: &Who) -> AppResult<Filter> {
        if !self.light.is_empty() && Light::parse(&self.light).is_none() {
            return Err(DomainError::invalid("light").into());
        }
        let (after_deadline, after_id) = match self.after.split_once('_') {
            Some((d, i)) => (Some(d.to_string()), Some(i.parse().map_err(|_| DomainError::invalid("after"))?)),
            None => (None, None),
        };
        let mut leader_id = opt_id("leader_id", &self.leader_id)?;
        if self.mine == "1" && who.role == Some(Role::Leader) {
            leader_id = who.user_id;
        }
        Ok(Filter {
            light: (!self.light.is_empty()).then(|| self.light.clone()),
            unit_id: opt_id("unit_id", &self.unit_id)?,
            directive_id: opt_id("directive_id", &self.directive_id)?,
            leader_id,
            term: (!self.term.is_empty()).then(|| self.term.clone()),
            state: (!self.state.is_empty()).then(|| self.state.clone()),
            open: false,
            after_deadline,
            after_id,
            limit: Some(opt_id("limit", &self.limit)?.unwrap_or(50)),
        })
    }
}

/// What each light means, from the rules in force (a legend under the counts).
fn legend(lang: Lang, r: &luoshi_domain::duty::LightRules) -> String {
    let soon = match r.due_soon {
        luoshi_domain::duty::DueSoon::WorkingDays(n) | luoshi_domain::duty::DueSoon::Hours(n) => n,
    };
    t(lang, "tasks.legend")
        .replace("{red}", &r.red_behind_points.to_string())
        .replace("{yellow}", &r.yellow_behind_points.to_string())
        .replace("{soon}", &soon.to_string())
}

/// The supervisor's board (and a leader's or unit's view of what they may see).
pub async fn board(ctx: Ctx, State(app): State<AppState>, Query(q): Query<BoardQuery>) -> AppResult<Response> {
    let who = ctx.who()?;
    let vis = who.visibility();
    let f = q.filter(&who)?;
    let (list, counts) = store::board(&app.db, &vis, &f).await?;
    let limit = f.limit.unwrap_or(50);
    let next = (i64::try_from(list.len()).unwrap_or(0) == limit)
        .then(|| list.last().map(|d| format!("{}_{}", d.deadline.clone().unwrap_or_else(|| "9999".into()), d.id)))
        .flatten();
    if ctx.want == Want::Json {
        let counts: serde_json::Map<String, serde_json::Value> = counts.iter().map(|(l, n)| (l.as_str().to_string(), (*n).into())).collect();
        return Ok(Json(serde_json::json!({ "tasks": list, "counts": counts, "next": next })).into_response());
    }
    let lang = ctx.lang;
    let cal = luoshi_storage::calendar::load(&app.db).await?;
    let scope_units = units::list(&app.db, &who.scope()).await?;
    let leaders = users::list(&app.db, &luoshi_domain::access::Scope::All)
        .await?
        .into_iter()
        .filter(|(u, _)| u.role == Role::Leader)
        .map(|(u, _)| (u.id, u.display_name))
        .collect();
    let directives = store::list_directives(&app.db, &vis).await?.into_iter().map(|(d, _)| (d.id, d.title)).collect();
    let page = BoardPage {
        chrome: chrome(&ctx, "tasks.board", board_done(lang, &q.done)),
        bulk: who.is_supervisor(),
        rows: rows(lang, &cal, app.today(), list),
        legend: legend(lang, &luoshi_app::tasks::rules_on(&app.db, app.today()).await?.light),
        // Tasks in 立项 (and any without a deadline) are counted too, under their own words.
        counts: counts
            .into_iter()
            .map(|(l, n)| (l.as_str(), if l == Light::None { t(lang, "light.none_board").to_string() } else { label(lang, "light", l.as_str()) }, n))
            .collect(),
        f: q,
        units: scope_units.into_iter().map(|u| (u.id, u.name)).collect(),
        leaders,
        directives,
        next,
        supervisor: who.is_supervisor(),
        states: luoshi_domain::tasks::State::ALL.iter().map(|s| (s.as_str(), label(lang, "state", s.as_str()))).collect(),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub(super) struct InboxPage {
    chrome: Chrome,
    rows: Vec<Row>,
    bulk: bool,
    notices: Vec<(store::Notice, String)>,
    review: Vec<Row>,
    /// Each with its task's title and the requester's name and unit.
    extensions: Vec<(store::Extension, String, String)>,
    exemptions: Vec<(store::Exemption, String, String)>,
    supervisor: bool,
    /// The unit's 待办 of every kind, most urgent first.
    duties: Vec<crate::handlers::duty::DutyLine>,
    unit: bool,
    /// The filters as chosen, to show them chosen.
    q_kind: String,
    q_light: String,
}

/// What the caller must do now: a unit its tasks to sign, report and reply to, sorted by
/// urgency, with the notices its subtree received; the supervision office what waits for review.
pub async fn inbox(ctx: Ctx, State(app): State<AppState>, Query(q): Query<luoshi_app::inbox::InboxQuery>) -> AppResult<Response> {
    let who = ctx.who()?;
    let p = ctx.user()?;
    let supervisor = who.is_supervisor();
    // A unit's tasks and appeals come in the one 待办 below; a leader keeps the tasks he leads
    // that need attention.
    let (mine, notices) = if p.user.role.unit_scoped() {
        (Vec::new(), store::notices_under(&app.db, &p.unit_path, 30).await?)
    } else if p.user.role == Role::Leader {
        let f = Filter { leader_id: Some(p.user.id), open: true, limit: Some(200), ..Default::default() };
        let mut l = store::list(&app.db, &who.visibility(), &f).await?;
        l.retain(|d| matches!(d.light, Light::Red | Light::Yellow | Light::Blue));
        (l, Vec::new())
    } else {
        (Vec::new(), Vec::new())
    };
    let (review, extensions, exemptions) = if supervisor {
        let f = Filter { state: Some("closure_requested".into()), limit: Some(200), ..Default::default() };
        (store::list(&app.db, &who.visibility(), &f).await?, store::pending_extensions(&app.db).await?, store::open_exemptions(&app.db).await?)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    // Every kind in one list, read from the record of duties.
    let duties = luoshi_app::inbox::unit_inbox(&app.db, &who, app.today(), &q).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({
            "duties": duties, "tasks": mine, "notices": notices, "review": review, "extensions": extensions, "exemptions": exemptions
        }))
        .into_response());
    }
    let lang = ctx.lang;
    let cal = luoshi_storage::calendar::load(&app.db).await?;
    let unit = p.user.role.unit_scoped();
    // Names, not ids: the task's title and who asked.
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let ids: Vec<i64> = extensions.iter().map(|e| e.duty_id).chain(exemptions.iter().map(|x| x.duty_id)).collect();
    let titles: std::collections::HashMap<i64, String> =
        luoshi_storage::duty::of_ids(&app.db, "task", &ids).await?.into_iter().map(|r| (r.ref_id, r.title)).collect();
    let title = |id: i64| titles.get(&id).cloned().unwrap_or_default();
    let extensions = extensions
        .into_iter()
        .map(|e| {
            let (t, a) = (title(e.duty_id), actors.label(lang, &e.requester));
            (e, t, a)
        })
        .collect();
    let exemptions = exemptions
        .into_iter()
        .map(|x| {
            let (t, a) = (title(x.duty_id), actors.label(lang, &x.applicant));
            (x, t, a)
        })
        .collect();
    let page = InboxPage {
        chrome: chrome(&ctx, "tasks.inbox", None),
        bulk: false,
        rows: rows(lang, &cal, app.today(), mine),
        notices: notices
            .into_iter()
            .map(|n| {
                let l = label(lang, "notice", n.level.as_str());
                (n, l)
            })
            .collect(),
        review: rows(lang, &cal, app.today(), review),
        extensions,
        exemptions,
        supervisor,
        duties: duties.into_iter().map(|i| crate::handlers::duty::duty_line(lang, i)).collect(),
        unit,
        q_kind: q.kind.clone(),
        q_light: q.light.clone(),
    };
    Ok(render(&page))
}
