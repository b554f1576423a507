//! Login, logout and the home page.

use crate::auth::{self, SESSION_COOKIE};
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use luoshi_domain::i18n::error_message;
use luoshi_storage::sessions;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
    demo: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    if ctx.caller.is_some() {
        return Redirect::to(super::local_path(&q.next)).into_response();
    }
    render(&LoginPage { chrome: chrome(&ctx, "login.title", None), next: q.next, username: String::new(), error: None, demo: true })
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn session_cookie(app: &AppState, token: &str, max_age: i64) -> Result<HeaderValue, AppError> {
    let secure = if app.config.secure_cookies { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
        .parse()
        .map_err(|_| AppError(luoshi_domain::DomainError::new(luoshi_domain::ErrorCode::Internal)))
}

pub async fn login(ctx: Ctx, State(app): State<AppState>, Input(f): Input<LoginForm>) -> AppResult<Response> {
    let result = auth::login(&app.db, &f.username, &f.password, ctx.ip.as_deref()).await;
    let user = match (result, ctx.want) {
        (Ok(u), _) => u,
        (Err(e), Want::Json) => return Err(e),
        (Err(AppError(e)), Want::Html) => {
            let status = crate::error::status_of(e.code);
            let page = LoginPage {
                chrome: chrome(&ctx, "login.title", None),
                next: f.next,
                username: f.username,
                error: Some(error_message(ctx.lang, &e)),
                demo: true,
            };
            return Ok((status, render(&page)).into_response());
        }
    };
    let (token, max_age) = auth::open_session(&app.db, &user, ctx.ip.as_deref()).await?;
    let cookie = session_cookie(&app, &token, max_age)?;
    let mut res = match ctx.want {
        Want::Json => Json(serde_json::json!({ "user": user, "csrf": auth::csrf_for(&token) })).into_response(),
        Want::Html => Redirect::to(super::local_path(&f.next)).into_response(),
    };
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

pub async fn logout(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    sessions::delete(&app.db, ctx.user()?).await?;
    let mut res = match ctx.want {
        Want::Json => StatusCode::NO_CONTENT.into_response(),
        Want::Html => Redirect::to("/login").into_response(),
    };
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&app, "", 0)?);
    Ok(res)
}

/// The home page: the caller as JSON; as a page, the cockpit (deputies go to their module).
pub async fn home(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let p = ctx.user()?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "user": p.user, "unit": { "id": p.user.unit_id, "name": p.unit_name }, "csrf": ctx.csrf })).into_response());
    }
    super::assessment::home_cockpit(&ctx, &app).await
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::{AUTH, PUBLIC};
    use axum::http::Method as M;
    t.add(M::GET, "/login", PUBLIC, "session", "Login page", login_page)
        .add(M::POST, "/login", PUBLIC, "session", "Log in (form)", login)
        .add(M::POST, "/api/v1/session", PUBLIC, "session", "Log in; sets the session cookie and returns the CSRF token", login)
        .add(M::POST, "/logout", AUTH, "session", "Log out (form)", logout)
        .add(M::DELETE, "/api/v1/session", AUTH, "session", "Log out", logout)
        .add(M::GET, "/", AUTH, "session", "Home page: the cockpit (deputies: their module)", home)
        .add(M::GET, "/api/v1/me", AUTH, "session", "The caller, their unit and role", home)
}
