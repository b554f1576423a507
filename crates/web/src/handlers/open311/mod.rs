//! Open311 GeoReport v2 under `/open311/v2`: discovery, services and their definitions, POST
//! requests with an API key, tokens, GET requests (all filters, plus the `page`/`page_size`
//! extension) and one request, in XML and JSON chosen by the extension; errors as the spec
//! says (400/403/404 with an errors body). Our states map to open/closed; `extensions=true`
//! adds the detailed state, the satisfaction rating and the history. No personal data is ever
//! shown: the request id is the public tracking code.

mod format;
mod post;

use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use format::{error, errors, failed, reply, reply_list, split, Fmt};
use luoshi_app::appeals::publication::{self as publ, PublicAppeal, PublicStep, Publication};
use luoshi_app::appeals::Context;
use luoshi_domain::appeals::AppealState;
use luoshi_storage::appeals::{self as store, CategoryRow, Filter};
use serde::Serialize;
use serde_json::{json, Value};

pub use post::root_post;

/// The one jurisdiction this endpoint serves (an empty `jurisdiction_id` means it too).
pub const JURISDICTION: &str = "luoshi";
const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";
const DAY: i64 = 86_400_000_000;

fn rfc3339(m: i64) -> String {
    luoshi_domain::time::from_micros(m).with_timezone(&luoshi_domain::time::shanghai()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn parse_time(field: &str, s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| Some(t.timestamp_micros()))
        .map_err(|_| format!("{field}: a W3C datetime with its time zone, e.g. 2026-06-15T08:00:00Z"))
}

fn jurisdiction_ok(j: Option<&String>) -> bool {
    j.map(|s| s.trim()).is_none_or(|s| s.is_empty() || s == JURISDICTION)
}

fn base(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}/open311/v2")
}

fn service(c: &CategoryRow) -> Value {
    json!({
        "service_code": c.code, "service_name": c.name, "description": c.description, "metadata": false,
        "type": "realtime", "keywords": c.keywords.join(","), "group": c.group,
    })
}

/// One request as GeoReport v2 answers it, written straight from the published appeal (no
/// intermediate JSON tree: a 1,000-row list is one pass). Absent optional members are left out.
#[derive(Serialize)]
struct RequestOut<'a> {
    service_request_id: &'a str,
    status: &'static str,
    status_notes: &'a str,
    service_name: &'a str,
    service_code: &'a str,
    description: &'a str,
    agency_responsible: &'a str,
    service_notice: &'static str,
    requested_datetime: String,
    updated_datetime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_datetime: Option<String>,
    address: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    long: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extended_attributes: Option<Extended<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<Vec<Note<'a>>>,
}

/// `extensions=true`: the detailed state, the citizen's rating, reworks and the channel.
#[derive(Serialize)]
struct Extended<'a> {
    detailed_status: String,
    satisfaction: &'a str,
    rework_count: i64,
    channel: &'a str,
}

/// A state change in the history (`extensions=true`), never its note.
#[derive(Serialize)]
struct Note<'a> {
    datetime: String,
    #[serde(rename = "type")]
    kind: &'a str,
    status: &'a str,
}

fn request_out<'a>(a: &'a PublicAppeal, cats: &'a [CategoryRow], steps: Option<&'a [PublicStep]>) -> RequestOut<'a> {
    let closed = !a.state.is_open();
    RequestOut {
        service_request_id: &a.code,
        status: if closed { "closed" } else { "open" },
        status_notes: a.reply.as_deref().unwrap_or_default(),
        service_name: cats.iter().find(|c| c.code == a.category).map(|c| c.name.as_str()).unwrap_or_default(),
        service_code: &a.category,
        description: &a.description,
        agency_responsible: a.owner.as_deref().unwrap_or_default(),
        service_notice: "",
        requested_datetime: rfc3339(a.created_at),
        updated_datetime: rfc3339(a.closed_at.filter(|_| closed).unwrap_or(a.updated_at)),
        expected_datetime: a.due_at.filter(|_| !closed).map(rfc3339),
        address: a.address.as_deref().unwrap_or_default(),
        lat: a.lat,
        long: a.long,
        media_url: a.media_url.as_deref(),
        extended_attributes: steps.map(|_| Extended {
            detailed_status: a.state.as_str().to_ascii_uppercase(),
            satisfaction: a.rating.as_deref().unwrap_or_default(),
            rework_count: a.rework_count,
            channel: &a.channel,
        }),
        notes: steps.map(|st| st.iter().map(|e| Note { datetime: rfc3339(e.at), kind: &e.action, status: e.state.as_deref().unwrap_or_default() }).collect()),
    }
}

