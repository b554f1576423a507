//! Walk every chain and the anchors: name the first broken link.

use super::{record, COLS};
use crate::{get_i64, get_str, Db, Result};
use luoshi_domain::audit::{anchor_hash, genesis, parse_heads, Break, Head, Verifier, CHAINS};

/// Where a chain is broken: its chain, the row's sequence number and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Broken {
    /// The chain (`-1` for the chain of anchors).
    pub chain: i64,
    pub seq: i64,
    pub why: Break,
}

/// The result of walking the chains.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Rows verified in every chain.
    pub checked: u64,
    /// Anchors verified (their chain, and that the newest one's heads are still there).
    pub anchors: u64,
    pub broken: Option<Broken>,
}

/// The chain of anchors (its head is `audit_heads` row -1).
pub const ANCHOR_CHAIN: i64 = -1;

async fn stored_head(db: &Db, chain: i64) -> Result<Head> {
    let row = sqlx::query("SELECT seq, hash FROM audit_heads WHERE chain = $1").bind(chain).fetch_optional(db.pool()).await?;
    Ok(match row {
        Some(r) => Head { chain, seq: get_i64(&r, "seq")?, hash: get_str(&r, "hash")? },
        None => Head { chain, seq: 0, hash: genesis(chain) },
    })
}

/// Walk one chain in pages of 2,000 rows and compare its end with its stored head.
async fn chain(db: &Db, c: i64, checked: &mut u64) -> Result<Option<Broken>> {
    let mut v = Verifier::of(c);
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM audit_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT 2000"))
            .bind(c)
            .bind(after)
            .fetch_all(db.pool())
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let rec = record(r)?;
            let fed = v.feed(&rec);
            *checked += 1;
            if let Err((seq, why)) = fed {
                *checked -= 1;
                return Ok(Some(Broken { chain: c, seq, why }));
            }
            after = rec.seq;
        }
    }
    let head = stored_head(db, c).await?;
    let (seq, hash) = v.head();
    Ok((head.seq != seq || head.hash != hash).then(|| Broken { chain: c, seq: seq + 1, why: Break::Gap }))
}

/// Walk the anchors' own chain; the newest anchor's heads, if any.
async fn anchors(db: &Db, count: &mut u64) -> Result<std::result::Result<Option<Vec<Head>>, Broken>> {
    let (mut prev, mut last_seq, mut newest) = (genesis(ANCHOR_CHAIN), 0i64, None);
    let mut after = 0i64;
    loop {
        let rows = sqlx::query("SELECT seq, at, heads, prev_hash, hash FROM audit_anchors WHERE seq > $1 ORDER BY seq LIMIT 2000")
            .bind(after)
            .fetch_all(db.pool())
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let (seq, at, heads, prev_hash, hash) =
                (get_i64(r, "seq")?, get_i64(r, "at")?, get_str(r, "heads")?, get_str(r, "prev_hash")?, get_str(r, "hash")?);
            let why = if seq != last_seq + 1 {
                Some(Break::Gap)
            } else if prev_hash != prev {
                Some(Break::PrevMismatch)
            } else if anchor_hash(&prev_hash, seq, at, &heads) != hash {
                Some(Break::HashMismatch)
            } else {
                None
            };
            if let Some(why) = why {
                return Ok(Err(Broken { chain: ANCHOR_CHAIN, seq, why }));
            }
            (prev, last_seq, after) = (hash, seq, seq);
            newest = Some(heads);
            *count += 1;
        }
    }
    let head = stored_head(db, ANCHOR_CHAIN).await?;
    if head.seq != last_seq || head.hash != prev {
        return Ok(Err(Broken { chain: ANCHOR_CHAIN, seq: last_seq + 1, why: Break::Gap }));
    }
    match newest.map(|t| parse_heads(&t)) {
        None => Ok(Ok(None)),
        Some(Some(h)) => Ok(Ok(Some(h))),
        Some(None) => Ok(Err(Broken { chain: ANCHOR_CHAIN, seq: last_seq, why: Break::HashMismatch })),
    }
}

/// Is this pinned head still in its chain with the same hash? `None` if it holds.
pub(super) async fn pinned(db: &Db, h: &Head) -> Result<Option<Break>> {
    if h.seq == 0 {
        return Ok((h.hash != genesis(h.chain)).then_some(Break::HashMismatch));
    }
    let row = sqlx::query("SELECT hash FROM audit_log WHERE chain = $1 AND seq = $2").bind(h.chain).bind(h.seq).fetch_optional(db.pool()).await?;
    Ok(match row {
        None => Some(Break::Truncated),
        Some(r) if get_str(&r, "hash")? == h.hash => None,
        Some(_) => Some(Break::HashMismatch),
    })
}

/// Walk every chain and the anchors. Broken: a changed row, a removed row, a head that does not
/// end its chain, rows outside the chains, or a chain that lost the tail its newest anchor pins.
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    let mut r = VerifyReport { checked: 0, anchors: 0, broken: None };
    for c in 0..CHAINS {
        if let Some(b) = chain(db, c, &mut r.checked).await? {
            r.broken = Some(b);
            return Ok(r);
        }
    }
    let stray = sqlx::query("SELECT chain, seq FROM audit_log WHERE chain < 0 OR chain >= $1 LIMIT 1").bind(CHAINS).fetch_optional(db.pool()).await?;
    if let Some(s) = stray {
        r.broken = Some(Broken { chain: get_i64(&s, "chain")?, seq: get_i64(&s, "seq")?, why: Break::Gap });
        return Ok(r);
    }
    match anchors(db, &mut r.anchors).await? {
        Err(b) => r.broken = Some(b),
        Ok(Some(heads)) => {
            for h in &heads {
                if let Some(why) = pinned(db, h).await? {
                    r.broken = Some(Broken { chain: h.chain, seq: h.seq, why });
                    break;
                }
            }
        }
        Ok(None) => {}
    }
    Ok(r)
}
