//! Route handlers. Each serves a page and, where it has one, its `/api/v1` twin: the same
//! function renders HTML or JSON by [`Want`].

pub mod appeals;
pub mod assessment;
pub mod audit;
pub mod calendar;
pub mod debt;
pub mod documents;
pub mod duty;
pub mod emergencies;
pub mod hazards;
pub mod home;
pub mod livelihood;
pub mod notify;
pub mod open311;
pub mod oversight;
pub mod projects;
pub mod rules;
pub mod system;
pub mod tasks;
pub mod units;
pub mod users;

use crate::http::{Ctx, Want};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

/// After a successful change: JSON with the record (201 for creations), or a redirect (303) for
/// a form post, so that reloading the page does not post twice.
pub fn done(ctx: &Ctx, status: StatusCode, json: serde_json::Value, location: &str) -> Response {
    match ctx.want {
        Want::Json => (status, Json(json)).into_response(),
        Want::Html => Redirect::to(location).into_response(),
    }
}

/// A refusal a person can mend on the form they sent (bad or missing input, a state that moved
/// on, a file too large): a page form answers it on the same page with the input kept; the API
/// keeps its error.
pub fn mendable(ctx: &Ctx, e: &luoshi_domain::DomainError) -> bool {
    ctx.want == Want::Html && matches!(crate::error::status_of(e.code), StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::PAYLOAD_TOO_LARGE)
}

/// Keep `next` to a same-site absolute path so a link cannot send the user elsewhere: visible
/// ASCII only (browsers drop tabs and newlines, turning `/\t/evil` into `//evil`; a header
/// cannot carry CR/LF or other bytes), no `//` or backslash that a browser reads as another host.
pub fn local_path(next: &str) -> &str {
    let visible = next.bytes().all(|b| b.is_ascii_graphic());
    let mut rest = next.bytes().skip(1);
    let other_host = matches!(rest.next(), Some(b'/' | b'\\')) || next.contains('\\');
    if next.starts_with('/') && visible && !other_host {
        next
    } else {
        "/"
    }
}

/// Today's date in Asia/Shanghai as `YYYY-MM-DD`.
pub fn today() -> String {
    luoshi_domain::time::local_date(luoshi_storage::now_micros()).format("%Y-%m-%d").to_string()
}

/// A ledger uploaded from a page's import form: the file's name and bytes, and whether only to
/// check it.
pub(crate) async fn ledger_upload(mut form: axum::extract::Multipart) -> crate::error::AppResult<(String, Vec<u8>, bool)> {
    let bad = || crate::error::AppError(luoshi_domain::DomainError::field(luoshi_domain::ErrorCode::BadFile, "file"));
    let (mut name, mut bytes, mut dry_run) = (String::new(), Vec::new(), false);
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        match field.name().unwrap_or("") {
            "file" => {
                name = field.file_name().unwrap_or("").to_string();
                bytes = field.bytes().await.map_err(|_| bad())?.to_vec();
            }
            "dry_run" => dry_run = field.text().await.map_err(|_| bad())? == "true",
            _ => {}
        }
    }
    Ok((name, bytes, dry_run))
}

/// An import's problems as the page lists them: (row, column, message in the caller's language).
pub(crate) fn row_errors(lang: luoshi_domain::i18n::Lang, errors: &[luoshi_domain::unit_import::RowError]) -> Vec<(usize, String, String)> {
    errors.iter().map(|e| (e.row, e.column.clone(), luoshi_domain::i18n::error_message(lang, &e.as_domain()))).collect()
}

/// An import's answer over the API: its report, or 422 with every problem by row and column.
pub(crate) fn import_answer<R: serde::Serialize>(
    lang: luoshi_domain::i18n::Lang,
    r: Result<R, Vec<luoshi_domain::unit_import::RowError>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match r {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => (axum::http::StatusCode::UNPROCESSABLE_ENTITY, axum::Json(tasks::row_errors_json(lang, &e))).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_stays_on_this_site() {
        for ok in ["/", "/tasks?x=1", "/appeals/3#a", "/%2F%2Fevil"] {
            assert_eq!(local_path(ok), ok);
        }
        for bad in [
            "",
            "//evil.example",
            "/\t/evil.example",
            "/\\evil",
            "/\\/evil",
            "https://evil.example",
            "/\r\nSet-Cookie: a=b",
            "/ /evil",
            "/中文",
            "tasks",
            "/\u{7f}",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}
