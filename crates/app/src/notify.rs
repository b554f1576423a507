//! Notices that reach people: the county's channels (administrators), each person's contact
//! points (their own), the outbox (the supervision office and administrators: filters and
//! resend), and the delivery run — every batch due sent through a [`Sender`], its outcome kept.

use crate::{Result, Who};
use luoshi_domain::notify::{compose, Channel};
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::notify::{self as store, ChannelRow, Message};
use luoshi_storage::Db;
use serde::{Deserialize, Serialize};

/// One message to one person, as a channel sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub channel: Channel,
    pub address: String,
    pub text: String,
    /// The idempotency key the receiver sees: the same batch sent again carries the same key.
    pub key: String,
    pub urgent: bool,
}

/// What sends a message: the provider's answer, or why it failed.
pub trait Sender {
    fn send(&self, m: &Outgoing) -> impl std::future::Future<Output = std::result::Result<String, String>> + Send;
}

/// What a delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Whether a moment falls in the county's quiet hours (`notify.quiet_from` to `notify.quiet_to`,
/// Beijing time; a window may run over midnight).
pub async fn quiet(db: &Db, now: i64) -> Result<bool> {
    use chrono::Timelike;
    let local = luoshi_domain::time::from_micros(now).with_timezone(&luoshi_domain::time::shanghai());
    let rules = crate::RulesInForce::load(db, local.date_naive()).await?;
    let (from, to) = (rules.int("notify.quiet_from").unwrap_or(22), rules.int("notify.quiet_to").unwrap_or(7));
    let h = i64::from(local.hour());
    Ok(if from <= to { h >= from && h < to } else { h >= from || h < to })
}

/// The county leaders' morning summary: from the rules' `notify.summary_hour` on, once a day,
/// each leader's open duties by light and the month's flow, read from the duty counters of
/// their sight (the cockpit's figures). How many messages were queued.
pub async fn summaries(db: &Db, now: i64) -> Result<usize> {
    use chrono::Timelike;
    if !store::any_on(db).await? {
        return Ok(0);
    }
    let local = luoshi_domain::time::from_micros(now).with_timezone(&luoshi_domain::time::shanghai());
    let rules = crate::RulesInForce::load(db, local.date_naive()).await?;
    if i64::from(local.hour()) < rules.int("notify.summary_hour").unwrap_or(8) || quiet(db, now).await? {
        return Ok(0);
    }
    let day: i64 = local.format("%Y%m%d").to_string().parse().unwrap_or_default();
    let month = local.format("%Y-%m").to_string();
    let due = store::leaders_to_summarise(db, day).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let principals = luoshi_storage::oversight::principals(db).await?;
    let mut n = 0;
    for (u, _) in luoshi_storage::users::list(db, &luoshi_domain::access::Scope::All).await? {
        if !due.contains(&u.id) {
            continue;
        }
        let Some(unit) = luoshi_storage::units::get(db, u.unit_id).await? else { continue };
        let overseen = luoshi_storage::oversight::overseen_by(db, u.id).await?;
        let who = Who::user(u.id, &u.username, u.role, u.unit_id, &unit.path).with_oversight(principals.contains(&u.id), overseen);
        let sight = luoshi_storage::duty::resolve(db, &who.sight()).await?;
        let figs = luoshi_storage::duty::figures::summed(db, &sight, &month, &month).await?;
        let sum = |event: &str, light: Option<&str>| figs.iter().filter(|f| f.event == event && light.is_none_or(|l| f.light == l)).map(|f| f.n).sum::<i64>();
        let open: i64 = ["red", "yellow", "blue", "green"].iter().map(|l| sum("now", Some(l))).sum();
        let text = luoshi_domain::notify::summary_text(
            &u.display_name,
            open,
            sum("now", Some("red")),
            sum("now", Some("yellow")),
            sum("opened", None),
            sum("on_time", None),
            sum("late", None),
        );
        let mut tx = db.begin_write().await?;
        n += store::enqueue_summary(&mut tx, u.id, u.unit_id, day, &text, now).await?;
        // Bookkeeping of delivery, not a business change.
        tx.commit_unaudited().await?;
    }
    Ok(n)
}

