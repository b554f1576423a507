//! Units: the tree, one unit, create and change, import and export.

use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_domain::access::Scope;
use luoshi_domain::i18n::{error_message, t};
use luoshi_domain::unit::{Unit, UnitInput, UnitKind};
use luoshi_domain::unit_import::{self, RowError, COLUMNS};
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_ledger::Format;
use luoshi_storage::units::{self, ImportCounts};
use luoshi_storage::{users, Actor, Db};

struct Row {
    id: i64,
    depth: i64,
    indent: String,
    name: String,
    short_name: String,
    kind: String,
    code: String,
    leader: String,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    chrome: Chrome,
    units: Vec<Row>,
    kinds: Vec<(&'static str, String)>,
    admin: bool,
}

/// Units in tree order (each parent followed by its subtree).
fn tree_order(units: Vec<Unit>) -> Vec<Unit> {
    let mut out = Vec::with_capacity(units.len());
    let ids: std::collections::HashSet<i64> = units.iter().map(|u| u.id).collect();
    fn walk(parent: Option<i64>, all: &[Unit], out: &mut Vec<Unit>) {
        for u in all.iter().filter(|u| u.parent_id == parent) {
            out.push(u.clone());
            walk(Some(u.id), all, out);
        }
    }
    // Roots of the visible part: units whose parent is not visible.
    let roots: Vec<Option<i64>> = units.iter().filter(|u| u.parent_id.is_none_or(|p| !ids.contains(&p))).map(|u| u.parent_id).collect();
    let mut seen_roots = Vec::new();
    for r in roots {
        if !seen_roots.contains(&r) {
            seen_roots.push(r);
            walk(r, &units, &mut out);
        }
    }
    out
}

pub async fn list(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let all = tree_order(units::list(&app.db, &scope).await?);
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "units": all })).into_response());
    }
    let lang = ctx.lang;
    let base = all.iter().map(|u| u.depth).min().unwrap_or(0);
    let rows = all
        .iter()
        .map(|u| Row {
            id: u.id,
            depth: u.depth - base,
            indent: "\u{3000}".repeat(usize::try_from(u.depth - base).unwrap_or(0)),
            name: u.name.clone(),
            short_name: u.short_name.clone().unwrap_or_default(),
            kind: t(lang, &format!("kind.{}", u.kind.as_str())).to_string(),
            code: u.code.clone().unwrap_or_default(),
            leader: u.leader.clone().unwrap_or_default(),
        })
        .collect();
    let kinds = UnitKind::ALL.iter().map(|k| (k.as_str(), t(lang, &format!("kind.{}", k.as_str())).to_string())).collect();
    let admin = ctx.user()?.user.role == Role::Admin;
    Ok(render(&UnitsPage { chrome: chrome(&ctx, "units.title", None), units: rows, kinds, admin }))
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    chrome: Chrome,
    unit: Unit,
    kind_label: String,
    parent: Option<(i64, String)>,
    children: Vec<(i64, String)>,
    people: Vec<(String, String, String)>,
    admin: bool,
    /// 分管领导: the deputy leader who oversees the unit, and the leaders to choose from.
    overseer: Option<(i64, String)>,
    leaders: Vec<(i64, String)>,
}