/// GET `/open311/v2/{discovery|services|requests}.{xml|json}`.
pub async fn root_get(State(app): State<AppState>, headers: HeaderMap, Path(file): Path<String>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let Some((name, fmt)) = split(&file) else { return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown endpoint or format (use .xml or .json)") };
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if !jurisdiction_ok(get("jurisdiction_id").as_ref()) {
        return error(fmt, StatusCode::NOT_FOUND, "jurisdiction_id not found");
    }
    match name {
        "discovery" => {
            let url = base(&headers);
            reply(
                fmt,
                StatusCode::OK,
                "discovery",
                json!({
                    "changeset": "2026-11-26T00:00:00+08:00",
                    "contact": "12345 政务服务便民热线",
                    "key_service": "API keys are issued by the county's luoshi administrator (luoshi open311 key add NAME).",
                    "endpoints": [{ "specification": SPEC, "url": url, "changeset": "2026-11-26T00:00:00+08:00", "type": "production", "formats": ["text/xml", "application/json"] }],
                }),
            )
        }
        "services" => match app.routing.context(&app.db).await {
            Ok(ctx) => reply(fmt, StatusCode::OK, "services", Value::Array(ctx.categories().iter().filter(|c| c.active).map(service).collect())),
            Err(e) => failed(fmt, e),
        },
        "requests" => requests(&app, fmt, &q).await,
        _ => error(fmt, StatusCode::NOT_FOUND, "unknown endpoint"),
    }
}

async fn requests(app: &AppState, fmt: Fmt, q: &[(String, String)]) -> Response {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty());
    let extensions = get("extensions").as_deref() == Some("true");
    let mut f = Filter { limit: 1000, ..Default::default() };
    let mut problems: Vec<String> = Vec::new();
    if let Some(ids) = get("service_request_id") {
        // Overrides every other filter.
        let codes: Vec<String> = ids.split(',').filter_map(luoshi_domain::appeals::normalize_code).take(100).collect();
        if codes.is_empty() {
            return reply(fmt, StatusCode::OK, "service_requests", Value::Array(Vec::new()));
        }
        let by_id = Filter { codes, limit: 100, ..Default::default() };
        return match app.routing.context(&app.db).await {
            Ok(ctx) => answer(app, fmt, &ctx, by_id, extensions).await,
            Err(e) => failed(fmt, e),
        };
    }
    if let Some(codes) = get("service_code") {
        f.categories = codes.split(',').map(|s| s.trim().to_string()).collect();
    }
    match get("status").as_deref() {
        None => {}
        Some(s) => {
            let mut states = Vec::new();
            for part in s.split(',') {
                match part.trim() {
                    "open" => states.extend(AppealState::ALL.iter().copied().filter(|x| x.is_open())),
                    "closed" => states.extend([AppealState::Closed, AppealState::Rejected]),
                    other => problems.push(format!("status: open or closed, not {other}")),
                }
            }
            f.states = states;
        }
    }
    let start = parse_time("start_date", &get("start_date").unwrap_or_default());
    let end = parse_time("end_date", &get("end_date").unwrap_or_default());
    let (start, end) = match (start, end) {
        (Ok(s), Ok(e)) => (s, e),
        (a, b) => {
            problems.extend(a.err());
            problems.extend(b.err());
            (None, None)
        }
    };
    let now = app.now();
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, (s + 90 * DAY).min(now + 1)),
        (None, Some(e)) => (e - 90 * DAY, e),
        (None, None) => (now - 90 * DAY, now + 1),
    };
    if start.is_some() && end.is_some() && to - from > 90 * DAY {
        problems.push("start_date and end_date may span at most 90 days".into());
    }
    if to < from {
        problems.push("end_date is before start_date".into());
    }
    let num = |k: &str, def: i64, max: i64| -> Result<i64, String> {
        match get(k) {
            None => Ok(def),
            Some(v) => v.parse::<i64>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| format!("{k}: a whole number from 1 to {max}")),
        }
    };
    let page = num("page", 1, 1_000_000);
    let size = num("page_size", 1000, 1000);
    let (page, size) = match (page, size) {
        (Ok(p), Ok(s)) => (p, s),
        (a, b) => {
            problems.extend(a.err());
            problems.extend(b.err());
            (1, 1)
        }
    };
    if !problems.is_empty() {
        return errors(fmt, StatusCode::BAD_REQUEST, &problems);
    }
    f.created_from = Some(from);
    f.created_to = Some(to);
    f.limit = size;
    f.offset = (page - 1) * size;
    // The taxonomy and unit names come from the node's cached reference data (one read of
    // the versions), not a query of their own.
    let ctx = match app.routing.context(&app.db).await {
        Ok(c) => c,
        Err(e) => return failed(fmt, e),
    };
    if let Some(unknown) = f.categories.iter().find(|c| !ctx.categories().iter().any(|x| &&x.code == c)) {
        return error(fmt, StatusCode::NOT_FOUND, &format!("service_code {unknown} not found"));
    }
    answer(app, fmt, &ctx, f, extensions).await
}