/// Send every batch due (one message per person and channel, grouping what is due for them);
/// in quiet hours only the urgent (an emergency assignment), the rest at their end.
pub async fn deliver(db: &Db, sender: &impl Sender, now: i64) -> Result<Delivered> {
    deliver_leased(db, sender, now, store::LEASE).await
}

/// [`deliver`], holding what it takes for `lease` µs (after a crash, what it held waits that
/// long before any node sends it again; a node that sends slowly needs a longer one).
pub async fn deliver_leased(db: &Db, sender: &impl Sender, now: i64, lease: i64) -> Result<Delivered> {
    let mut d = Delivered::default();
    let urgent_only = quiet(db, now).await?;
    for (key, ms) in store::claim(db, now, 500, urgent_only, lease).await? {
        let Some(first) = ms.first() else { continue };
        let Some(channel) = Channel::parse(&first.channel) else { continue };
        let lines: Vec<String> = ms.iter().map(|m| m.text.clone()).collect();
        let out = Outgoing { channel, address: first.address.clone(), text: compose(&lines), key: key.clone(), urgent: ms.iter().any(|m| m.urgent) };
        let result = sender.send(&out).await;
        let ok = result.is_ok();
        let answer = match &result {
            Ok(a) | Err(a) => a.clone(),
        };
        store::finish(db, &key, &ms, ok, &answer, now).await?;
        match (ok, ms.iter().all(|m| m.attempts + 1 >= luoshi_domain::notify::MAX_ATTEMPTS)) {
            (true, _) => d.sent += 1,
            (false, true) => d.failed += 1,
            (false, false) => d.retried += 1,
        }
    }
    Ok(d)
}

/// A channel as an administrator sets it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChannelInput {
    #[serde(default)]
    pub enabled: bool,
    /// The channel's settings as JSON: `url` (SMS gateway, messenger robot), `template_id`,
    /// `sign_name`, `format` (`dingtalk`, `wecom`, `text`); for email `host`, `port`, `from`, `user`.
    #[serde(default)]
    pub config: serde_json::Value,
    /// Written, never read back; none keeps the one set.
    #[serde(default)]
    pub secret: Option<String>,
}

fn bad(field: &str, detail: &str) -> DomainError {
    DomainError::field(ErrorCode::Invalid, field).with_detail(detail.to_string())
}

/// Set a channel (administrators only); its settings are checked for what it needs.
pub async fn put_channel(db: &Db, who: &Who, name: &str, i: &ChannelInput, now: i64) -> Result<()> {
    if who.role != Some(Role::Admin) && who.role.is_some() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let channel = Channel::parse(name).ok_or_else(|| bad("channel", name))?;
    let cfg = i.config.as_object().ok_or_else(|| bad("config", "{}"))?;
    let text = |k: &str| cfg.get(k).and_then(|v| v.as_str()).unwrap_or_default().trim().to_string();
    match channel {
        Channel::Sms | Channel::Messenger => {
            let url = text("url");
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(bad("url", &url).into());
            }
            if channel == Channel::Messenger && !["dingtalk", "wecom", "text", ""].contains(&text("format").as_str()) {
                return Err(bad("format", &text("format")).into());
            }
        }
        Channel::Email => {
            if text("host").is_empty() {
                return Err(DomainError::required("host").into());
            }
            if !text("from").contains('@') {
                return Err(bad("sender", &text("from")).into());
            }
        }
    }
    let mut tx = db.begin_write().await?;
    store::put_channel(&mut tx, &who.actor, channel, i.enabled, &i.config.to_string(), i.secret.as_deref(), now).await?;
    tx.commit().await
}

/// The channels (administrators and the supervision office), secrets never shown.
pub async fn channels(db: &Db, who: &Who) -> Result<Vec<ChannelRow>> {
    if !who.is_supervisor() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    store::channels(db).await
}

/// A person's own contact points and the channels they do not want (emergencies reach them
/// all the same).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Contacts {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub messenger_id: String,
    /// Channels turned off.
    #[serde(default)]
    pub off: Vec<String>,
}

/// The caller's contact points.
pub async fn my_contacts(db: &Db, who: &Who) -> Result<Contacts> {
    let id = who.user_id.ok_or_else(|| DomainError::new(ErrorCode::Forbidden))?;
    let (phone, email, messenger_id, off) = store::contacts(db, id).await?;
    Ok(Contacts { phone, email, messenger_id, off: off.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect() })
}

