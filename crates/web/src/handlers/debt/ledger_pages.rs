//! The debt ledger on screen: balances by category, filters, one line per instrument with its
//! balance, rate and days to maturity, the xlsx import and export; the form to record an
//! instrument (refused on the same page naming the field, the input kept); the settings
//! (borrowers, a year's 限额 and 综合财力, who is granted sight).

use super::{Params, PAGE};
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luoshi_app::debt::instruments::{self, InstrumentInput, InstrumentView};
use luoshi_app::debt::{io, settings};
use luoshi_domain::debt::{Amortisation, BorrowerKind, Category, DayCount, InstrumentKind};
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::ErrorCode;
use luoshi_storage::debt::{Borrower, Filter};

/// Label of a code under a prefix.
pub(crate) fn label(lang: Lang, prefix: &str, code: &str) -> String {
    t(lang, &format!("{prefix}.{code}")).to_string()
}

/// Days to maturity as shown: 剩余N天 / 已到期N天.
pub(crate) fn days_to(lang: Lang, days: i64) -> (String, bool) {
    if days >= 0 {
        (t(lang, "debt.days_left").replace("{n}", &days.to_string()), false)
    } else {
        (t(lang, "debt.days_past").replace("{n}", &(-days).to_string()), true)
    }
}

/// An instrument as a line of the ledger.
pub(crate) struct Line {
    pub i: InstrumentView,
    pub kind: String,
    pub category: String,
    pub days: String,
    pub past: bool,
}

#[derive(Template)]
#[template(path = "debt/ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    rows: Vec<Line>,
    f: Filter,
    query: String,
    next_after: Option<i64>,
    /// (category, label, balance in 亿元).
    balances: Vec<(String, String, String)>,
    kinds: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    borrowers: Vec<Borrower>,
    may_write: bool,
    errors: Vec<(usize, String, String)>,
}

fn query_of(f: &Filter) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("kind", f.kind.clone()),
        ("category", f.category.clone()),
        ("q", f.q.clone()),
        ("borrower_id", f.borrower_id.map(|v| v.to_string()).unwrap_or_default()),
    ] {
        if !v.is_empty() {
            out.append_pair(k, &v);
        }
    }
    out.finish()
}

/// A select's options: (code, label).
pub(crate) type Options = Vec<(&'static str, String)>;

/// The instrument kinds and categories as a select offers them.
pub(crate) fn options(lang: Lang) -> (Options, Options) {
    (
        InstrumentKind::ALL.iter().map(|k| (k.as_str(), label(lang, "debt.kind", k.as_str()))).collect(),
        Category::ALL.iter().map(|c| (c.as_str(), label(lang, "debt.category", c.as_str()))).collect(),
    )
}

async fn ledger_page(
    ctx: &Ctx,
    app: &AppState,
    f: Filter,
    after: i64,
    report: Option<io::Report>,
    errors: Vec<(usize, String, String)>,
) -> AppResult<LedgerPage> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let rows = instruments::ledger(&app.db, &who, &f, after, PAGE, app.now()).await?;
    let next_after = (rows.len() as i64 == PAGE).then(|| rows.last().map(|i| i.id)).flatten();
    let ratios = luoshi_app::debt::figures::ratios(&app.db, &who, app.now()).await?;
    let balances = ratios.by_category.iter().map(|(c, b)| (c.as_str().to_string(), label(lang, "debt.category", c.as_str()), b.yi4())).collect();
    let (kinds, categories) = options(lang);
    let flash = report.as_ref().map(|r| {
        let key = if r.dry_run { "debt.import_checked" } else { "debt.imported" };
        t(lang, key).replace("{c}", &r.created.to_string()).replace("{e}", &r.existing.to_string())
    });
    Ok(LedgerPage {
        chrome: chrome(ctx, "debt.title", flash),
        rows: rows
            .into_iter()
            .map(|i| {
                let (days, past) = days_to(lang, i.days_to_maturity);
                Line {
                    kind: label(lang, "debt.kind", i.kind.as_str()),
                    category: label(lang, "debt.category", i.category.as_str()),
                    days,
                    past: past && i.outstanding_fen > 0,
                    i,
                }
            })
            .collect(),
        query: query_of(&f),
        f,
        next_after,
        balances,
        kinds,
        categories,
        borrowers: settings::borrowers(&app.db, &who, app.now()).await?,
        may_write: luoshi_app::debt::access(&app.db, &who, app.today()).await?.write,
        errors,
    })
}

