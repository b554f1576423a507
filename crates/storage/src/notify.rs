//! Notices that reach people, as stored: the county's channels (the secret written, never read
//! back to a screen), each person's contact points, and the outbox — written in the transaction
//! that raises the notice, claimed by a worker on any node (a lease, so two nodes never send
//! the same row at once), each attempt and the provider's answer kept.

use crate::{get_i64, get_opt_i64, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::NoticeLevel;
use luoshi_domain::notify::{audience, backoff, batch_key, line, Channel, MAX_ATTEMPTS};
use serde::Serialize;

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
    let on: Vec<String> = sqlx::query("SELECT name FROM notify_channels WHERE enabled = 1 ORDER BY name")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| get_str(r, "name"))
        .collect::<Result<_>>()?;
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
            let address = match ch.as_str() {
                "sms" => get_str(p, "phone")?,
                "email" => get_str(p, "email")?,
                _ => get_str(p, "messenger_id")?,
            };
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

/// The people whose summary of the day (`YYYYMMDD`) is already in the outbox.
pub async fn summarised(db: &Db, day: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT DISTINCT user_id FROM notify_outbox WHERE kind = 'summary' AND ref_id = $1 AND user_id IS NOT NULL")
        .bind(day)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| get_i64(r, "user_id")).collect()
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
    let on: Vec<String> = sqlx::query("SELECT name FROM notify_channels WHERE enabled = 1 ORDER BY name")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| get_str(r, "name"))
        .collect::<Result<_>>()?;
    let off = get_str(&p, "notify_off")?;
    let mut n = 0;
    for ch in on.iter().filter(|c| !off.split(',').any(|o| o.trim() == c.as_str())) {
        let address = match ch.as_str() {
            "sms" => get_str(&p, "phone")?,
            "email" => get_str(&p, "email")?,
            _ => get_str(&p, "messenger_id")?,
        };
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

/// A message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub channel: String,
    pub address: String,
    pub person: String,
    pub kind: String,
    pub ref_id: i64,
    pub level: String,
    pub unit_id: i64,
    pub text: String,
    pub urgent: bool,
    pub state: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: String,
    pub batch: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLS: &str = "id, channel, address, person, kind, ref_id, level, unit_id, text, urgent, state, attempts, next_at, last_error, batch, created_at, sent_at";

fn message(r: &sqlx::any::AnyRow) -> Result<Message> {
    Ok(Message {
        id: get_i64(r, "id")?,
        channel: get_str(r, "channel")?,
        address: get_str(r, "address")?,
        person: get_str(r, "person")?,
        kind: get_str(r, "kind")?,
        ref_id: get_i64(r, "ref_id")?,
        level: get_str(r, "level")?,
        unit_id: get_i64(r, "unit_id")?,
        text: get_str(r, "text")?,
        urgent: get_i64(r, "urgent")? != 0,
        state: get_str(r, "state")?,
        attempts: get_i64(r, "attempts")?,
        next_at: get_i64(r, "next_at")?,
        last_error: get_str(r, "last_error")?,
        batch: get_str(r, "batch")?,
        created_at: get_i64(r, "created_at")?,
        sent_at: get_opt_i64(r, "sent_at")?,
    })
}

/// How long a claim holds its messages before another node may take them (µs).
pub const LEASE: i64 = 120_000_000;

/// Claim the messages due, grouped into batches of one channel and address: a batch claimed
/// before (and not finished: a crash) keeps its key; new messages get one. Each batch is one
/// message to one person.
/// In quiet hours only the urgent ones are claimed.
pub async fn claim(db: &Db, now: i64, limit: i64, urgent_only: bool) -> Result<Vec<(String, Vec<Message>)>> {
    let sql = format!(
        "SELECT {COLS} FROM notify_outbox WHERE state = 'pending' AND next_at <= $1 AND (urgent = 1 OR $2 = 0) ORDER BY next_at, id LIMIT {}",
        limit.clamp(1, 1000)
    );
    let due: Vec<Message> = sqlx::query(&sql).bind(now).bind(i64::from(urgent_only)).fetch_all(db.pool()).await?.iter().map(message).collect::<Result<_>>()?;
    // Take each row by an update that only one node wins.
    let mut mine: Vec<Message> = Vec::new();
    for m in due {
        let won = sqlx::query("UPDATE notify_outbox SET next_at = $1 WHERE id = $2 AND state = 'pending' AND next_at = $3")
            .bind(now + LEASE)
            .bind(m.id)
            .bind(m.next_at)
            .execute(db.pool())
            .await?
            .rows_affected();
        if won == 1 {
            mine.push(m);
        }
    }
    let mut groups: std::collections::BTreeMap<(String, String, String), Vec<Message>> = Default::default();
    for m in mine {
        groups.entry((m.batch.clone(), m.channel.clone(), m.address.clone())).or_default().push(m);
    }
    let mut out = Vec::new();
    for ((batch, _, _), ms) in groups {
        let key = if batch.is_empty() { batch_key(&ms.iter().map(|m| m.id).collect::<Vec<_>>()) } else { batch };
        let ids: Vec<String> = ms.iter().map(|m| m.id.to_string()).collect();
        sqlx::query(&format!("UPDATE notify_outbox SET batch = $1 WHERE id IN ({})", ids.join(","))).bind(&key).execute(db.pool()).await?;
        out.push((key, ms));
    }
    Ok(out)
}

/// Keep what a batch's attempt came to: sent, or tried again later, or failed after the last
/// try. The provider's answer is kept with the address masked.
pub async fn finish(db: &Db, key: &str, ms: &[Message], ok: bool, answer: &str, now: i64) -> Result<()> {
    let Some(first) = ms.first() else { return Ok(()) };
    let mut tx = db.begin_write().await?;
    let channel = Channel::parse(&first.channel).unwrap_or(Channel::Messenger);
    let masked = luoshi_domain::notify::mask_address(channel, &first.address);
    let answer: String = answer.chars().take(500).collect::<String>().replace(first.address.as_str(), &masked);
    sqlx::query("INSERT INTO notify_attempts (batch, channel, address, at, ok, answer) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(key)
        .bind(&first.channel)
        .bind(&masked)
        .bind(now)
        .bind(i64::from(ok))
        .bind(&answer)
        .execute(tx.conn())
        .await?;
    for m in ms {
        if ok {
            sqlx::query("UPDATE notify_outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2")
                .bind(now)
                .bind(m.id)
                .execute(tx.conn())
                .await?;
        } else {
            let attempts = m.attempts + 1;
            let state = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
            sqlx::query("UPDATE notify_outbox SET state = $1, attempts = $2, next_at = $3, last_error = $4, batch = '' WHERE id = $5")
                .bind(state)
                .bind(attempts)
                .bind(now + backoff(attempts - 1))
                .bind(&answer)
                .bind(m.id)
                .execute(tx.conn())
                .await?;
        }
    }
    // A delivery's outcome is no business change: kept in the attempts, not in the audit log.
    tx.commit_unaudited().await
}

/// The outbox, newest first, narrowed by state, channel and duty; keyset by id.
pub async fn list(db: &Db, state: Option<&str>, channel: Option<&str>, duty: Option<(&str, i64)>, before: Option<i64>, limit: i64) -> Result<Vec<Message>> {
    let mut q = format!("SELECT {COLS} FROM notify_outbox WHERE id < $1 AND ($2 = '' OR state = $2) AND ($3 = '' OR channel = $3)");
    if duty.is_some() {
        q.push_str(" AND kind = $4 AND ref_id = $5");
    }
    q.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit.clamp(1, 200)));
    let mut query = sqlx::query(&q).bind(before.unwrap_or(i64::MAX)).bind(state.unwrap_or_default()).bind(channel.unwrap_or_default());
    if let Some((k, id)) = duty {
        query = query.bind(k).bind(id);
    }
    query.fetch_all(db.pool()).await?.iter().map(message).collect()
}

/// Send a failed message again (its tries start over), audited.
pub async fn resend(tx: &mut WriteTx, actor: &Actor, id: i64, now: i64) -> Result<bool> {
    let n = sqlx::query("UPDATE notify_outbox SET state = 'pending', attempts = 0, next_at = $1, batch = '' WHERE id = $2 AND state = 'failed'")
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 1 {
        tx.audit(actor, "notify.resend", "notify_outbox", &id.to_string(), None, None).await?;
    }
    Ok(n == 1)
}

/// A batch's attempts, oldest first: (when, ok, the provider's answer).
pub async fn attempts(db: &Db, batch: &str) -> Result<Vec<(i64, bool, String)>> {
    let rows = sqlx::query("SELECT at, ok, answer FROM notify_attempts WHERE batch = $1 ORDER BY id").bind(batch).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "at")?, get_i64(r, "ok")? != 0, get_str(r, "answer")?))).collect()
}
