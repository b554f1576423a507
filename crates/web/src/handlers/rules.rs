//! Rules: the value in force of every rule, its history, new versions.

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
use luoshi_domain::i18n::Lang;
use luoshi_domain::rules::{shipped, RuleChange};
use luoshi_domain::user::Role;
use luoshi_domain::DomainError;
use luoshi_storage::rules;

struct RuleRow {
    key: String,
    label: String,
    value: String,
    unit: String,
    source: String,
    effective_from: String,
    version: i64,
    changed_by: String,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
    admin: bool,
    today: String,
}

pub async fn list(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let today = super::today();
    let versions = rules::all_versions(&app.db).await?;
    let specs = shipped()?;
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for s in &specs {
        let Some(v) = rules::in_force(&versions, &s.key, &today) else { continue };
        out.push(serde_json::json!({ "key": s.key, "kind": s.kind, "unit": s.unit, "zh": s.zh, "en": s.en, "in_force": v, "versions": versions.iter().filter(|x| x.key == s.key).count() }));
        rows.push(RuleRow {
            key: s.key.clone(),
            label: if ctx.lang == Lang::En { s.en.clone() } else { s.zh.clone() },
            value: v.value.to_string(),
            unit: luoshi_domain::i18n::t(ctx.lang, &format!("unit.{}", s.unit)).to_string(),
            source: v.source.clone(),
            effective_from: v.effective_from.clone(),
            version: v.version,
            changed_by: v.changed_by.clone(),
        });
    }
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "date": today, "rules": out })).into_response());
    }
    let admin = ctx.user()?.user.role == Role::Admin;
    Ok(render(&RulesPage { chrome: chrome(&ctx, "rules.title", None), rules: rows, admin, today }))
}

pub async fn show(State(app): State<AppState>, Path(key): Path<String>) -> AppResult<Response> {
    let spec = shipped()?.into_iter().find(|s| s.key == key).ok_or_else(|| DomainError::not_found("rule"))?;
    let history = rules::history(&app.db, &key).await?;
    Ok(Json(serde_json::json!({ "rule": spec, "versions": history })).into_response())
}

#[derive(serde::Deserialize)]
pub struct RuleForm {
    value: serde_json::Value,
    #[serde(default)]
    source: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    note: String,
}

pub async fn set(ctx: Ctx, State(app): State<AppState>, Path(key): Path<String>, Input(f): Input<RuleForm>) -> AppResult<Response> {
    let spec = shipped()?.into_iter().find(|s| s.key == key).ok_or_else(|| DomainError::not_found("rule"))?;
    // A form sends text; the API may send the typed value.
    let value = match &f.value {
        serde_json::Value::String(s) => spec.kind.parse_text(s)?,
        v => v.clone(),
    };
    luoshi_app::date_bounds(&app.db, app.today()).await?.parse("effective_from", &f.effective_from)?;
    let change = RuleChange { value, source: f.source, effective_from: f.effective_from, note: f.note };
    let v = rules::set(&app.db, &ctx.actor()?, &key, &change).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "version": v }), "/rules"))
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::AUTH;
    use axum::http::Method as M;
    use luoshi_domain::access::ADMIN;
    t.add(M::GET, "/rules", AUTH, "rules", "Rules (page)", list)
        .add(M::GET, "/api/v1/rules", AUTH, "rules", "Every rule with the value in force and its source", list)
        .add(M::GET, "/api/v1/rules/{key}", AUTH, "rules", "One rule and all its versions", show)
        .add(M::POST, "/rules/{key}", ADMIN, "rules", "Save a new version of a rule (form)", set)
        .add(M::PUT, "/api/v1/rules/{key}", ADMIN, "rules", "Save a new version of a rule", set)
}
