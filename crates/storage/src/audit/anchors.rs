//! Anchors (锚点): the heads of every chain at a moment, chained to the previous anchor. `serve`
//! writes one every few minutes when a chain moved, `luoshi audit anchor` and `backup` on demand;
//! `verify` checks that the newest one's heads are still there, and an anchor copied out of the
//! database (`SEQ:HASH`) proves that the anchors themselves were not cut back.

use super::verify::{pinned, ANCHOR_CHAIN};
use super::{advance, heads};
use crate::{get_i64, get_str, Db, Result};
use luoshi_domain::audit::{anchor_hash, heads_text, parse_heads, Break};
use std::io::Write;

/// An anchor as printed: `SEQ:HASH`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

async fn newest(db: &Db) -> Result<Option<(Anchor, String)>> {
    let row = sqlx::query("SELECT seq, hash, heads FROM audit_anchors ORDER BY seq DESC LIMIT 1").fetch_optional(db.pool()).await?;
    row.map(|r| Ok((Anchor { seq: get_i64(&r, "seq")?, hash: get_str(&r, "hash")? }, get_str(&r, "heads")?))).transpose()
}

/// Anchor the heads as they are now: a new anchor if any chain moved since the newest one,
/// else the newest one (no anchor is written for nothing).
pub async fn anchor(db: &Db) -> Result<Anchor> {
    let text = heads_text(&heads(db).await?);
    if let Some((a, last)) = newest(db).await? {
        if last == text {
            return Ok(a);
        }
    }
    let mut tx = db.begin_write().await?;
    let (seq, prev) = advance(&mut tx, ANCHOR_CHAIN, 1).await?;
    let at = crate::now_micros();
    let hash = anchor_hash(&prev, seq, at, &text);
    sqlx::query("INSERT INTO audit_anchors (seq, at, heads, prev_hash, hash) VALUES ($1, $2, $3, $4, $5)")
        .bind(seq)
        .bind(at)
        .bind(&text)
        .bind(&prev)
        .bind(&hash)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE chain = $2").bind(&hash).bind(ANCHOR_CHAIN).execute(tx.conn()).await?;
    // The anchor is its own audit record: it is the chain of anchors.
    tx.set_chain(ANCHOR_CHAIN);
    tx.commit().await?;
    Ok(Anchor { seq, hash })
}

/// Append an anchor with the time to a file kept outside the database (creating it), synced.
pub fn append_anchor_line(file: &std::path::Path, a: &Anchor) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(file)?;
    writeln!(f, "{a} {}", chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))?;
    f.sync_all()
}

/// What an anchor copied out of the database earlier says of the chains now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Anchored {
    /// The anchor is there with the same hash and every head it pins still is: nothing up to it
    /// was changed or removed.
    Holds,
    /// The anchor, or a row it pins, is gone: the newest rows were removed and a head rewound.
    Truncated,
    /// The anchor or a row it pins has another hash: a chain was rewritten.
    Rewritten,
}

/// Check an anchor `(seq, hash)` (which [`super::verify`] proves whole up to the stored heads).
/// A line printed by a release with one chain (its head `SEQ:HASH`) is checked against chain 0.
pub async fn check_anchor(db: &Db, seq: i64, hash: &str) -> Result<Anchored> {
    if seq == 0 {
        return Ok(Anchored::Holds);
    }
    let row = sqlx::query("SELECT hash, heads FROM audit_anchors WHERE seq = $1").bind(seq).fetch_optional(db.pool()).await?;
    let (stored, text) = match row {
        Some(r) => (get_str(&r, "hash")?, get_str(&r, "heads")?),
        None => return legacy(db, seq, hash).await,
    };
    if stored != hash {
        return Ok(match legacy(db, seq, hash).await? {
            Anchored::Holds => Anchored::Holds,
            _ => Anchored::Rewritten,
        });
    }
    let Some(pins) = parse_heads(&text) else { return Ok(Anchored::Rewritten) };
    for h in &pins {
        match pinned(db, h).await? {
            None => {}
            Some(Break::Truncated) => return Ok(Anchored::Truncated),
            Some(_) => return Ok(Anchored::Rewritten),
        }
    }
    Ok(Anchored::Holds)
}

/// The single chain's head of an earlier release, now chain 0.
async fn legacy(db: &Db, seq: i64, hash: &str) -> Result<Anchored> {
    let row = sqlx::query("SELECT hash FROM audit_log WHERE chain = 0 AND seq = $1").bind(seq).fetch_optional(db.pool()).await?;
    Ok(match row {
        Some(r) if get_str(&r, "hash")? == hash => Anchored::Holds,
        _ => Anchored::Truncated,
    })
}
