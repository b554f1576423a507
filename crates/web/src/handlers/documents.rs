//! 文件分解 and 权责清单: split a document into its outline and draft tasks, edit the draft and
//! publish it as a directive with tasks; read and edit the responsibility catalogue.

use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use luoshi_app::documents::{self as svc, DraftRow, Split};
use luoshi_domain::doc::Node;
use luoshi_domain::i18n::error_message;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::DirectiveInput;
use luoshi_storage::units;

/// A stretch of the source text; `mark` is the draft task it belongs to.
pub struct Segment {
    pub text: String,
    pub mark: Option<usize>,
}

/// An outline line: depth, label, heading, and the draft task it became (a leaf).
pub struct OutlineLine {
    pub depth: usize,
    pub label: String,
    pub title: String,
    pub task: Option<usize>,
}

/// A draft row on the page, with why it was suggested and what is wrong with it.
pub struct PageRow {
    pub row: DraftRow,
    pub include: bool,
    pub path: String,
    pub why: String,
    pub errors: Vec<String>,
    /// What the clerk should look at (a weak suggestion, a deadline already past, a part left out).
    pub notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "doc_split.html")]
struct SplitPage {
    chrome: Chrome,
    /// Empty before a document is given.
    text: String,
    segments: Vec<Segment>,
    outline: Vec<OutlineLine>,
    rows: Vec<PageRow>,
    directive: DirectiveInput,
    catalogue: String,
    unit_names: Vec<String>,
    year: i32,
    errors: Vec<(usize, String, String)>,
    can_publish: bool,
    /// How the document was read (编码), and what was replaced.
    read_as: String,
}

fn segments(text: &str, spans: &[(usize, usize)]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut at = 0;
    for (i, &(s, e)) in spans.iter().enumerate() {
        if s < at || e > text.len() || s > e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        if s > at {
            out.push(Segment { text: text[at..s].to_string(), mark: None });
        }
        out.push(Segment { text: text[s..e].to_string(), mark: Some(i) });
        at = e;
    }
    if at < text.len() {
        out.push(Segment { text: text[at..].to_string(), mark: None });
    }
    out
}

fn outline_lines(nodes: &[Node], depth: usize, starts: &[usize], out: &mut Vec<OutlineLine>) {
    for n in nodes {
        let task = if n.children.is_empty() { starts.iter().position(|&s| s == n.start) } else { None };
        out.push(OutlineLine { depth, label: n.label.clone(), title: n.title.clone(), task });
        outline_lines(&n.children, depth + 1, starts, out);
    }
}

async fn page(
    ctx: &Ctx,
    app: &AppState,
    split: Option<&Split>,
    rows: Vec<PageRow>,
    directive: DirectiveInput,
    errors: Vec<(usize, String, String)>,
    year: i32,
) -> AppResult<SplitPage> {
    let unit_names = units::list(&app.db, &luoshi_domain::access::Scope::All).await?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
    let read_as = split.map(|s| read_as(ctx, s)).unwrap_or_default();
    let (text, segs, outline, catalogue) = match split {
        Some(s) => {
            let spans: Vec<(usize, usize)> = s.tasks.iter().map(|t| (t.start, t.end)).collect();
            let starts: Vec<usize> = s.tasks.iter().map(|t| t.start).collect();
            let mut lines = Vec::new();
            outline_lines(&s.outline.nodes, 0, &starts, &mut lines);
            (s.text.clone(), segments(&s.text, &spans), lines, s.catalogue.to_string())
        }
        None => Default::default(),
    };
    Ok(SplitPage {
        chrome: chrome(ctx, "doc.split", None),
        text,
        segments: segs,
        outline,
        rows,
        directive,
        catalogue,
        unit_names,
        year,
        errors,
        can_publish: ctx.who()?.is_supervisor(),
        read_as,
    })
}

/// How the document was read, in words: its encoding, the year its deadlines count from, what
/// was replaced, how many parts were left out.
fn read_as(ctx: &Ctx, s: &Split) -> String {
    let mut out = ctx.t("doc.read_as").replace("{encoding}", &s.encoding.to_uppercase()).replace("{year}", &s.year.to_string());
    for n in &s.notes {
        out.push('；');
        out.push_str(n);
    }
    if !s.left_out.is_empty() {
        out.push('；');
        out.push_str(&ctx.t("doc.left_out_count").replace("{n}", &s.left_out.len().to_string()));
    }
    out
}

fn new_directive(app: &AppState, split: &Split) -> DirectiveInput {
    DirectiveInput {
        title: split.outline.title.clone().unwrap_or_default().chars().take(200).collect(),
        kind: "meeting".into(),
        issued_on: app.today().to_string(),
        issuer: String::new(),
        doc_no: String::new(),
        source_text: split.text.clone(),
    }
}

