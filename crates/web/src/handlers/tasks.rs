//! 决策落实·督查督办: directives, tasks, the unit inbox, the supervisor's board, the task page
//! and its actions, extensions, 容错免责, incentives, the supervision run, 通报 reports and the
//! 任务分解表 ledger.

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
use luoshi_app::{reports, tasks_ledger, Who};
use luoshi_domain::duty::Light;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::tasks::{Action, Condition, ReportInput, TaskInput, EXEMPTION_CONDITIONS};
use luoshi_domain::unit_import::RowError;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store, DirectiveInput, Duty, Filter};
use luoshi_storage::{units, users};

fn label(lang: Lang, prefix: &str, key: &str) -> String {
    t(lang, &format!("{prefix}.{key}")).to_string()
}

/// A row of a task list, with its labels in the caller's language.
pub struct Row {
    pub d: Duty,
    pub state: String,
    pub light: String,
}

fn rows(lang: Lang, list: Vec<Duty>) -> Vec<Row> {
    list.into_iter().map(|d| Row { state: label(lang, "state", d.state.as_str()), light: label(lang, "light", d.light.as_str()), d }).collect()
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    rows: Vec<Row>,
    counts: Vec<(&'static str, String, i64)>,
    f: BoardQuery,
    units: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    directives: Vec<(i64, String)>,
    next: Option<String>,
    supervisor: bool,
    states: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct BoardQuery {
    #[serde(default)]
    pub light: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub directive_id: String,
    #[serde(default)]
    pub leader_id: String,
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub limit: String,
}

fn opt_id(field: &str, s: &str) -> AppResult<Option<i64>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    s.trim().parse().map(Some).map_err(|_| AppError(DomainError::invalid(field)))
}

impl BoardQuery {
    fn filter(&self, who: &Who) -> AppResult<Filter> {
        if !self.light.is_empty() && Light::parse(&self.light).is_none() {
            return Err(DomainError::invalid("light").into());
        }
        let (after_deadline, after_id) = match self.after.split_once('_') {
            Some((d, i)) => (Some(d.to_string()), Some(i.parse().map_err(|_| DomainError::invalid("after"))?)),
            None => (None, None),
        };
        let mut leader_id = opt_id("leader_id", &self.leader_id)?;
        if self.mine == "1" && who.role == Some(Role::Leader) {
            leader_id = who.user_id;
        }
        Ok(Filter {
            light: (!self.light.is_empty()).then(|| self.light.clone()),
            unit_id: opt_id("unit_id", &self.unit_id)?,
            directive_id: opt_id("directive_id", &self.directive_id)?,
            leader_id,
            term: (!self.term.is_empty()).then(|| self.term.clone()),
            state: (!self.state.is_empty()).then(|| self.state.clone()),
            open: false,
            after_deadline,
            after_id,
            limit: Some(opt_id("limit", &self.limit)?.unwrap_or(50)),
        })
    }
}

/// The supervisor's board (and a leader's or unit's view of what they may see).
pub async fn board(ctx: Ctx, State(app): State<AppState>, Query(q): Query<BoardQuery>) -> AppResult<Response> {
    let who = ctx.who()?;
    let vis = who.visibility();
    let f = q.filter(&who)?;
    let (list, counts) = store::board(&app.db, &vis, &f).await?;
    let limit = f.limit.unwrap_or(50);
    let next = (i64::try_from(list.len()).unwrap_or(0) == limit)
        .then(|| list.last().map(|d| format!("{}_{}", d.deadline.clone().unwrap_or_else(|| "9999".into()), d.id)))
        .flatten();
    if ctx.want == Want::Json {
        let counts: serde_json::Map<String, serde_json::Value> = counts.iter().map(|(l, n)| (l.as_str().to_string(), (*n).into())).collect();
        return Ok(Json(serde_json::json!({ "tasks": list, "counts": counts, "next": next })).into_response());
    }
    let lang = ctx.lang;
    let scope_units = units::list(&app.db, &who.scope()).await?;
    let leaders = users::list(&app.db, &luoshi_domain::access::Scope::All)
        .await?
        .into_iter()
        .filter(|(u, _)| u.role == Role::Leader)
        .map(|(u, _)| (u.id, u.display_name))
        .collect();
    let directives = store::list_directives(&app.db, &vis).await?.into_iter().map(|(d, _)| (d.id, d.title)).collect();
    let page = BoardPage {
        chrome: chrome(&ctx, "tasks.board", None),
        rows: rows(lang, list),
        counts: counts.into_iter().filter(|(l, _)| *l != Light::None).map(|(l, n)| (l.as_str(), label(lang, "light", l.as_str()), n)).collect(),
        f: q,
        units: scope_units.into_iter().map(|u| (u.id, u.name)).collect(),
        leaders,
        directives,
        next,
        supervisor: who.is_supervisor(),
        states: luoshi_domain::tasks::State::ALL.iter().map(|s| (s.as_str(), label(lang, "state", s.as_str()))).collect(),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    rows: Vec<Row>,
    notices: Vec<(store::Notice, String)>,
    review: Vec<Row>,
    extensions: Vec<store::Extension>,
    exemptions: Vec<store::Exemption>,
    supervisor: bool,
    /// The unit's work orders (群众诉求) to sign and answer, soonest limit first.
    appeals: Vec<super::appeals::Row>,
}

/// What the caller must do now: a unit its tasks to sign, report and reply to, sorted by
/// urgency, with the notices its subtree received; the supervision office what waits for review.
pub async fn inbox(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    let p = ctx.user()?;
    let supervisor = who.is_supervisor();
    let (mine, notices) = if p.user.role.unit_scoped() {
        (store::inbox(&app.db, &p.unit_path, 50).await?, store::notices_under(&app.db, &p.unit_path, 30).await?)
    } else if p.user.role == Role::Leader {
        let f = Filter { leader_id: Some(p.user.id), open: true, limit: Some(200), ..Default::default() };
        let mut l = store::list(&app.db, &who.visibility(), &f).await?;
        l.retain(|d| matches!(d.light, Light::Red | Light::Yellow | Light::Blue));
        (l, Vec::new())
    } else {
        (Vec::new(), Vec::new())
    };
    let (review, extensions, exemptions) = if supervisor {
        let f = Filter { state: Some("closure_requested".into()), limit: Some(200), ..Default::default() };
        (store::list(&app.db, &who.visibility(), &f).await?, store::pending_extensions(&app.db).await?, store::open_exemptions(&app.db).await?)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let appeals = luoshi_app::appeals::inbox(&app.db, &who, app.now()).await?;
    if ctx.want == Want::Json {
        let appeals: Vec<_> = appeals.iter().map(|(a, l)| serde_json::json!({ "appeal": a, "light": l })).collect();
        return Ok(Json(
            serde_json::json!({ "tasks": mine, "notices": notices, "review": review, "extensions": extensions, "exemptions": exemptions, "appeals": appeals }),
        )
        .into_response());
    }
    let lang = ctx.lang;
    let cats = luoshi_storage::appeals::categories(&app.db).await?;
    let appeals = appeals.into_iter().map(|(a, l)| super::appeals::row_of(lang, &cats, a, l)).collect();
    let page = InboxPage {
        chrome: chrome(&ctx, "tasks.inbox", None),
        rows: rows(lang, mine),
        notices: notices
            .into_iter()
            .map(|n| {
                let l = label(lang, "notice", n.level.as_str());
                (n, l)
            })
            .collect(),
        review: rows(lang, review),
        extensions,
        exemptions,
        supervisor,
        appeals,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "directives.html")]
struct DirectivesPage {
    chrome: Chrome,
    list: Vec<(store::Directive, i64)>,
    can_create: bool,
    supervisor: bool,
    today: String,
}

pub async fn directives(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let who = ctx.who()?;
    let list = store::list_directives(&app.db, &who.visibility()).await?;
    if ctx.want == Want::Json {
        let out: Vec<_> = list.iter().map(|(d, n)| serde_json::json!({ "directive": d, "tasks": n })).collect();
        return Ok(Json(serde_json::json!({ "directives": out })).into_response());
    }
    let can_create = who.is_supervisor() || who.role == Some(Role::Leader);
    Ok(render(&DirectivesPage {
        chrome: chrome(&ctx, "tasks.directives", None),
        list,
        can_create,
        supervisor: who.is_supervisor(),
        today: app.today().to_string(),
    }))
}

pub async fn directive_create(ctx: Ctx, State(app): State<AppState>, Input(input): Input<DirectiveInput>) -> AppResult<Response> {
    let d = svc::create_directive(&app.db, &ctx.who()?, &input, app.today()).await?;
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({ "directive": d }), &format!("/directives/{}", d.id)))
}

#[derive(Template)]
#[template(path = "directive.html")]
struct DirectivePage {
    chrome: Chrome,
    d: store::Directive,
    rows: Vec<Row>,
    supervisor: bool,
    units: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
}

pub async fn directive_show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let who = ctx.who()?;
    let (d, tasks) = svc::directive(&app.db, &who, id).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "directive": d, "tasks": tasks })).into_response());
    }
    let supervisor = who.is_supervisor();
    let (all_units, leaders) = if supervisor {
        let u = units::list(&app.db, &luoshi_domain::access::Scope::All)
            .await?
            .into_iter()
            .map(|u| (u.id, format!("{}{}", "\u{3000}".repeat(usize::try_from(u.depth).unwrap_or(0)), u.name)))
            .collect();
        let l = users::list(&app.db, &luoshi_domain::access::Scope::All)
            .await?
            .into_iter()
            .filter(|(u, _)| u.role == Role::Leader)
            .map(|(u, _)| (u.id, u.display_name))
            .collect();
        (u, l)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut c = chrome(&ctx, "tasks.directives", None);
    c.title.clone_from(&d.title);
    Ok(render(&DirectivePage { chrome: c, d, rows: rows(ctx.lang, tasks), supervisor, units: all_units, leaders }))
}

