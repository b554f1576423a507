//! The enterprise ledger over HTTP: the list with its xlsx import and export, an enterprise's
//! page with its history (risk points, inspections, hazards) and the forms of who keeps it, the
//! merge of a duplicate, and the county's risk map drawn on the server.

use super::DoneQuery;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use luoshi_app::hazards::enterprise_ledger::{self as ledger, COLUMNS};
use luoshi_app::hazards::risks::{self, RiskInput};
use luoshi_app::hazards::{enterprise_view, EnterpriseView};
use luoshi_domain::hazards::{industry_label, ControlLevel, RiskLevel};
use luoshi_domain::i18n::{error_message, t};
use luoshi_domain::{DomainError, ErrorCode};

#[derive(Template)]
#[template(path = "hazards/enterprises.html")]
struct ListPage {
    chrome: Chrome,
    /// (id, name, industry, regulator, flags).
    rows: Vec<(i64, String, String, String, String)>,
    q: String,
    total: usize,
    report: Option<ledger::Report>,
    errors: Vec<(usize, String, String)>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
}

async fn list_page(ctx: &Ctx, app: &AppState, q: &str, report: Option<ledger::Report>, errors: Vec<(usize, String, String)>) -> AppResult<ListPage> {
    let who = ctx.who()?;
    let path = (!who.is_supervisor() && who.role != Some(luoshi_domain::user::Role::Leader)).then_some(who.unit_path.as_str());
    let all = luoshi_storage::hazards::enterprises(&app.db, path, 100_000).await?;
    let total = all.len();
    let needle = q.trim();
    let rows = all
        .into_iter()
        .filter(|e| needle.is_empty() || e.name.contains(needle) || e.credit_code.as_deref() == Some(needle))
        .take(200)
        .map(|e| (e.id, e.name, industry_label(&e.industry), e.regulator_name, e.flags.replace(',', "、")))
        .collect();
    let flash = report.as_ref().map(|r| {
        let key = if r.dry_run { "enterprises.checked" } else { "enterprises.imported" };
        t(ctx.lang, key).replace("{c}", &r.created.to_string()).replace("{u}", &r.updated.to_string()).replace("{m}", &r.merged.len().to_string())
    });
    Ok(ListPage { chrome: chrome(ctx, "enterprises.title", flash), rows, q: q.to_string(), total, report, errors })
}

pub async fn list(ctx: Ctx, State(app): State<AppState>, Query(q): Query<ListQuery>) -> AppResult<Response> {
    Ok(render(&list_page(&ctx, &app, &q.q, None, Vec::new()).await?))
}

/// The import form: the ledger checked (and written unless "check only"), the outcome or every
/// problem by row and column on the same page.
pub async fn import_form(ctx: Ctx, State(app): State<AppState>, form: Multipart) -> AppResult<Response> {
    let (name, bytes, dry_run) = crate::handlers::ledger_upload(form).await?;
    let result = ledger::import(&app.db, &ctx.who()?, &bytes, &name, dry_run, app.now()).await?;
    let (status, report, errors) = match result {
        Ok(r) => (StatusCode::OK, Some(r), Vec::new()),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, crate::handlers::row_errors(ctx.lang, &e)),
    };
    Ok((status, render(&list_page(&ctx, &app, "", report, errors).await?)).into_response())
}

pub async fn import_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<crate::handlers::units::ImportQuery>, body: Bytes) -> AppResult<Response> {
    match ledger::import(&app.db, &ctx.who()?, &body, &q.name, q.dry_run, app.now()).await? {
        Ok(r) => Ok(Json(r).into_response()),
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(crate::handlers::tasks::row_errors_json(ctx.lang, &e))).into_response()),
    }
}

pub async fn export(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let rows = ledger::export_rows(&app.db, &ctx.who()?).await?;
    Ok(crate::handlers::tasks::xlsx("生产经营单位台账", luoshi_ledger::write_xlsx("生产经营单位", &COLUMNS, &rows)?))
}

