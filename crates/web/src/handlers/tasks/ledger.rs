//! The 任务分解表 in Excel: export, and import checked row by row.

use super::*;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::http::Ctx;
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::tasks::ledger;
use luoshi_domain::i18n::{error_message, Lang};
use luoshi_domain::unit_import::RowError;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::DirectiveInput;

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    directive_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    name: String,
    /// The confirmation after a dry run carries the checked file back (hex).
    #[serde(default)]
    file_hex: String,
}

pub async fn ledger_export(ctx: Ctx, State(app): State<AppState>, Query(q): Query<LedgerQuery>) -> AppResult<Response> {
    let directive = opt_id("directive_id", &q.directive_id)?;
    let rows = ledger::export_rows(&app.db, &ctx.who()?, directive).await?;
    Ok(xlsx("任务分解表.xlsx", ledger::export_xlsx(&rows)?))
}

pub(super) fn target(q: &LedgerQuery) -> AppResult<ledger::Target> {
    Ok(match opt_id("directive_id", &q.directive_id)? {
        Some(id) => ledger::Target::Existing(id),
        None => ledger::Target::New(DirectiveInput {
            title: q.title.clone(),
            kind: if q.kind.is_empty() { "document".into() } else { q.kind.clone() },
            issued_on: q.issued_on.clone(),
            issuer: q.issuer.clone(),
            doc_no: String::new(),
            source_text: String::new(),
        }),
    })
}

/// Row-by-row problems of an import as the JSON error body (the first as the error).
pub(crate) fn row_errors_json(lang: Lang, errors: &[RowError]) -> serde_json::Value {
    let rows: Vec<_> = errors
        .iter()
        .map(|e| serde_json::json!({ "row": e.row, "column": e.column, "code": e.code, "field": e.field, "message": error_message(lang, &e.as_domain()) }))
        .collect();
    let first = errors.first().map(RowError::as_domain).unwrap_or_else(|| DomainError::new(ErrorCode::Invalid));
    serde_json::json!({ "error": { "code": first.code.as_str(), "field": first.field, "message": error_message(lang, &first) }, "rows": rows })
}

pub async fn ledger_import(ctx: Ctx, State(app): State<AppState>, Query(q): Query<LedgerQuery>, body: Bytes) -> AppResult<Response> {
    let target = target(&q)?;
    match ledger::import(&app.db, &ctx.who()?, &target, &body, &q.name, q.dry_run).await? {
        Ok((directive_id, planned)) => {
            Ok(Json(serde_json::json!({ "dry_run": q.dry_run, "directive_id": directive_id, "tasks": planned.len(), "rows": planned })).into_response())
        }
        Err(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(row_errors_json(ctx.lang, &errors))).into_response()),
    }
}

#[derive(Template)]
#[template(path = "ledger_import.html")]
pub(super) struct LedgerImportPage {
    chrome: Chrome,
    dry_run: bool,
    directive_id: Option<i64>,
    /// The directive's title, to link it by name.
    directive_title: String,
    planned: Vec<ledger::PlannedTask>,
    errors: Vec<(usize, String, String)>,
    /// After a dry run that passed: the same file and target, to import in one click.
    confirm: Option<LedgerQuery>,
}

/// Files up to this size are carried in the confirmation form (hex doubles them; the body limit is 12 MiB).
const CONFIRM_MAX: usize = 4 * 1024 * 1024;

async fn import_page(ctx: &Ctx, app: &AppState, q: &LedgerQuery, bytes: &[u8]) -> AppResult<Response> {
    let target = target(q)?;
    let result = ledger::import(&app.db, &ctx.who()?, &target, bytes, &q.name, q.dry_run).await?;
    let lang = ctx.lang;
    let (directive_id, planned, errors) = match result {
        Ok((d, p)) => (d, p, Vec::new()),
        Err(errs) => (None, Vec::new(), errs.iter().map(|e| (e.row, e.column.clone(), error_message(lang, &e.as_domain()))).collect()),
    };
    let confirm =
        (q.dry_run && errors.is_empty() && bytes.len() <= CONFIRM_MAX).then(|| LedgerQuery { dry_run: false, file_hex: hex::encode(bytes), ..q.clone() });
    let directive_title = match directive_id {
        Some(id) => luoshi_storage::tasks::get_directive(&app.db, id).await?.map(|d| d.title).unwrap_or_default(),
        None => String::new(),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = LedgerImportPage { chrome: chrome(ctx, "tasks.import", None), dry_run: q.dry_run, directive_id, directive_title, planned, errors, confirm };
    Ok((status, render(&page)).into_response())
}

/// The confirmation after a dry run: the same file imported, checked again.
pub async fn ledger_import_confirm(ctx: Ctx, State(app): State<AppState>, crate::http::Input(c): crate::http::Input<LedgerQuery>) -> AppResult<Response> {
    let bytes = hex::decode(c.file_hex.trim()).map_err(|_| AppError(DomainError::field(ErrorCode::BadFile, "file")))?;
    import_page(&ctx, &app, &LedgerQuery { dry_run: false, ..c }, &bytes).await
}

pub async fn ledger_import_form(ctx: Ctx, State(app): State<AppState>, mut form: Multipart) -> AppResult<Response> {
    let bad = || AppError(DomainError::field(ErrorCode::BadFile, "file"));
    let mut q = LedgerQuery::default();
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            q.name = field.file_name().unwrap_or("").to_string();
            bytes = field.bytes().await.map_err(|_| bad())?.to_vec();
            continue;
        }
        let v = field.text().await.map_err(|_| bad())?;
        match name.as_str() {
            "directive_id" => q.directive_id = v,
            "title" => q.title = v,
            "issued_on" => q.issued_on = v,
            "issuer" => q.issuer = v,
            "kind" => q.kind = v,
            "dry_run" => q.dry_run = v == "true",
            _ => {}
        }
    }
    import_page(&ctx, &app, &q, &bytes).await
}