pub async fn task_create(ctx: Ctx, State(app): State<AppState>, Path(directive_id): Path<i64>, body: Bytes) -> AppResult<Response> {
    store::get_directive(&app.db, directive_id).await?.ok_or_else(|| DomainError::not_found("directive"))?;
    let input: TaskInput = if ctx.want == Want::Json {
        serde_json::from_slice(&body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?
    } else {
        task_from_form(&body)?
    };
    svc::check_dates(&app.db, &input, app.today()).await?;
    let id = svc::create_task(&app.db, &ctx.who()?, Some(directive_id), None, &input).await?;
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({ "id": id }), &format!("/tasks/{id}")))
}

/// HTML forms repeat a field for each selected option; serde_urlencoded takes one value per key.
fn task_from_form(body: &[u8]) -> AppResult<TaskInput> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?;
    let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let ids = |k: &str| -> AppResult<Vec<i64>> {
        pairs.iter().filter(|(x, v)| x == k && !v.is_empty()).map(|(_, v)| v.parse().map_err(|_| AppError(DomainError::invalid(k)))).collect()
    };
    let num = |k: &str| -> AppResult<Option<i64>> { opt_id(k, &get(k)) };
    let mut milestones = Vec::new();
    for i in 1..=4 {
        let date = get(&format!("m{i}_date"));
        if !date.is_empty() {
            let pct: f64 = get(&format!("m{i}_percent")).trim().parse().map_err(|_| DomainError::invalid("milestones"))?;
            milestones.push(luoshi_domain::tasks::MilestoneInput { date, percent: pct, title: String::new() });
        }
    }
    Ok(TaskInput {
        parent_id: num("parent_id")?,
        title: get("title"),
        measures: get("measures"),
        lead_leader_id: num("lead_leader_id")?,
        lead_unit_id: num("lead_unit_id")?.unwrap_or(0),
        responsible_unit_ids: ids("responsible_unit_ids")?,
        cooperating_unit_ids: ids("cooperating_unit_ids")?,
        deadline: get("deadline"),
        deadline_working_days: num("deadline_working_days")?,
        term: get("term"),
        weight: get("weight").trim().parse().ok(),
        milestones,
        remarks: get("remarks"),
        backfill: matches!(get("backfill").trim(), "on" | "true" | "1"),
    })
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    chrome: Chrome,
    v: TaskView,
    state: String,
    light: String,
    events: Vec<(String, String, String, String)>,
    conditions: Vec<(&'static str, &'static str)>,
}

