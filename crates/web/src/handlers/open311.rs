//! Open311 GeoReport v2 under `/open311/v2`: discovery, services and their definitions, POST
//! requests with an API key, tokens, GET requests (all filters, plus the `page`/`page_size`
//! extension) and one request, in XML and JSON chosen by the extension; errors as the spec
//! says (400/403/404 with an errors body). Our states map to open/closed; `extensions=true`
//! adds the detailed state, the satisfaction rating and the history. No personal data is ever
//! shown: the request id is the public tracking code.

use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use luoshi_app::appeals as svc;
use luoshi_domain::appeal::{AppealInput, AppealState, Channel};
use luoshi_domain::i18n::{error_message, Lang};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::appeals::{self as store, Appeal, CategoryRow, Filter};
use serde_json::{json, Value};

/// The one jurisdiction this endpoint serves (an empty `jurisdiction_id` means it too).
pub const JURISDICTION: &str = "luoshi";
const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";
const DAY: i64 = 86_400_000_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Xml,
    Json,
}

/// `requests.json` → ("requests", Json).
fn split(file: &str) -> Option<(&str, Fmt)> {
    let (name, ext) = file.rsplit_once('.')?;
    let f = match ext {
        "xml" => Fmt::Xml,
        "json" => Fmt::Json,
        _ => return None,
    };
    Some((name, f))
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// XML of a JSON value in the spec's shape: objects are elements, arrays repeat `item` (the
/// caller names it), scalars are text.
fn xml_value(out: &mut String, name: &str, v: &Value, item: &dyn Fn(&str) -> String) {
    match v {
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::Array(a) => {
            out.push_str(&format!("<{name}>"));
            let child = item(name);
            for x in a {
                xml_value(out, &child, x, item);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(m) => {
            out.push_str(&format!("<{name}>"));
            for (k, x) in m {
                xml_value(out, k, x, item);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", esc(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn item_name(list: &str) -> String {
    match list {
        "services" => "service".into(),
        "service_requests" => "request".into(),
        "errors" => "error".into(),
        "attributes" => "attribute".into(),
        "values" => "value".into(),
        "endpoints" => "endpoint".into(),
        "formats" => "format".into(),
        "notes" => "note".into(),
        other => other.trim_end_matches('s').to_string(),
    }
}

/// Answer `root` (a list or an object) in the chosen format.
fn reply(fmt: Fmt, status: StatusCode, root: &str, v: Value) -> Response {
    match fmt {
        Fmt::Json => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], v.to_string()).into_response(),
        Fmt::Xml => {
            let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            xml_value(&mut s, root, &v, &item_name);
            (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], s).into_response()
        }
    }
}

fn error(fmt: Fmt, status: StatusCode, description: &str) -> Response {
    reply(fmt, status, "errors", json!([{ "code": status.as_u16(), "description": description }]))
}

fn errors(fmt: Fmt, status: StatusCode, list: &[String]) -> Response {
    let v: Vec<Value> = list.iter().map(|d| json!({ "code": status.as_u16(), "description": d })).collect();
    reply(fmt, status, "errors", Value::Array(v))
}

/// A service failure (the database down): 400 with a general error, as the spec asks.
fn failed(fmt: Fmt, e: luoshi_storage::StoreError) -> Response {
    let d = domain(e);
    let status = if d.code == ErrorCode::NotFound { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
    error(fmt, status, &error_message(Lang::En, &d))
}

/// The error to show: a domain error as it is, anything else logged and named by its code only.
fn domain(e: luoshi_storage::StoreError) -> DomainError {
    match e {
        luoshi_storage::StoreError::Domain(d) => d,
        other => {
            tracing::warn!(error = %other, "open311");
            DomainError::new(other.code())
        }
    }
}

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

fn request_json(a: &Appeal, cats: &[CategoryRow], events: Option<&[store::Event]>) -> Value {
    let closed = !a.state.is_open();
    let name = cats.iter().find(|c| c.code == a.category).map(|c| c.name.clone()).unwrap_or_default();
    let notes = match a.state {
        AppealState::Rejected => a.reject_reason.clone().unwrap_or_default(),
        _ => a.reply.clone().unwrap_or_default(),
    };
    let mut v = json!({
        "service_request_id": a.code,
        "status": if closed { "closed" } else { "open" },
        "status_notes": notes,
        "service_name": name,
        "service_code": a.category,
        "description": a.content,
        "agency_responsible": a.owner_name.clone().unwrap_or_default(),
        "service_notice": "",
        "requested_datetime": rfc3339(a.created_at),
        "updated_datetime": rfc3339(a.closed_at.filter(|_| closed).unwrap_or(a.updated_at)),
        "expected_datetime": a.due_at.map(rfc3339).unwrap_or_default(),
        "address": a.address.clone().unwrap_or_default(),
        "address_id": "",
        "zipcode": "",
        "lat": a.lat.map(Value::from).unwrap_or(Value::String(String::new())),
        "long": a.long.map(Value::from).unwrap_or(Value::String(String::new())),
        "media_url": "",
    });
    if let (Some(ev), Some(m)) = (events, v.as_object_mut()) {
        m.insert(
            "extended_attributes".into(),
            json!({ "detailed_status": a.state.as_str().to_ascii_uppercase(), "satisfaction": a.rating.clone().unwrap_or_default(),
                    "rework_count": a.rework_count, "channel": a.channel }),
        );
        let notes: Vec<Value> = ev
            .iter()
            .map(|e| json!({ "datetime": rfc3339(e.at), "description": e.note.clone().unwrap_or_default(), "type": e.action, "status": e.to_state.clone().unwrap_or_default() }))
            .collect();
        m.insert("notes".into(), Value::Array(notes));
    }
    v
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
        "services" => match store::categories(&app.db).await {
            Ok(cats) => reply(fmt, StatusCode::OK, "services", Value::Array(cats.iter().filter(|c| c.active).map(service).collect())),
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
        let codes: Vec<String> = ids.split(',').filter_map(luoshi_domain::appeal::normalize_code).take(100).collect();
        if codes.is_empty() {
            return reply(fmt, StatusCode::OK, "service_requests", Value::Array(Vec::new()));
        }
        let by_id = Filter { codes, limit: 100, ..Default::default() };
        return match store::categories(&app.db).await {
            Ok(cats) => answer(app, fmt, &cats, &by_id, extensions).await,
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
    let cats = match store::categories(&app.db).await {
        Ok(c) => c,
        Err(e) => return failed(fmt, e),
    };
    if let Some(unknown) = f.categories.iter().find(|c| !cats.iter().any(|x| &&x.code == c)) {
        return error(fmt, StatusCode::NOT_FOUND, &format!("service_code {unknown} not found"));
    }
    answer(app, fmt, &cats, &f, extensions).await
}

/// The requests a filter finds, with their histories (one query for all) when asked.
async fn answer(app: &AppState, fmt: Fmt, cats: &[CategoryRow], f: &Filter, extensions: bool) -> Response {
    let list = match store::list(&app.db, f).await {
        Ok(l) => l,
        Err(e) => return failed(fmt, e),
    };
    let mut events = if extensions {
        match store::events_of(&app.db, &list.iter().map(|a| a.id).collect::<Vec<_>>()).await {
            Ok(e) => e,
            Err(e) => return failed(fmt, e),
        }
    } else {
        Default::default()
    };
    let out = list
        .iter()
        .map(|a| {
            let ev = if extensions { Some(events.remove(&a.id).unwrap_or_default()) } else { None };
            request_json(a, cats, ev.as_deref())
        })
        .collect();
    reply(fmt, StatusCode::OK, "service_requests", Value::Array(out))
}

/// GET `/open311/v2/services/{code}.{fmt}`: the service definition.
pub async fn service_definition(State(app): State<AppState>, Path(file): Path<String>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let Some((code, fmt)) = split(&file) else { return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown format (use .xml or .json)") };
    if !jurisdiction_ok(q.iter().find(|(k, _)| k == "jurisdiction_id").map(|(_, v)| v)) {
        return error(fmt, StatusCode::NOT_FOUND, "jurisdiction_id not found");
    }
    match store::categories(&app.db).await {
        Ok(cats) => match cats.iter().find(|c| c.code == code && c.active) {
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
    let Some(code) = luoshi_domain::appeal::normalize_code(id) else { return error(fmt, StatusCode::NOT_FOUND, "service_request_id not found") };
    match store::by_code(&app.db, &code).await {
        Ok(Some(a)) => {
            let cats = store::categories(&app.db).await.unwrap_or_default();
            let ev = if extensions { store::events(&app.db, a.id).await.ok() } else { None };
            reply(fmt, StatusCode::OK, "service_requests", json!([request_json(&a, &cats, ev.as_deref())]))
        }
        Ok(None) => error(fmt, StatusCode::NOT_FOUND, "service_request_id not found"),
        Err(e) => failed(fmt, e),
    }
}

/// GET `/open311/v2/tokens/{token}.{fmt}`: requests are realtime, so a token is the id itself.
pub async fn token(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((tok, fmt)) = split(&file) else { return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown format (use .xml or .json)") };
    let found = match luoshi_domain::appeal::normalize_code(tok) {
        Some(c) => store::by_code(&app.db, &c).await,
        None => Ok(None),
    };
    match found {
        Ok(Some(a)) => reply(fmt, StatusCode::OK, "service_requests", json!([{ "service_request_id": a.code, "token": a.code }])),
        Ok(None) => error(fmt, StatusCode::NOT_FOUND, "token not found"),
        Err(e) => failed(fmt, e),
    }
}

/// POST `/open311/v2/requests.{fmt}`: create a request with an API key.
pub async fn root_post(State(app): State<AppState>, Path(file): Path<String>, body: axum::body::Bytes) -> Response {
    let Some(("requests", fmt)) = split(&file) else {
        return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown endpoint or format (use requests.xml or requests.json)");
    };
    let form: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(_) => return error(fmt, StatusCode::BAD_REQUEST, "the body must be application/x-www-form-urlencoded"),
    };
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty());
    let key = match svc::check_key(&app.db, &app.routing, &get("api_key").unwrap_or_default()).await {
        Ok(Some(k)) => k,
        Ok(None) => return error(fmt, StatusCode::FORBIDDEN, "api_key missing or invalid"),
        Err(e) => return failed(fmt, e),
    };
    if !jurisdiction_ok(get("jurisdiction_id").as_ref()) {
        return error(fmt, StatusCode::NOT_FOUND, "jurisdiction_id not found");
    }
    let Some(service_code) = get("service_code") else { return error(fmt, StatusCode::BAD_REQUEST, "service_code is required") };
    let num = |k: &str| get(k).map(|v| v.parse::<f64>().map_err(|_| format!("{k} must be a number")));
    let (lat, long) = match (num("lat"), num("long")) {
        (Some(Ok(a)), Some(Ok(b))) => (Some(a), Some(b)),
        (None, None) => (None, None),
        (Some(Err(e)), _) | (_, Some(Err(e))) => return error(fmt, StatusCode::BAD_REQUEST, &e),
        _ => return error(fmt, StatusCode::BAD_REQUEST, "lat and long must be given together"),
    };
    let address = get("address_string").or_else(|| get("address_id")).unwrap_or_default();
    if lat.is_none() && address.is_empty() {
        return error(fmt, StatusCode::BAD_REQUEST, "a location is required: lat and long, address_string or address_id");
    }
    let description = get("description").unwrap_or_default();
    if description.chars().count() > 4000 {
        return error(fmt, StatusCode::BAD_REQUEST, "description may have at most 4000 characters");
    }
    let name = [get("last_name"), get("first_name")].into_iter().flatten().collect::<Vec<_>>().join("");
    let input = AppealInput {
        channel: "open311".into(),
        kind: "complaint".into(),
        category: service_code,
        content: description,
        address,
        lat,
        long,
        citizen_name: name,
        phone: get("phone").unwrap_or_default(),
        ..Default::default()
    };
    match svc::receive(&app.db, &app.routing, None, &input, Channel::Open311, Some(key.id), app.now()).await {
        Ok(r) => reply(
            fmt,
            StatusCode::CREATED,
            "service_requests",
            json!([{ "service_request_id": r.appeal.code, "service_notice": "", "account_id": get("account_id").unwrap_or_default() }]),
        ),
        Err(e) => {
            let d = domain(e);
            // Intake checks the taxonomy: an unknown service is the spec's 404. Other bad input
            // and a failing service are both 400; the body says which.
            if d.field.as_deref() == Some("category") && d.code == ErrorCode::Invalid {
                let code = d.detail.clone().unwrap_or_default();
                return error(fmt, StatusCode::NOT_FOUND, &format!("service_code {code} not found"));
            }
            error(fmt, StatusCode::BAD_REQUEST, &error_message(Lang::En, &d))
        }
    }
}
