//! Users: list, create, disable/enable, passwords, API tokens.

use crate::auth;
use crate::error::AppResult;
use crate::extract::Path;
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_domain::i18n::t;
use luoshi_domain::user::{check_password_for, Role, UserInput};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::{sessions, units, users};

/// The roles a caller may give or manage: an admin any; a unit manager only unit roles.
fn manageable(caller: Role) -> &'static [Role] {
    match caller {
        Role::Admin => &Role::ALL,
        // A unit manager adds staff; managers are appointed by an administrator.
        Role::UnitManager => &[Role::UnitStaff],
        _ => &[],
    }
}

struct UserRow {
    id: i64,
    display_name: String,
    username: String,
    unit: String,
    role: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    units: Vec<(i64, String)>,
    roles: Vec<(&'static str, String)>,
}

pub async fn list(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let list = users::list(&app.db, &scope).await?;
    if ctx.want == Want::Json {
        let out: Vec<_> = list.iter().map(|(u, unit)| serde_json::json!({ "user": u, "unit_name": unit })).collect();
        return Ok(Json(serde_json::json!({ "users": out })).into_response());
    }
    let lang = ctx.lang;
    let rows = list
        .into_iter()
        .map(|(u, unit)| UserRow {
            id: u.id,
            display_name: u.display_name,
            username: u.username,
            unit,
            role: t(lang, &format!("role.{}", u.role.as_str())).to_string(),
            disabled: u.disabled,
        })
        .collect();
    let unit_opts = units::list(&app.db, &scope)
        .await?
        .into_iter()
        .map(|u| (u.id, format!("{}{}", "\u{3000}".repeat(usize::try_from(u.depth).unwrap_or(0)), u.name)))
        .collect();
    let roles = manageable(ctx.user()?.user.role).iter().map(|r| (r.as_str(), t(lang, &format!("role.{}", r.as_str())).to_string())).collect();
    Ok(render(&UsersPage { chrome: chrome(&ctx, "users.title", None), users: rows, units: unit_opts, roles }))
}

pub async fn create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<UserInput>) -> AppResult<Response> {
    let new = input.validate()?;
    let me = ctx.user()?;
    if !manageable(me.user.role).contains(&new.role) {
        return Err(DomainError::field(ErrorCode::Forbidden, "role").into());
    }
    // The unit must lie in the caller's scope (a unit manager creates staff of their own subtree).
    units::get_in_scope(&app.db, &ctx.scope()?, new.unit_id).await.map_err(|_| DomainError::invalid("unit_id"))?;
    let hash = auth::hash_password_blocking(new.password.clone()).await?;
    let mut tx = app.db.begin_write().await?;
    let user = users::create(&mut tx, &ctx.actor()?, &new, &hash).await?;
    tx.commit().await?;
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({ "user": user }), "/users"))
}

pub async fn show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (user, _) = users::get_in_scope(&app.db, &ctx.scope()?, id).await?;
    Ok(Json(serde_json::json!({ "user": user })).into_response())
}

async fn set_disabled(ctx: &Ctx, app: &AppState, id: i64, disabled: bool) -> AppResult<Response> {
    let me = ctx.user()?;
    let (target, _) = users::get_in_scope(&app.db, &ctx.scope()?, id).await?;
    if target.id == me.user.id || !manageable(me.user.role).contains(&target.role) {
        return Err(DomainError::forbidden().into());
    }
    let mut tx = app.db.begin_write().await?;
    let user = users::set_disabled(&mut tx, &ctx.actor()?, id, disabled).await?;
    tx.commit().await?;
    Ok(super::done(ctx, StatusCode::OK, serde_json::json!({ "user": user }), "/users"))
}

pub async fn disable(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    set_disabled(&ctx, &app, id, true).await
}

pub async fn enable(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    set_disabled(&ctx, &app, id, false).await
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    current_password: String,
}

pub async fn set_password(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<PasswordForm>) -> AppResult<Response> {
    let (target, _) = users::get_in_scope(&app.db, &ctx.scope()?, id).await?;
    if !manageable(ctx.user()?.user.role).contains(&target.role) {
        return Err(DomainError::forbidden().into());
    }
    check_password_for(&f.password, &[&target.username, &target.display_name])?;
    let hash = auth::hash_password_blocking(f.password).await?;
    let mut tx = app.db.begin_write().await?;
    let user = users::set_password(&mut tx, &ctx.actor()?, id, &hash).await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({ "user": user })).into_response())
}

pub async fn change_own_password(ctx: Ctx, State(app): State<AppState>, Input(f): Input<PasswordForm>) -> AppResult<Response> {
    let me = ctx.user()?.clone();
    auth::login(&app.db, &me.user.username, &f.current_password, ctx.ip.as_deref()).await.map_err(|_| DomainError::invalid("current_password"))?;
    check_password_for(&f.password, &[&me.user.username, &me.user.display_name])?;
    let hash = auth::hash_password_blocking(f.password).await?;
    let mut tx = app.db.begin_write().await?;
    users::set_password(&mut tx, &ctx.actor()?, me.user.id, &hash).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn list_tokens(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let tokens = sessions::tokens_of(&app.db, ctx.user()?.user.id).await?;
    Ok(Json(serde_json::json!({ "tokens": tokens })).into_response())
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(ctx: Ctx, State(app): State<AppState>, Input(f): Input<TokenForm>) -> AppResult<Response> {
    let name = luoshi_domain::error::required_text("name", &f.name, 64)?;
    let token = auth::new_token()?;
    let mut tx = app.db.begin_write().await?;
    let t = sessions::create_token(&mut tx, &ctx.actor()?, ctx.user()?.user.id, &name, &auth::token_hash(&token)).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "token": t, "secret": token }))).into_response())
}

pub async fn revoke_token(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let mut tx = app.db.begin_write().await?;
    sessions::revoke_token(&mut tx, &ctx.actor()?, ctx.user()?.user.id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::AUTH;
    use axum::http::Method as M;
    use luoshi_domain::access::{ADMIN, USER_MANAGERS};
    t.add(M::POST, "/api/v1/me/password", AUTH, "session", "Change one's own password", change_own_password)
        .add(M::GET, "/api/v1/tokens", AUTH, "session", "The caller's API tokens", list_tokens)
        .add(M::POST, "/api/v1/tokens", AUTH, "session", "Create an API token (shown once)", create_token)
        .add(M::DELETE, "/api/v1/tokens/{id}", AUTH, "session", "Revoke one of the caller's API tokens", revoke_token)
        .add(M::GET, "/users", USER_MANAGERS, "users", "Users (page)", list)
        .add(M::GET, "/api/v1/users", USER_MANAGERS, "users", "Users the caller manages", list)
        .add(M::POST, "/users", USER_MANAGERS, "users", "Create a user (form)", create)
        .add(M::POST, "/api/v1/users", USER_MANAGERS, "users", "Create a user", create)
        .add(M::GET, "/api/v1/users/{id}", USER_MANAGERS, "users", "One user", show)
        .add(M::POST, "/users/{id}/disable", USER_MANAGERS, "users", "Disable a user (form)", disable)
        .add(M::POST, "/api/v1/users/{id}/disable", USER_MANAGERS, "users", "Disable a user; ends their sessions and tokens", disable)
        .add(M::POST, "/users/{id}/enable", USER_MANAGERS, "users", "Enable a user (form)", enable)
        .add(M::POST, "/api/v1/users/{id}/enable", USER_MANAGERS, "users", "Enable a user", enable)
        .add(M::POST, "/api/v1/users/{id}/password", ADMIN, "users", "Set a user's password", set_password)
}