fn page_rows(ctx: &Ctx, split: &Split) -> Vec<PageRow> {
    let tasks = split.tasks.iter().map(|t| {
        let mut notes = Vec::new();
        if t.lead.as_ref().is_some_and(|l| l.weak) {
            notes.push(ctx.t("doc.weak"));
        }
        if t.past {
            notes.push(ctx.t("doc.past").replace("{date}", &t.deadline.map(|d| d.to_string()).unwrap_or_default()));
        }
        let why = match &t.lead {
            Some(l) if l.named => format!("{} · {}", ctx.t("doc.named"), l.words.join("、")).trim_end_matches(" · ").to_string(),
            Some(l) => format!("{} {:.0}% · {}", l.unit, l.confidence * 100.0, l.words.join("、")),
            None => String::new(),
        };
        PageRow { row: DraftRow::of(t), include: true, path: t.path.join(" › "), why, errors: Vec::new(), notes }
    });
    // What was left out comes last, unticked, with its reason: ticking it takes it back.
    let left = split.left_out.iter().map(|l| PageRow {
        row: DraftRow::of_left_out(&split.text, l),
        include: false,
        path: l.path.join(" › "),
        why: String::new(),
        errors: Vec::new(),
        notes: vec![ctx.t(&format!("doc.left_out.{}", l.reason))],
    });
    tasks.chain(left).collect()
}

/// The empty page: paste or upload.
pub async fn new_page(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let year = app.today().year();
    Ok(render(&page(&ctx, &app, None, Vec::new(), DirectiveInput::default(), Vec::new(), year).await?))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SplitQuery {
    #[serde(default)]
    year: Option<i32>,
}

/// API: the body is the document (text in UTF-8 or GBK/GB18030, or .docx).
pub async fn split_api(State(app): State<AppState>, Query(q): Query<SplitQuery>, body: Bytes) -> AppResult<Response> {
    let year = q.year.unwrap_or_else(|| app.today().year());
    let split = svc::split(&app.db, &body, year, app.today()).await?;
    Ok(Json(split).into_response())
}

/// The form: a pasted text or an uploaded file.
pub async fn split_form(ctx: Ctx, State(app): State<AppState>, mut form: Multipart) -> AppResult<Response> {
    let bad = || AppError(DomainError::field(ErrorCode::BadFile, "file"));
    let (mut text, mut file, mut year) = (String::new(), Vec::new(), app.today().year());
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        match field.name().unwrap_or("") {
            "file" => file = field.bytes().await.map_err(|_| bad())?.to_vec(),
            "text" => text = field.text().await.map_err(|_| bad())?,
            "year" => year = field.text().await.map_err(|_| bad())?.trim().parse().map_err(|_| AppError(DomainError::invalid("year")))?,
            _ => {}
        }
    }
    let bytes = if file.is_empty() { text.into_bytes() } else { file };
    let split = svc::split(&app.db, &bytes, year, app.today()).await?;
    let rows = page_rows(&ctx, &split);
    let directive = new_directive(&app, &split);
    Ok(render(&page(&ctx, &app, Some(&split), rows, directive, Vec::new(), year).await?))
}

/// API body of a publication.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PublishBody {
    #[serde(default)]
    directive: DirectiveInput,
    #[serde(default)]
    tasks: Vec<DraftRow>,
    #[serde(default)]
    dry_run: bool,
}

pub async fn publish_api(ctx: Ctx, State(app): State<AppState>, Input(body): Input<PublishBody>) -> AppResult<Response> {
    match svc::publish(&app.db, &ctx.who()?, &body.directive, &body.tasks, body.dry_run).await? {
        Ok((id, planned)) => {
            let status = if id.is_some() { StatusCode::CREATED } else { StatusCode::OK };
            Ok((status, Json(serde_json::json!({ "dry_run": body.dry_run, "directive_id": id, "tasks": planned.len(), "rows": planned }))).into_response())
        }
        Err(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(super::tasks::row_errors_json(ctx.lang, &errors))).into_response()),
    }
}