pub async fn list(ctx: Ctx, State(app): State<AppState>, Query(f): Query<Filter>, Query(p): Query<Params>) -> AppResult<Response> {
    Ok(render(&ledger_page(&ctx, &app, f, p.after.unwrap_or(0), None, Vec::new()).await?))
}

pub async fn import_form(ctx: Ctx, State(app): State<AppState>, form: Multipart) -> AppResult<Response> {
    let (name, bytes, dry_run) = crate::handlers::ledger_upload(form).await?;
    let (status, report, errors) = match io::import(&app.db, &ctx.who()?, &bytes, &name, dry_run, app.now()).await? {
        Ok(r) => (StatusCode::OK, Some(r), Vec::new()),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, crate::handlers::row_errors(ctx.lang, &e)),
    };
    Ok((status, render(&ledger_page(&ctx, &app, Filter::default(), 0, report, errors).await?)).into_response())
}

#[derive(Template)]
#[template(path = "debt/new.html")]
struct NewPage {
    chrome: Chrome,
    form: InstrumentInput,
    error: Option<String>,
    borrowers: Vec<Borrower>,
    kinds: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    amortisations: Vec<(&'static str, String)>,
    day_counts: Vec<(&'static str, String)>,
}

async fn new_page(ctx: &Ctx, app: &AppState, form: InstrumentInput, error: Option<String>) -> AppResult<NewPage> {
    let lang = ctx.lang;
    let (kinds, categories) = options(lang);
    Ok(NewPage {
        chrome: chrome(ctx, "debt.new", None),
        form,
        error,
        borrowers: settings::borrowers(&app.db, &ctx.who()?, app.now()).await?,
        kinds,
        categories,
        amortisations: Amortisation::ALL.iter().map(|a| (a.as_str(), label(lang, "debt.amortisation", a.as_str()))).collect(),
        day_counts: DayCount::ALL.iter().map(|a| (a.as_str(), label(lang, "debt.day_count", a.as_str()))).collect(),
    })
}

pub async fn new_form(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let form = InstrumentInput { every_months: "12".into(), currency: "CNY".into(), ..InstrumentInput::default() };
    Ok(render(&new_page(&ctx, &app, form, None).await?))
}

pub async fn create(ctx: Ctx, State(app): State<AppState>, Input(form): Input<InstrumentInput>) -> AppResult<Response> {
    match instruments::create(&app.db, &ctx.who()?, &form, app.now()).await.map_err(AppError::from) {
        Ok(id) => Ok(Redirect::to(&format!("/debt/instruments/{id}?done=create")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&new_page(&ctx, &app, form, Some(msg)).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "debt/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    borrowers: Vec<(Borrower, String)>,
    year: i64,
    /// (category label, 万元).
    limits: Vec<(String, String)>,
    /// (name, 万元) and the total.
    capacity: Vec<(String, String)>,
    capacity_total: String,
    capacity_text: String,
    grants: Vec<luoshi_storage::debt::Grant>,
    borrower_kinds: Vec<(&'static str, String)>,
    borrower_form: settings::BorrowerInput,
    year_form: settings::YearInput,
    grant_form: settings::GrantInput,
    error: Option<(String, String)>,
    may_write: bool,
    may_decide: bool,
}

#[derive(Default)]
struct Forms {
    borrower: settings::BorrowerInput,
    year: settings::YearInput,
    grant: settings::GrantInput,
    /// (which form, message).
    error: Option<(String, String)>,
}

async fn settings_page(ctx: &Ctx, app: &AppState, done: &str, forms: Forms) -> AppResult<SettingsPage> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let access = luoshi_app::debt::access(&app.db, &who, app.today()).await?;
    let year = forms.year.year.unwrap_or(i64::from(chrono::Datelike::year(&app.today())));
    let (limits, capacity) = settings::year(&app.db, &who, year, app.now()).await?;
    let total: luoshi_domain::money::Fen = capacity.iter().map(|(_, a)| *a).sum();
    let flash = (!done.is_empty()).then(|| t(lang, &format!("debt.done_{done}")).to_string());
    Ok(SettingsPage {
        chrome: chrome(ctx, "debt.settings", flash),
        borrowers: settings::borrowers(&app.db, &who, app.now())
            .await?
            .into_iter()
            .map(|b| {
                let k = label(lang, "debt.borrower_kind", b.kind.as_str());
                (b, k)
            })
            .collect(),
        year,
        limits: limits.iter().map(|(c, l)| (label(lang, "debt.category", c.as_str()), l.wan2())).collect(),
        capacity_text: capacity.iter().map(|(n, a)| format!("{n} {}", a.wan())).collect::<Vec<_>>().join("\n"),
        capacity: capacity.iter().map(|(n, a)| (n.clone(), a.wan2())).collect(),
        capacity_total: total.wan2(),
        grants: settings::grants(&app.db, &who, app.now()).await?,
        borrower_kinds: BorrowerKind::ALL.iter().map(|k| (k.as_str(), label(lang, "debt.borrower_kind", k.as_str()))).collect(),
        borrower_form: forms.borrower,
        year_form: forms.year,
        grant_form: forms.grant,
        error: forms.error,
        may_write: access.write,
        may_decide: access.decide,
    })
}

pub async fn settings_view(ctx: Ctx, State(app): State<AppState>, Query(p): Query<Params>) -> AppResult<Response> {
    let forms = Forms { year: settings::YearInput { year: p.year, ..Default::default() }, ..Default::default() };
    Ok(render(&settings_page(&ctx, &app, &p.done, forms).await?))
}

/// A settings form's outcome: back to the page saying what happened, or the page again with
/// the error beside the form and its input kept.
async fn settled(ctx: &Ctx, app: &AppState, r: luoshi_app::Result<()>, done: &str, forms: Forms, which: &str) -> AppResult<Response> {
    match r.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/debt/settings?done={done}")).into_response()),
        Err(AppError(e)) if !matches!(e.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
            let forms = Forms { error: Some((which.to_string(), error_message(ctx.lang, &e))), ..forms };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&settings_page(ctx, app, "", forms).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn borrower_form(ctx: Ctx, State(app): State<AppState>, Input(form): Input<settings::BorrowerInput>) -> AppResult<Response> {
    let r = settings::put_borrower(&app.db, &ctx.who()?, &form, app.now()).await.map(|_| ());
    settled(&ctx, &app, r, "borrower", Forms { borrower: form, ..Default::default() }, "borrower").await
}

pub async fn year_form(ctx: Ctx, State(app): State<AppState>, Input(form): Input<settings::YearInput>) -> AppResult<Response> {
    let r = settings::set_year(&app.db, &ctx.who()?, &form, app.now()).await;
    settled(&ctx, &app, r, "year", Forms { year: form, ..Default::default() }, "year").await
}

pub async fn grant_form(ctx: Ctx, State(app): State<AppState>, Input(form): Input<settings::GrantInput>) -> AppResult<Response> {
    let r = settings::grant(&app.db, &ctx.who()?, &form, app.now()).await;
    settled(&ctx, &app, r, "grant", Forms { grant: form, ..Default::default() }, "grant").await
}

pub async fn revoke_form(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let r = settings::revoke(&app.db, &ctx.who()?, id, app.now()).await;
    settled(&ctx, &app, r, "revoke", Forms::default(), "grant").await
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use axum::http::Method as M;
    use luoshi_domain::access::DEBT as D;
    t.add(M::GET, "/debt", D, "debt", "债务台账 with balances by category, filters, import and export (page)", list)
        .add(M::GET, "/debt/new", D, "debt", "The form to record an instrument (page)", new_form)
        .add(M::POST, "/debt/instruments", D, "debt", "Record an instrument (form)", create)
        .add(M::POST, "/debt/import", D, "debt", "Import the debt ledger (multipart form; all rows or none)", import_form)
        .add(M::GET, "/debt/export.xlsx", D, "debt", "The debt ledger as xlsx", super::export)
        .add(M::GET, "/debt/settings", D, "debt", "Borrowers, the year's 限额 and 综合财力, grants of sight (page)", settings_view)
        .add(M::POST, "/debt/borrowers", D, "debt", "Register or update a borrower (form)", borrower_form)
        .add(M::POST, "/debt/year", D, "debt", "Set a year's 限额 and 综合财力 (form)", year_form)
        .add(M::POST, "/debt/grants", D, "debt", "Grant a user sight of the book (form)", grant_form)
        .add(M::POST, "/debt/grants/{id}/revoke", D, "debt", "Withdraw a user's grant (form)", revoke_form)
}
