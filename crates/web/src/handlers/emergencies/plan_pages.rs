//! Plans on screen: the list with the form to start one; a plan's page with its levels, its
//! responsibility matrix (edited in place while a draft: one line per unit, blank lines to
//! add, an emptied task to drop), the plans activated with it, its drill clock, trail and the
//! forms of what the caller may do now.

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
use luoshi_app::emergencies::plans::{self, ContentsInput, LevelInput, MatrixInput, PlanActInput, PlanInput, PlanView};
use luoshi_domain::emergencies::Level;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;
use luoshi_storage::emergencies::plans::Plan;

/// A plan as a line of the list.
pub(crate) struct PlanLine {
    pub p: Plan,
    pub kind: String,
    pub category: String,
    pub state: String,
    /// 还剩N天 / 逾期N天 to the next drill, while in force.
    pub drill: String,
    pub drill_overdue: bool,
}

fn plan_line(lang: Lang, p: Plan) -> PlanLine {
    let now = luoshi_storage::now_micros();
    let (drill, drill_overdue) = match plans::due_of(&p) {
        Some(d) => {
            let days = (d - now).div_euclid(86_400_000_000);
            if days >= 0 {
                (t(lang, "plans.drill_days_left").replace("{n}", &days.to_string()), false)
            } else {
                (t(lang, "plans.drill_overdue").replace("{n}", &(-days).to_string()), true)
            }
        }
        None => (String::new(), false),
    };
    PlanLine {
        drill,
        drill_overdue,
        kind: t(lang, &format!("plan_kind.{}", p.kind.as_str())).to_string(),
        category: t(lang, &format!("category.{}", p.category.as_str())).to_string(),
        state: t(lang, &format!("plan_state.{}", p.state.as_str())).to_string(),
        p,
    }
}

#[derive(Template)]
#[template(path = "emergencies/plans.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<PlanLine>,
    units: Vec<(i64, String)>,
    types: Vec<(String, String, String)>,
    error: Option<String>,
    form: PlanForm,
}

/// The new-plan form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    owner_unit_id: String,
    #[serde(default)]
    doc_no: String,
}

async fn units(app: &AppState) -> AppResult<Vec<(i64, String)>> {
    let all = luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All).await?;
    Ok(all.into_iter().map(|u| (u.id, u.name)).collect())
}

async fn list_page(ctx: &Ctx, app: &AppState, form: PlanForm, error: Option<String>) -> AppResult<ListPage> {
    let lang = ctx.lang;
    let rows = plans::list(&app.db, &ctx.who()?).await?.into_iter().map(|p| plan_line(lang, p)).collect();
    let types = luoshi_domain::emergencies::event_types()?
        .into_iter()
        .map(|x| {
            (
                x.code,
                x.category.as_str().to_string(),
                format!("{}·{}", t(lang, &format!("category.{}", x.category.as_str())), if lang == Lang::ZhCn { x.zh } else { x.en }),
            )
        })
        .collect();
    Ok(ListPage { chrome: chrome(ctx, "plans.title", None), rows, units: units(app).await?, types, error, form })
}

pub async fn list(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(render(&list_page(&ctx, &app, PlanForm::default(), None).await?))
}