impl TaskPage {
    fn can(&self, what: &str) -> bool {
        self.v.can.contains(&what)
    }
}

pub async fn task_show(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let who = ctx.who()?;
    let v = svc::view(&app.db, &who, id, app.today()).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::to_value(&v).unwrap_or_default()).into_response());
    }
    let lang = ctx.lang;
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
                e.actor.clone(),
                what,
                [state, e.note.clone().unwrap_or_default()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" · "),
            )
        })
        .collect();
    let conditions = EXEMPTION_CONDITIONS.iter().map(|(k, zh, en)| (*k, if lang == Lang::En { *en } else { *zh })).collect();
    let mut c = chrome(&ctx, "tasks.board", None);
    c.title.clone_from(&v.task.title);
    let page =
        TaskPage { chrome: c, state: label(lang, "state", v.task.state.as_str()), light: label(lang, "light", v.task.light.as_str()), events, conditions, v };
    Ok(render(&page))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn task_act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ActForm>) -> AppResult<Response> {
    // A task out of the caller's sight answers "not found" before its input is even read.
    svc::visible_task(&app.db, &ctx.who()?, id).await?;
    let action =
        if f.action.trim().is_empty() { Err(DomainError::required("action")) } else { Action::parse(&f.action).ok_or_else(|| DomainError::invalid("action")) }?;
    let d = svc::act(&app.db, &ctx.who()?, id, action, &f.reason, app.today()).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "task": d }), &format!("/tasks/{id}")))
}

