//! POST `/open311/v2/requests.{fmt}`: a request created by a client holding an API key.

use super::format::{domain, error, failed, reply, split, Fmt};
use super::jurisdiction_ok;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use luoshi_app::appeals as svc;
use luoshi_domain::appeals::{AppealInput, Channel};
use luoshi_domain::i18n::{error_message, Lang};
use luoshi_domain::ErrorCode;
use serde_json::json;

/// The largest request body a client may send (a description is at most 4000 characters).
const MAX_POST: usize = 64 * 1024;

/// POST `/open311/v2/requests.{fmt}`: create a request with an API key.
pub async fn root_post(State(app): State<AppState>, Path(file): Path<String>, req: Request) -> Response {
    let Some(("requests", fmt)) = split(&file) else {
        return error(Fmt::Xml, StatusCode::NOT_FOUND, "unknown endpoint or format (use requests.xml or requests.json)");
    };
    let charset_ok = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').map(str::trim).find_map(|p| p.strip_prefix("charset=")))
        .is_none_or(|c| c.trim_matches('"').eq_ignore_ascii_case("utf-8"));
    let Ok(body) = axum::body::to_bytes(req.into_body(), MAX_POST).await else {
        // The connection is closed: what the client sent past the limit is not read.
        let mut res = error(fmt, StatusCode::PAYLOAD_TOO_LARGE, &format!("the request body may have at most {} KiB", MAX_POST / 1024));
        res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return res;
    };
    if !charset_ok || !crate::extract::urlencoded_is_utf8(&body) {
        return error(fmt, StatusCode::BAD_REQUEST, "the body must be UTF-8 (send charset=utf-8)");
    }
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
    // A leaked key must not flood the hotline: a limit per key and minute, shared by nodes.
    match per_key_limit(&app, key.id).await {
        Ok(true) => {}
        Ok(false) => return error(fmt, StatusCode::TOO_MANY_REQUESTS, "too many requests with this api_key; try again in a minute"),
        Err(e) => return failed(fmt, e),
    }
    if !jurisdiction_ok(get("jurisdiction_id").as_ref()) {
        return error(fmt, StatusCode::NOT_FOUND, "jurisdiction_id not found");
    }
    let Some(service_code) = get("service_code") else { return error(fmt, StatusCode::BAD_REQUEST, "service_code is required") };
    // No service defines attributes (metadata=false): say so rather than drop them.
    if let Some((k, _)) = form.iter().find(|(k, _)| k.starts_with("attribute")) {
        return error(fmt, StatusCode::BAD_REQUEST, &format!("{k}: service {service_code} defines no attributes"));
    }
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
    // The description is optional in the spec: the service's name says what is wrong.
    let content = if description.is_empty() {
        match app.routing.context(&app.db).await {
            Ok(c) => c.category_name(&service_code).unwrap_or_else(|| service_code.clone()),
            Err(e) => return failed(fmt, e),
        }
    } else {
        description
    };
    let name = [get("last_name"), get("first_name")].into_iter().flatten().collect::<Vec<_>>().join("");
    // Urgency is the hotline's to set: nothing a client sends sets it.
    let input = AppealInput {
        channel: "open311".into(),
        kind: "complaint".into(),
        category: service_code,
        content,
        address,
        lat,
        long,
        citizen_name: name,
        phone: get("phone").unwrap_or_default(),
        media_url: get("media_url").unwrap_or_default(),
        ..Default::default()
    };
    match svc::receive(&app.db, &app.routing, None, &input, Channel::Open311, Some(key.id), app.now()).await {
        Ok(r) => reply(
            fmt,
            StatusCode::CREATED,
            "service_requests",
            // `rating_code` is ours: the citizen needs it (not the public id) to rate the reply.
            json!([{ "service_request_id": r.appeal.code, "service_notice": "", "account_id": get("account_id"), "rating_code": r.rating_code }]),
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

/// Is the key under its limit for this minute? (Only what is accepted counts: the count is
/// written with each appeal, so a burst may pass the limit by the appeals committed together.)
async fn per_key_limit(app: &AppState, key_id: i64) -> Result<bool, luoshi_storage::StoreError> {
    let limit = luoshi_storage::rules::int_value(&app.db, "open311.key.per_minute", &app.today().format("%Y-%m-%d").to_string()).await?;
    Ok(svc::key_hits(&app.db, key_id, app.now()).await? < limit)
}
