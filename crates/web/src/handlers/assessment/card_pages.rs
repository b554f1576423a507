//! 考核's pages: a unit's scorecard (formulas, the records behind each figure, adjustments and
//! objections with their forms), and the annual ranking report on A4, in xlsx and in Word.

use super::{percent, YearKind};
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::assessment::cards::{self, AdjustmentInput, Report, Scorecard};
use luoshi_app::assessment::objections::{self, Decision, ObjectionInput};
use luoshi_domain::assessment::{Direction, Event};
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::{DomainError, ErrorCode};

pub(crate) struct IndicatorView {
    pub name: String,
    pub formula: String,
    pub value: String,
    pub fraction: String,
    pub target: String,
    pub direction: String,
    pub weight: String,
    pub points: String,
    pub insufficient: bool,
    /// (label, link) of the records each term of the formula counts.
    pub records: Vec<(String, String)>,
}

pub(crate) struct PartView {
    pub heading: String,
    pub indicators: Vec<IndicatorView>,
}

/// What a form sent, kept when it is refused.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct CardForm {
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub points: String,
    #[serde(default)]
    pub grounds: String,
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub upheld: String,
    #[serde(default)]
    pub year: Option<i32>,
}

#[derive(Template)]
#[template(path = "assessment/scorecard.html")]
struct ScorecardPage {
    chrome: Chrome,
    s: Scorecard,
    parts: Vec<PartView>,
    total: String,
    grade: String,
    bands: Vec<String>,
    rules: Vec<(String, String)>,
    indicators: Vec<(String, String)>,
    objections: Vec<(luoshi_storage::assessment::Objection, String, String)>,
    may_adjust: bool,
    may_object: bool,
    error: Option<String>,
    form: CardForm,
}

fn event_code(e: Event) -> &'static str {
    match e {
        Event::Opened => "opened",
        Event::OnTime => "on_time",
        Event::Late => "late",
        Event::Closed => "closed",
        // The records an amount is kept on: those of the kind standing open.
        Event::Open | Event::Standing | Event::Sum => "open",
        Event::Overdue => "overdue",
    }
}

async fn scorecard_page(ctx: &Ctx, app: &AppState, id: i64, year: Option<i32>, error: Option<String>, form: CardForm) -> AppResult<ScorecardPage> {
    use chrono::Datelike;
    let lang = ctx.lang;
    let who = ctx.who()?;
    let s = cards::scorecard(&app.db, &who, id, year, app.today().year()).await?;
    let (scheme, _) =
        luoshi_app::assessment::scheme(&app.db, s.year, luoshi_app::assessment::scheme_kind(luoshi_domain::unit::UnitKind::parse(&s.unit_kind)?)).await?;
    let parts = s
        .card
        .parts
        .iter()
        .map(|p| PartView {
            heading: t(lang, "assess.part_score")
                .replace("{name}", &p.name)
                .replace("{w}", &format!("{}", p.weight))
                .replace("{s}", &p.score.map(|x| format!("{x:.1}")).unwrap_or_else(|| t(lang, "cockpit.small_sample").into())),
            indicators: p
                .indicators
                .iter()
                .map(|i| {
                    let def = scheme.indicator(&i.code);
                    let term = |x: &luoshi_domain::assessment::Term| super::term_text(lang, x);
                    let formula = def.map(|d| super::formula_text(lang, &d.formula)).unwrap_or_default();
                    let mut records: Vec<(String, String)> = Vec::new();
                    for x in def.map(|d| d.formula.den.clone()).unwrap_or_default() {
                        let mut href = format!("/cockpit/records?kind={}&event={}&unit={}&year={}", x.kind, event_code(x.event), s.unit_id, s.year);
                        if let [g] = x.grades.as_slice() {
                            href.push_str(&format!("&grade={g}"));
                        }
                        if let Some(f) = x.flagged {
                            href.push_str(&format!("&flagged={f}"));
                        }
                        let label = term(&x);
                        if !records.iter().any(|(l, _)| *l == label) {
                            records.push((label, href));
                        }
                    }
                    IndicatorView {
                        name: i.name.clone(),
                        formula,
                        value: percent(i.value),
                        // Sums of money in 万元, counts as they are.
                        fraction: if def.is_some_and(|d| d.formula.den.iter().any(|x| x.measure.is_some())) {
                            t(lang, "cockpit.amount_wan").replace("{v}", &format!("{}/{}", super::wan(i.num), super::wan(i.den)))
                        } else {
                            format!("{}/{}", i.num, i.den)
                        },
                        target: percent(Some(i.target)),
                        direction: t(lang, if i.direction == Direction::Higher { "assess.higher" } else { "assess.lower" }).to_string(),
                        weight: format!("{}", i.weight),
                        points: i.points.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into()),
                        insufficient: i.points.is_none(),
                        records,
                    }
                })
                .collect(),
        })
        .collect();
    let mut c = chrome(ctx, "assess.title", None);
    c.title = t(lang, "assess.card_of").replace("{year}", &s.year.to_string()).replace("{name}", &s.unit_name);
    let unit_path = luoshi_storage::units::get(&app.db, s.unit_id).await?.map(|u| u.path).unwrap_or_default();
    Ok(ScorecardPage {
        chrome: c,
        total: s.card.total.map(|x| format!("{x:.1}")).unwrap_or_else(|| t(lang, "assess.not_scored").into()),
        grade: s.card.grade.clone().unwrap_or_default(),
        bands: s.bands.iter().map(|(n, m)| t(lang, "assess.band_from").replace("{name}", n).replace("{min}", &format!("{m:.1}"))).collect(),
        rules: scheme.events.iter().map(|r| (r.code.clone(), format!("{}（{:+}，{}）", r.name, r.points, r.source))).collect(),
        indicators: scheme
            .indicators
            .iter()
            .map(|i| (i.code.clone(), i.name.clone()))
            .chain([("total".to_string(), t(lang, "assess.whole_total").to_string())])
            .collect(),
        objections: s
            .objections
            .iter()
            .map(|o| {
                let name = scheme.indicator(&o.indicator_code).map(|i| i.name.clone()).unwrap_or_else(|| t(lang, "assess.whole_total").into());
                (o.clone(), name, t(lang, &format!("assess.objection_state.{}", o.state.as_str())).to_string())
            })
            .collect(),
        may_adjust: who.is_supervisor(),
        may_object: who.role == Some(luoshi_domain::user::Role::UnitManager) && who.acts_for(&unit_path),
        parts,
        s,
        error,
        form,
    })
}

