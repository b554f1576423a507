//! GeoReport v2's two formats: JSON, and XML in the spec's shape (lists repeat a named item),
//! with every character XML 1.0 forbids left out; errors in the spec's body.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use luoshi_domain::i18n::{error_message, Lang};
use luoshi_domain::{DomainError, ErrorCode};
use serde_json::{json, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fmt {
    Xml,
    Json,
}

/// `requests.json` → ("requests", Json).
pub(super) fn split(file: &str) -> Option<(&str, Fmt)> {
    let (name, ext) = file.rsplit_once('.')?;
    let f = match ext {
        "xml" => Fmt::Xml,
        "json" => Fmt::Json,
        _ => return None,
    };
    Some((name, f))
}

pub(super) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // One forbidden character would make the whole list unreadable for every client.
            c if !luoshi_domain::publish::xml_char(c) => {}
            c => o.push(c),
        }
    }
    o
}

/// XML of a JSON value in the spec's shape: objects are elements, arrays repeat `item` (the
/// caller names it), scalars are text.
pub(super) fn xml_value(out: &mut String, name: &str, v: &Value, item: &dyn Fn(&str) -> String) {
    match v {
        // Absent: the official schemas accept a missing element, not an empty one.
        Value::Null => {}
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
            for (k, x) in m.iter().filter(|(_, x)| !x.is_null()) {
                xml_value(out, k, x, item);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", esc(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

pub(super) fn item_name(list: &str) -> String {
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
pub(super) fn reply(fmt: Fmt, status: StatusCode, root: &str, v: Value) -> Response {
    match fmt {
        Fmt::Json => (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], without_nulls(v).to_string()).into_response(),
        Fmt::Xml => {
            let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            xml_value(&mut s, root, &v, &item_name);
            (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], s).into_response()
        }
    }
}

/// Answer a list of typed items (OK): JSON written straight from them, XML through the tree.
pub(super) fn reply_list<T: serde::Serialize>(fmt: Fmt, root: &str, items: &[T]) -> Response {
    match fmt {
        Fmt::Json => match serde_json::to_vec(items) {
            Ok(body) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response(),
            Err(e) => failed(fmt, DomainError::new(ErrorCode::Internal).with_detail(e.to_string()).into()),
        },
        Fmt::Xml => reply(fmt, StatusCode::OK, root, serde_json::to_value(items).unwrap_or_default()),
    }
}

pub(super) fn error(fmt: Fmt, status: StatusCode, description: &str) -> Response {
    reply(fmt, status, "errors", json!([{ "code": status.as_u16(), "description": description }]))
}

pub(super) fn errors(fmt: Fmt, status: StatusCode, list: &[String]) -> Response {
    let v: Vec<Value> = list.iter().map(|d| json!({ "code": status.as_u16(), "description": d })).collect();
    reply(fmt, status, "errors", Value::Array(v))
}

/// A service failure (the database down): 400 with a general error, as the spec asks.
pub(super) fn failed(fmt: Fmt, e: luoshi_storage::StoreError) -> Response {
    let d = domain(e);
    let status = if d.code == ErrorCode::NotFound { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
    error(fmt, status, &error_message(Lang::En, &d))
}

/// The error to show: a domain error as it is, anything else logged and named by its code only.
pub(super) fn domain(e: luoshi_storage::StoreError) -> DomainError {
    match e {
        luoshi_storage::StoreError::Domain(d) => d,
        other => {
            tracing::warn!(error = %other, "open311");
            DomainError::new(other.code())
        }
    }
}

/// Leave out members that are null (lat, long, expected_datetime, media_url when unknown): the
/// GeoReport v2 schemas allow them absent, not as empty strings.
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, x)| !x.is_null()).map(|(k, x)| (k, without_nulls(x))).collect()),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_never_reach_xml() {
        let mut out = String::new();
        xml_value(&mut out, "d", &json!({ "a": "x\u{FFFF}y\u{1}z<", "b": null }), &item_name);
        assert_eq!(out, "<d><a>xyz&lt;</a></d>");
    }
}
