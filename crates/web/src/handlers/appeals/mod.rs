//! 群众诉求: the hotline's desk and intake, search, the work-order page and its actions, the
//! units' part, and the public pages (submit, track, rate) that need no account.

use crate::error::{AppError, AppResult};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;

mod order;
mod public;
use crate::extract::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::appeals::{self as svc, ActInput, Desk, ListQuery, Received, View};
use luoshi_domain::appeals::{AppealInput, Channel, RejectReason, ReturnReason};
use luoshi_domain::duty::Light;
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::DomainError;
use luoshi_storage::appeals::{Appeal, CategoryRow};
use luoshi_storage::units;
pub use order::{act, photo, show};
pub use public::{public_form, public_rate, public_submit, public_track, public_track_api};

/// Local time for pages: `2026-06-15 14:30`.
pub fn when(m: i64) -> String {
    luoshi_domain::time::format_local(m).chars().take(16).collect()
}

/// A row of an appeal list with its labels.
pub struct Row {
    pub a: Appeal,
    pub state: String,
    pub light: &'static str,
    pub light_label: String,
    pub category: String,
    pub due: String,
    /// 剩余N个工作日 / 剩余X小时Y分 / 已逾期…, while the unit's clock runs; and whether late.
    pub left: (String, bool),
    pub created: String,
}

/// What a list needs to say how long is left: the calendar and the moment.
pub struct Clock {
    pub cal: std::sync::Arc<luoshi_domain::calendar::Calendar>,
    pub now: i64,
}

impl Clock {
    pub async fn load(app: &AppState) -> AppResult<Clock> {
        Ok(Clock { cal: luoshi_storage::calendar::load(&app.db).await?, now: app.now() })
    }

    /// Days left for a limit counted in days (一般), time left for one counted in hours.
    fn left(&self, lang: Lang, a: &Appeal) -> (String, bool) {
        use luoshi_domain::appeals::AppealFlow;
        use luoshi_domain::duty::Workflow;
        let Some(due) = a.due_at.filter(|_| AppealFlow::clock_runs(a.state)) else { return (String::new(), false) };
        if a.urgency == "normal" {
            let today = luoshi_domain::time::local_date(self.now);
            let last = luoshi_domain::time::local_date(due - 1);
            crate::handlers::duty::days_label(lang, Some(luoshi_domain::duty::working_days_left(&self.cal, today, last)))
        } else {
            crate::handlers::duty::minutes_label(lang, (due - self.now).div_euclid(60_000_000))
        }
    }
}

/// The county's categories in the reader's language: a shipped category has its English name;
/// one the county added keeps the name it was given.
pub(crate) async fn categories_in(app: &AppState, lang: Lang) -> AppResult<Vec<CategoryRow>> {
    let mut cats = luoshi_storage::appeals::categories(&app.db).await?;
    if lang == Lang::En {
        for c in &mut cats {
            let (name, group) = (format!("appeal_category.{}", c.code), format!("appeal_category_group.{}", c.code));
            if luoshi_domain::i18n::has(&name) {
                c.name = t(lang, &name).to_string();
            }
            if luoshi_domain::i18n::has(&group) {
                c.group = t(lang, &group).to_string();
            }
        }
    }
    Ok(cats)
}

/// A time limit as people say it: a day-counted one (一般) as its last day, an hour-counted one
/// (紧急, 特急) as the time it runs out.
pub fn limit_text(urgency: &str, due_at: i64) -> String {
    if urgency == "normal" {
        // Counted in days, it runs out when its last day ends (midnight after).
        luoshi_domain::time::format_local(due_at - 1).chars().take(10).collect()
    } else {
        when(due_at)
    }
}

/// A list row with its labels in `lang`.
pub fn row_of(lang: Lang, cats: &[CategoryRow], clock: &Clock, a: Appeal, light: Light) -> Row {
    Row {
        left: clock.left(lang, &a),
        state: t(lang, &format!("appeal_state.{}", a.state.as_str())).to_string(),
        light: light.as_str(),
        light_label: t(lang, &format!("light.{}", light.as_str())).to_string(),
        category: cats.iter().find(|c| c.code == a.category).map(|c| c.name.clone()).unwrap_or_else(|| a.category.clone()),
        due: a.due_at.map(|d| limit_text(&a.urgency, d)).unwrap_or_default(),
        created: when(a.created_at),
        a,
    }
}

