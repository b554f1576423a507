//! 督查问效: 容错免责, incentives, the supervision run and the monthly 通报.

use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use luoshi_app::tasks::reports;
use luoshi_app::tasks::{self as svc};
use luoshi_domain::tasks::{Condition, ExemptionState, EXEMPTION_CONDITIONS};
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::tasks::{self as store};

#[derive(Debug, Default, serde::Deserialize)]
pub struct ExemptionForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    conditions: Vec<Condition>,
}

/// Conditions from a form: `met_<key>=on` and `evidence_<key>=...`.
pub(super) fn conditions_from_form(pairs: &[(String, String)]) -> Vec<Condition> {
    EXEMPTION_CONDITIONS
        .iter()
        .map(|(k, _, _)| Condition {
            key: (*k).to_string(),
            met: pairs.iter().any(|(x, v)| x == &format!("met_{k}") && !v.is_empty()),
            evidence: pairs.iter().find(|(x, _)| x == &format!("evidence_{k}")).map(|(_, v)| v.clone()).unwrap_or_default(),
        })
        .collect()
}

pub(super) fn exemption_input(ctx: &Ctx, body: &[u8]) -> AppResult<(ExemptionForm, Vec<(String, String)>)> {
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
    let (f, pairs) = exemption_input(&ctx, &body)?;
    let result = svc::apply_exemption(&app.db, &ctx.who()?, id, &f.reason, &f.conditions, app.today())
        .await
        .map(|e| {
            crate::handlers::done(
                &ctx,
                StatusCode::CREATED,
                serde_json::json!({ "exemption_id": e }),
                &format!("/tasks/{id}?done=exemption_applied#exemptions"),
            )
        })
        .map_err(AppError::from);
    super::page::answer(&ctx, &app, id, "exemption", pairs, result).await
}

/// The outcome the older `exempt` flag names.
fn outcome_of(exempt: bool) -> String {
    if exempt { "exempted" } else { "not_exempted" }.to_string()
}

pub async fn exemption_step(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, body: Bytes) -> AppResult<Response> {
    let (step, outcome, conditions, note) = if ctx.want == Want::Json {
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| DomainError::field(ErrorCode::Invalid, "body").with_detail(e.to_string()))?;
        let conditions: Option<Vec<Condition>> =
            v.get("conditions").map(|c| serde_json::from_value(c.clone())).transpose().map_err(|_| DomainError::invalid("conditions"))?;
        let outcome = v["outcome"].as_str().map(str::to_string).unwrap_or_else(|| outcome_of(v["exempt"].as_bool().unwrap_or(false)));
        (v["step"].as_str().unwrap_or("").to_string(), outcome, conditions, v["note"].as_str().unwrap_or("").to_string())
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| DomainError::invalid("body"))?;
        let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let has_conditions = pairs.iter().any(|(k, _)| k.starts_with("evidence_"));
        let outcome = match get("outcome") {
            o if o.is_empty() => outcome_of(get("exempt") == "true"),
            o => o,
        };
        (get("step"), outcome, has_conditions.then(|| conditions_from_form(&pairs)), get("note"))
    };
    if step.is_empty() {
        return Err(DomainError::required("step").into());
    }
    let outcome = ExemptionState::parse(&outcome).ok_or_else(|| DomainError::invalid("outcome"))?;
    let result = svc::exemption_step(&app.db, &ctx.who()?, id, &step, outcome, conditions.as_deref(), &note).await.map(|e| {
        crate::handlers::done(
            &ctx,
            StatusCode::OK,
            serde_json::json!({ "exemption": e }),
            &format!("/tasks/{}?done=exemption_{}#exemptions", e.duty_id, e.state.as_str()),
        )
    });
    match result {
        Ok(r) => Ok(r),
        // Refused: the task's page again, the reason above its 容错免责 and the note kept.
        Err(e) => match store::get_exemption(&app.db, id).await? {
            Some(x) => super::page::answer(&ctx, &app, x.duty_id, "exemption_step", vec![("note".into(), note)], Err(e.into())).await,
            None => Err(e.into()),
        },
    }
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
    Ok(crate::handlers::done(&ctx, StatusCode::CREATED, serde_json::json!({ "id": id }), &back))
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
    let r = luoshi_app::supervision::supervise_on(&app.db, app.today(), date, rehearsal).await?;
    let back = format!("/tasks?done=supervision:{}:{}:{}", r.reminders, r.notices, r.reports);
    Ok(crate::handlers::done(&ctx, StatusCode::OK, serde_json::to_value(&r).unwrap_or_default(), &back))
}

/// 交办 several tasks at once (the board's ticked rows): each as one 交办, in its own
/// transaction; what could not be assigned (moved on meanwhile, out of sight) is counted.
pub async fn assign_many(ctx: Ctx, State(app): State<AppState>, Input(pairs): Input<Vec<(String, String)>>) -> AppResult<Response> {
    let who = ctx.who()?;
    let ids: Vec<i64> = pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| v.trim().parse().ok()).collect();
    if ids.is_empty() {
        return Err(DomainError::required("ids").into());
    }
    let mut done = 0;
    for id in ids.iter().take(500) {
        if svc::act(&app.db, &who, *id, luoshi_domain::tasks::Action::Assign, "", None, app.today()).await.is_ok() {
            done += 1;
        }
    }
    let back = format!("/tasks?state=draft&done=assigned:{done}:{}", ids.len().min(500));
    Ok(crate::handlers::done(&ctx, StatusCode::OK, serde_json::json!({ "assigned": done, "asked": ids.len().min(500) }), &back))
}

#[derive(Template)]
#[template(path = "report.html")]
pub(super) struct ReportPage {
    chrome: Chrome,
    r: reports::PeriodReport,
    /// The document's heading: the county's own name and the period.
    heading: String,
    summary: String,
    /// Units listed but not ranked, and why: a sentence for each reason.
    unranked: Vec<String>,
    /// 成文日期, as documents write it.
    date: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    period: String,
}

pub(super) fn period_or_this_month(app: &AppState, q: &PeriodQuery) -> String {
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
    let lang = ctx.lang;
    let mut c = chrome(&ctx, "tasks.report", None);
    c.title = format!("{} {}", c.title, r.period);
    let (heading, summary, unranked, date) = (r.heading(lang), r.summary(lang), r.unranked_sentences(lang), r.date_text(lang));
    Ok(render(&ReportPage { chrome: c, r, heading, summary, unranked, date }))
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

pub async fn report_docx(ctx: Ctx, State(app): State<AppState>, Query(q): Query<PeriodQuery>) -> AppResult<Response> {
    let r = reports::build(&app.db, &ctx.who()?, &period_or_this_month(&app, &q), app.today()).await?;
    let name = format!("通报{}.docx", r.period);
    let encoded: String =
        name.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"report-{}.docx\"; filename*=UTF-8''{encoded}", r.period)),
        ],
        reports::to_docx(&r)?,
    )
        .into_response())
}