pub async fn task_report(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ReportForm>) -> AppResult<Response> {
    svc::visible_task(&app.db, &ctx.who()?, id).await?;
    let percent = match &f.percent {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().parse().map_err(|_| DomainError::invalid("percent"))?),
        _ => None,
    };
    let d = svc::report(&app.db, &ctx.who()?, id, &ReportInput { text: f.text, percent }, app.today()).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "task": d }), &format!("/tasks/{id}")))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    percent: serde_json::Value,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    new_deadline: String,
}

pub async fn task_extension(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<ExtensionForm>) -> AppResult<Response> {
    let ext = svc::request_extension(&app.db, &ctx.who()?, id, &f.reason, &f.new_deadline, app.today()).await?;
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({ "extension_id": ext }), &format!("/tasks/{id}")))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    approve: serde_json::Value,
    #[serde(default)]
    note: String,
}

fn truthy(v: &serde_json::Value) -> AppResult<bool> {
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
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "extension": e }), &format!("/tasks/{}", e.duty_id)))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ExemptionForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    conditions: Vec<Condition>,
}

/// Conditions from a form: `met_<key>=on` and `evidence_<key>=...`.
fn conditions_from_form(pairs: &[(String, String)]) -> Vec<Condition> {
    EXEMPTION_CONDITIONS
        .iter()
        .map(|(k, _, _)| Condition {
            key: (*k).to_string(),
            met: pairs.iter().any(|(x, v)| x == &format!("met_{k}") && !v.is_empty()),
            evidence: pairs.iter().find(|(x, _)| x == &format!("evidence_{k}")).map(|(_, v)| v.clone()).unwrap_or_default(),
        })
        .collect()
}