pub async fn show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let unit = units::get_in_scope(&app.db, &scope, id).await?;
    let visible = units::list(&app.db, &Scope::Subtree(unit.path.clone())).await?;
    let children: Vec<&Unit> = visible.iter().filter(|u| u.parent_id == Some(id)).collect();
    let people: Vec<_> = users::list(&app.db, &Scope::Subtree(unit.path.clone())).await?.into_iter().filter(|(u, _)| u.unit_id == id).map(|(u, _)| u).collect();
    let parent = match unit.parent_id {
        Some(p) => units::get(&app.db, p).await?.filter(|u| scope.covers(&u.path)).map(|u| (u.id, u.name)),
        None => None,
    };
    if ctx.want == Want::Json {
        let people: Vec<_> = people.iter().map(|u| serde_json::json!({ "id": u.id, "display_name": u.display_name, "role": u.role })).collect();
        return Ok(Json(serde_json::json!({ "unit": unit, "parent": parent.map(|p| p.0), "children": children, "users": people })).into_response());
    }
    let lang = ctx.lang;
    let leaders: Vec<(i64, String)> = users::list(&app.db, &Scope::All)
        .await?
        .into_iter()
        .map(|(u, _)| u)
        .filter(|u| u.role == Role::Leader && !u.disabled)
        .map(|u| (u.id, u.display_name))
        .collect();
    let overseer_id = luoshi_storage::oversight::overseers(&app.db).await?.into_iter().find(|(u, _)| *u == id).map(|(_, l)| l);
    let overseer = overseer_id.and_then(|o| leaders.iter().find(|(l, _)| *l == o).cloned());
    let mut c = chrome(&ctx, "units.title", None);
    c.title.clone_from(&unit.name);
    let page = UnitPage {
        chrome: c,
        kind_label: t(lang, &format!("kind.{}", unit.kind.as_str())).to_string(),
        parent,
        children: children.iter().map(|u| (u.id, u.name.clone())).collect(),
        people: people.iter().map(|u| (u.display_name.clone(), u.username.clone(), t(lang, &format!("role.{}", u.role.as_str())).to_string())).collect(),
        admin: ctx.user()?.user.role == Role::Admin,
        unit,
        overseer,
        leaders,
    };
    Ok(render(&page))
}

pub async fn create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<UnitInput>) -> AppResult<Response> {
    let new = input.validate()?;
    let mut tx = app.db.begin_write().await?;
    let unit = units::create(&mut tx, &ctx.actor()?, &new).await?;
    tx.commit().await?;
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({ "unit": unit }), &format!("/units/{}", unit.id)))
}

pub async fn update(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<UnitInput>) -> AppResult<Response> {
    let new = input.validate()?;
    let mut tx = app.db.begin_write().await?;
    let unit = units::update(&mut tx, &ctx.actor()?, id, &new).await?;
    tx.commit().await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "unit": unit }), &format!("/units/{id}")))
}

async fn export_rows(ctx: &Ctx, db: &Db) -> AppResult<Vec<[String; 6]>> {
    let all = tree_order(units::list(db, &ctx.scope()?).await?);
    Ok(unit_import::export_rows(&all))
}

fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"units.{}\"; filename*=UTF-8''{}", name.rsplit('.').next().unwrap_or("bin"), percent(name));
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

fn percent(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

pub async fn export_xlsx(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let rows = export_rows(&ctx, &app.db).await?;
    let bytes = luoshi_ledger::write_xlsx("单位", &COLUMNS, &rows)?;
    Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "单位表.xlsx", bytes))
}

pub async fn export_csv(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let rows = export_rows(&ctx, &app.db).await?;
    let bytes = luoshi_ledger::write_csv(&COLUMNS, &rows)?;
    Ok(attachment("text/csv; charset=utf-8", "单位表.csv", bytes))
}

/// Read, plan and (unless `dry_run`) apply an import in one transaction. Either every row is
/// valid and written, or nothing is written and every problem is returned.
pub async fn import_units(db: &Db, actor: &Actor, bytes: &[u8], file_name: &str, dry_run: bool) -> AppResult<Result<ImportCounts, Vec<RowError>>> {
    let rows = match luoshi_ledger::read_units(bytes, Format::detect(file_name, bytes)) {
        Ok(r) => r,
        Err(errors) => return Ok(Err(errors)),
    };
    let existing = units::list(db, &Scope::All).await?;
    let plan = match unit_import::plan(&existing, &rows) {
        Ok(p) => p,
        Err(errors) => return Ok(Err(errors)),
    };
    let counts = ImportCounts {
        created: plan.iter().filter(|p| p.existing.is_none()).count(),
        updated: plan.iter().filter(|p| p.existing.is_some() && !p.unchanged).count(),
        unchanged: plan.iter().filter(|p| p.unchanged).count(),
    };
    if dry_run || counts.created + counts.updated == 0 {
        return Ok(Ok(counts));
    }
    let mut tx = db.begin_write().await?;
    let applied = units::apply_import(&mut tx, actor, &plan).await?;
    tx.audit(
        actor,
        "unit.import",
        "unit",
        "*",
        None,
        Some(&serde_json::json!({ "file": file_name, "rows": rows.len(), "created": applied.created, "updated": applied.updated })),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(applied))
}

