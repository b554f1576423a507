//! The project ledger on screen: filters (stage, light, township, industry, leader), counts by
//! stage and light, one line per project with its next target in working days left or overdue,
//! the xlsx import and export; the leader's view of the projects he 包联; the registration form
//! (refused on the same page naming the field, the input kept).

use super::After;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::handlers::duty::days_label;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::projects::register::{self, FundInput, ProjectInput};
use luoshi_app::projects::{io, next_due};
use luoshi_domain::access::Scope;
use luoshi_domain::duty::working_days_left;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::projects::{template, Industry, Investment, Route, Stage};
use luoshi_domain::user::Role;
use luoshi_domain::ErrorCode;
use luoshi_storage::projects::ledger::{self, Filter};
use luoshi_storage::projects::Project;
use luoshi_storage::{calendar, duty, units, users};

/// A project as a line of the ledger.
pub(crate) struct Line {
    pub p: Project,
    pub stage: String,
    pub industry: String,
    /// 剩余N个工作日 / 已逾期N个工作日 to the next target.
    pub days: String,
    pub overdue: bool,
}

pub(crate) async fn lines(app: &AppState, lang: Lang, rows: Vec<Project>) -> AppResult<Vec<Line>> {
    let cal = calendar::load(&app.db).await?;
    let today = luoshi_domain::time::local_date(app.now());
    Ok(rows
        .into_iter()
        .map(|p| {
            let left = next_due(&p).map(|d| working_days_left(&cal, today, luoshi_domain::time::local_date(d - 1)));
            let (days, overdue) = days_label(lang, left);
            Line {
                stage: t(lang, &format!("project_stage.{}", p.stage.as_str())).to_string(),
                industry: t(lang, &format!("industry.{}", p.industry.as_str())).to_string(),
                days,
                overdue,
                p,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "projects/ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    rows: Vec<Line>,
    f: Filter,
    /// The filter as a query string (for the export and the next page).
    query: String,
    by_stage: Vec<(String, String, i64)>,
    by_light: Vec<(String, i64)>,
    townships: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    industries: Vec<(&'static str, String)>,
    next_after: Option<i64>,
    total: i64,
    report: Option<io::Report>,
    errors: Vec<(usize, String, String)>,
    mine: bool,
}

pub(crate) async fn townships(app: &AppState) -> AppResult<Vec<(i64, String)>> {
    let all = units::list(&app.db, &Scope::All).await?;
    Ok(all.into_iter().filter(|u| u.kind == luoshi_domain::unit::UnitKind::Township).map(|u| (u.id, u.name)).collect())
}

pub(crate) async fn leaders(app: &AppState) -> AppResult<Vec<(i64, String)>> {
    let all = users::list(&app.db, &Scope::All).await?;
    Ok(all.into_iter().filter(|(u, _)| u.role == Role::Leader && !u.disabled).map(|(u, _)| (u.id, u.display_name)).collect())
}

fn query_of(f: &Filter) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    let mut add = |k: &str, v: String| {
        if !v.is_empty() {
            out.append_pair(k, &v);
        }
    };
    add("stage", f.stage.clone().unwrap_or_default());
    add("light", f.light.clone().unwrap_or_default());
    add("industry", f.industry.clone().unwrap_or_default());
    add("q", f.q.clone().unwrap_or_default());
    add("township_id", f.township_id.map(|v| v.to_string()).unwrap_or_default());
    add("leader_user_id", f.leader_user_id.map(|v| v.to_string()).unwrap_or_default());
    add("lead_unit_id", f.lead_unit_id.map(|v| v.to_string()).unwrap_or_default());
    out.finish()
}

async fn ledger_page(
    ctx: &Ctx,
    app: &AppState,
    f: Filter,
    after: i64,
    mine: bool,
    report: Option<io::Report>,
    errors: Vec<(usize, String, String)>,
) -> AppResult<LedgerPage> {
    let lang = ctx.lang;
    let sight = duty::resolve(&app.db, &ctx.who()?.sight()).await?;
    let rows = ledger::page(&app.db, &sight, &f, after, super::PAGE).await?;
    let next_after = (rows.len() as i64 == super::PAGE).then(|| rows.last().map(|p| p.id)).flatten();
    let (stages, lights) = ledger::counts(&app.db, &sight, &Filter { stage: None, light: None, ..f.clone() }).await?;
    let total = stages.iter().map(|s| s.1).sum();
    let by_stage = Stage::ALL
        .iter()
        .filter_map(|s| {
            stages.iter().find(|x| x.0 == s.as_str()).map(|x| (s.as_str().to_string(), t(lang, &format!("project_stage.{}", s.as_str())).to_string(), x.1))
        })
        .collect();
    let flash = report.as_ref().map(|r| {
        let key = if r.dry_run { "projects.import_checked" } else { "projects.imported" };
        t(lang, key).replace("{c}", &r.created.to_string()).replace("{e}", &r.existing.to_string())
    });
    Ok(LedgerPage {
        chrome: chrome(ctx, if mine { "projects.mine" } else { "projects.title" }, flash),
        rows: lines(app, lang, rows).await?,
        query: query_of(&f),
        f,
        by_stage,
        by_light: lights,
        townships: townships(app).await?,
        leaders: leaders(app).await?,
        industries: Industry::ALL.iter().map(|i| (i.as_str(), t(lang, &format!("industry.{}", i.as_str())).to_string())).collect(),
        next_after,
        total,
        report,
        errors,
        mine,
    })
}

pub async fn list(ctx: Ctx, State(app): State<AppState>, Query(f): Query<Filter>, Query(a): Query<After>) -> AppResult<Response> {
    Ok(render(&ledger_page(&ctx, &app, f, a.after.unwrap_or(0), false, None, Vec::new()).await?))
}

/// The leader's view: the projects he 包联 (anyone else: those his unit leads).
pub async fn mine(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    let f = if who.role == Some(Role::Leader) {
        Filter { leader_user_id: who.user_id, ..Filter::default() }
    } else {
        Filter { lead_unit_id: who.unit_id, ..Filter::default() }
    };
    Ok(render(&ledger_page(&ctx, &app, f, 0, true, None, Vec::new()).await?))
}

/// The import form: checked (and written unless "check only"), the outcome or every problem
/// by row and column on the ledger's page.
pub async fn import_form(ctx: Ctx, State(app): State<AppState>, form: Multipart) -> AppResult<Response> {
    let (name, bytes, dry_run) = crate::handlers::ledger_upload(form).await?;
    let result = io::import(&app.db, &ctx.who()?, &bytes, &name, dry_run, app.now()).await?;
    let (status, report, errors) = match result {
        Ok(r) => (StatusCode::OK, Some(r), Vec::new()),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, crate::handlers::row_errors(ctx.lang, &e)),
    };
    Ok((status, render(&ledger_page(&ctx, &app, Filter::default(), 0, false, report, errors).await?)).into_response())
}

#[derive(Template)]
#[template(path = "projects/new.html")]
pub(crate) struct NewPage {
    pub chrome: Chrome,
    pub form: Form,
    pub error: Option<String>,
    pub options: Options,
    /// Editing this project (the form posts to its edit route), else registering one.
    pub edit: Option<(i64, i64)>,
}

/// What the form's selects offer.
pub(crate) struct Options {
    pub units: Vec<(i64, String)>,
    pub townships: Vec<(i64, String)>,
    pub leaders: Vec<(i64, String)>,
    pub industries: Vec<(&'static str, String)>,
    pub investments: Vec<(&'static str, String)>,
    pub routes: Vec<(&'static str, String)>,
    pub templates: Vec<(String, String)>,
    pub stages: Vec<(&'static str, String)>,
}

pub(crate) async fn options(app: &AppState, lang: Lang) -> AppResult<Options> {
    let label = |p: &str, c: &str| t(lang, &format!("{p}.{c}")).to_string();
    Ok(Options {
        units: units::list(&app.db, &Scope::All)
            .await?
            .into_iter()
            .filter(|u| u.kind == luoshi_domain::unit::UnitKind::Department)
            .map(|u| (u.id, u.name))
            .collect(),
        townships: townships(app).await?,
        leaders: leaders(app).await?,
        industries: Industry::ALL.iter().map(|i| (i.as_str(), label("industry", i.as_str()))).collect(),
        investments: Investment::ALL.iter().map(|i| (i.as_str(), label("investment", i.as_str()))).collect(),
        routes: Route::ALL.iter().map(|i| (i.as_str(), label("route", i.as_str()))).collect(),
        templates: template::shipped()?.into_iter().map(|x| (x.code, if lang == Lang::ZhCn { x.zh } else { x.en })).collect(),
        stages: Stage::PIPELINE.iter().map(|s| (s.as_str(), label("project_stage", s.as_str()))).collect(),
    })
}

/// The form as typed: the project, its funding sources as three rows of fields.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct Form {
    #[serde(flatten)]
    pub p: ProjectInput,
    #[serde(default)]
    pub fund_source_1: String,
    #[serde(default)]
    pub fund_planned_1: String,
    #[serde(default)]
    pub fund_in_place_1: String,
    #[serde(default)]
    pub fund_source_2: String,
    #[serde(default)]
    pub fund_planned_2: String,
    #[serde(default)]
    pub fund_in_place_2: String,
    #[serde(default)]
    pub fund_source_3: String,
    #[serde(default)]
    pub fund_planned_3: String,
    #[serde(default)]
    pub fund_in_place_3: String,
}

impl Form {
    /// A project's form, its funding sources in the rows.
    pub(crate) fn of(p: ProjectInput) -> Form {
        let fund = |i: usize| p.funds.get(i).cloned().unwrap_or_default();
        let (f1, f2, f3) = (fund(0), fund(1), fund(2));
        Form {
            fund_source_1: f1.source,
            fund_planned_1: f1.planned_wan,
            fund_in_place_1: f1.in_place_wan,
            fund_source_2: f2.source,
            fund_planned_2: f2.planned_wan,
            fund_in_place_2: f2.in_place_wan,
            fund_source_3: f3.source,
            fund_planned_3: f3.planned_wan,
            fund_in_place_3: f3.in_place_wan,
            p,
        }
    }
    pub(crate) fn input(&self) -> ProjectInput {
        let funds = self.fund_rows().into_iter().map(|(_, source, planned_wan, in_place_wan)| FundInput { source, planned_wan, in_place_wan }).collect();
        ProjectInput { funds, ..self.p.clone() }
    }
    /// The three funding-source rows of the form: (number, source, planned, in place).
    pub(crate) fn fund_rows(&self) -> Vec<(usize, String, String, String)> {
        vec![
            (1, self.fund_source_1.clone(), self.fund_planned_1.clone(), self.fund_in_place_1.clone()),
            (2, self.fund_source_2.clone(), self.fund_planned_2.clone(), self.fund_in_place_2.clone()),
            (3, self.fund_source_3.clone(), self.fund_planned_3.clone(), self.fund_in_place_3.clone()),
        ]
    }
}

pub async fn new_form(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let form = Form::of(ProjectInput { investment: "enterprise".into(), route: "filing".into(), ..ProjectInput::default() });
    Ok(render(&NewPage { chrome: chrome(&ctx, "projects.new", None), form, error: None, options: options(&app, ctx.lang).await?, edit: None }))
}

pub async fn create(ctx: Ctx, State(app): State<AppState>, Input(form): Input<Form>) -> AppResult<Response> {
    match register::create(&app.db, &ctx.who()?, &form.input(), app.now()).await.map_err(AppError::from) {
        Ok(p) => Ok(Redirect::to(&format!("/projects/{}?done=register", p.id)).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::NotFound) => {
            let page = NewPage {
                chrome: chrome(&ctx, "projects.new", None),
                error: Some(error_message(ctx.lang, &e)),
                options: options(&app, ctx.lang).await?,
                form,
                edit: None,
            };
            let status = if e.code == ErrorCode::Forbidden { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok((status, render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(M::GET, "/projects", R, "projects", "重大项目台账 with its filters, counts, import and export (page)", list)
        .add(M::GET, "/projects/mine", R, "projects", "The projects the caller 包联 (a leader) or his unit leads (page)", mine)
        .add(M::GET, "/projects/new", R, "projects", "The form to register a project (page)", new_form)
        .add(M::POST, "/projects", R, "projects", "Register a project (form)", create)
        .add(M::POST, "/projects/import", R, "projects", "Import the project ledger (multipart form; all rows or none)", import_form)
        .add(M::GET, "/projects/export.xlsx", R, "projects", "The project ledger as xlsx", super::export)
}