#[derive(Template)]
#[template(path = "appeals.html")]
struct ListPage {
    chrome: Chrome,
    desk: Option<DeskRows>,
    rows: Vec<Row>,
    q: ListQuery,
    cats: Vec<CategoryRow>,
    units: Vec<(i64, String)>,
    states: Vec<(&'static str, String)>,
    next: Option<String>,
    kinds: Vec<(&'static str, String)>,
    /// The search as a query string, for the export link.
    export_q: String,
}

struct DeskRows {
    received: Vec<Row>,
    returned: Vec<Row>,
    callbacks: Vec<Row>,
    extensions: Vec<Row>,
}

fn unit_options(list: &[luoshi_domain::unit::Unit]) -> Vec<(i64, String)> {
    list.iter().filter(|u| u.active).map(|u| (u.id, format!("{}{}", "\u{3000}".repeat(usize::try_from(u.depth).unwrap_or(0)), u.name))).collect()
}

/// The desk (hotline) and search (everyone who may see appeals): page and API.
pub async fn list(ctx: Ctx, State(app): State<AppState>, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let who = ctx.who()?;
    let now = app.now();
    let found = svc::list(&app.db, &who, &q, now).await?;
    if ctx.want == Want::Json {
        let out: Vec<_> = found.iter().map(|(a, l)| serde_json::json!({ "appeal": a, "light": l })).collect();
        return Ok(Json(serde_json::json!({ "appeals": out, "page_size": svc::PAGE })).into_response());
    }
    let cats = categories_in(&app, ctx.lang).await?;
    let lang = ctx.lang;
    let is_desk = svc::is_desk(&who);
    let lim = svc::limits(&app.db, now).await?;
    let clock = Clock::load(&app).await?;
    let desk = if is_desk {
        let d: Desk = svc::desk(&app.db, &who).await?;
        let conv = |v: Vec<Appeal>| -> Vec<Row> {
            v.into_iter()
                .map(|a| {
                    let l = luoshi_domain::appeals::light(a.state, a.due_at, a.rework_count, now, &lim);
                    row_of(lang, &cats, &clock, a, l)
                })
                .collect()
        };
        Some(DeskRows { received: conv(d.received), returned: conv(d.returned), callbacks: conv(d.callbacks), extensions: conv(d.extensions) })
    } else {
        None
    };
    let full = found.len() as i64 == svc::PAGE;
    let page: i64 = q.page.parse().unwrap_or(1).max(1);
    let next = full.then(|| {
        let mut n = q.clone();
        n.page = (page + 1).to_string();
        serde_urlencoded::to_string(&n).unwrap_or_default()
    });
    let rows = found.into_iter().map(|(a, l)| row_of(lang, &cats, &clock, a, l)).collect();
    let units = if is_desk { unit_options(&units::all(&app.db).await?) } else { Vec::new() };
    let states = luoshi_domain::appeals::AppealState::ALL.iter().map(|s| (s.as_str(), t(lang, &format!("appeal_state.{}", s.as_str())).to_string())).collect();
    let kinds = luoshi_domain::appeals::Kind::ALL.iter().map(|k| (k.as_str(), t(lang, &format!("appeal_kind.{}", k.as_str())).to_string())).collect();
    let export_q = {
        let mut e = q.clone();
        e.page = String::new();
        serde_urlencoded::to_string(&e).unwrap_or_default()
    };
    Ok(render(&ListPage { chrome: chrome(&ctx, "appeal.title", None), desk, rows, q, cats, units, states, next, kinds, export_q }))
}

/// The search as xlsx (up to 1,000 rows), masked as on screen.
pub async fn export(ctx: Ctx, State(app): State<AppState>, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let rows = svc::export_rows(&app.db, &ctx.who()?, &q, app.now()).await?;
    let bytes = luoshi_ledger::write_xlsx("群众诉求", &svc::EXPORT_COLUMNS, &rows)?;
    Ok(super::tasks::xlsx("群众诉求", bytes))
}

/// 受理 by the hotline: page form or API. The API answers with the routing suggestion and
/// likely duplicates.
pub async fn create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<AppealInput>) -> AppResult<Response> {
    let who = ctx.who()?;
    let r: Received = svc::receive(&app.db, &app.routing, Some(&who), &input, Channel::Phone, None, app.now()).await?;
    let id = r.appeal.id;
    // The operator reads the rating code to the caller once, on the page that follows.
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::to_value(&r).unwrap_or_default(), &format!("/appeals/{id}?rating_code={}", r.rating_code)))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    text: String,
    #[serde(default)]
    category: String,
}

