//! Route handlers. Each serves a page and, where it has one, its `/api/v1` twin: the same
//! function renders HTML or JSON by [`Want`].

pub mod appeals;
pub mod audit;
pub mod calendar;
pub mod documents;
pub mod home;
pub mod open311;
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

/// Keep `next` to a local path so a login link cannot send the user elsewhere.
pub fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// Today's date in Asia/Shanghai as `YYYY-MM-DD`.
pub fn today() -> String {
    luoshi_domain::time::local_date(luoshi_storage::now_micros()).format("%Y-%m-%d").to_string()
}
