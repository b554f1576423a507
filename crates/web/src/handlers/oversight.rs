//! Who sees what, as data the administrator keeps: the principal county leaders (县委书记,
//! 县长) and each unit's overseeing deputy leader (分管领导). The rule reading them is one
//! (`luoshi_domain::access::Sight`); a change applies at the leader's next request.

use crate::error::AppResult;
use crate::extract::Path;
use crate::http::{Ctx, Input};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_storage::oversight;

/// The principal leaders and every unit's overseer.
pub async fn show(State(app): State<AppState>) -> AppResult<Response> {
    let principals = oversight::principals(&app.db).await?;
    let overseers: Vec<serde_json::Value> =
        oversight::overseers(&app.db).await?.into_iter().map(|(unit, user)| serde_json::json!({ "unit_id": unit, "overseer_id": user })).collect();
    Ok(Json(serde_json::json!({ "principals": principals, "overseers": overseers })).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct OverseerInput {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    pub overseer_id: Option<i64>,
}

/// Set or clear the deputy leader who oversees a unit (分管领导).
pub async fn set_overseer(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<OverseerInput>) -> AppResult<Response> {
    let mut tx = app.db.begin_write().await?;
    oversight::set_overseer(&mut tx, &ctx.actor()?, id, input.overseer_id).await?;
    tx.commit().await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "unit_id": id, "overseer_id": input.overseer_id }), &format!("/units/{id}")))
}

#[derive(Debug, serde::Deserialize)]
pub struct PrincipalInput {
    #[serde(default)]
    pub principal: bool,
}

/// Mark a county leader principal (sees the whole county) or not.
pub async fn set_principal(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<PrincipalInput>) -> AppResult<Response> {
    let mut tx = app.db.begin_write().await?;
    oversight::set_principal(&mut tx, &ctx.actor()?, id, input.principal).await?;
    tx.commit().await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "user_id": id, "principal": input.principal }), "/users"))
}

/// This module's routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{ADMIN, COUNTY_READERS};
    t.add(M::GET, "/api/v1/oversight", COUNTY_READERS, "oversight", "Who sees what: the principal leaders and each unit's overseeing leader (分管领导)", show)
        .add(M::PUT, "/api/v1/units/{id}/overseer", ADMIN, "oversight", "Set or clear the deputy leader who oversees a unit (分管领导)", set_overseer)
        .add(M::POST, "/units/{id}/overseer", ADMIN, "oversight", "Set or clear a unit's overseeing leader (form)", set_overseer)
        .add(
            M::PUT,
            "/api/v1/users/{id}/principal",
            ADMIN,
            "oversight",
            "Mark a county leader principal (县委书记, 县长: sees the whole county) or not",
            set_principal,
        )
}
