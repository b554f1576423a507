//! A task's page and what is done on it: workflow actions, progress reports, extensions,
//! evaluation, attachments.

use super::*;
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
use luoshi_app::tasks::{self as svc, TaskView};
use luoshi_domain::i18n::Lang;
use luoshi_domain::tasks::{Action, ReportInput, EXEMPTION_CONDITIONS};
use luoshi_domain::{DomainError, ErrorCode};

#[derive(Template)]
#[template(path = "task.html")]
pub(super) struct TaskPage {
    chrome: Chrome,
    v: TaskView,
    state: String,
    light: String,
    events: Vec<(String, String, String, String)>,
    deliveries: Vec<crate::handlers::notify::DeliveryRow>,
    /// 剩余N个工作日 / 已逾期N个工作日, and whether it is late.
    days: (String, bool),
    conditions: Vec<(&'static str, &'static str)>,
    /// A form that was refused: shown again with what was typed and why.
    problem: Option<Problem>,
}

/// A refused form on the task page: which one, the sentence, the input as typed.
pub(super) struct Problem {
    form: &'static str,
    message: String,
    field: Option<String>,
    kept: Vec<(String, String)>,
}

impl TaskPage {
    fn can(&self, what: &str) -> bool {
        self.v.can.contains(&what)
    }

    /// Why the form `form` was refused, if it was.
    fn problem_in(&self, form: &str) -> Option<&str> {
        self.problem.as_ref().filter(|p| p.form == form).map(|p| p.message.as_str())
    }

    /// What was typed into `field` of the refused form `form` (else `default`).
    fn kept(&self, form: &str, field: &str, default: &str) -> String {
        match self.problem.as_ref().filter(|p| p.form == form) {
            Some(p) => p.kept.iter().find(|(k, _)| k == field).map_or_else(String::new, |(_, v)| v.clone()),
            None => default.to_string(),
        }
    }

    /// The progress figure as the report form starts from it.
    fn progress(&self) -> String {
        self.v.task.progress.to_string()
    }

    /// Was condition `key` ticked on the refused 容错免责 application?
    fn ticked(&self, key: &str) -> bool {
        self.kept("exemption", &format!("met_{key}"), "") == "on"
    }

    /// Is `field` the one the refused form `form` was refused for (marked on the form)?
    fn wrong(&self, form: &str, field: &str) -> bool {
        self.problem.as_ref().is_some_and(|p| p.form == form && p.field.as_deref() == Some(field))
    }

    /// The conditions of an exemption not yet found met, in words (empty: all are).
    fn unmet(&self, x: &luoshi_storage::tasks::Exemption) -> String {
        luoshi_domain::tasks::unmet_conditions(&x.conditions).iter().map(|k| self.chrome.t(&format!("condition.{k}"))).collect::<Vec<_>>().join("、")
    }
}

/// What the page was sent back after (`?done=`): said at its top.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

impl Done {
    pub(super) fn done(&self) -> &str {
        &self.done
    }
}

/// The sentence saying what an action did, for `?done=` (`assign`, `report`, `exemption_applied` …).
fn done_text(lang: Lang, done: &str) -> Option<String> {
    if done.is_empty() {
        return None;
    }
    let own = format!("task.done.{done}");
    if luoshi_domain::i18n::has(&own) {
        return Some(luoshi_domain::i18n::t(lang, &own).to_string());
    }
    if let Some(state) = done.strip_prefix("exemption_") {
        return Some(luoshi_domain::i18n::t(lang, "exemption.step_done").replace("{state}", &label(lang, "exemption", state)));
    }
    let what = format!("action.{done}");
    luoshi_domain::i18n::has(&what).then(|| luoshi_domain::i18n::t(lang, "task.done").replace("{what}", luoshi_domain::i18n::t(lang, &what)))
}

pub async fn task_show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<Done>) -> AppResult<Response> {
    let who = ctx.who()?;
    let v = svc::view(&app.db, &who, id, app.today()).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::to_value(&v).unwrap_or_default()).into_response());
    }
    Ok(render(&task_page(&ctx, &app, v, &q.done, None).await?))
}

