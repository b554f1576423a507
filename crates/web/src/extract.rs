//! Extractors whose every failure is the documented `{code, field, message}` in the caller's
//! language: axum's own answer plain English text (`Cannot parse "abc" to a i64`), which no
//! user should see. Form and query text must be UTF-8: a GBK body is refused, never stored as
//! U+FFFD.

use crate::error::AppError;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use luoshi_domain::{DomainError, ErrorCode};
use serde::de::DeserializeOwned;

/// The largest body read (uploads included).
pub const MAX_BODY: usize = 12 * 1024 * 1024;

/// A path parameter; a value of the wrong shape is `invalid` naming the parameter.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let field = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::DeserializeError { key, .. } | ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    _ => "id".to_string(),
                };
                Err(AppError(DomainError::invalid(&field)))
            }
            Err(_) => Err(AppError(DomainError::not_found("page"))),
        }
    }
}

/// A query string; a parameter of the wrong shape is `invalid` naming it.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        form(q.as_bytes(), "query").map(Query).map_err(AppError)
    }
}

/// Percent-decode one `application/x-www-form-urlencoded` component to bytes (a `%` not
/// followed by two hex digits stands for itself, as browsers read it).
fn unescape(s: &[u8]) -> Vec<u8> {
    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16)).and_then(|d| u8::try_from(d).ok());
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match (s[i], hex(s.get(i + 1)), hex(s.get(i + 2))) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 2;
            }
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    out
}

/// Is every name and value of a urlencoded text UTF-8 once decoded?
pub fn urlencoded_is_utf8(bytes: &[u8]) -> bool {
    bytes.split(|b| *b == b'&').all(|pair| pair.split(|b| *b == b'=').all(|part| std::str::from_utf8(&unescape(part)).is_ok()))
}

/// Decode a urlencoded form or query into `T`: not UTF-8 → `invalid` on `body` with the
/// charset named; a field of the wrong shape → `invalid` naming the field, no parser's text.
pub fn form<T: DeserializeOwned>(bytes: &[u8], whole: &str) -> Result<T, DomainError> {
    if !urlencoded_is_utf8(bytes) {
        return Err(DomainError::field(ErrorCode::Invalid, whole).with_detail("UTF-8"));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| field_error(e.path().to_string(), whole))
}

/// Decode a JSON body into `T`, naming the field that failed.
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DomainError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let syntax = e.inner().is_syntax() || e.inner().is_eof();
        if syntax {
            DomainError::field(ErrorCode::Invalid, "body").with_detail(format!("JSON {}:{}", e.inner().line(), e.inner().column()))
        } else {
            field_error(e.path().to_string(), "body")
        }
    })
}

fn field_error(path: String, whole: &str) -> DomainError {
    // `.` is serde's name for the root: the whole input failed (e.g. a missing field).
    let field = if path.is_empty() || path == "." { whole.to_string() } else { path.trim_start_matches('.').to_string() };
    DomainError::invalid(&field)
}

/// Read a whole body up to the limit; more is `too_large`.
pub async fn body_bytes(req: Request) -> Result<axum::body::Bytes, AppError> {
    axum::body::to_bytes(req.into_body(), MAX_BODY).await.map_err(|_| AppError(DomainError::field(ErrorCode::TooLarge, "body").with_detail("12 MiB")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Q {
        #[serde(default)]
        year: Option<i32>,
        #[serde(default)]
        #[expect(dead_code, reason = "parsed only to fail")]
        dry_run: Option<bool>,
        #[serde(default)]
        text: String,
    }

    #[test]
    fn fields_are_named_and_text_must_be_utf8() {
        assert_eq!(form::<Q>(b"year=abc", "query").unwrap_err(), DomainError::invalid("year"));
        assert_eq!(form::<Q>(b"dry_run=yes", "query").unwrap_err(), DomainError::invalid("dry_run"));
        let q: Q = form(b"year=2026&text=%E4%BD%A0%E5%A5%BD+a", "query").unwrap();
        assert_eq!((q.year, q.text.as_str()), (Some(2026), "你好 a"));
        // 你好 in GBK.
        assert_eq!(form::<Q>(b"text=%C4%E3%BA%C3", "body").unwrap_err().detail.as_deref(), Some("UTF-8"));
        assert!(urlencoded_is_utf8(b"a=%zz&b=100%"));
        assert_eq!(json::<Q>(br#"{"year":"x"}"#).unwrap_err(), DomainError::invalid("year"));
        assert_eq!(json::<Q>(b"{").unwrap_err().field.as_deref(), Some("body"));
    }
}