fn exemption_input(ctx: &Ctx, body: &[u8]) -> AppResult<(ExemptionForm, Vec<(String, String)>)> {
    if ctx.want == Want::Json {
        let f: ExemptionForm = serde_json::from_slice(body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?;
        Ok((f, Vec::new()))
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| DomainError::invalid("body"))?;
        let reason = pairs.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.clone()).unwrap_or_default();
        let conditions = conditions_from_form(&pairs);
        Ok((ExemptionForm { reason, conditions }, pairs))
    }
}

pub async fn exemption_apply(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, body: Bytes) -> AppResult<Response> {
    svc::visible_task(&app.db, &ctx.who()?, id).await?;
    let (f, _) = exemption_input(&ctx, &body)?;
    let e = svc::apply_exemption(&app.db, &ctx.who()?, id, &f.reason, &f.conditions, app.today()).await?;
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({ "exemption_id": e }), &format!("/tasks/{id}")))
}

pub async fn exemption_step(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, body: Bytes) -> AppResult<Response> {
    let (step, exempt, conditions, note) = if ctx.want == Want::Json {
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?;
        let conditions: Option<Vec<Condition>> =
            v.get("conditions").map(|c| serde_json::from_value(c.clone())).transpose().map_err(|_| DomainError::invalid("conditions"))?;
        (v["step"].as_str().unwrap_or("").to_string(), v["exempt"].as_bool().unwrap_or(false), conditions, v["note"].as_str().unwrap_or("").to_string())
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| DomainError::invalid("body"))?;
        let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let has_conditions = pairs.iter().any(|(k, _)| k.starts_with("evidence_"));
        (get("step"), get("exempt") == "true", has_conditions.then(|| conditions_from_form(&pairs)), get("note"))
    };
    if step.is_empty() {
        return Err(DomainError::required("step").into());
    }
    let e = svc::exemption_step(&app.db, &ctx.who()?, id, &step, exempt, conditions.as_deref(), &note).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "exemption": e }), &format!("/tasks/{}", e.duty_id)))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct IncentiveForm {
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::lenient_i64")]
    unit_id: i64,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    user_id: Option<i64>,
    #[serde(default, deserialize_with = "luoshi_domain::serde_util::opt_i64")]
    duty_id: Option<i64>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
}

pub async fn incentive_create(ctx: Ctx, State(app): State<AppState>, Input(f): Input<IncentiveForm>) -> AppResult<Response> {
    if f.unit_id <= 0 {
        return Err(DomainError::required("unit_id").into());
    }
    let id = svc::add_incentive(&app.db, &ctx.who()?, f.unit_id, f.user_id, f.duty_id, &f.kind, &f.reason).await?;
    let back = f.duty_id.map(|d| format!("/tasks/{d}")).unwrap_or_else(|| "/reports".into());
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({ "id": id }), &back))
}

pub async fn incentives(State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "incentives": store::incentives(&app.db, 200).await? })).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RunQuery {
    #[serde(default)]
    date: String,
    /// `true`: count what a run on `date` would do and write nothing.
    #[serde(default)]
    rehearsal: String,
}

/// Run the supervision engine now (督查): today, written; another date only as a rehearsal.
pub async fn supervise(ctx: Ctx, State(app): State<AppState>, Query(q): Query<RunQuery>) -> AppResult<Response> {
    let date = if q.date.trim().is_empty() { None } else { Some(luoshi_domain::time::parse_date("date", &q.date)?) };
    let rehearsal = match q.rehearsal.trim() {
        "" | "false" | "0" => false,
        "true" | "1" => true,
        _ => return Err(DomainError::invalid("rehearsal").into()),
    };
    let r = svc::supervise_on(&app.db, app.today(), date, rehearsal).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::to_value(&r).unwrap_or_default(), "/inbox"))
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    r: reports::PeriodReport,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    period: String,
}

