//! 考核方案 as a page: the scheme in force for a year and kind of unit (parts, indicators with
//! their formulas, targets, weights and 文号, the bands, the bonus and penalty rules, its
//! versions), and for the supervision office the form that keeps a new version.

use super::{formula_text, YearKind};
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::assessment::schemes::{self, SchemeForm};
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::time::local_date;
use luoshi_domain::ErrorCode;

pub(crate) struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub part: String,
    pub formula: String,
    pub direction: String,
    pub target: String,
    pub weight: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "assessment/schemes.html")]
struct SchemesPage {
    chrome: Chrome,
    year: i32,
    kind: String,
    kinds: Vec<(String, String)>,
    version: String,
    title: String,
    source: String,
    min_sample: String,
    parts: Vec<(String, String, String)>,
    indicators: Vec<IndicatorRow>,
    /// (index, name, lower edge); one empty row more for a new band.
    bands: Vec<(usize, String, String)>,
    rules: Vec<String>,
    /// (version, note, by whom, on what day).
    history: Vec<(i64, String, String, String)>,
    may_edit: bool,
    note: String,
    error: Option<String>,
}

fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

async fn page(ctx: &Ctx, app: &AppState, q: &YearKind, form: &SchemeForm, error: Option<String>) -> AppResult<SchemesPage> {
    use chrono::Datelike;
    let lang: Lang = ctx.lang;
    let who = ctx.who()?;
    let year = luoshi_app::assessment::year_or(q.year, app.today().year())?;
    let kind = if q.kind.trim() == "department" { "department" } else { "township" };
    let (s, version) = luoshi_app::assessment::scheme(&app.db, year, kind).await?;
    let history = if who.is_supervisor() { luoshi_storage::assessment::scheme_versions(&app.db, year, kind).await? } else { Vec::new() };
    // What was typed stands where a form was refused.
    let kept = |key: String, shown: String| form.get(&key).cloned().unwrap_or(shown);
    let part_name = |code: &str| s.parts.iter().find(|p| p.code == code).map(|p| p.name.clone()).unwrap_or_default();
    let mut bands: Vec<(usize, String, String)> =
        s.bands.iter().enumerate().map(|(i, b)| (i, kept(format!("band_name.{i}"), b.name.clone()), kept(format!("band_min.{i}"), num(b.min)))).collect();
    let n = bands.len();
    bands.push((n, kept(format!("band_name.{n}"), String::new()), kept(format!("band_min.{n}"), String::new())));
    let mut c = chrome(ctx, "assess.schemes", None);
    c.title = t(lang, "assess.schemes_of").replace("{year}", &year.to_string()).replace("{kind}", t(lang, &format!("kind.{kind}")));
    Ok(SchemesPage {
        chrome: c,
        year,
        kind: kind.to_string(),
        kinds: ["township", "department"].iter().map(|k| (k.to_string(), t(lang, &format!("kind.{k}")).to_string())).collect(),
        version: if version == 0 {
            t(lang, "assess.scheme_shipped").to_string()
        } else {
            t(lang, "assess.scheme_version").replace("{n}", &version.to_string())
        },
        title: kept("title".into(), s.title.clone()),
        source: kept("source".into(), s.source.clone()),
        min_sample: kept("min_sample".into(), s.min_sample.to_string()),
        parts: s.parts.iter().map(|p| (p.code.clone(), p.name.clone(), kept(format!("part.{}", p.code), num(p.weight)))).collect(),
        indicators: s
            .indicators
            .iter()
            .map(|i| IndicatorRow {
                code: i.code.clone(),
                name: i.name.clone(),
                part: part_name(&i.part),
                formula: formula_text(lang, &i.formula),
                direction: t(lang, if i.direction == luoshi_domain::assessment::Direction::Higher { "assess.higher" } else { "assess.lower" }).to_string(),
                target: kept(format!("target.{}", i.code), num(i.target * 100.0)),
                weight: kept(format!("weight.{}", i.code), num(i.weight)),
                source: kept(format!("source.{}", i.code), i.source.clone()),
            })
            .collect(),
        bands,
        rules: s.events.iter().map(|r| format!("{}（{:+}，{} {}，{}）", r.name, r.points, t(lang, "assess.cap"), num(r.cap), r.source)).collect(),
        history: history.iter().map(|h| (h.version, h.note.clone(), h.created_by.clone(), local_date(h.created_at).to_string())).collect(),
        may_edit: who.is_supervisor(),
        note: form.get("note").cloned().unwrap_or_default(),
        error,
    })
}

pub async fn show(ctx: Ctx, State(app): State<AppState>, Query(q): Query<YearKind>) -> AppResult<Response> {
    let mut p = page(&ctx, &app, &q, &SchemeForm::new(), None).await?;
    if q.done == "saved" {
        p.chrome.flash = Some(t(ctx.lang, "assess.scheme_saved").replace("{v}", &p.version));
    }
    Ok(render(&p))
}

/// Keep the form as a new version, or show it again with the message and what was typed (422).
pub async fn save(ctx: Ctx, State(app): State<AppState>, Input(form): Input<SchemeForm>) -> AppResult<Response> {
    use chrono::Datelike;
    let q = YearKind { year: form.get("year").and_then(|y| y.trim().parse().ok()), kind: form.get("kind").cloned().unwrap_or_default(), done: String::new() };
    let year = luoshi_app::assessment::year_or(q.year, app.today().year())?;
    let kind = if q.kind.trim() == "department" { "department" } else { "township" };
    match schemes::edit(&app.db, &ctx.who()?, year, kind, &form, app.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/schemes?year={year}&kind={kind}&done=saved")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e.0.code, ErrorCode::NotFound | ErrorCode::Forbidden) {
                return Err(e);
            }
            let msg = error_message(ctx.lang, &e.0);
            let p = page(&ctx, &app, &q, &form, Some(msg)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}