pub async fn scorecard(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<YearKind>) -> AppResult<Response> {
    let mut page = scorecard_page(&ctx, &app, id, q.year, None, CardForm::default()).await?;
    page.chrome.flash = match q.done.as_str() {
        "adjusted" => Some(t(ctx.lang, "assess.adjusted").into()),
        "objected" => Some(t(ctx.lang, "assess.objected").into()),
        "decided" => Some(t(ctx.lang, "assess.decided").into()),
        _ => None,
    };
    Ok(render(&page))
}

/// A refused form: its own page again with the message and the input kept (422); a missing
/// record or a refused caller stays an error.
async fn refused(ctx: &Ctx, app: &AppState, id: i64, form: CardForm, e: AppError) -> AppResult<Response> {
    if matches!(e.0.code, ErrorCode::NotFound | ErrorCode::Forbidden) {
        return Err(e);
    }
    let msg = error_message(ctx.lang, &e.0);
    let page = scorecard_page(ctx, app, id, form.year, Some(msg), form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

fn points(s: &str) -> Result<Option<f64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>().map(Some).map_err(|_| AppError(DomainError::field(ErrorCode::Invalid, "points")))
}

fn back(id: i64, year: Option<i32>, done: &str) -> Response {
    let y = year.map(|y| format!("&year={y}")).unwrap_or_default();
    Redirect::to(&format!("/assessment/units/{id}?done={done}{y}")).into_response()
}

pub async fn adjust(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<CardForm>) -> AppResult<Response> {
    use chrono::Datelike;
    let who = ctx.who()?;
    let result = match points(&f.points) {
        Ok(p) => {
            let input = AdjustmentInput { unit_id: id, year: f.year, rule: f.rule.clone(), points: p, grounds: f.grounds.clone() };
            cards::adjust(&app.db, &who, &input, app.today().year(), app.now()).await.map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(back(id, f.year, "adjusted")),
        Err(e) => refused(&ctx, &app, id, f, e).await,
    }
}

pub async fn object(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<CardForm>) -> AppResult<Response> {
    use chrono::Datelike;
    let input = ObjectionInput { unit_id: id, year: f.year, indicator: f.indicator.clone(), reason: f.reason.clone() };
    match objections::file(&app.db, &ctx.who()?, &input, app.today().year(), app.now()).await {
        Ok(_) => Ok(back(id, f.year, "objected")),
        Err(e) => refused(&ctx, &app, id, f, e.into()).await,
    }
}

pub async fn decide(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Input(f): Input<CardForm>) -> AppResult<Response> {
    let o = luoshi_storage::assessment::objection_by_id(&app.db, id).await?.ok_or_else(|| AppError(DomainError::not_found("objection")))?;
    let result = match points(&f.points) {
        Ok(p) => {
            let d = Decision { upheld: f.upheld == "true", reason: f.reason.clone(), points: p };
            objections::decide(&app.db, &ctx.who()?, id, &d, app.now()).await.map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(back(o.unit_id, Some(o.year), "decided")),
        Err(e) => refused(&ctx, &app, o.unit_id, CardForm { year: Some(o.year), ..f }, e).await,
    }
}

#[derive(Template)]
#[template(path = "assessment/report.html")]
struct ReportPage {
    chrome: Chrome,
    r: Report,
    kind: String,
    rows: Vec<(i64, Vec<String>)>,
    headers: Vec<String>,
}

async fn load_report(ctx: &Ctx, app: &AppState, q: &YearKind) -> AppResult<(Report, Vec<String>, Vec<(i64, Vec<String>)>)> {
    use chrono::Datelike;
    let lang = ctx.lang;
    let r = cards::report(&app.db, &ctx.who()?, q.year, q.unit_kind(), app.today().year()).await?;
    let mut headers = vec![t(lang, "cockpit.rank").to_string(), t(lang, "cockpit.unit").to_string()];
    headers.extend(r.parts.iter().map(|(n, w)| format!("{n}（{w}%）")));
    headers.extend([t(lang, "assess.adjustments").to_string(), t(lang, "assess.total").to_string(), t(lang, "cockpit.grade").to_string()]);
    let rows = r
        .lines
        .iter()
        .map(|l| {
            let rank = match (l.rank, l.tied) {
                (Some(n), true) => t(lang, "cockpit.rank_tied").replace("{n}", &n.to_string()),
                (Some(n), false) => n.to_string(),
                (None, _) => t(lang, "cockpit.small_sample").to_string(),
            };
            let mut row = vec![rank, l.unit_name.clone()];
            row.extend(l.parts.iter().map(|p| p.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into())));
            row.extend([
                format!("{:+.1}", l.adjustments),
                l.total.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into()),
                l.grade.clone().unwrap_or_default(),
            ]);
            (l.unit_id, row)
        })
        .collect();
    Ok((r, headers, rows))
}

fn report_title(lang: Lang, r: &Report) -> String {
    let kind = t(lang, if r.unit_kind == "department" { "assess.departments" } else { "assess.townships" });
    t(lang, "assess.report_of").replace("{year}", &r.year.to_string()).replace("{kind}", kind)
}

pub async fn report(ctx: Ctx, State(app): State<AppState>, Query(q): Query<YearKind>) -> AppResult<Response> {
    let (r, headers, rows) = load_report(&ctx, &app, &q).await?;
    let mut c = chrome(&ctx, "assess.report", None);
    c.title = report_title(ctx.lang, &r);
    Ok(render(&ReportPage { chrome: c, kind: r.unit_kind.clone(), r, rows, headers }))
}

fn attachment(content_type: &'static str, ascii: &str, name: &str, body: Vec<u8>) -> Response {
    let enc: String =
        name.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}");
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

pub async fn report_xlsx(ctx: Ctx, State(app): State<AppState>, Query(q): Query<YearKind>) -> AppResult<Response> {
    let (r, headers, rows) = load_report(&ctx, &app, &q).await?;
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.1).collect();
    let bytes = luoshi_ledger::write_xlsx("考核排名", &h, &rows)?;
    let name = format!("{}.xlsx", report_title(ctx.lang, &r));
    Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "assessment.xlsx", &name, bytes))
}

pub async fn report_docx(ctx: Ctx, State(app): State<AppState>, Query(q): Query<YearKind>) -> AppResult<Response> {
    let lang = ctx.lang;
    let (r, headers, rows) = load_report(&ctx, &app, &q).await?;
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    let version = if r.scheme_version == 0 {
        t(lang, "assess.scheme_shipped").to_string()
    } else {
        t(lang, "assess.scheme_version").replace("{n}", &r.scheme_version.to_string())
    };
    let lines = vec![
        format!("{}：{}（{}）", t(lang, "assess.scheme"), r.title, version),
        format!("{}：{}", t(lang, "assess.source"), r.source),
        t(lang, "assess.total_rule").to_string(),
        t(lang, "cockpit.ranking_rule").replace("{n}", &r.min_sample.to_string()),
    ];
    let title = report_title(lang, &r);
    let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.1).collect();
    let bytes = luoshi_ledger::write_docx(&title, &lines, &h, &rows)?;
    Ok(attachment("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "assessment.docx", &format!("{title}.docx"), bytes))
}