/// The page's form: the directive's fields and rows `t{i}_{field}`; unticked rows are left out.
pub async fn publish_form(ctx: Ctx, State(app): State<AppState>, Input(pairs): Input<Vec<(String, String)>>) -> AppResult<Response> {
    let mut directive = DirectiveInput::default();
    let mut rows: Vec<PageRow> = Vec::new();
    let mut year = app.today().year();
    let mut dry_run = false;
    for (k, v) in pairs {
        if let Some((i, field)) = k.strip_prefix('t').and_then(|r| r.split_once('_')).and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f))) {
            if i >= 2000 {
                return Err(AppError(DomainError::field(ErrorCode::TooLarge, "tasks").with_detail("2000")));
            }
            while rows.len() <= i {
                rows.push(PageRow { row: DraftRow::default(), include: false, path: String::new(), why: String::new(), errors: Vec::new(), notes: Vec::new() });
            }
            let r = &mut rows[i];
            match field {
                "include" => r.include = v == "on" || v == "true",
                "title" => r.row.title = v,
                "measures" => r.row.measures = v,
                "leader" => r.row.leader = v,
                "lead_unit" => r.row.lead_unit = v,
                "co_units" => r.row.co_units = v,
                "deadline" => r.row.deadline = v,
                "remarks" => r.row.remarks = v,
                "path" => r.path = v,
                "why" => r.why = v,
                _ => {}
            }
            continue;
        }
        match k.as_str() {
            "title" => directive.title = v,
            "kind" => directive.kind = v,
            "issued_on" => directive.issued_on = v,
            "issuer" => directive.issuer = v,
            "doc_no" => directive.doc_no = v,
            "source_text" => directive.source_text = v,
            "year" => year = v.trim().parse().map_err(|_| AppError(DomainError::invalid("year")))?,
            "dry_run" => dry_run = v == "true",
            _ => {}
        }
    }
    let chosen: Vec<(usize, DraftRow)> = rows.iter().enumerate().filter(|(_, r)| r.include).map(|(i, r)| (i, r.row.clone())).collect();
    let drafts: Vec<DraftRow> = chosen.iter().map(|(_, r)| r.clone()).collect();
    let result = svc::publish(&app.db, &ctx.who()?, &directive, &drafts, dry_run).await?;
    let errors = match result {
        Ok((Some(id), _)) => return Ok(axum::response::Redirect::to(&format!("/directives/{id}?done=published")).into_response()),
        Ok((None, _)) => Vec::new(),
        Err(errs) => errs,
    };
    // Errors count the published rows from 1; show them on the page's own rows.
    let mut table = Vec::new();
    for e in &errors {
        let msg = error_message(ctx.lang, &e.as_domain());
        let page_row = chosen.get(e.row.wrapping_sub(1)).map(|(i, _)| *i);
        if let Some(r) = page_row.and_then(|i| rows.get_mut(i)) {
            r.errors.push(format!("{} {msg}", e.column));
        }
        table.push((page_row.map_or(e.row, |i| i + 1), e.column.clone(), msg));
    }
    let split = svc::split(&app.db, directive.source_text.as_bytes(), year, app.today()).await.ok();
    let flash = errors.is_empty().then(|| ctx.t("doc.checked"));
    let mut p = page(&ctx, &app, split.as_ref(), rows, directive, table, year).await?;
    p.chrome.flash = flash;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&p)).into_response())
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    entries: Vec<luoshi_storage::catalogue::Entry>,
    can_edit: bool,
}

/// 权责清单 (page and API).
pub async fn catalogue(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let entries = svc::catalogue_entries(&app.db).await?;
    if ctx.want == Want::Json {
        let (active, source) = svc::responsibilities(&app.db).await?;
        return Ok(Json(serde_json::json!({ "source": source, "in_force": active, "entries": entries })).into_response());
    }
    let can_edit = ctx.who()?.is_supervisor();
    Ok(render(&CataloguePage { chrome: chrome(&ctx, "doc.catalogue", None), entries, can_edit }))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct KeywordsBody {
    #[serde(default)]
    keywords: String,
}

/// Replace one unit's keywords.
pub async fn catalogue_set(ctx: Ctx, State(app): State<AppState>, Path(unit_id): Path<i64>, Input(b): Input<KeywordsBody>) -> AppResult<Response> {
    let keywords = svc::set_keywords(&app.db, &ctx.who()?, unit_id, &b.keywords).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "unit_id": unit_id, "keywords": keywords }), &format!("/catalogue#u{unit_id}")))
}

/// This module's routes: one line each with its policy and summary (the table in `routes.rs`
/// gathers every module's, so the router, OpenAPI and the authorization matrix see them all).
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::AUTH;
    use axum::http::Method as M;
    use luoshi_domain::access::{DIRECTIVE_WRITERS, SUPERVISORS};
    t.add(M::GET, "/documents/new", DIRECTIVE_WRITERS, "documents", "Split a document into draft tasks (page)", new_page)
        .add(M::POST, "/documents/split", DIRECTIVE_WRITERS, "documents", "Split a pasted or uploaded document (multipart form)", split_form)
        .add(
            M::POST,
            "/api/v1/documents/split",
            DIRECTIVE_WRITERS,
            "documents",
            "Split a document (body: text in UTF-8 or GBK/GB18030, or .docx; ?year=): outline with spans and draft tasks",
            split_api,
        )
        .add(M::POST, "/documents/publish", SUPERVISORS, "documents", "Publish the edited draft as a directive with tasks (form)", publish_form)
        .add(
            M::POST,
            "/api/v1/documents/publish",
            SUPERVISORS,
            "documents",
            "Publish draft rows {directive, tasks: [{title, measures, leader, lead_unit, co_units, deadline, remarks}], dry_run} as a directive",
            publish_api,
        )
        .add(M::GET, "/catalogue", AUTH, "documents", "权责清单: each unit's keywords (page)", catalogue)
        .add(M::GET, "/api/v1/catalogue", AUTH, "documents", "权责清单: each unit's keywords, and which catalogue is in force", catalogue)
        .add(M::POST, "/catalogue/{id}", SUPERVISORS, "documents", "Replace a unit's keywords (form)", catalogue_set)
        .add(M::PUT, "/api/v1/catalogue/{id}", SUPERVISORS, "documents", "Replace a unit's keywords {keywords: one per line or separated by 、}", catalogue_set)
}
