//! Warnings on screen: the list (issued and received, each with its place in its chain:
//! in force, superseded, cancelled, expired), the composer in both languages, a warning's
//! page with its CAP message as published and the steps and changes the caller may make,
//! and a form to take in a message a peer sent.

use super::DoneQuery;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::emergencies::exchange;
use luoshi_app::emergencies::warnings::{self, WarningInput};
use luoshi_domain::emergencies::cap::Alert;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;
use luoshi_storage::emergencies::alerts::StoredAlert;

/// A warning as a line: its state in words (expired read from `expires`, apart from cancelled).
pub(crate) struct WarningLine {
    pub w: StoredAlert,
    pub state: String,
    pub state_code: String,
    pub sent: String,
    pub expires: String,
    /// 本级发布 / 外部接收.
    pub dir: String,
    /// 发布 / 更新 / 撤销.
    pub msg: String,
    /// 已被更新 / 已被撤销, by what replaced it.
    pub replaced: String,
    pub cancelled: String,
}

fn warning_line(lang: Lang, now: i64, w: StoredAlert) -> WarningLine {
    let code = warnings::shown_state(&w, now).to_string();
    WarningLine {
        state: t(lang, &format!("warning_state.{code}")).to_string(),
        state_code: code,
        sent: format!("{}（{}）", format_local(w.sent_at), crate::handlers::duty::ago_label(lang, w.sent_at, now)),
        msg: t(lang, &format!("cap_msg.{}", w.msg_type)).to_string(),
        expires: w.expires_at.map(format_local).unwrap_or_default(),
        dir: t(lang, &format!("warnings.dir_{}", w.direction)).to_string(),
        replaced: t(lang, &format!("warnings.replaced_{}", w.state)).to_string(),
        cancelled: w.cancelled_at.map(format_local).unwrap_or_default(),
        w,
    }
}

#[derive(Template)]
#[template(path = "emergencies/warnings.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<WarningLine>,
    types: Vec<(String, String)>,
    areas: Vec<(i64, String, bool)>,
    second: String,
    form: WarningInput,
    incident: String,
    error: Option<String>,
    received: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    incident_id: String,
}

async fn list_page(ctx: &Ctx, app: &AppState, form: WarningInput, incident: String, error: Option<String>, received: String) -> AppResult<ListPage> {
    let lang = ctx.lang;
    let now = app.now();
    let rows = warnings::list(&app.db, &ctx.who()?).await?.into_iter().map(|w| warning_line(lang, now, w)).collect();
    let types = luoshi_domain::emergencies::event_types()?.into_iter().map(|x| (x.code, if lang == Lang::ZhCn { x.zh } else { x.en })).collect();
    let all = luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All).await?;
    let areas = area_choices(&all, &form.area_units);
    let second = luoshi_app::RulesInForce::load(&app.db, app.today()).await?.text("emergencies.cap.second_language").unwrap_or_else(|| "en-US".into());
    Ok(ListPage { chrome: chrome(ctx, "warnings.title", None), rows, types, areas, second, form, incident, error, received })
}

pub async fn list(ctx: Ctx, State(app): State<AppState>, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let form = WarningInput { colour: "yellow".into(), ..WarningInput::default() };
    Ok(render(&list_page(&ctx, &app, form, q.incident_id, None, String::new()).await?))
}

/// The composer's form: the chosen areas arrive as repeated `area` fields.
fn composed(body: &[u8]) -> Result<WarningInput, luoshi_domain::DomainError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let areas: Vec<String> = pairs.iter().filter(|(k, _)| k == "area").map(|(_, v)| v.clone()).collect();
    let mut input: WarningInput = crate::extract::form(body, "body")?;
    if input.area_units.is_empty() {
        input.area_units = areas.join(",");
    }
    Ok(input)
}

pub async fn compose(ctx: Ctx, State(app): State<AppState>, body: axum::body::Bytes) -> AppResult<Response> {
    let parsed = composed(&body);
    let input = parsed.clone().unwrap_or_default();
    let done = match parsed {
        Ok(i) => warnings::compose(&app.db, &ctx.who()?, &i, app.now()).await.map_err(AppError::from),
        Err(e) => Err(AppError(e)),
    };
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/emergencies/warnings/{id}?done=compose")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            let incident = input.incident_id.map(|i| i.to_string()).unwrap_or_default();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&list_page(&ctx, &app, input, incident, Some(msg), String::new()).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A message pasted from a peer.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ReceiveForm {
    #[serde(default)]
    xml: String,
}