fn period_or_this_month(app: &AppState, q: &PeriodQuery) -> String {
    if q.period.trim().is_empty() {
        app.today().format("%Y-%m").to_string()
    } else {
        q.period.trim().to_string()
    }
}

pub async fn report(ctx: Ctx, State(app): State<AppState>, Query(q): Query<PeriodQuery>) -> AppResult<Response> {
    let r = reports::build(&app.db, &ctx.who()?, &period_or_this_month(&app, &q), app.today()).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::to_value(&r).unwrap_or_default()).into_response());
    }
    let mut c = chrome(&ctx, "tasks.report", None);
    c.title = format!("{} {}", c.title, r.period);
    Ok(render(&ReportPage { chrome: c, r }))
}

pub(crate) fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    let encoded: String =
        name.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}.xlsx\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}

pub async fn report_xlsx(ctx: Ctx, State(app): State<AppState>, Query(q): Query<PeriodQuery>) -> AppResult<Response> {
    let r = reports::build(&app.db, &ctx.who()?, &period_or_this_month(&app, &q), app.today()).await?;
    Ok(xlsx(&format!("通报{}.xlsx", r.period), reports::to_xlsx(&r)?))
}

#[derive(Debug, Default, serde::Deserialize)]
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
}

pub async fn ledger_export(ctx: Ctx, State(app): State<AppState>, Query(q): Query<LedgerQuery>) -> AppResult<Response> {
    let directive = opt_id("directive_id", &q.directive_id)?;
    let rows = tasks_ledger::export_rows(&app.db, &ctx.who()?, directive).await?;
    Ok(xlsx("任务分解表.xlsx", tasks_ledger::export_xlsx(&rows)?))
}

fn target(q: &LedgerQuery) -> AppResult<tasks_ledger::Target> {
    Ok(match opt_id("directive_id", &q.directive_id)? {
        Some(id) => tasks_ledger::Target::Existing(id),
        None => tasks_ledger::Target::New(DirectiveInput {
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
    match tasks_ledger::import(&app.db, &ctx.who()?, &target, &body, &q.name, q.dry_run).await? {
        Ok((directive_id, planned)) => {
            Ok(Json(serde_json::json!({ "dry_run": q.dry_run, "directive_id": directive_id, "tasks": planned.len(), "rows": planned })).into_response())
        }
        Err(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(row_errors_json(ctx.lang, &errors))).into_response()),
    }
}

#[derive(Template)]
#[template(path = "ledger_import.html")]
struct LedgerImportPage {
    chrome: Chrome,
    dry_run: bool,
    directive_id: Option<i64>,
    planned: Vec<tasks_ledger::PlannedTask>,
    errors: Vec<(usize, String, String)>,
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
    let target = target(&q)?;
    let result = tasks_ledger::import(&app.db, &ctx.who()?, &target, &bytes, &q.name, q.dry_run).await?;
    let lang = ctx.lang;
    let (directive_id, planned, errors) = match result {
        Ok((d, p)) => (d, p, Vec::new()),
        Err(errs) => (None, Vec::new(), errs.iter().map(|e| (e.row, e.column.clone(), error_message(lang, &e.as_domain()))).collect()),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&LedgerImportPage { chrome: chrome(&ctx, "tasks.import", None), dry_run: q.dry_run, directive_id, planned, errors })).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct EvalForm {
    #[serde(default)]
    grade: String,
    #[serde(default)]
    note: String,
}

pub async fn task_evaluate(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<EvalForm>) -> AppResult<Response> {
    let d = svc::evaluate(&app.db, &ctx.who()?, id, &f.grade, &f.note).await?;
    Ok(super::done(&ctx, StatusCode::OK, serde_json::json!({ "task": d }), &format!("/tasks/{id}")))
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
    svc::attach(&app.db, &who, id, &name, &bytes).await?;
    Ok(super::done(&ctx, StatusCode::CREATED, serde_json::json!({}), &format!("/tasks/{id}")))
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
