//! Notices that reach people, as stored: the county's channels (the secret written, never read
//! back to a screen), each person's contact points, and the outbox — written in the transaction
//! that raises the notice, claimed by a worker on any node (a lease, so two nodes never send
//! the same row at once), each attempt and the provider's answer kept.

use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::NoticeLevel;
use luoshi_domain::notify::{audience, line, Channel};
use serde::Serialize;

mod outbox;
pub use outbox::{attempts, claim, finish, list, resend, Message, LEASE};

/// A channel as the county set it (its secret only said to be set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelRow {
    pub name: String,
    pub enabled: bool,
    /// The channel's settings (JSON: its URL, template, format…).
    pub config: String,
    pub has_secret: bool,
    pub updated_by: String,
    pub updated_at: i64,
}

/// Every channel, with its secret, for the worker only.
pub async fn channels_with_secrets(db: &Db) -> Result<Vec<(ChannelRow, String)>> {
    let rows = sqlx::query("SELECT name, enabled, config, secret, updated_by, updated_at FROM notify_channels ORDER BY name").fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            let secret = get_str(r, "secret")?;
            Ok((
                ChannelRow {
                    name: get_str(r, "name")?,
                    enabled: get_i64(r, "enabled")? != 0,
                    config: get_str(r, "config")?,
                    has_secret: !secret.is_empty(),
                    updated_by: get_str(r, "updated_by")?,
                    updated_at: get_i64(r, "updated_at")?,
                },
                secret,
            ))
        })
        .collect()
}

/// Every channel as shown (no secret).
pub async fn channels(db: &Db) -> Result<Vec<ChannelRow>> {
    Ok(channels_with_secrets(db).await?.into_iter().map(|(c, _)| c).collect())
}

/// Set a channel; `secret` none keeps the one set, `Some("")` clears it. Audited without it.
pub async fn put_channel(tx: &mut WriteTx, actor: &Actor, name: Channel, enabled: bool, config: &str, secret: Option<&str>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO notify_channels (name, enabled, config, secret, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, config = excluded.config, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(name.as_str())
    .bind(i64::from(enabled))
    .bind(config)
    .bind(secret.unwrap_or_default())
    .bind(&actor.name)
    .bind(now)
    .execute(tx.conn())
    .await?;
    if let Some(s) = secret {
        sqlx::query("UPDATE notify_channels SET secret = $1 WHERE name = $2").bind(s).bind(name.as_str()).execute(tx.conn()).await?;
    }
    let after = serde_json::json!({ "enabled": enabled, "config": config, "secret_changed": secret.is_some() });
    tx.audit(actor, "notify.channel", "notify_channel", name.as_str(), None, Some(&after)).await?;
    Ok(())
}

/// A person's contact points as stored: phone, email, messenger id, the channels turned off
/// (comma-separated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactPoints<'a> {
    pub phone: &'a str,
    pub email: &'a str,
    pub messenger_id: &'a str,
    pub off: &'a str,
}

/// Set a person's contact points and the channels they turned off.
pub async fn set_contacts(tx: &mut WriteTx, actor: &Actor, user_id: i64, c: ContactPoints<'_>, now: i64) -> Result<()> {
    let ContactPoints { phone, email, messenger_id, off } = c;
    sqlx::query("UPDATE users SET phone = $1, email = $2, messenger_id = $3, notify_off = $4, updated_at = $5 WHERE id = $6")
        .bind((!phone.is_empty()).then_some(phone))
        .bind(email)
        .bind(messenger_id)
        .bind(off)
        .bind(now)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    let after =
        serde_json::json!({ "phone": luoshi_domain::notify::mask_phone(phone), "email": !email.is_empty(), "messenger": !messenger_id.is_empty(), "off": off });
    tx.audit(actor, "notify.contacts", "user", &user_id.to_string(), None, Some(&after)).await?;
    Ok(())
}

