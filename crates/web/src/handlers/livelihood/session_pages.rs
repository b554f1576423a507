//! The vote and rating sessions on screen: the list and the congress office's form to set one
//! up; a session's page — the deputies' ballot (usable on a phone), the tellers' count and
//! signatures, the congress office's buttons — and the printable result sheet.

use super::{deliver, label, refusal, MoveInput, Params};
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::routes::AUTH;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::livelihood::sessions::{self, BallotInput, PaperInput, SessionInput, SessionView};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::livelihood::vote::{Choice, SessionAction, SessionKind};
use luoshi_domain::time::format_local;
use luoshi_storage::livelihood::sessions::SessionRow;

#[derive(Template)]
#[template(path = "livelihood/sessions.html")]
struct ListPage {
    chrome: Chrome,
    /// (session, kind, state)
    rows: Vec<(SessionRow, String, String)>,
    may_create: bool,
    form: SessionInput,
    error: Option<String>,
}

async fn list_page(ctx: &Ctx, app: &AppState, done: &str, form: SessionInput, error: Option<String>) -> AppResult<ListPage> {
    let lang = ctx.lang;
    let rows = sessions::list(&app.db).await?;
    let rows = rows
        .into_iter()
        .map(|s| (label(lang, "session_kind", s.kind.as_str()), label(lang, "session_state", s.state.as_str()), s))
        .map(|(k, st, s)| (s, k, st))
        .collect();
    let flash = (!done.is_empty()).then(|| t(lang, &format!("livelihood.done_{done}")).to_string());
    Ok(ListPage {
        chrome: chrome(ctx, "livelihood.sessions", flash),
        rows,
        may_create: ctx.realms.contains(&luoshi_domain::access::Realm::Congress),
        form,
        error,
    })
}

async fn list(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    Ok(render(&list_page(&ctx, &app, &p.done, SessionInput { kind: "vote".into(), ..SessionInput::default() }, None).await?))
}

async fn create(ctx: Ctx, State(app): State<AppState>, Input(form): Input<SessionInput>) -> AppResult<Response> {
    match sessions::create(&app.db, &ctx.who()?, &form, app.now()).await.map_err(AppError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/livelihood/sessions/{id}?done=session")).into_response()),
        Err(e) => {
            let msg = refusal(ctx.lang, e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&list_page(&ctx, &app, "", form, Some(msg)).await?)).into_response())
        }
    }
}

/// One item of a session as shown: its counts by the session kind's choices, and its outcome.
struct Item {
    id: i64,
    seq: i64,
    title: String,
    unit: String,
    county: String,
    counts: [i64; 3],
    total: i64,
    rank: String,
    outcome: String,
}

#[derive(Template)]
#[template(path = "livelihood/session.html")]
struct SessionPage {
    chrome: Chrome,
    v: SessionView,
    kind: String,
    state: String,
    rule: String,
    /// The session kind's choices: (code, label).
    choices: Vec<(&'static str, String)>,
    items: Vec<Item>,
    /// (name, role, when)
    signatures: Vec<(String, String, String)>,
    choose_help: String,
    per_item: bool,
    paper: PaperInput,
    error: Option<String>,
    /// Only the result sheet (printable).
    sheet: bool,
}

fn items(lang: Lang, v: &SessionView) -> Vec<Item> {
    v.candidates
        .iter()
        .map(|c| {
            let n = c.total();
            Item {
                id: c.proposal_id,
                seq: c.seq,
                title: c.title.clone(),
                unit: c.unit_name.clone().unwrap_or_default(),
                county: c.county.wan(),
                counts: [n.a, n.b, n.c],
                total: n.total(),
                rank: c.rank.filter(|r| *r > 0).map(|r| r.to_string()).unwrap_or_default(),
                outcome: match (v.s.kind, &c.outcome) {
                    (SessionKind::Vote, Some(o)) => label(lang, "outcome", o),
                    (SessionKind::Rating, Some(o)) => label(lang, "choice", o),
                    (_, None) => String::new(),
                },
            }
        })
        .collect()
}

async fn session_page(ctx: &Ctx, app: &AppState, id: i64, done: &str, paper: PaperInput, error: Option<String>, sheet: bool) -> AppResult<SessionPage> {
    let lang = ctx.lang;
    let v = sessions::one(&app.db, &ctx.who()?, id, app.now()).await?;
    let choices = Choice::of(v.s.kind).iter().map(|c| (c.as_str(), label(lang, "choice", c.as_str()))).collect();
    let r = label(lang, "rule", v.s.rule.as_str()).replace("{n}", &v.s.max_choices.to_string()).replace("{b}", &v.s.budget.wan());
    let rule = t(lang, "livelihood.rule_of").replace("{r}", &r).replace("{t}", &label(lang, "tie", v.s.tie.as_str()));
    let signatures = v.signatures.iter().map(|(_, name, role, at)| (name.clone(), label(lang, "teller", role), format_local(*at))).collect();
    let flash = (!done.is_empty()).then(|| t(lang, &format!("livelihood.done_{done}")).to_string());
    Ok(SessionPage {
        chrome: chrome(ctx, if sheet { "livelihood.result_sheet" } else { "livelihood.session" }, flash),
        kind: label(lang, "session_kind", v.s.kind.as_str()),
        state: label(lang, "session_state", v.s.state.as_str()),
        rule,
        choices,
        items: items(lang, &v),
        signatures,
        choose_help: t(lang, "livelihood.choose_help").replace("{n}", &v.s.max_choices.to_string()),
        per_item: v.s.kind == SessionKind::Rating || v.s.mode == luoshi_domain::livelihood::vote::BallotMode::PerCandidate,
        paper,
        error,
        sheet,
        v,
    })
}

async fn page(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(p): Query<Params>) -> AppResult<Response> {
    Ok(render(&session_page(&ctx, &app, id, &p.done, PaperInput::default(), None, false).await?))
}

async fn sheet(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(render(&session_page(&ctx, &app, id, "", PaperInput::default(), None, true).await?))
}

async fn sheet_xlsx(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let v = sessions::one(&app.db, &ctx.who()?, id, app.now()).await?;
    let (head, rows) = luoshi_app::livelihood::report::sheet_table(&v);
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let bytes = luoshi_ledger::write_xlsx("表决结果", &head, &rows)?;
    Ok(crate::handlers::tasks::xlsx(&v.s.title, bytes))
}

/// Answer an action: back to the session saying what happened, or the page with the error.
async fn answer(ctx: &Ctx, app: &AppState, id: i64, done: &str, r: Result<(), AppError>, paper: PaperInput) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/livelihood/sessions/{id}?done={done}")).into_response()),
        Err(e) => {
            let msg = refusal(ctx.lang, e)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&session_page(ctx, app, id, "", paper, Some(msg), false).await?)).into_response())
        }
    }
}

