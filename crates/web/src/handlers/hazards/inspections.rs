//! Campaigns and inspections over HTTP: the campaign list and its form, a campaign's progress
//! page, the inspection form made for a phone (big targets, photos from the camera, a submission
//! that says when it did not go through and can be sent again without being recorded twice), an
//! inspection's page with its photos, and the JSON API of each.

use super::DoneQuery;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use luoshi_app::hazards::campaigns::{self, CampaignView};
use luoshi_app::hazards::inspections::{self as svc, CampaignInput, FindingInput, InspectionInput};
use luoshi_domain::hazards::CampaignKind;
use luoshi_domain::i18n::{error_message, t, Lang};
use luoshi_domain::unit::UnitKind;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::hazards::inspections::{Campaign, Photo};

/// Read an inspection sent as a multipart form: its fields, repeated `checked`, `finding` and
/// `control` lines, and its photos.
async fn read_submission(mut form: Multipart) -> AppResult<(InspectionInput, Vec<Photo>)> {
    let bad = || AppError(DomainError::field(ErrorCode::BadFile, "photos"));
    let mut input = InspectionInput::default();
    let mut photos = Vec::new();
    let (mut findings, mut controls) = (Vec::new(), Vec::new());
    let id = |field: &str, v: &str| -> AppResult<Option<i64>> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        v.trim().parse().map(Some).map_err(|_| AppError(DomainError::invalid(field)))
    };
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "photos" {
            let file = field.file_name().unwrap_or("photo.jpg").to_string();
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
            let data = field.bytes().await.map_err(|_| bad())?.to_vec();
            if !data.is_empty() {
                photos.push(Photo { name: file, content_type, data });
            }
            continue;
        }
        let v = field.text().await.map_err(|_| AppError(DomainError::invalid(&name)))?;
        match name.as_str() {
            "campaign_id" => input.campaign_id = id("campaign_id", &v)?,
            "enterprise_id" => input.enterprise_id = id("enterprise_id", &v)?,
            "inspected_on" => input.inspected_on = v,
            "checklist" => input.checklist = v,
            "checked" => input.checked.push(v),
            "finding" => findings.push(v),
            "control" => controls.push(v),
            "note" => input.note = v,
            "inspectors" => input.inspectors = v,
            "client_key" => input.client_key = v,
            _ => {}
        }
    }
    input.findings = findings
        .into_iter()
        .enumerate()
        .map(|(i, d)| FindingInput { description: d, control_measures: controls.get(i).cloned().unwrap_or_default() })
        .collect();
    Ok((input, photos))
}

/// Submit an inspection: multipart (with photos) or JSON (without).
pub async fn submit_api(ctx: Ctx, State(app): State<AppState>, req: axum::extract::Request) -> AppResult<Response> {
    let who = ctx.who()?;
    let is_multipart = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/"));
    let (input, photos) = if is_multipart {
        let form = <Multipart as axum::extract::FromRequest<AppState>>::from_request(req, &app)
            .await
            .map_err(|_| AppError(DomainError::field(ErrorCode::BadFile, "photos")))?;
        read_submission(form).await?
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), 12 * 1024 * 1024).await.map_err(|_| AppError(DomainError::field(ErrorCode::TooLarge, "body")))?;
        (crate::extract::json(&bytes)?, Vec::new())
    };
    let s = svc::submit(&app.db, &who, &input, photos, app.today(), app.now()).await?;
    let status = if s.repeated { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(s)).into_response())
}

/// The phone form's fallback without script: submitted as a plain multipart form.
pub async fn submit_form(ctx: Ctx, State(app): State<AppState>, form: Multipart) -> AppResult<Response> {
    let (input, photos) = read_submission(form).await?;
    let s = svc::submit(&app.db, &ctx.who()?, &input, photos, app.today(), app.now()).await?;
    Ok(Redirect::to(&format!("/hazards/inspections/{}?done=1", s.inspection_id)).into_response())
}

pub async fn inspection_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(svc::inspection(&app.db, &ctx.who()?, id).await?).into_response())
}

pub async fn photo(ctx: Ctx, State(app): State<AppState>, Path((id, photo)): Path<(i64, i64)>) -> AppResult<Response> {
    let p = svc::photo(&app.db, &ctx.who()?, id, photo).await?;
    // Only images are accepted on upload; sent back as what they are, never run as a page.
    Ok(([(header::CONTENT_TYPE, p.content_type), (header::CONTENT_DISPOSITION, "inline".to_string())], p.data).into_response())
}

