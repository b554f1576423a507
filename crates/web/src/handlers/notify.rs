//! Notices that reach people over HTTP: the outbox (the supervision office: filters, each
//! message's tries, resend), a person's own contact points, the county's channels (JSON API:
//! administrators set them, the secret written and never read back).

use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query};
use crate::http::{Ctx, Input, Want};
use crate::pages::{chrome, render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use luoshi_app::notify::{self, ChannelInput, Contacts, OutboxQuery};
use luoshi_domain::i18n::{error_message, t};
use luoshi_domain::time::format_local;
use luoshi_domain::ErrorCode;

struct Row {
    id: i64,
    when: String,
    person: String,
    channel: String,
    address: String,
    about: String,
    href: String,
    text: String,
    state: String,
    state_class: &'static str,
    tries: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "notify/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    q: OutboxQuery,
    rows: Vec<Row>,
    next: Option<i64>,
}

/// A message's state as a pill's colour.
fn state_class(state: &str) -> &'static str {
    match state {
        "sent" => "green",
        "failed" => "red",
        _ => "yellow",
    }
}

/// A message about a duty as its page lists it (`notify/deliveries.html`).
pub(crate) struct DeliveryRow {
    pub when: String,
    pub about: String,
    pub person: String,
    pub channel: String,
    pub state: String,
    pub state_class: &'static str,
    /// Tries, and the provider's answer when it failed.
    pub note: String,
}

pub(crate) fn delivery_rows(lang: luoshi_domain::i18n::Lang, ds: &[notify::Delivery]) -> Vec<DeliveryRow> {
    ds.iter()
        .map(|d| DeliveryRow {
            when: format_local(d.sent_at.unwrap_or(d.created_at)),
            about: luoshi_domain::notify::level_word(&d.level).to_string(),
            person: format!("{} {}", d.person, d.address),
            channel: t(lang, &format!("notify.channel.{}", d.channel)).to_string(),
            state: t(lang, &format!("notify.state.{}", d.state)).to_string(),
            state_class: state_class(&d.state),
            note: match (d.attempts, d.last_error.as_str()) {
                (0 | 1, "") => String::new(),
                (n, "") => format!("{} {n}", t(lang, "notify.tries")),
                (n, e) => format!("{} {n}（{e}）", t(lang, "notify.tries")),
            },
        })
        .collect()
}

/// The messages sent about a duty the caller was just shown, as its page lists them.
pub(crate) async fn deliveries_of(app: &AppState, lang: luoshi_domain::i18n::Lang, kind: &str, id: i64) -> AppResult<Vec<DeliveryRow>> {
    Ok(delivery_rows(lang, &notify::of_duty(&app.db, kind, id).await?))
}

async fn outbox_page(ctx: Ctx, State(app): State<AppState>, Query(q): Query<OutboxQuery>) -> AppResult<Response> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let rows = notify::outbox(&app.db, &who, &q).await?;
    let next = (rows.len() == 50).then(|| rows.last().map(|m| m.id)).flatten();
    let rows = rows
        .into_iter()
        .map(|m| Row {
            id: m.id,
            when: format_local(m.created_at),
            person: m.person,
            channel: t(lang, &format!("notify.channel.{}", m.channel)).to_string(),
            address: m.address,
            about: luoshi_domain::notify::level_word(&m.level).to_string(),
            href: luoshi_domain::duty::href(&m.kind, m.ref_id),
            text: m.text,
            state_class: state_class(&m.state),
            state: t(lang, &format!("notify.state.{}", m.state)).to_string(),
            tries: if m.last_error.is_empty() { m.attempts.to_string() } else { format!("{}（{}）", m.attempts, m.last_error) },
            failed: m.state == "failed",
        })
        .collect();
    let mut c = chrome(&ctx, "notify.outbox", None);
    if q.done == "resent" {
        c.flash = Some(t(lang, "notify.resent").into());
    }
    Ok(render(&OutboxPage { chrome: c, q, rows, next }))
}

async fn outbox_api(ctx: Ctx, State(app): State<AppState>, Query(q): Query<OutboxQuery>) -> AppResult<Response> {
    Ok(Json(notify::outbox(&app.db, &ctx.who()?, &q).await?).into_response())
}

async fn resend(ctx: Ctx, State(app): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    notify::resend(&app.db, &ctx.who()?, id, app.now()).await?;
    if ctx.want == Want::Json {
        return Ok(Json(serde_json::json!({ "id": id, "state": "pending" })).into_response());
    }
    Ok(Redirect::to("/notify/outbox?done=resent").into_response())
}

async fn channels_api(ctx: Ctx, State(app): State<AppState>) -> AppResult<Response> {
    Ok(Json(notify::channels(&app.db, &ctx.who()?).await?).into_response())
}

