//! The audit log and its verification.

use crate::error::AppResult;
use crate::extract::Query;
use crate::http::{Ctx, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_domain::i18n::t;
use luoshi_storage::audit;

struct Row {
    /// `chain·seq`: the row's place in its chain.
    place: String,
    when: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    hash: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Row>,
    verdict: String,
    broken: bool,
    next: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    /// `AT-CHAIN-SEQ` of the last row of the previous page.
    before: Option<String>,
}

pub async fn list(ctx: Ctx, State(app): State<AppState>, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    let before = match q.before.as_deref() {
        None | Some("") => None,
        Some(s) => Some(audit::Cursor::parse(s).ok_or_else(|| luoshi_domain::DomainError::invalid("before"))?),
    };
    let rows = audit::recent(&app.db, before, 100).await?;
    let next = if rows.len() == 100 { rows.last().map(|r| audit::Cursor::of(r).to_string()) } else { None };
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "rows": rows, "next_before": next })).into_response());
    }
    let report = audit::verify(&app.db).await?;
    let verdict = match &report.broken {
        None => format!("{} ({})", t(ctx.lang, "audit.ok"), report.checked),
        Some(b) => t(ctx.lang, "audit.broken").replace("{detail}", &format!("{}·{}", b.chain, b.seq)),
    };
    let broken = report.broken.is_some();
    let rows = rows
        .into_iter()
        .map(|r| Row {
            place: format!("{}·{}", r.chain, r.seq),
            when: luoshi_domain::time::format_local(r.at),
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            hash: r.hash.chars().take(12).collect(),
        })
        .collect();
    Ok(render(&AuditPage { chrome: chrome(&ctx, "audit.title", None), rows, verdict, broken, next }))
}

pub async fn verify(State(app): State<AppState>) -> AppResult<Response> {
    let r = audit::verify(&app.db).await?;
    Ok(Json(serde_json::json!({ "ok": r.broken.is_none(), "checked": r.checked, "anchors": r.anchors, "broken": r.broken.map(|b| serde_json::json!({ "chain": b.chain, "seq": b.seq, "reason": b.why })) })).into_response())
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::ADMIN;
    t.add(M::GET, "/audit", ADMIN, "audit", "Audit log (page)", list)
        .add(M::GET, "/api/v1/audit", ADMIN, "audit", "Audit rows, newest first (?before=AT-CHAIN-SEQ)", list)
        .add(M::GET, "/api/v1/audit/verify", ADMIN, "audit", "Walk the hash chain and name the first broken link", verify)
}