pub async fn create(ctx: Ctx, State(app): State<AppState>, Input(form): Input<PlanForm>) -> AppResult<Response> {
    let types = luoshi_domain::emergencies::event_types()?;
    let category = types.iter().find(|x| x.code == form.event_type).map(|x| x.category.as_str().to_string()).unwrap_or_default();
    let input = PlanInput {
        title: form.title.clone(),
        kind: form.kind.clone(),
        category,
        event_type: form.event_type.clone(),
        owner_unit_id: form.owner_unit_id.trim().parse().ok(),
        parent_plan_id: None,
        doc_no: form.doc_no.clone(),
    };
    match plans::create(&app.db, &ctx.who()?, &input, app.now()).await.map_err(AppError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/emergencies/plans/{id}?done=create")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&list_page(&ctx, &app, form, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A level's row of the editor: (level, defined, command, command unit, conditions).
pub(crate) struct LevelEdit {
    pub level: &'static str,
    pub roman: &'static str,
    pub defined: bool,
    pub command: String,
    pub unit_id: i64,
    pub conditions: String,
    pub lead: String,
}

#[derive(Template)]
#[template(path = "emergencies/plan.html")]
struct PlanPage {
    chrome: Chrome,
    l: PlanLine,
    v: PlanView,
    levels: Vec<LevelEdit>,
    /// (level, unit id, role, task, first, follow-up) with blank lines to add.
    matrix: Vec<(String, i64, String, String, i64, i64)>,
    /// (plan id, title, linked at level).
    others: Vec<(i64, String, String)>,
    units: Vec<(i64, String)>,
    may: Vec<&'static str>,
    trail: Vec<(String, String, String, String)>,
    error: Option<String>,
}

async fn plan_page(ctx: &Ctx, app: &AppState, id: i64, flash: Option<String>, error: Option<String>) -> AppResult<PlanPage> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let v = plans::view(&app.db, &who, id, app.now()).await?;
    let levels = Level::ALL
        .iter()
        .map(|lv| {
            let d = v.detail.levels.iter().find(|x| x.level == *lv);
            LevelEdit {
                level: lv.as_str(),
                roman: lv.roman(),
                defined: d.is_some(),
                command: d.map(|x| x.command.clone()).unwrap_or_default(),
                unit_id: d.map(|x| x.command_unit_id).unwrap_or(0),
                conditions: d.map(|x| x.conditions.clone()).unwrap_or_default(),
                lead: d.map(|x| t(lang, &format!("lead.{}", x.lead.as_str())).to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let mut matrix: Vec<(String, i64, String, String, i64, i64)> = v
        .detail
        .matrix
        .iter()
        .map(|m| (m.level.as_str().to_string(), m.unit_id, m.role.clone(), m.task.clone(), m.first_report_minutes, m.followup_minutes))
        .collect();
    if v.may_edit {
        for _ in 0..3 {
            matrix.push(("4".into(), 0, String::new(), String::new(), 30, 120));
        }
    }
    let others = plans::list(&app.db, &who)
        .await?
        .into_iter()
        .filter(|p| p.id != id)
        .map(|p| {
            let at = v.detail.links.iter().find(|l| l.child_plan_id == p.id).map(|l| l.level.as_str().to_string()).unwrap_or_default();
            (p.id, format!("{}（{}）", p.title, p.owner_name), at)
        })
        .collect();
    let actors = crate::handlers::duty::Actors::load(&app.db).await?;
    let trail = v
        .trail
        .iter()
        .map(|s| {
            let own = format!("plan_action.{}", s.action);
            let what = if luoshi_domain::i18n::has(&own) { t(lang, &own).to_string() } else { t(lang, &format!("event.{}", s.action)).to_string() };
            (format_local(s.at), what, s.note.clone().unwrap_or_default(), actors.label(lang, &s.actor))
        })
        .collect();
    let mut c = chrome(ctx, "plans.page", flash);
    c.title = format!("{} · {}", t(lang, "plans.page"), v.detail.plan.title);
    Ok(PlanPage {
        chrome: c,
        l: plan_line(lang, v.detail.plan.clone()),
        levels,
        matrix,
        others,
        units: units(app).await?,
        may: v.may.iter().map(|a| a.as_str()).collect(),
        trail,
        error,
        v,
    })
}

pub async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let flash = (!q.done.is_empty()).then(|| t(ctx.lang, "incidents.done").replace("{action}", t(ctx.lang, &format!("plan_action.{}", q.done))));
    Ok(render(&plan_page(&ctx, &app, id, flash, None).await?))
}

/// The editor's form: repeated fields read in order (level rows, matrix lines, links).
fn contents(body: &[u8]) -> Result<ContentsInput, luoshi_domain::DomainError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let all = |k: &str| pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).collect::<Vec<_>>();
    let mut out = ContentsInput::default();
    let (lv, cmd, cu, cond, on) = (all("lv"), all("lv_command"), all("lv_unit"), all("lv_conditions"), all("lv_on"));
    for (i, level) in lv.iter().enumerate() {
        if on.contains(level) {
            out.levels.push(LevelInput {
                level: level.clone(),
                command: cmd.get(i).cloned().unwrap_or_default(),
                command_unit_id: cu.get(i).and_then(|s| s.parse().ok()),
                conditions: cond.get(i).cloned().unwrap_or_default(),
            });
        }
    }
    let (ml, mu, mr, mt, mf, mo) = (all("m_level"), all("m_unit"), all("m_role"), all("m_task"), all("m_first"), all("m_follow"));
    for (i, task) in mt.iter().enumerate() {
        if task.is_empty() {
            continue;
        }
        let n = |v: &Vec<String>, f: &str| {
            v.get(i).and_then(|s| s.parse::<i64>().ok()).ok_or_else(|| luoshi_domain::DomainError::invalid(f).with_detail(format!("{}", i + 1)))
        };
        out.matrix.push(MatrixInput {
            level: ml.get(i).cloned().unwrap_or_default(),
            unit_id: n(&mu, "unit_id")?,
            role: mr.get(i).cloned().unwrap_or_default(),
            task: task.clone(),
            first_report_minutes: n(&mf, "first_report_minutes")?,
            followup_minutes: n(&mo, "followup_minutes")?,
        });
    }
    let (lp, ll) = (all("link_plan"), all("link_level"));
    for (i, p) in lp.iter().enumerate() {
        if let (Ok(p), Some(l)) = (p.parse::<i64>(), ll.get(i).filter(|l| !l.is_empty())) {
            out.links.push((l.clone(), p));
        }
    }
    Ok(out)
}

pub async fn save(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, body: axum::body::Bytes) -> AppResult<Response> {
    let done = match contents(&body) {
        Ok(c) => plans::set_contents(&app.db, &ctx.who()?, id, &c, app.now()).await.map_err(AppError::from),
        Err(e) => Err(AppError(e)),
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/emergencies/plans/{id}?done=matrix")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&plan_page(&ctx, &app, id, None, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn act(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(input): Input<PlanActInput>) -> AppResult<Response> {
    match plans::act(&app.db, &ctx.who()?, id, &input, app.now()).await.map_err(AppError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/emergencies/plans/{id}?done={}", input.action.trim())).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&plan_page(&ctx, &app, id, None, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS as R;
    t.add(M::GET, "/emergencies/plans", R, "emergencies", "预案: every plan and the form to start one (page)", list)
        .add(M::POST, "/emergencies/plans", R, "emergencies", "Start a plan (form)", create)
        .add(M::GET, "/emergencies/plans/{id}", R, "emergencies", "A plan with its levels, matrix, linked plans, drill clock and trail (page)", page)
        .add(M::POST, "/emergencies/plans/{id}/contents", R, "emergencies", "Save a draft's levels, matrix and links (form)", save)
        .add(
            M::POST,
            "/emergencies/plans/{id}/actions",
            R,
            "emergencies",
            "Act on a plan: submit, publish, reject, drill, evaluate, revise, withdraw (form)",
            act,
        )
}