async fn put_channel(ctx: Ctx, State(app): State<AppState>, Path(name): Path<String>, Input(i): Input<ChannelInput>) -> AppResult<Response> {
    notify::put_channel(&app.db, &ctx.who()?, &name, &i, app.now()).await?;
    Ok(Json(serde_json::json!({ "channel": name })).into_response())
}

#[derive(Template)]
#[template(path = "notify/contacts.html")]
struct ContactsPage {
    chrome: Chrome,
    c: Contacts,
    off_sms: bool,
    off_messenger: bool,
    off_email: bool,
    error: Option<String>,
}

fn contacts_page(ctx: &Ctx, c: Contacts, error: Option<String>) -> ContactsPage {
    let off = |ch: &str| c.off.iter().any(|o| o == ch);
    ContactsPage { chrome: chrome(ctx, "notify.contacts", None), off_sms: off("sms"), off_messenger: off("messenger"), off_email: off("email"), c, error }
}

#[derive(Debug, Default, serde::Deserialize)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn my_contacts(ctx: Ctx, State(app): State<AppState>, Query(d): Query<Done>) -> AppResult<Response> {
    let c = notify::my_contacts(&app.db, &ctx.who()?).await?;
    if ctx.want == Want::Json {
        return Ok(Json(c).into_response());
    }
    let mut p = contacts_page(&ctx, c, None);
    if d.done == "saved" {
        p.chrome.flash = Some(t(ctx.lang, "notify.contacts_saved").into());
    }
    Ok(render(&p))
}

/// The form's fields: the channels turned off come as `off_sms=on` and the like.
#[derive(Debug, Default, serde::Deserialize)]
struct ContactsForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    messenger_id: String,
    #[serde(default)]
    off: Vec<String>,
    #[serde(default)]
    off_sms: Option<String>,
    #[serde(default)]
    off_messenger: Option<String>,
    #[serde(default)]
    off_email: Option<String>,
}

async fn set_my_contacts(ctx: Ctx, State(app): State<AppState>, Input(f): Input<ContactsForm>) -> AppResult<Response> {
    let mut off = f.off.clone();
    for (ch, on) in [("sms", &f.off_sms), ("messenger", &f.off_messenger), ("email", &f.off_email)] {
        if on.is_some() && !off.iter().any(|o| o == ch) {
            off.push(ch.to_string());
        }
    }
    let c = Contacts { phone: f.phone, email: f.email, messenger_id: f.messenger_id, off };
    match notify::set_my_contacts(&app.db, &ctx.who()?, &c, app.now()).await {
        Ok(()) if ctx.want == Want::Json => Ok(Json(c).into_response()),
        Ok(()) => Ok(Redirect::to("/me/contacts?done=saved").into_response()),
        Err(e) => {
            let e = AppError::from(e);
            if ctx.want == Want::Json || matches!(e.0.code, ErrorCode::Forbidden | ErrorCode::NotFound) {
                return Err(e);
            }
            let msg = error_message(ctx.lang, &e.0);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&contacts_page(&ctx, c, Some(msg)))).into_response())
        }
    }
}

/// One channel on the settings page: its fields as set (or as typed when refused).
struct ChannelView {
    name: String,
    label: String,
    enabled: bool,
    fields: Vec<(String, String, String)>,
    has_secret: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "notify/channels.html")]
struct ChannelsPage {
    chrome: Chrome,
    channels: Vec<ChannelView>,
    may_edit: bool,
    error: Option<String>,
}

/// The settings a channel's form shows, in order.
fn fields_of(name: &str) -> &'static [&'static str] {
    match name {
        "sms" => &["url", "template_id", "sign_name", "timeout_secs"],
        "messenger" => &["url", "format", "timeout_secs"],
        _ => &["host", "port", "from", "user"],
    }
}

type Form = std::collections::HashMap<String, String>;

async fn channels_page_of(ctx: &Ctx, app: &AppState, refused: Option<(&str, &Form, String)>) -> AppResult<ChannelsPage> {
    let lang = ctx.lang;
    let who = ctx.who()?;
    let stored = notify::channels(&app.db, &who).await?;
    let channels = ["sms", "messenger", "email"]
        .iter()
        .map(|name| {
            let row = stored.iter().find(|c| c.name == *name);
            let cfg: serde_json::Value = row.and_then(|c| serde_json::from_str(&c.config).ok()).unwrap_or_default();
            let typed = refused.as_ref().filter(|(n, _, _)| n == name).map(|(_, f, _)| *f);
            let value = |k: &str| match typed {
                Some(f) => f.get(k).cloned().unwrap_or_default(),
                None => cfg.get(k).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).unwrap_or_default(),
            };
            ChannelView {
                name: name.to_string(),
                label: t(lang, &format!("notify.channel.{name}")).to_string(),
                enabled: typed.map(|f| f.contains_key("enabled")).unwrap_or(row.is_some_and(|c| c.enabled)),
                fields: fields_of(name).iter().map(|k| (k.to_string(), t(lang, &format!("notify.setting.{k}")).to_string(), value(k))).collect(),
                has_secret: row.is_some_and(|c| c.has_secret),
                updated: row.map(|c| format!("{} · {}", c.updated_by, format_local(c.updated_at))).unwrap_or_default(),
            }
        })
        .collect();
    Ok(ChannelsPage {
        chrome: chrome(ctx, "notify.channels", None),
        channels,
        may_edit: who.role == Some(luoshi_domain::user::Role::Admin),
        error: refused.map(|(_, _, e)| e),
    })
}