/// A person's contact points: (phone, email, messenger id, channels off).
pub async fn contacts(db: &Db, user_id: i64) -> Result<(String, String, String, String)> {
    let r =
        sqlx::query("SELECT COALESCE(phone, '') AS phone, email, messenger_id, notify_off FROM users WHERE id = $1").bind(user_id).fetch_one(db.pool()).await?;
    Ok((get_str(&r, "phone")?, get_str(&r, "email")?, get_str(&r, "messenger_id")?, get_str(&r, "notify_off")?))
}

/// The channels on, read in the writer's transaction.
async fn channels_on(tx: &mut WriteTx) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT name FROM notify_channels WHERE enabled = 1 ORDER BY name").fetch_all(tx.conn()).await?;
    rows.iter().map(|r| get_str(r, "name")).collect()
}

/// A person's address on a channel, from a row with their contact columns.
fn address_of(p: &sqlx::any::AnyRow, channel: &str) -> Result<String> {
    match channel {
        "sms" => get_str(p, "phone"),
        "email" => get_str(p, "email"),
        _ => get_str(p, "messenger_id"),
    }
}

/// Put in the outbox what a notice just raised sends: a message to each person its level
/// reaches, on each channel the county has on and the person has an address for. Nothing when
/// no channel is on. In the notice's transaction.
#[expect(clippy::too_many_arguments, reason = "the notice's columns")]
pub async fn enqueue_notice(
    tx: &mut WriteTx,
    kind: &str,
    ref_id: i64,
    level: NoticeLevel,
    unit_id: i64,
    deadline: &str,
    urgent: bool,
    now: i64,
) -> Result<usize> {
    let on = channels_on(tx).await?;
    if on.is_empty() {
        return Ok(0);
    }
    let title = sqlx::query("SELECT title FROM duty_records WHERE kind = $1 AND ref_id = $2").bind(kind).bind(ref_id).fetch_optional(tx.conn()).await?;
    let title = title.map(|r| get_str(&r, "title")).transpose()?.unwrap_or_default();
    let Some(unit) = sqlx::query("SELECT name, overseer_id FROM units WHERE id = $1").bind(unit_id).fetch_optional(tx.conn()).await? else { return Ok(0) };
    let (unit_name, overseer) = (get_str(&unit, "name")?, get_opt_i64(&unit, "overseer_id")?);
    let (roles, with_overseer) = audience(level);
    let roles: Vec<String> = roles.iter().map(|r| format!("'{}'", r.as_str())).collect();
    let sql = format!(
        "SELECT id, display_name, COALESCE(phone, '') AS phone, email, messenger_id, notify_off FROM users \
         WHERE disabled = 0 AND ((unit_id = $1 AND role IN ({})) OR id = $2) ORDER BY id",
        roles.join(",")
    );
    let people = sqlx::query(&sql).bind(unit_id).bind(if with_overseer { overseer.unwrap_or(-1) } else { -1 }).fetch_all(tx.conn()).await?;
    let text = line(level.as_str(), kind, ref_id, &title, &unit_name, deadline);
    let mut n = 0;
    for p in &people {
        let off = get_str(p, "notify_off")?;
        for ch in &on {
            let address = address_of(p, ch)?;
            // Emergencies reach a person on every channel, whatever they turned off.
            if address.trim().is_empty() || (!urgent && off.split(',').any(|o| o.trim() == ch)) {
                continue;
            }
            sqlx::query(
                "INSERT INTO notify_outbox (channel, address, user_id, person, kind, ref_id, level, unit_id, text, urgent, state, attempts, next_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $11, $11)",
            )
            .bind(ch.as_str())
            .bind(address.trim())
            .bind(get_i64(p, "id")?)
            .bind(get_str(p, "display_name")?)
            .bind(kind)
            .bind(ref_id)
            .bind(level.as_str())
            .bind(unit_id)
            .bind(&text)
            .bind(i64::from(urgent))
            .bind(now)
            .execute(tx.conn())
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

/// An urgent message to someone named by the record itself (an emergency assignment's person
/// on duty), who may have no account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urgent<'a> {
    pub phone: &'a str,
    pub person: &'a str,
    pub kind: &'a str,
    pub ref_id: i64,
    pub unit_id: i64,
    pub text: String,
}

/// Put urgent SMS in the outbox, in the writer's transaction (nothing when SMS is off): sent at
/// any hour, whatever the person turned off.
pub async fn enqueue_urgent(tx: &mut WriteTx, rows: &[Urgent<'_>], now: i64) -> Result<usize> {
    let on = sqlx::query("SELECT name FROM notify_channels WHERE name = 'sms' AND enabled = 1").fetch_optional(tx.conn()).await?;
    if on.is_none() {
        return Ok(0);
    }
    let mut n = 0;
    for u in rows.iter().filter(|u| !u.phone.trim().is_empty()) {
        sqlx::query(
            "INSERT INTO notify_outbox (channel, address, user_id, person, kind, ref_id, level, unit_id, text, urgent, state, attempts, next_at, created_at) \
             VALUES ('sms', $1, NULL, $2, $3, $4, 'assigned', $5, $6, 1, 'pending', 0, $7, $7)",
        )
        .bind(u.phone.trim())
        .bind(u.person)
        .bind(u.kind)
        .bind(u.ref_id)
        .bind(u.unit_id)
        .bind(&u.text)
        .bind(now)
        .execute(tx.conn())
        .await?;
        n += 1;
    }
    Ok(n)
}

/// Whether any channel is on.
pub async fn any_on(db: &Db) -> Result<bool> {
    Ok(sqlx::query("SELECT name FROM notify_channels WHERE enabled = 1").fetch_optional(db.pool()).await?.is_some())
}

/// The county leaders whose summary of the day (`YYYYMMDD`) is still to be queued: enabled, with
/// an address to send it to, none queued yet (so a leader without one costs nothing each minute).
pub async fn leaders_to_summarise(db: &Db, day: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT id FROM users u WHERE role = 'leader' AND disabled = 0 \
         AND (COALESCE(phone, '') <> '' OR email <> '' OR messenger_id <> '') \
         AND NOT EXISTS (SELECT 1 FROM notify_outbox o WHERE o.kind = 'summary' AND o.ref_id = $1 AND o.user_id = u.id) ORDER BY id",
    )
    .bind(day)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| get_i64(r, "id")).collect()
}

/// Put a person's summary of the day in the outbox, on each channel on they have an address
/// for and did not turn off, once a day (a second node's attempt adds nothing).
pub async fn enqueue_summary(tx: &mut WriteTx, user_id: i64, unit_id: i64, day: i64, text: &str, now: i64) -> Result<usize> {
    let Some(p) = sqlx::query("SELECT display_name, COALESCE(phone, '') AS phone, email, messenger_id, notify_off FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(tx.conn())
        .await?
    else {
        return Ok(0);
    };
    let on = channels_on(tx).await?;
    let off = get_str(&p, "notify_off")?;
    let mut n = 0;
    for ch in on.iter().filter(|c| !off.split(',').any(|o| o.trim() == c.as_str())) {
        let address = address_of(&p, ch)?;
        if address.trim().is_empty() {
            continue;
        }
        n += sqlx::query(
            "INSERT INTO notify_outbox (channel, address, user_id, person, kind, ref_id, level, unit_id, text, urgent, state, attempts, next_at, created_at) \
             SELECT $1, $2, $3, $4, 'summary', $5, 'summary', $6, $7, 0, 'pending', 0, $8, $8 \
             WHERE NOT EXISTS (SELECT 1 FROM notify_outbox WHERE kind = 'summary' AND ref_id = $5 AND user_id = $3 AND channel = $1)",
        )
        .bind(ch.as_str())
        .bind(address.trim())
        .bind(user_id)
        .bind(get_str(&p, "display_name")?)
        .bind(day)
        .bind(unit_id)
        .bind(text)
        .bind(now)
        .execute(tx.conn())
        .await?
        .rows_affected() as usize;
    }
    Ok(n)
}