/// The published requests a filter finds, with their histories (one query for all) when asked.
async fn answer(app: &AppState, fmt: Fmt, ctx: &Context, f: Filter, extensions: bool) -> Response {
    let p = match Publication::load(&app.db, app.today()).await {
        Ok(p) => p,
        Err(e) => return failed(fmt, e),
    };
    match publ::published(&app.db, ctx, &p, f, extensions).await {
        Ok(list) => {
            let cats = ctx.categories();
            reply_list(fmt, "service_requests", &list.iter().map(|(a, st)| request_out(a, cats, st.as_deref())).collect::<Vec<_>>())
        }
        Err(e) => failed(fmt, e),
    }
}

/// GET `/open311/v2/services/{code}.{fmt}`: the service definition.
pub async fn service_definition(State(app): State<AppState>, Path(file): Path<String>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let Some((code, fmt)) = split(&file) else { return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown format (use .xml or .json)") };
    if !jurisdiction_ok(q.iter().find(|(k, _)| k == "jurisdiction_id").map(|(_, v)| v)) {
        return error(fmt, StatusCode::NOT_FOUND, "jurisdiction_id not found");
    }
    match app.routing.context(&app.db).await {
        Ok(ctx) => match ctx.categories().iter().find(|c| c.code == code && c.active) {
            Some(c) => reply(fmt, StatusCode::OK, "service_definition", json!({ "service_code": c.code, "attributes": [] })),
            None => error(fmt, StatusCode::NOT_FOUND, &format!("service_code {code} not found")),
        },
        Err(e) => failed(fmt, e),
    }
}

/// GET `/open311/v2/requests/{id}.{fmt}`: one request (the id is the tracking code).
pub async fn request_one(State(app): State<AppState>, Path(file): Path<String>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let Some((id, fmt)) = split(&file) else { return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown format (use .xml or .json)") };
    if !jurisdiction_ok(q.iter().find(|(k, _)| k == "jurisdiction_id").map(|(_, v)| v)) {
        return error(fmt, StatusCode::NOT_FOUND, "jurisdiction_id not found");
    }
    let extensions = q.iter().any(|(k, v)| k == "extensions" && v == "true");
    let Some(code) = luoshi_domain::appeals::normalize_code(id) else { return error(fmt, StatusCode::NOT_FOUND, "service_request_id not found") };
    let (ctx, p) = match tokio::try_join!(app.routing.context(&app.db), Publication::load(&app.db, app.today())) {
        Ok(both) => both,
        Err(e) => return failed(fmt, e),
    };
    // Unknown and unpublished (confidential, not yet dispatched) answer alike.
    match publ::published_one(&app.db, &ctx, &p, &code, extensions).await {
        Ok(Some((a, st))) => reply_list(fmt, "service_requests", &[request_out(&a, ctx.categories(), st.as_deref())]),
        Ok(None) => error(fmt, StatusCode::NOT_FOUND, "service_request_id not found"),
        Err(e) => failed(fmt, e),
    }
}

/// GET `/open311/v2/tokens/{token}.{fmt}`: requests are realtime, so a token is the id itself.
pub async fn token(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((tok, fmt)) = split(&file) else { return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown format (use .xml or .json)") };
    let found = match luoshi_domain::appeals::normalize_code(tok) {
        Some(c) => store::by_code(&app.db, &c).await,
        None => Ok(None),
    };
    match found {
        Ok(Some(a)) => reply(fmt, StatusCode::OK, "service_requests", json!([{ "service_request_id": a.code, "token": a.code }])),
        Ok(None) => error(fmt, StatusCode::NOT_FOUND, "token not found"),
        Err(e) => failed(fmt, e),
    }
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::PUBLIC;
    use axum::http::Method as M;
    t.add(M::GET, "/open311/v2/{file}", PUBLIC, "open311", "discovery, services and requests, .xml or .json", root_get)
        .add(M::POST, "/open311/v2/{file}", PUBLIC, "open311", "requests.xml or requests.json: create a request (api_key)", root_post)
        .add(M::GET, "/open311/v2/services/{file}", PUBLIC, "open311", "A service definition, .xml or .json", service_definition)
        .add(M::GET, "/open311/v2/requests/{file}", PUBLIC, "open311", "One request by id, .xml or .json", request_one)
        .add(M::GET, "/open311/v2/tokens/{file}", PUBLIC, "open311", "The request id for a token, .xml or .json", token)
}