/// The routing suggestion for a text (the desk asks while typing).
pub async fn suggest(State(app): State<AppState>, Query(q): Query<SuggestQuery>) -> AppResult<Response> {
    let s = svc::suggest(&app.db, &app.routing, &q.text, &q.category).await?;
    Ok(Json(serde_json::json!({ "suggestion": s })).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    new_deadline: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    approve: Option<String>,
    #[serde(default)]
    note: String,
}

pub async fn extension(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ExtensionForm>) -> AppResult<Response> {
    let a = svc::request_extension(&app.db, &ctx.who()?, id, &f.new_deadline, &f.reason, app.now()).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "appeal": a }), &format!("/appeals/{id}")))
}

pub async fn extension_decide(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ExtensionForm>) -> AppResult<Response> {
    let approve = match f.approve.as_deref().map(str::trim) {
        Some("true" | "on" | "1") => true,
        Some("false" | "0") => false,
        _ => return Err(AppError(DomainError::required("approve"))),
    };
    let a = svc::decide_extension(&app.db, &ctx.who()?, id, approve, &f.note, app.now()).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "appeal": a }), &format!("/appeals/{id}")))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct UrgencyForm {
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    reason: String,
}

/// The hotline sets an appeal's urgency (the public never does).
pub async fn urgency(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<UrgencyForm>) -> AppResult<Response> {
    let a = svc::set_urgency(&app.db, &ctx.who()?, id, &f.urgency, &f.reason, app.now()).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "appeal": a }), &format!("/appeals/{id}")))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: Option<i64>,
}

pub async fn merge(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<MergeForm>) -> AppResult<Response> {
    let into = f.into.ok_or_else(|| AppError(DomainError::required("duplicate_of")))?;
    let a = svc::merge(&app.db, &ctx.who()?, id, into, app.now()).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "appeal": a }), &format!("/appeals/{id}")))
}

/// The taxonomy (also the Open311 services).
pub async fn categories(State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "categories": luoshi_storage::appeals::categories(&app.db).await? })).into_response())
}

/// Add or change a category (administrators).
pub async fn category_save(ctx: Ctx, State(app): State<AppState>, Path(code): Path<String>, Input(c): Input<svc::CategoryInput>) -> AppResult<Response> {
    let row = svc::save_category(&app.db, &ctx.who()?, &code, &c).await?;
    Ok(Json(serde_json::json!({ "category": row })).into_response())
}

pub async fn train(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let r = svc::train(&app.db, &ctx.who()?).await?;
    Ok(Json(serde_json::to_value(&r).unwrap_or_default()).into_response())
}

// --- Open311 keys -----------------------------------------------------------------------------

#[derive(Debug, Default, serde::Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
}

pub async fn keys(State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "keys": luoshi_storage::appeals::keys(&app.db).await? })).into_response())
}

pub async fn key_add(ctx: Ctx, State(app): State<AppState>, Input(f): Input<KeyForm>) -> AppResult<Response> {
    let (id, key) = svc::issue_key(&app.db, &ctx.who()?, &f.name).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id, "api_key": key }))).into_response())
}