pub async fn receive(ctx: Ctx, State(app): State<AppState>, Input(form): Input<ReceiveForm>) -> AppResult<Response> {
    match exchange::receive(&app.db, &ctx.who()?, &form.xml, app.now()).await.map_err(AppError::from) {
        Ok((id, _)) => Ok(Redirect::to(&format!("/emergencies/warnings/{id}?done=receive")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&list_page(&ctx, &app, WarningInput::default(), String::new(), Some(msg), form.xml).await?))
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "emergencies/warning.html")]
struct WarningPage {
    chrome: Chrome,
    l: WarningLine,
    a: Alert,
    xml: String,
    steps: Vec<&'static str>,
    can_change: bool,
    original: Option<(i64, String)>,
    replaced: Option<(i64, String)>,
    public_url: String,
    error: Option<String>,
    /// The composer for an Update, filled with this message's content.
    types: Vec<(String, String)>,
    areas: Vec<(i64, String, bool)>,
    second: String,
    form: WarningInput,
}

/// The county and its townships that have codes, each with whether the form chose it.
fn area_choices(all: &[luoshi_domain::unit::Unit], chosen: &str) -> Vec<(i64, String, bool)> {
    let chosen: Vec<&str> = chosen.split([',', ' ']).map(str::trim).collect();
    all.iter()
        .filter(|u| matches!(u.kind, luoshi_domain::unit::UnitKind::County | luoshi_domain::unit::UnitKind::Township) && u.code.is_some())
        .map(|u| (u.id, u.name.clone(), chosen.contains(&u.id.to_string().as_str())))
        .collect()
}

/// What a published message says, as the composer's form (for its Update).
fn as_form(s: &StoredAlert, a: &Alert, types: &[luoshi_domain::emergencies::EventType], all: &[luoshi_domain::unit::Unit]) -> WarningInput {
    let zh = a.infos.first();
    let other = a.infos.get(1);
    let local =
        |c: &Option<String>| c.as_deref().and_then(luoshi_domain::emergencies::cap::time_micros).map(|m| format_local(m).replace(' ', "T")).unwrap_or_default();
    let codes: Vec<&str> = zh.map(|i| i.areas.iter().flat_map(|ar| ar.geocodes.iter().map(|g| g.1.as_str())).collect()).unwrap_or_default();
    WarningInput {
        event_type: zh.and_then(|i| types.iter().find(|t| t.zh == i.event)).map(|t| t.code.clone()).unwrap_or_default(),
        colour: s.colour.clone().unwrap_or_default(),
        status: a.status.clone(),
        headline: zh.and_then(|i| i.headline.clone()).unwrap_or_default(),
        description: zh.and_then(|i| i.description.clone()).unwrap_or_default(),
        instruction: zh.and_then(|i| i.instruction.clone()).unwrap_or_default(),
        headline_2: other.and_then(|i| i.headline.clone()).unwrap_or_default(),
        description_2: other.and_then(|i| i.description.clone()).unwrap_or_default(),
        instruction_2: other.and_then(|i| i.instruction.clone()).unwrap_or_default(),
        area_units: all
            .iter()
            .filter(|u| u.code.as_deref().is_some_and(|c| codes.contains(&format!("{c:0<12}").as_str())))
            .map(|u| u.id.to_string())
            .collect::<Vec<_>>()
            .join(","),
        polygon: zh.and_then(|i| i.areas.first()).and_then(|ar| ar.polygons.first().cloned()).unwrap_or_default(),
        effective: local(&zh.and_then(|i| i.effective.clone())),
        expires: local(&zh.and_then(|i| i.expires.clone())),
        ..WarningInput::default()
    }
}