async fn task_page(ctx: &Ctx, app: &AppState, v: TaskView, done: &str, problem: Option<Problem>) -> AppResult<TaskPage> {
    let lang = ctx.lang;
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let events = v
        .events
        .iter()
        .map(|e| {
            let what = label(lang, "event", &e.action);
            let state = match (&e.from_state, &e.to_state) {
                (Some(a), Some(b)) => format!("{} → {}", label(lang, "state", a), label(lang, "state", b)),
                (None, Some(b)) => label(lang, "state", b),
                _ => String::new(),
            };
            (
                luoshi_domain::time::format_local(e.at),
                actors.label(lang, &e.actor),
                what,
                [state, e.note.clone().unwrap_or_default()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" · "),
            )
        })
        .collect();
    let conditions = EXEMPTION_CONDITIONS.iter().map(|(k, zh, en)| (*k, if lang == Lang::En { *en } else { *zh })).collect();
    let mut c = chrome(ctx, "tasks.board", done_text(lang, done));
    c.title.clone_from(&v.task.title);
    let deliveries = crate::handlers::notify::delivery_rows(lang, &v.deliveries);
    let (state, light) = (label(lang, "state", v.task.state.as_str()), label(lang, "light", v.task.light.as_str()));
    let days = match v.task.deadline.as_deref().filter(|_| v.task.state.is_open()) {
        Some(d) => super::days_text(lang, &*luoshi_storage::calendar::load(&app.db).await?, app.today(), d),
        None => (String::new(), false),
    };
    Ok(TaskPage { chrome: c, state, light, events, deliveries, days, conditions, problem, v })
}

/// An action's answer. Done: where it lands. Refused for something the user can mend (not a
/// page out of sight or out of reach): the task page again, the form filled as it was sent and
/// the reason above it; the API keeps its error.
pub(super) async fn answer(
    ctx: &Ctx,
    app: &AppState,
    id: i64,
    form: &'static str,
    kept: Vec<(String, String)>,
    result: AppResult<Response>,
) -> AppResult<Response> {
    match result {
        Err(AppError(e)) if crate::handlers::mendable(ctx, &e) => {
            let status = crate::error::status_of(e.code);
            let v = svc::view(&app.db, &ctx.who()?, id, app.today()).await?;
            let problem = Problem { form, message: luoshi_domain::i18n::error_message(ctx.lang, &e), field: e.field.clone(), kept };
            Ok((status, render(&task_page(ctx, app, v, "", Some(problem)).await?)).into_response())
        }
        other => other,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    /// The version the caller saw (optional).
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    version: Option<i64>,
}

pub async fn task_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ActForm>) -> AppResult<Response> {
    // A task out of the caller's sight answers "not found" before its input is even read.
    svc::visible_task(&app.db, &ctx.who()?, id).await?;
    let result = async {
        let action = if f.action.trim().is_empty() {
            Err(DomainError::required("action"))
        } else {
            Action::parse(&f.action).ok_or_else(|| DomainError::invalid("action"))
        }?;
        let d = svc::act(&app.db, &ctx.who()?, id, action, &f.reason, f.version, app.today()).await?;
        Ok(crate::handlers::done(&ctx, StatusCode::OK, serde_json::json!({ "task": d }), &format!("/tasks/{id}?done={}", action.as_str())))
    }
    .await;
    // The review form (办结/退回) and 申请办结 carry a reason; each is its own form.
    let form = match f.action.as_str() {
        "accept" | "return" => "review",
        "request_closure" => "request_closure",
        _ => "act",
    };
    answer(&ctx, &app, id, form, vec![("reason".into(), f.reason.clone())], result).await
}

pub async fn task_report(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ReportForm>) -> AppResult<Response> {
    svc::visible_task(&app.db, &ctx.who()?, id).await?;
    let typed = match &f.percent {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let kept = vec![("text".into(), f.text.clone()), ("percent".into(), typed)];
    let result = async {
        let percent = match &f.percent {
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().parse().map_err(|_| DomainError::invalid("percent"))?),
            _ => None,
        };
        let d = svc::report(&app.db, &ctx.who()?, id, &ReportInput { text: f.text.clone(), percent, version: f.version }, app.today()).await?;
        Ok(crate::handlers::done(&ctx, StatusCode::OK, serde_json::json!({ "task": d }), &format!("/tasks/{id}?done=report")))
    }
    .await;
    answer(&ctx, &app, id, "report", kept, result).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    percent: serde_json::Value,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    version: Option<i64>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    new_deadline: String,
}