pub async fn key_revoke(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    svc::revoke_key(&app.db, &ctx.who()?, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::{AUTH, PUBLIC};
    use axum::http::Method as M;
    use luoshi_domain::access::{ADMIN, APPEAL_READERS, HOTLINE, UNIT_ROLES};
    t
        .add(M::GET, "/appeals", APPEAL_READERS, "appeals", "The hotline's desk and appeal search (page)", list)
        .add(
            M::GET,
            "/api/v1/appeals",
            APPEAL_READERS,
            "appeals",
            "Appeals the caller may see (?q=&state=&category=&unit_id=&light=red|blue&from=&to=&page=), personal data masked except for the hotline",
            list,
        )
        .add(M::GET, "/appeals/export.xlsx", APPEAL_READERS, "appeals", "The search as xlsx (up to 1,000 rows), masked as on screen", export)
        .add(M::GET, "/api/v1/appeals/export.xlsx", APPEAL_READERS, "appeals", "The search as xlsx (up to 1,000 rows), masked as on screen", export)
        .add(M::POST, "/appeals", HOTLINE, "appeals", "Register an appeal (form)", create)
        .add(
            M::POST,
            "/api/v1/appeals",
            HOTLINE,
            "appeals",
            "Register an appeal {channel, kind, category, content, address, lat, long, citizen_name, phone, id_number, urgency, confidential}: the work order, the routing suggestion and likely duplicates",
            create,
        )
        .add(M::GET, "/api/v1/appeals/suggest", HOTLINE, "appeals", "The suggested owner unit for a text (?text=&category=) and the words that decided it", suggest)
        .add(M::POST, "/api/v1/appeals/train", HOTLINE, "appeals", "Train the routing model on closed appeals; prints held-out accuracy", train)
        .add(M::GET, "/api/v1/appeal-categories", AUTH, "appeals", "The appeal taxonomy (also the Open311 services)", categories)
        .add(
            M::PUT,
            "/api/v1/appeal-categories/{code}",
            ADMIN,
            "appeals",
            "Add or change a category {name, group, description, keywords, unit_id, active}; the code is its Open311 service_code",
            category_save,
        )
        .add(M::GET, "/appeals/{id}", APPEAL_READERS, "appeals", "A work order with its trail (page)", show)
        .add(M::GET, "/api/v1/appeals/{id}", APPEAL_READERS, "appeals", "A work order, its light, trail, suggestion, duplicates and what the caller may do", show)
        .add(M::GET, "/appeals/{id}/photos/{photo}", APPEAL_READERS, "appeals", "A photo the citizen sent with the appeal (metadata removed on receipt)", photo)
        .add(M::POST, "/appeals/{id}/act", APPEAL_READERS, "appeals", "Take an action (form)", act)
        .add(
            M::POST,
            "/api/v1/appeals/{id}/act",
            APPEAL_READERS,
            "appeals",
            "Take an action {action: dispatch|reject|sign|give_back|reassign|refuse_return|reply|rate|close|answer, unit_id, reason, note, reply, rating, comment}",
            act,
        )
        .add(M::POST, "/appeals/{id}/extension", UNIT_ROLES, "appeals", "Request an extension (form)", extension)
        .add(M::POST, "/api/v1/appeals/{id}/extension", UNIT_ROLES, "appeals", "Request an extension {new_deadline, reason} before the limit", extension)
        .add(M::POST, "/appeals/{id}/extension/decision", HOTLINE, "appeals", "Approve or refuse an extension (form)", extension_decide)
        .add(M::POST, "/api/v1/appeals/{id}/extension/decision", HOTLINE, "appeals", "Approve or refuse an extension {approve, note}", extension_decide)
        .add(M::POST, "/appeals/{id}/urgency", HOTLINE, "appeals", "Set the urgency (form)", urgency)
        .add(M::POST, "/api/v1/appeals/{id}/urgency", HOTLINE, "appeals", "Set the urgency {urgency: normal|urgent|critical, reason}; the limit follows", urgency)
        .add(M::POST, "/appeals/{id}/merge", HOTLINE, "appeals", "Merge into an earlier appeal as its duplicate (form)", merge)
        .add(M::POST, "/api/v1/appeals/{id}/merge", HOTLINE, "appeals", "Merge into an earlier appeal as its duplicate {into}", merge)
        .add(M::GET, "/api/v1/open311/keys", ADMIN, "appeals", "Open311 API keys (never the keys themselves)", keys)
        .add(M::POST, "/api/v1/open311/keys", ADMIN, "appeals", "Issue an Open311 API key {name}; shown once", key_add)
        .add(M::DELETE, "/api/v1/open311/keys/{id}", ADMIN, "appeals", "Revoke an Open311 API key", key_revoke)
        .add(M::GET, "/public/appeal", PUBLIC, "public", "Submit an appeal or follow one (page)", public_form)
        .add(M::POST, "/public/appeal", PUBLIC, "public", "Submit an appeal (form); answers with the tracking code", public_submit)
        .add(M::POST, "/api/v1/public/appeals", PUBLIC, "public", "Submit an appeal {kind, category, content, address, citizen_name, phone}; answers with the tracking code", public_submit)
        .add(M::GET, "/public/track", PUBLIC, "public", "Follow an appeal by tracking code (?code=)", public_track)
        .add(M::GET, "/api/v1/public/appeals/{code}", PUBLIC, "public", "An appeal by tracking code, without personal data", public_track_api)
        .add(M::POST, "/public/track/{code}/rate", PUBLIC, "public", "Rate the reply (form)", public_rate)
        .add(M::POST, "/api/v1/public/appeals/{code}/rating", PUBLIC, "public", "Rate the reply {rating: satisfied|basic|unsatisfied, comment}", public_rate)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_day_limit_reads_as_its_last_day_an_hour_limit_as_its_time() {
        let local = chrono::NaiveDate::from_ymd_opt(2026, 12, 23).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let midnight = luoshi_domain::time::to_micros(local.and_utc()) - 8 * 3_600_000_000;
        assert_eq!(super::limit_text("normal", midnight), "2026-12-22");
        assert_eq!(super::limit_text("urgent", midnight), "2026-12-23 00:00");
    }
}