/// Set the caller's contact points; a wrong phone or email is named.
pub async fn set_my_contacts(db: &Db, who: &Who, c: &Contacts, now: i64) -> Result<()> {
    let id = who.user_id.ok_or_else(|| DomainError::new(ErrorCode::Forbidden))?;
    let phone: String = c.phone.chars().filter(|ch| !ch.is_whitespace() && *ch != '-').collect();
    let mobile = phone.len() == 11 && phone.starts_with('1') && phone.chars().all(|ch| ch.is_ascii_digit());
    if !phone.is_empty() && !mobile {
        return Err(bad("phone", &c.phone).into());
    }
    let email = c.email.trim();
    let plausible = email.contains('@') && email.contains('.') && !email.contains(' ');
    if !email.is_empty() && !plausible {
        return Err(bad("email", email).into());
    }
    for o in &c.off {
        Channel::parse(o).ok_or_else(|| bad("off", o))?;
    }
    let mut tx = db.begin_write().await?;
    let off = c.off.join(",");
    let points = store::ContactPoints { phone: &phone, email, messenger_id: c.messenger_id.trim(), off: &off };
    store::set_contacts(&mut tx, &who.actor, id, points, now).await?;
    tx.commit().await
}

/// What the outbox is asked: a state, a channel, a duty; keyset by id.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutboxQuery {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub ref_id: Option<i64>,
    #[serde(default)]
    pub before: Option<i64>,
    /// What the page says was done (`resent`).
    #[serde(default)]
    pub done: String,
}

/// The outbox (the supervision office and administrators), addresses masked.
pub async fn outbox(db: &Db, who: &Who, q: &OutboxQuery) -> Result<Vec<Message>> {
    if !who.is_supervisor() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let duty = q.ref_id.filter(|_| !q.kind.is_empty()).map(|id| (q.kind.as_str(), id));
    let rows =
        store::list(db, Some(q.state.as_str()).filter(|s| !s.is_empty()), Some(q.channel.as_str()).filter(|s| !s.is_empty()), duty, q.before, 50).await?;
    Ok(rows
        .into_iter()
        .map(|mut m| {
            m.address = Channel::parse(&m.channel).map(|c| luoshi_domain::notify::mask_address(c, &m.address)).unwrap_or_default();
            m
        })
        .collect())
}

/// A message about a duty as the duty's page shows it: to whom, how, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    /// The notice's level (`reminder`, `notice`, …) or `assigned`, `summary`.
    pub level: String,
    pub person: String,
    pub channel: String,
    /// Masked (138****5678).
    pub address: String,
    pub state: String,
    pub attempts: i64,
    /// The provider's last answer when it failed.
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The messages sent about a duty, newest first (the caller was shown the duty: its page
/// checked the sight), so a failed 督办 is seen where the 督办 is.
pub async fn of_duty(db: &Db, kind: &str, ref_id: i64) -> Result<Vec<Delivery>> {
    let rows = store::list(db, None, None, Some((kind, ref_id)), None, 50).await?;
    Ok(rows
        .into_iter()
        .map(|m| Delivery {
            address: Channel::parse(&m.channel).map(|c| luoshi_domain::notify::mask_address(c, &m.address)).unwrap_or_default(),
            id: m.id,
            level: m.level,
            person: m.person,
            channel: m.channel,
            last_error: if m.state == "failed" { m.last_error } else { String::new() },
            state: m.state,
            attempts: m.attempts,
            created_at: m.created_at,
            sent_at: m.sent_at,
        })
        .collect())
}

/// Send a failed message again (the supervision office and administrators).
pub async fn resend(db: &Db, who: &Who, id: i64, now: i64) -> Result<()> {
    if !who.is_supervisor() {
        return Err(DomainError::new(ErrorCode::Forbidden).into());
    }
    let mut tx = db.begin_write().await?;
    if !store::resend(&mut tx, &who.actor, id, now).await? {
        return Err(DomainError::new(ErrorCode::Conflict).with_detail("not failed").into());
    }
    tx.commit().await
}