pub async fn campaigns_api(State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(serde_json::json!({ "campaigns": campaigns::list(&app.db).await? })).into_response())
}

pub async fn create_campaign_api(ctx: Ctx, State(app): State<AppState>, Input(input): Input<CampaignInput>) -> AppResult<Response> {
    let c = svc::create_campaign(&app.db, &ctx.who()?, &input, app.today(), app.now()).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

pub async fn campaign_api(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(Json(campaigns::view(&app.db, &ctx.who()?, id).await?).into_response())
}

fn kind_label(lang: Lang, k: CampaignKind) -> String {
    t(lang, &format!("campaign_kind.{}", k.as_str())).to_string()
}

#[derive(Template)]
#[template(path = "hazards/campaigns.html")]
struct CampaignsPage {
    chrome: Chrome,
    /// (id, title, kind, period, lead, days left or past).
    rows: Vec<(i64, String, String, String, String, String)>,
    kinds: Vec<(&'static str, String)>,
    units: Vec<(i64, String)>,
    townships: Vec<(i64, String)>,
    form: CampaignForm,
    error: Option<String>,
}

/// The campaign form as typed (kept when it is refused).
#[derive(Debug, Default, Clone)]
struct CampaignForm {
    kind: String,
    title: String,
    scope: String,
    industries: String,
    township_id: String,
    starts_on: String,
    ends_on: String,
    lead_unit_id: String,
    checking_units: Vec<i64>,
    closed_from: String,
    closed_to: String,
}

impl CampaignForm {
    fn parse(bytes: &[u8]) -> CampaignForm {
        let mut f = CampaignForm::default();
        for (k, v) in form_urlencoded::parse(bytes) {
            let v = v.into_owned();
            match k.as_ref() {
                "kind" => f.kind = v,
                "title" => f.title = v,
                "scope" => f.scope = v,
                "industries" => f.industries = v,
                "township_id" => f.township_id = v,
                "starts_on" => f.starts_on = v,
                "ends_on" => f.ends_on = v,
                "lead_unit_id" => f.lead_unit_id = v,
                "checking_units" => f.checking_units.extend(v.parse::<i64>().ok()),
                "closed_from" => f.closed_from = v,
                "closed_to" => f.closed_to = v,
                _ => {}
            }
        }
        f
    }
    fn input(&self) -> Result<CampaignInput, DomainError> {
        let id = |field: &str, v: &str| if v.trim().is_empty() { Ok(None) } else { v.trim().parse().map(Some).map_err(|_| DomainError::invalid(field)) };
        Ok(CampaignInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            scope: self.scope.clone(),
            industries: self.industries.clone(),
            township_id: id("township_id", &self.township_id)?,
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            lead_unit_id: id("lead_unit_id", &self.lead_unit_id)?,
            checking_units: self.checking_units.clone(),
            closed_from: self.closed_from.clone(),
            closed_to: self.closed_to.clone(),
        })
    }
}

async fn campaigns_page(ctx: &Ctx, app: &AppState, form: CampaignForm, error: Option<String>, flash: Option<String>) -> AppResult<CampaignsPage> {
    let lang = ctx.lang;
    let today = app.today();
    let all = luoshi_storage::units::list(&app.db, &luoshi_domain::access::Scope::All).await?;
    let rows = campaigns::list(&app.db)
        .await?
        .into_iter()
        .map(|c: Campaign| {
            let ends = chrono::NaiveDate::parse_from_str(&c.ends_on, "%Y-%m-%d").unwrap_or(today);
            let left = (ends - today).num_days();
            let days = if left >= 0 { t(lang, "campaigns.days_left").replace("{n}", &left.to_string()) } else { t(lang, "campaigns.ended").to_string() };
            (c.id, c.title, kind_label(lang, c.kind), format!("{} — {}", c.starts_on, c.ends_on), c.lead_name, days)
        })
        .collect();
    Ok(CampaignsPage {
        chrome: chrome(ctx, "campaigns.title", flash),
        rows,
        kinds: CampaignKind::ALL.iter().map(|k| (k.as_str(), kind_label(lang, *k))).collect(),
        units: all.iter().filter(|u| matches!(u.kind, UnitKind::Department | UnitKind::Township)).map(|u| (u.id, u.name.clone())).collect(),
        townships: all.iter().filter(|u| u.kind == UnitKind::Township).map(|u| (u.id, u.name.clone())).collect(),
        form,
        error,
    })
}

pub async fn campaigns(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    let today = app.today().to_string();
    let form = CampaignForm { starts_on: today.clone(), ends_on: today, kind: "big_check".into(), ..CampaignForm::default() };
    Ok(render(&campaigns_page(&ctx, &app, form, None, None).await?))
}

/// The campaign form: to the new campaign's page, or the same form with the input kept and the
/// problem named.
pub async fn create_campaign(ctx: Ctx, State(app): State<AppState>, body: Bytes) -> AppResult<Response> {
    let form = CampaignForm::parse(&body);
    let made = match form.input() {
        Ok(input) => svc::create_campaign(&app.db, &ctx.who()?, &input, app.today(), app.now()).await.map_err(AppError::from),
        Err(e) => Err(AppError(e)),
    };
    match made {
        Ok(c) => Ok(Redirect::to(&format!("/hazards/campaigns/{}?done=1", c.id)).into_response()),
        Err(AppError(e)) if e.code != ErrorCode::Forbidden => {
            let msg = error_message(ctx.lang, &e);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&campaigns_page(&ctx, &app, form, Some(msg), None).await?)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "hazards/campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    v: CampaignView,
    kind: String,
    progress: String,
    chart: String,
    days: String,
}

pub async fn campaign(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let v = campaigns::view(&app.db, &ctx.who()?, id).await?;
    let flash = (!q.done.is_empty()).then(|| t(lang, "campaigns.saved").to_string());
    let mut c = chrome(&ctx, "campaigns.title", flash);
    c.title = v.campaign.title.clone();
    let pct = |x: Option<f64>| x.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_else(|| "—".into());
    let rows = vec![
        (t(lang, "campaigns.inspected").to_string(), v.progress),
        (t(lang, "hazards.rate").to_string(), (v.found > 0).then(|| v.closed as f64 / v.found as f64)),
    ];
    let today = app.today();
    let ends = chrono::NaiveDate::parse_from_str(&v.campaign.ends_on, "%Y-%m-%d").unwrap_or(today);
    let left = (ends - today).num_days();
    Ok(render(&CampaignPage {
        chrome: c,
        kind: kind_label(lang, v.campaign.kind),
        progress: format!("{}/{} · {}", v.inspected, v.in_scope, pct(v.progress)),
        chart: crate::charts::share_bars(t(lang, "campaigns.progress"), &rows),
        days: if left >= 0 { t(lang, "campaigns.days_left").replace("{n}", &left.to_string()) } else { t(lang, "campaigns.ended").to_string() },
        v,
    }))
}

#[derive(Template)]
#[template(path = "hazards/inspect.html")]
struct InspectPage {
    chrome: Chrome,
    enterprises: Vec<(i64, String)>,
    enterprise_id: i64,
    campaigns: Vec<(i64, String)>,
    campaign_id: i64,
    catalogues: Vec<(String, String)>,
    items: Vec<String>,
    today: String,
    max_photos: usize,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct InspectQuery {
    enterprise_id: Option<i64>,
    campaign_id: Option<i64>,
}

/// The inspection form for a phone: the enterprises the caller inspects, the campaigns running
/// today, the checklist in force and the county's check items.
pub async fn inspect(ctx: Ctx, State(app): State<AppState>, Query(q): Query<InspectQuery>) -> AppResult<Response> {
    let who = ctx.who()?;
    let today = app.today();
    let path = (!who.is_supervisor() && who.role != Some(luoshi_domain::user::Role::Leader)).then_some(who.unit_path.as_str());
    let mut enterprises: Vec<(i64, String)> = luoshi_storage::hazards::enterprises(&app.db, path, 1000).await?.into_iter().map(|e| (e.id, e.name)).collect();
    if let Some(e) = q.enterprise_id.filter(|e| !enterprises.iter().any(|(id, _)| id == e)) {
        // A township's inspector comes from the enterprise's page: it is offered too.
        if let Some(x) = luoshi_storage::hazards::enterprise_by_id(&app.db, e).await? {
            enterprises.insert(0, (x.id, x.name));
        }
    }
    let ymd = today.to_string();
    let campaigns = campaigns::list(&app.db).await?.into_iter().filter(|c| c.starts_on <= ymd && c.ends_on >= ymd).map(|c| (c.id, c.title)).collect();
    let catalogues = luoshi_domain::hazards::catalogue::shipped()?
        .into_iter()
        .filter(|c| c.in_force(today))
        .map(|c| (c.code, format!("{}（{}）", c.name, c.source)))
        .collect();
    let rules = luoshi_app::RulesInForce::load(&app.db, today).await?;
    Ok(render(&InspectPage {
        chrome: chrome(&ctx, "inspect.title", None),
        enterprises,
        enterprise_id: q.enterprise_id.unwrap_or_default(),
        campaigns,
        campaign_id: q.campaign_id.unwrap_or_default(),
        catalogues,
        items: rules.list("hazards.inspection.checklist"),
        today: ymd,
        max_photos: svc::MAX_PHOTOS,
    }))
}

#[derive(Template)]
#[template(path = "hazards/inspection.html")]
struct InspectionPage {
    chrome: Chrome,
    v: svc::InspectionView,
    checklist: String,
    /// (hazard id, description, state).
    hazards: Vec<(i64, String, String)>,
}

pub async fn inspection(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let v = svc::inspection(&app.db, &ctx.who()?, id).await?;
    let flash = (!q.done.is_empty()).then(|| t(lang, "inspect.saved").replace("{n}", &v.hazards.len().to_string()));
    let mut c = chrome(&ctx, "inspect.record", flash);
    c.title = format!("{} · {}", t(lang, "inspect.record"), v.inspection.enterprise_name);
    let all = luoshi_domain::hazards::catalogue::shipped()?;
    let checklist = v
        .inspection
        .checklist
        .as_ref()
        .map(|code| all.iter().find(|c| &c.code == code).map(|c| c.name.clone()).unwrap_or_else(|| code.clone()))
        .unwrap_or_default();
    let hazards = v.hazards.iter().map(|h| (h.id, h.description.clone(), t(lang, &format!("hazard_state.{}", h.state.as_str())).to_string())).collect();
    Ok(render(&InspectionPage { chrome: c, checklist, hazards, v }))
}

/// The phone form's script (a file of our own: the pages allow no inline script).
pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], include_str!("../../../assets/inspect.js"))
        .into_response()
}