async fn warning_page(ctx: &Ctx, app: &AppState, id: i64, flash: Option<String>, error: Option<String>) -> AppResult<WarningPage> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let (s, a) = warnings::view(&app.db, &who, id).await?;
    let approval = luoshi_app::RulesInForce::load(&app.db, app.today()).await?.int("emergencies.cap.approval_required").unwrap_or(1) == 1;
    let steps: Vec<&'static str> = match (s.direction.as_str(), s.state.as_str()) {
        ("out", "draft") if approval => vec!["submit", "withdraw"],
        ("out", "draft") => vec!["publish", "withdraw"],
        ("out", "pending") => vec!["approve", "withdraw"],
        _ => Vec::new(),
    };
    let original = match s.original_id {
        Some(o) => warnings::view(&app.db, &who, o).await.ok().map(|(s, _)| (s.id, s.headline)),
        None => None,
    };
    let replaced = match s.replaced_by {
        Some(o) => warnings::view(&app.db, &who, o).await.ok().map(|(s, _)| (s.id, s.headline)),
        None => None,
    };
    let mut c = chrome(ctx, "warnings.page", flash);
    c.title = format!("{} · {}", t(lang, "warnings.page"), s.headline);
    let public_url = format!("/cap/{}/{}.xml", s.sender, s.identifier);
    let types_all = luoshi_domain::emergencies::event_types()?;
    let all = luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All).await?;
    let form = as_form(&s, &a, &types_all, &all);
    let types = types_all.into_iter().map(|x| (x.code, if lang == Lang::ZhCn { x.zh } else { x.en })).collect();
    let areas = area_choices(&all, &form.area_units);
    let second = luoshi_app::RulesInForce::load(&app.db, app.today()).await?.text("emergencies.cap.second_language").unwrap_or_else(|| "en-US".into());
    Ok(WarningPage {
        types,
        areas,
        second,
        form,
        chrome: c,
        xml: s.xml.clone().unwrap_or_else(|| luoshi_domain::emergencies::cap::write(&a)),
        steps,
        can_change: s.direction == "out" && s.state == "published",
        original,
        replaced,
        public_url,
        error,
        a,
        l: warning_line(lang, app.now(), s),
    })
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let flash = (!q.done.is_empty()).then(|| t(ctx.lang, "incidents.done").replace("{action}", t(ctx.lang, &format!("warning_action.{}", q.done))));
    Ok(render(&warning_page(&ctx, &app, id, flash, None).await?))
}

/// A step (submit, approve, publish, withdraw) or a change (update with new content, cancel
/// with its reason) from the warning's page.
pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, body: axum::body::Bytes) -> AppResult<Response> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let action = get("action");
    let who = ctx.who()?;
    let now = app.now();
    let done = match action.as_str() {
        a @ ("update" | "cancel") => match composed(&body) {
            Ok(input) => warnings::compose_change(&app.db, &who, id, a == "cancel", &input, &get("note"), now).await.map(Some).map_err(AppError::from),
            Err(e) => Err(AppError(e)),
        },
        a => warnings::act(&app.db, &who, id, a, now).await.map(|_| None).map_err(AppError::from),
    };
    match done {
        Ok(Some(new)) => Ok(Redirect::to(&format!("/emergencies/warnings/{new}?done={action}")).into_response()),
        Ok(None) => Ok(Redirect::to(&format!("/emergencies/warnings/{id}?done={action}")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&warning_page(&ctx, &app, id, None, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// 转为突发事件: the incident a warning opens (or the one it opened).
pub async fn to_incident(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let incident = exchange::to_incident(&app.db, &ctx.who()?, id, app.now()).await?;
    Ok(Redirect::to(&format!("/emergencies/incidents/{incident}?done=receive")).into_response())
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(
        M::GET,
        "/emergencies/warnings",
        R,
        "emergencies",
        "预警: issued and received warnings, the composer and the form to take in a peer's message (page)",
        list,
    )
    .add(M::POST, "/emergencies/warnings", R, "emergencies", "Compose a warning in both languages (form)", compose)
    .add(M::POST, "/emergencies/warnings/receive", R, "emergencies", "Take in a CAP message a peer sent (form)", receive)
    .add(M::GET, "/emergencies/warnings/{id}", R, "emergencies", "A warning with its CAP message, chain and steps (page)", page)
    .add(M::POST, "/emergencies/warnings/{id}/incident", R, "emergencies", "Open an incident from a warning, once per message (form)", to_incident)
    .add(
        M::POST,
        "/emergencies/warnings/{id}/actions",
        R,
        "emergencies",
        "Submit, approve, publish or withdraw a warning; compose its Update or Cancel (form)",
        act,
    )
}
