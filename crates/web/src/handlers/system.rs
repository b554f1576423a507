//! Health, readiness, metrics, OpenAPI, embedded assets, the language switch.

use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::LANG_COOKIE;
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use luoshi_domain::i18n::Lang;
use luoshi_domain::DomainError;

pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

pub async fn readyz(State(app): State<AppState>) -> AppResult<Json<serde_json::Value>> {
    app.db.ping().await?;
    app.db.check_schema().await?;
    Ok(Json(serde_json::json!({ "status": "ready", "database": app.db.backend().as_str() })))
}

pub async fn metrics(State(app): State<AppState>) -> Response {
    let up = if app.db.ping().await.is_ok() { 1.0 } else { 0.0 };
    let mut extra = vec![("luoshi_database_up", "Whether the database answers a ping.", up)];
    if let Some(rss) = resident_bytes() {
        extra.push(("process_resident_memory_bytes", "Resident memory size in bytes.", rss));
    }
    let body = app.metrics.render(&extra);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// The process's resident memory (Linux: `VmRSS` of `/proc/self/status`), for `bench load`.
fn resident_bytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024.0)
}

pub async fn openapi() -> Json<serde_json::Value> {
    Json(crate::routes::openapi())
}

pub async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], include_str!("../../assets/app.css")).into_response()
}

pub async fn js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], include_str!("../../assets/app.js"))
        .into_response()
}

pub async fn icon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], include_str!("../../assets/icon.svg")).into_response()
}

#[derive(serde::Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

pub async fn switch_lang(Path(code): Path<String>, Query(q): Query<Next>) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or_else(|| DomainError::invalid("lang"))?;
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    let mut res = Redirect::to(super::local_path(&q.next)).into_response();
    res.headers_mut().insert(header::SET_COOKIE, cookie.parse().map_err(|_| DomainError::invalid("lang"))?);
    Ok(res)
}

pub async fn not_found() -> Response {
    AppError(DomainError::not_found("page")).into_response()
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::PUBLIC;
    use axum::http::Method as M;
    t.add(M::GET, "/healthz", PUBLIC, "system", "Liveness: the process answers", healthz)
        .add(M::GET, "/readyz", PUBLIC, "system", "Readiness: the database answers and the schema is current", readyz)
        .add(M::GET, "/metrics", PUBLIC, "system", "Prometheus metrics", metrics)
        .add(M::GET, "/api/openapi.json", PUBLIC, "system", "This OpenAPI document", openapi)
        .add(M::GET, "/assets/app.css", PUBLIC, "system", "Style sheet", css)
        .add(M::GET, "/assets/app.js", PUBLIC, "system", "Small progressive-enhancement script", js)
        .add(M::GET, "/assets/icon.svg", PUBLIC, "system", "Icon", icon)
        .add(M::GET, "/favicon.ico", PUBLIC, "system", "Icon (for browsers that ask for it)", icon)
        .add(M::GET, "/lang/{code}", PUBLIC, "system", "Switch the interface language (zh-CN, en)", switch_lang)
}