fn row_errors_json(ctx: &Ctx, errors: &[RowError]) -> serde_json::Value {
    let rows: Vec<_> = errors
        .iter()
        .map(|e| serde_json::json!({ "row": e.row, "column": e.column, "code": e.code, "field": e.field, "message": error_message(ctx.lang, &e.as_domain()) }))
        .collect();
    let first = errors.first().map(RowError::as_domain).unwrap_or_else(|| DomainError::new(ErrorCode::Invalid));
    serde_json::json!({ "error": { "code": first.code.as_str(), "field": first.field, "message": error_message(ctx.lang, &first) }, "rows": rows })
}

/// An import's query: check only, and the file's name (for its format).
#[derive(serde::Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    pub(crate) dry_run: bool,
    #[serde(default)]
    pub(crate) name: String,
}

pub async fn import_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<ImportQuery>, body: Bytes) -> AppResult<Response> {
    match import_units(&app.db, &ctx.actor()?, &body, &q.name, q.dry_run).await? {
        Ok(c) => Ok(Json(serde_json::json!({ "dry_run": q.dry_run, "created": c.created, "updated": c.updated, "unchanged": c.unchanged })).into_response()),
        Err(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(row_errors_json(&ctx, &errors))).into_response()),
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    outcome: String,
    counts: ImportCounts,
    errors: Vec<(usize, String, String)>,
}

pub async fn import_form(ctx: Ctx, State(app): State<AppState>, mut form: Multipart) -> AppResult<Response> {
    let bad = || AppError(DomainError::field(ErrorCode::BadFile, "file"));
    let (mut bytes, mut name, mut dry_run) = (Vec::new(), String::new(), false);
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        match field.name() {
            Some("file") => {
                name = field.file_name().unwrap_or("").to_string();
                bytes = field.bytes().await.map_err(|_| bad())?.to_vec();
            }
            Some("dry_run") => dry_run = field.text().await.map_err(|_| bad())? == "true",
            _ => {}
        }
    }
    let result = import_units(&app.db, &ctx.actor()?, &bytes, &name, dry_run).await?;
    let lang = ctx.lang;
    let (outcome, counts, errors) = match result {
        Ok(c) => (t(lang, if dry_run { "units.import_checked" } else { "units.import_ok" }).to_string(), c, Vec::new()),
        Err(errs) => (String::new(), ImportCounts::default(), errs.iter().map(|e| (e.row, e.column.clone(), error_message(lang, &e.as_domain()))).collect()),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&ImportPage { chrome: chrome(&ctx, "units.import", None), outcome, counts, errors })).into_response())
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::AUTH;
    use axum::http::Method as M;
    use luoshi_domain::access::ADMIN;
    t.add(M::GET, "/units", AUTH, "units", "Unit tree (page)", list)
        .add(M::GET, "/api/v1/units", AUTH, "units", "Units the caller may see", list)
        .add(M::POST, "/units", ADMIN, "units", "Create a unit (form)", create)
        .add(M::POST, "/api/v1/units", ADMIN, "units", "Create a unit", create)
        .add(M::GET, "/units/{id}", AUTH, "units", "One unit (page)", show)
        .add(M::GET, "/api/v1/units/{id}", AUTH, "units", "One unit with its children and people", show)
        .add(M::POST, "/units/{id}", ADMIN, "units", "Change a unit (form)", update)
        .add(M::PUT, "/api/v1/units/{id}", ADMIN, "units", "Change a unit", update)
        .add(M::GET, "/units/export.xlsx", AUTH, "units", "Unit list as xlsx", export_xlsx)
        .add(M::GET, "/units/export.csv", AUTH, "units", "Unit list as CSV", export_csv)
        .add(M::GET, "/api/v1/units/export.xlsx", AUTH, "units", "Unit list as xlsx", export_xlsx)
        .add(M::GET, "/api/v1/units/export.csv", AUTH, "units", "Unit list as CSV", export_csv)
        .add(M::POST, "/units/import", ADMIN, "units", "Import a unit list (multipart form)", import_form)
        .add(M::POST, "/api/v1/units/import", ADMIN, "units", "Import a unit list (body: xlsx or CSV; ?dry_run=true to check only)", import_api)
}