async fn open(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(m): Input<MoveInput>) -> AppResult<Response> {
    let r = sessions::move_to(&app.db, &ctx.who()?, id, SessionAction::Open, Some(&m.present), app.now()).await.map(|_| ()).map_err(AppError::from);
    answer(&ctx, &app, id, "open", r, PaperInput::default()).await
}

async fn close(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let r = sessions::move_to(&app.db, &ctx.who()?, id, SessionAction::Close, None, app.now()).await.map(|_| ()).map_err(AppError::from);
    answer(&ctx, &app, id, "close", r, PaperInput::default()).await
}

async fn paper(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(p): Input<PaperInput>) -> AppResult<Response> {
    let r = sessions::import_paper(&app.db, &ctx.who()?, id, &p, app.now()).await.map_err(AppError::from);
    answer(&ctx, &app, id, "paper", r, p).await
}

async fn sign(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(m): Input<MoveInput>) -> AppResult<Response> {
    let r = sessions::sign(&app.db, &ctx.who()?, id, &m.role, app.now()).await.map_err(AppError::from);
    if let Ok(chosen) = &r {
        deliver(&app, !chosen.is_empty()).await;
    }
    answer(&ctx, &app, id, "sign", r.map(|_| ()), PaperInput::default()).await
}

/// The ballot form sends one `m_<id>` field per item.
async fn ballot(
    ctx: Ctx,
    State(app): State<AppState>,
    Path(id): Path<i64>,
    Input(form): Input<std::collections::BTreeMap<String, String>>,
) -> AppResult<Response> {
    let marks = form.into_iter().filter(|(k, _)| k.starts_with("m_")).collect();
    let r = sessions::cast(&app.db, &ctx.who()?, id, &BallotInput { marks }, app.now()).await.map_err(AppError::from);
    answer(&ctx, &app, id, "ballot", r, PaperInput::default()).await
}

pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::{CONGRESS, DEPUTIES};
    t.add(M::GET, "/livelihood/sessions", AUTH, "livelihood", "The vote and rating sessions (page)", list)
        .add(M::POST, "/livelihood/sessions", CONGRESS, "livelihood", "Set up a session (form)", create)
        .add(M::GET, "/livelihood/sessions/{id}", AUTH, "livelihood", "A session: the ballot, the count, the signatures (page)", page)
        .add(M::GET, "/livelihood/sessions/{id}/sheet", AUTH, "livelihood", "The result sheet with the tellers' signatures (printable page)", sheet)
        .add(
            M::GET,
            "/livelihood/sessions/{id}/sheet.xlsx",
            AUTH,
            "livelihood",
            "The result sheet as xlsx (counts once voting closed, the tellers)",
            sheet_xlsx,
        )
        .add(M::POST, "/livelihood/sessions/{id}/open", CONGRESS, "livelihood", "Open voting (form)", open)
        .add(M::POST, "/livelihood/sessions/{id}/close", CONGRESS, "livelihood", "Close voting (form)", close)
        .add(M::POST, "/livelihood/sessions/{id}/paper", CONGRESS, "livelihood", "Import the paper count (form)", paper)
        .add(M::POST, "/livelihood/sessions/{id}/sign", CONGRESS, "livelihood", "Sign the result as a teller (form)", sign)
        .add(M::POST, "/livelihood/sessions/{id}/ballot", DEPUTIES, "livelihood", "Cast a ballot (form)", ballot)
}