#[derive(Template)]
#[template(path = "hazards/enterprise.html")]
struct EnterprisePage {
    chrome: Chrome,
    v: EnterpriseView,
    industry: String,
    /// 重大危险源等级 in words (一级 … 四级), empty for none.
    source_level: String,
    /// (id, name, level label, level, measures, control level label).
    risks: Vec<(i64, String, String, &'static str, String, String)>,
    levels: Vec<(&'static str, String)>,
    control_levels: Vec<(&'static str, String)>,
    /// (id, description, state, grade).
    hazards: Vec<(i64, String, String, String)>,
    form: RiskInput,
    error: Option<String>,
}

async fn enterprise_page(ctx: &Ctx, app: &AppState, id: i64, form: RiskInput, error: Option<String>, flash: Option<String>) -> AppResult<EnterprisePage> {
    let lang = ctx.lang;
    let v = enterprise_view(&app.db, &ctx.who()?, id).await?;
    let mut c = chrome(ctx, "enterprises.page", flash);
    c.title = v.enterprise.name.clone();
    let risks = v
        .risks
        .iter()
        .map(|r| {
            let level = t(lang, &format!("risk_level.{}", r.level.as_str())).to_string();
            (r.id, r.name.clone(), level, r.level.as_str(), r.measures.clone(), t(lang, &format!("control_level.{}", r.responsible_level.as_str())).to_string())
        })
        .collect();
    let hazards = v
        .hazards
        .iter()
        .map(|h| {
            let grade =
                h.grade.map(|g| t(lang, &format!("hazard_grade.{}", g.as_str())).to_string()).unwrap_or_else(|| t(lang, "hazards.ungraded").to_string());
            (h.id, h.description.clone(), t(lang, &format!("hazard_state.{}", h.state.as_str())).to_string(), grade)
        })
        .collect();
    Ok(EnterprisePage {
        chrome: c,
        industry: industry_label(&v.enterprise.industry),
        source_level: luoshi_domain::hazards::source_level_label(v.enterprise.hazard_source_level).to_string(),
        risks,
        levels: RiskLevel::ALL.iter().map(|l| (l.as_str(), t(lang, &format!("risk_level.{}", l.as_str())).to_string())).collect(),
        control_levels: ControlLevel::ALL.iter().map(|l| (l.as_str(), t(lang, &format!("control_level.{}", l.as_str())).to_string())).collect(),
        hazards,
        form,
        error,
        v,
    })
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let flash = match q.done.as_str() {
        "" => None,
        key => Some(t(ctx.lang, &format!("enterprises.done_{key}")).to_string()),
    };
    let form = RiskInput { level: "general".into(), responsible_level: "workshop".into(), ..RiskInput::default() };
    Ok(render(&enterprise_page(&ctx, &app, id, form, None, flash).await?))
}

pub async fn view_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(enterprise_view(&app.db, &ctx.who()?, id).await?).into_response())
}

/// Add a risk point from the page: back to it saying so, or the same form with the problem named.
pub async fn add_risk_form(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<RiskInput>) -> AppResult<Response> {
    match risks::add(&app.db, &ctx.who()?, id, &input, app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/hazards/enterprises/{id}?done=risk")).into_response()),
        Err(luoshi_storage::StoreError::Domain(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&enterprise_page(&ctx, &app, id, input, Some(msg), None).await?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_risk_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<RiskInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(risks::add(&app.db, &ctx.who()?, id, &input, app.now()).await?)).into_response())
}

pub async fn remove_risk(ctx: Ctx, State(app): State<AppState>, Path((id, risk)): Path<(i64, i64)>) -> AppResult<Response> {
    risks::remove(&app.db, &ctx.who()?, id, risk).await?;
    if ctx.want == crate::http::Want::Json {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Redirect::to(&format!("/hazards/enterprises/{id}?done=risk_removed")).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct MergeInput {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    from: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    into: Option<i64>,
    /// From the page: the credit code of the enterprise that stays.
    #[serde(default)]
    into_code: String,
}

impl MergeInput {
    fn target(&self) -> ledger::Into {
        match self.into {
            Some(i) => ledger::Into::Id(i),
            None => ledger::Into::Code(self.into_code.clone()),
        }
    }
}

pub async fn merge_api(ctx: Ctx, State(app): State<AppState>, Input(m): Input<MergeInput>) -> AppResult<Response> {
    let from = m.from.ok_or_else(|| AppError(DomainError::required("from")))?;
    let into = ledger::merge(&app.db, &ctx.who()?, from, &m.target(), app.now()).await?;
    Ok(Json(serde_json::json!({ "merged": from, "into": into })).into_response())
}

pub async fn merge_form(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(m): Input<MergeInput>) -> AppResult<Response> {
    let into = ledger::merge(&app.db, &ctx.who()?, id, &m.target(), app.now()).await?;
    Ok(Redirect::to(&format!("/hazards/enterprises/{into}?done=merged")).into_response())
}

#[derive(Template)]
#[template(path = "hazards/risk_map.html")]
struct RiskMapPage {
    chrome: Chrome,
    chart: String,
    total: i64,
}

/// The county's risk map: townships down, industries across, each cell painted by its most
/// severe risk and showing how many points it holds.
pub async fn risk_map(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let lang = ctx.lang;
    let m = risks::map(&app.db, &ctx.who()?).await?;
    let none = t(lang, "enterprises.no_township").to_string();
    let rows: Vec<String> = m.townships.iter().map(|(_, n)| if n.is_empty() { none.clone() } else { n.clone() }).collect();
    let cells = m
        .townships
        .iter()
        .map(|(tid, tname)| {
            m.sections
                .iter()
                .map(|s| {
                    let here: Vec<_> = m.cells.iter().filter(|c| c.township_id == *tid && &c.section == s).collect();
                    let worst = here.iter().filter_map(|c| RiskLevel::parse(&c.level)).min_by_key(|l| l.rank())?;
                    let n: i64 = here.iter().map(|c| c.n).sum();
                    let parts: Vec<String> = RiskLevel::ALL
                        .iter()
                        .filter_map(|l| {
                            here.iter().find(|c| c.level == l.as_str()).map(|c| format!("{} {}", t(lang, &format!("risk_level.{}", l.as_str())), c.n))
                        })
                        .collect();
                    let ink = if worst == RiskLevel::General { "#3a3000" } else { "#ffffff" };
                    Some(crate::charts::GridCell {
                        fill: worst.colour(),
                        ink,
                        text: n.to_string(),
                        title: format!("{tname} · {} · {}", industry_label(s), parts.join("，")),
                    })
                })
                .collect()
        })
        .collect::<Vec<Vec<_>>>();
    let legend: Vec<(&str, String)> = RiskLevel::ALL.iter().map(|l| (l.colour(), t(lang, &format!("risk_level.{}", l.as_str())).to_string())).collect();
    let cols: Vec<String> = m.sections.iter().map(|s| luoshi_domain::hazards::section_short(s)).collect();
    let chart = crate::charts::grid(t(lang, "risks.map"), &rows, &cols, &cells, &legend);
    Ok(render(&RiskMapPage { chrome: chrome(&ctx, "risks.map", None), chart, total: m.cells.iter().map(|c| c.n).sum() }))
}

pub async fn risk_map_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(risks::map(&app.db, &ctx.who()?).await?).into_response())
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS;
    t.add(M::GET, "/hazards/enterprises", TASK_READERS, "hazards", "The enterprise ledger with its import and export (page)", list)
        .add(M::POST, "/hazards/enterprises/import", TASK_READERS, "hazards", "Import the enterprise ledger (multipart form; all rows or none)", import_form)
        .add(M::GET, "/hazards/enterprises/export.xlsx", TASK_READERS, "hazards", "The enterprise ledger as xlsx", export)
        .add(M::GET, "/hazards/enterprises/{id}", TASK_READERS, "hazards", "An enterprise with its risk points, inspections and hazards (page)", page)
        .add(M::POST, "/hazards/enterprises/{id}/risks", TASK_READERS, "hazards", "Add a risk point (form)", add_risk_form)
        .add(M::POST, "/hazards/enterprises/{id}/risks/{risk}/remove", TASK_READERS, "hazards", "Remove a risk point (form)", remove_risk)
        .add(M::POST, "/hazards/enterprises/{id}/merge", TASK_READERS, "hazards", "Merge this duplicate into the enterprise with the credit code given (form)", merge_form)
        .add(M::GET, "/hazards/risk-map", TASK_READERS, "hazards", "The county's risk map by township and industry (page, SVG)", risk_map)
        .add(M::GET, "/api/v1/hazards/risk-map", TASK_READERS, "hazards", "Risk points by township, industry section and level", risk_map_api)
        .add(M::GET, "/api/v1/enterprises/export.xlsx", TASK_READERS, "hazards", "The enterprise ledger as xlsx (the columns of the import)", export)
        .add(
            M::POST,
            "/api/v1/enterprises/import",
            TASK_READERS,
            "hazards",
            "Import the enterprise ledger (xlsx or CSV body, ?name=&dry_run=): all rows or none, every problem by row and column; a known credit code updates, two rows with one code merge",
            import_api,
        )
        .add(M::POST, "/api/v1/enterprises/merge", TASK_READERS, "hazards", "Merge a duplicate enterprise {from, into | into_code}: its records move over, it is removed", merge_api)
        .add(M::GET, "/api/v1/enterprises/{id}", TASK_READERS, "hazards", "An enterprise with its risk points, inspections and hazards", view_api)
        .add(
            M::POST,
            "/api/v1/enterprises/{id}/risks",
            TASK_READERS,
            "hazards",
            "Add a risk point {name, level: major|larger|general|low, measures, responsible_level: company|workshop|team|post}",
            add_risk_api,
        )
        .add(M::DELETE, "/api/v1/enterprises/{id}/risks/{risk}", TASK_READERS, "hazards", "Remove a risk point", remove_risk)
}