/// These routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::PUBLIC;
    use axum::http::Method as M;
    use luoshi_domain::access::TASK_READERS;
    t.add(M::GET, "/assets/inspect.js", PUBLIC, "hazards", "The inspection form's script (resizes photos, sends again on a slow line)", script)
        .add(M::GET, "/hazards/campaigns", TASK_READERS, "hazards", "Campaigns (大检查, 百日攻坚, 专项整治, 回头看) and the form to start one (page)", campaigns)
        .add(M::POST, "/hazards/campaigns", TASK_READERS, "hazards", "Start a campaign (form)", create_campaign)
        .add(M::GET, "/hazards/campaigns/{id}", TASK_READERS, "hazards", "A campaign's progress, its inspections and for a 回头看 what to re-inspect (page)", campaign)
        .add(M::GET, "/hazards/inspect", TASK_READERS, "hazards", "The inspection form, made for a phone (page)", inspect)
        .add(M::POST, "/hazards/inspect", TASK_READERS, "hazards", "Record an inspection (multipart form without script)", submit_form)
        .add(M::GET, "/hazards/inspections/{id}", TASK_READERS, "hazards", "An inspection with its photos and the hazards it found (page)", inspection)
        .add(M::GET, "/api/v1/campaigns", TASK_READERS, "hazards", "Campaigns, the latest first", campaigns_api)
        .add(
            M::POST,
            "/api/v1/campaigns",
            TASK_READERS,
            "hazards",
            "Start a campaign {kind, title, scope, industries, township_id, starts_on, ends_on, lead_unit_id, checking_units[], closed_from, closed_to (回头看)}",
            create_campaign_api,
        )
        .add(M::GET, "/api/v1/campaigns/{id}", TASK_READERS, "hazards", "A campaign with its progress and, for a 回头看, the sample to re-inspect", campaign_api)
        .add(
            M::POST,
            "/api/v1/inspections",
            TASK_READERS,
            "hazards",
            "Record an inspection (JSON {campaign_id, enterprise_id, inspected_on, checklist, checked[], findings[{description, control_measures}], note, client_key} or multipart with photos): each finding becomes a hazard; the same client_key again answers 200 with the inspection it made",
            submit_api,
        )
        .add(M::GET, "/api/v1/inspections/{id}", TASK_READERS, "hazards", "An inspection with its photos and the hazards it found", inspection_api)
        .add(M::GET, "/api/v1/inspections/{id}/photos/{photo}", TASK_READERS, "hazards", "One photo of an inspection", photo)
}