async fn channels_page(ctx: Ctx, State(app): State<AppState>, Query(d): Query<Done>) -> AppResult<Response> {
    let mut p = channels_page_of(&ctx, &app, None).await?;
    if d.done == "saved" {
        p.chrome.flash = Some(t(ctx.lang, "notify.channel_saved").into());
    }
    Ok(render(&p))
}

/// The form of one channel: its settings as typed (numbers as numbers), the secret only when
/// one is typed.
async fn save_channel(ctx: Ctx, State(app): State<AppState>, Path(name): Path<String>, Input(f): Input<Form>) -> AppResult<Response> {
    let mut config = serde_json::Map::new();
    let mut bad: Option<luoshi_domain::DomainError> = None;
    for k in fields_of(&name) {
        let v = f.get(*k).map(|v| v.trim().to_string()).unwrap_or_default();
        if v.is_empty() {
            continue;
        }
        if ["port", "timeout_secs"].contains(k) {
            match v.parse::<u64>() {
                Ok(n) => {
                    config.insert(k.to_string(), n.into());
                }
                Err(_) => bad = Some(luoshi_domain::DomainError::field(ErrorCode::Invalid, *k).with_detail(v)),
            }
        } else {
            config.insert(k.to_string(), v.into());
        }
    }
    let secret = f.get("secret").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let input = ChannelInput { enabled: f.contains_key("enabled"), config: config.into(), secret };
    let result = match bad {
        Some(e) => Err(AppError(e)),
        None => notify::put_channel(&app.db, &ctx.who()?, &name, &input, app.now()).await.map_err(AppError::from),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/notify/channels?done=saved").into_response()),
        Err(e) if matches!(e.0.code, ErrorCode::Forbidden | ErrorCode::NotFound) => Err(e),
        Err(e) => {
            let msg = error_message(ctx.lang, &e.0);
            let p = channels_page_of(&ctx, &app, Some((name.as_str(), &f, msg))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

/// This module's routes: one line each with its policy and summary.
pub(crate) fn routes(t: crate::routes::Table) -> crate::routes::Table {
    use crate::routes::AUTH;
    use axum::http::Method as M;
    use luoshi_domain::access::{ADMIN, SUPERVISORS};
    t.add(M::GET, "/notify/outbox", SUPERVISORS, "notify", "The outbox of notices to people (page): ?state=&channel=&kind=&ref_id=&before=", outbox_page)
        .add(
            M::GET,
            "/api/v1/notify/outbox",
            SUPERVISORS,
            "notify",
            "The outbox, newest first, addresses masked (?state=&channel=&kind=&ref_id=&before=)",
            outbox_api,
        )
        .add(M::POST, "/notify/outbox/{id}/resend", SUPERVISORS, "notify", "Send a failed message again (form)", resend)
        .add(M::POST, "/api/v1/notify/outbox/{id}/resend", SUPERVISORS, "notify", "Send a failed message again", resend)
        .add(
            M::GET,
            "/api/v1/notify/channels",
            SUPERVISORS,
            "notify",
            "The county's channels (SMS gateway, messenger robot, email), secrets never shown",
            channels_api,
        )
        .add(M::GET, "/notify/channels", SUPERVISORS, "notify", "The county's channels (page); administrators set them, secrets never shown", channels_page)
        .add(M::POST, "/notify/channels/{name}", ADMIN, "notify", "Set a channel (form)", save_channel)
        .add(M::PUT, "/api/v1/notify/channels/{name}", ADMIN, "notify", "Set a channel {enabled, config, secret} (sms, messenger, email)", put_channel)
        .add(M::GET, "/me/contacts", AUTH, "notify", "My contact points and the channels I turned off (page)", my_contacts)
        .add(M::GET, "/api/v1/me/contacts", AUTH, "notify", "My contact points", my_contacts)
        .add(M::POST, "/me/contacts", AUTH, "notify", "Set my contact points (form)", set_my_contacts)
        .add(M::PUT, "/api/v1/me/contacts", AUTH, "notify", "Set my contact points {phone, email, messenger_id, off}", set_my_contacts)
}
