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
use luoshi_domain::i18n::{error_message, t};
use luoshi_storage::{audit, calendar, sessions, units, users};

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

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    stats: Vec<(String, i64)>,
    modules: Vec<(String, &'static str, String, &'static str)>,
}

/// The modules of DESIGN.md with the passage of the speech each answers.
const MODULES: &[(&str, &str, bool)] = &[
    ("module.foundation", "—", true),
    ("module.tasks", "一：细化、实化、具体化，拿出落实的具体方案", false),
    ("module.breakdown", "一：细化实化具体化", false),
    ("module.projects", "二：大项目好项目实项目招引难、落地难、开工难", false),
    ("module.safety", "三（一）：风险管控、隐患整治、大检查“回头看”", false),
    ("module.debt", "三（二）：保资金接续、压降非标、监测预警", false),
    ("module.emergency", "三（三）：大安全大应急框架，上下联动、左右协同", false),
    ("module.livelihood", "四（二）：必要性、现实性、可能性", false),
    ("module.appeals", "四（三）：急难愁盼、成效由群众评判", false),
    ("module.assessment", "二（三）：高质量考核指标争先进位", false),
];

pub async fn home(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let p = ctx.user()?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "user": p.user, "unit": { "id": p.user.unit_id, "name": p.unit_name }, "csrf": ctx.csrf })).into_response());
    }
    let scope = ctx.scope()?;
    let lang = ctx.lang;
    let cal = calendar::load(&app.db).await?;
    let mut stats = vec![
        (t(lang, "nav.units").to_string(), i64::try_from(units::list(&app.db, &scope).await?.len()).unwrap_or(0)),
        (t(lang, "calendar.years").to_string(), i64::try_from(cal.years().count()).unwrap_or(0)),
    ];
    if p.user.role == luoshi_domain::user::Role::Admin {
        stats.push((t(lang, "nav.users").to_string(), users::count(&app.db).await?));
        stats.push((t(lang, "audit.title").to_string(), audit::count(&app.db).await?));
    }
    let modules = MODULES
        .iter()
        .map(|(k, passage, ready)| {
            let (label, class) = if *ready { (t(lang, "status.ready"), "ready") } else { (t(lang, "status.planned"), "planned") };
            (t(lang, k).to_string(), *passage, label.to_string(), class)
        })
        .collect();
    let mut c = chrome(&ctx, "nav.home", None);
    c.title = format!("{}，{}", t(lang, "home.welcome"), p.user.display_name);
    Ok(render(&HomePage { chrome: c, stats, modules }))
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
        .add(M::GET, "/", AUTH, "session", "Home page", home)
        .add(M::GET, "/api/v1/me", AUTH, "session", "The caller, their unit and role", home)
}