pub async fn task_extension(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ExtensionForm>) -> AppResult<Response> {
    let result = svc::request_extension(&app.db, &ctx.who()?, id, &f.reason, &f.new_deadline, app.today())
        .await
        .map(|ext| crate::handlers::done(&ctx, StatusCode::CREATED, serde_json::json!({ "extension_id": ext }), &format!("/tasks/{id}?done=extension")))
        .map_err(AppError::from);
    answer(&ctx, &app, id, "extension", vec![("reason".into(), f.reason.clone()), ("new_deadline".into(), f.new_deadline.clone())], result).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    approve: serde_json::Value,
    #[serde(default)]
    note: String,
}

pub(super) fn truthy(v: &serde_json::Value) -> AppResult<bool> {
    match v {
        serde_json::Value::Bool(b) => Ok(*b),
        serde_json::Value::String(s) if s == "true" || s == "1" => Ok(true),
        serde_json::Value::String(s) if s == "false" || s == "0" => Ok(false),
        serde_json::Value::Null => Err(DomainError::required("approve").into()),
        _ => Err(DomainError::invalid("approve").into()),
    }
}

pub async fn extension_decide(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<DecisionForm>) -> AppResult<Response> {
    let approve = truthy(&f.approve)?;
    let e = svc::decide_extension(&app.db, &ctx.who()?, id, approve, &f.note, app.today()).await?;
    Ok(crate::handlers::done(&ctx, StatusCode::OK, serde_json::json!({ "extension": e }), &format!("/tasks/{}?done=extension_decided", e.duty_id)))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct EvalForm {
    #[serde(default)]
    grade: String,
    #[serde(default)]
    note: String,
}

pub async fn task_evaluate(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<EvalForm>) -> AppResult<Response> {
    let result = svc::evaluate(&app.db, &ctx.who()?, id, &f.grade, &f.note)
        .await
        .map(|d| crate::handlers::done(&ctx, StatusCode::OK, serde_json::json!({ "task": d }), &format!("/tasks/{id}?done=evaluate")))
        .map_err(AppError::from);
    answer(&ctx, &app, id, "evaluate", vec![("grade".into(), f.grade.clone()), ("note".into(), f.note.clone())], result).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NameQuery {
    #[serde(default)]
    name: String,
}

pub async fn attach_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<NameQuery>, body: Bytes) -> AppResult<Response> {
    let aid = svc::attach(&app.db, &ctx.who()?, id, &q.name, &body).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": aid }))).into_response())
}

pub async fn attach_form(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, req: axum::extract::Request) -> AppResult<Response> {
    let who = ctx.who()?;
    // A task out of sight answers "not found" before the upload is even read.
    svc::visible_task(&app.db, &who, id).await?;
    let bad = || AppError(DomainError::field(ErrorCode::BadFile, "file"));
    let mut form = <Multipart as axum::extract::FromRequest<()>>::from_request(req, &()).await.map_err(|_| bad())?;
    let (mut name, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        if field.name() == Some("file") {
            name = field.file_name().unwrap_or("").to_string();
            bytes = field.bytes().await.map_err(|_| bad())?.to_vec();
        }
    }
    let result = svc::attach(&app.db, &who, id, &name, &bytes)
        .await
        .map(|_| crate::handlers::done(&ctx, StatusCode::CREATED, serde_json::json!({}), &format!("/tasks/{id}?done=attach")))
        .map_err(AppError::from);
    answer(&ctx, &app, id, "attach", Vec::new(), result).await
}

pub async fn attachment_get(ctx: Ctx, State(app): State<AppState>, Path((id, aid)): Path<(i64, i64)>) -> AppResult<Response> {
    let (a, data) = svc::attachment(&app.db, &ctx.who()?, id, aid).await?;
    let ascii: String = a.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    let encoded: String = a.name.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'.' { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
        ],
        data,
    )
        .into_response())
}
