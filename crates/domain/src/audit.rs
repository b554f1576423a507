//! 审计链 (audit chain): every change leaves one append-only row, chained by SHA-256.
//!
//! `hash = sha256(prev_hash ‖ seq ‖ at ‖ actor_id ‖ actor ‖ action ‖ entity ‖ entity_id ‖ before ‖ after)`
//! with every part length-prefixed, so no two different rows can hash the same text.
//!
//! There are [`CHAINS`] chains, not one: a write transaction appends to the chain of the first
//! record it audits ([`chain_for`]), so writers on different records never wait for one head
//! row, and on a distributed engine each chain lives on one shard. Each chain starts from its own
//! [`genesis`], so rows cannot be moved between chains unnoticed. An **anchor** (锚点) chains the
//! heads of every chain at a moment ([`anchor_hash`]); anchors form a chain of their own, and an
//! anchor kept outside the database proves that no chain lost its tail since.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many chains the log has (one design on SQLite, PostgreSQL and Citus).
pub const CHAINS: i64 = 32;

/// The hash before the first row of a chain: chain 0 keeps the single chain's genesis of
/// earlier releases, every other chain its own.
pub fn genesis(chain: i64) -> String {
    if chain == 0 {
        return GENESIS.to_string();
    }
    hex::encode(Sha256::digest(format!("luoshi audit chain {chain}").as_bytes()))
}

/// The chain a transaction whose first audited record is this one appends to (FNV-1a, stable
/// across releases and machines).
pub fn chain_for(entity: &str, entity_id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in entity.bytes().chain([0u8]).chain(entity_id.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    i64::try_from(h % CHAINS.unsigned_abs()).unwrap_or(0)
}

/// One chain's head: its newest sequence number and hash (`seq` 0 is the genesis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    pub chain: i64,
    pub seq: i64,
    pub hash: String,
}

/// The heads an anchor pins, as stored and hashed: `chain:seq:hash` joined by `;`, by chain.
pub fn heads_text(heads: &[Head]) -> String {
    heads.iter().map(|h| format!("{}:{}:{}", h.chain, h.seq, h.hash)).collect::<Vec<_>>().join(";")
}

/// Read [`heads_text`] back; `None` if it is not in that form.
pub fn parse_heads(text: &str) -> Option<Vec<Head>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(';')
        .map(|part| {
            let mut it = part.splitn(3, ':');
            Some(Head { chain: it.next()?.parse().ok()?, seq: it.next()?.parse().ok()?, hash: it.next()?.to_string() })
        })
        .collect()
}

/// The hash of an anchor given the previous anchor's hash (anchors start from [`GENESIS`]).
pub fn anchor_hash(prev_hash: &str, seq: i64, at: i64, heads: &str) -> String {
    let mut h = Sha256::new();
    put(&mut h, prev_hash.as_bytes());
    put(&mut h, &seq.to_be_bytes());
    put(&mut h, &at.to_be_bytes());
    put(&mut h, heads.as_bytes());
    hex::encode(h.finalize())
}

/// One audit row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// The chain it belongs to (`0..CHAINS`).
    pub chain: i64,
    /// Its place in its chain, from 1 without gaps.
    pub seq: i64,
    /// UTC microseconds.
    pub at: i64,
    pub actor_id: Option<i64>,
    /// The actor's login name, or `system` / `cli:<user>`.
    pub actor: String,
    /// What happened: `unit.create`, `user.disable`, `rule.set` ...
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the record before the change (absent for creations).
    pub before: Option<String>,
    /// JSON of the record after the change (absent for deletions).
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

fn put(h: &mut Sha256, part: &[u8]) {
    h.update((part.len() as u64).to_be_bytes());
    h.update(part);
}

/// The digest of a business row's audited fields (length-prefixed like the chain): written in
/// the row's audit entry with every change, so `audit verify` can tell a row edited behind the
/// application's back from one the trail describes.
pub fn row_digest(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        put(&mut h, f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The hash of a row given its predecessor's hash.
#[expect(clippy::too_many_arguments, reason = "the hash covers every column of the row; a struct would only rename them")]
pub fn chain_hash(
    prev_hash: &str,
    seq: i64,
    at: i64,
    actor_id: Option<i64>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    put(&mut h, prev_hash.as_bytes());
    put(&mut h, &seq.to_be_bytes());
    put(&mut h, &at.to_be_bytes());
    put(&mut h, actor_id.map(|a| a.to_string()).unwrap_or_default().as_bytes());
    put(&mut h, actor.as_bytes());
    put(&mut h, action.as_bytes());
    put(&mut h, entity.as_bytes());
    put(&mut h, entity_id.as_bytes());
    put(&mut h, before.map(|b| format!("+{b}")).unwrap_or_default().as_bytes());
    put(&mut h, after.map(|b| format!("+{b}")).unwrap_or_default().as_bytes());
    hex::encode(h.finalize())
}

impl AuditRecord {
    pub fn expected_hash(&self) -> String {
        chain_hash(
            &self.prev_hash,
            self.seq,
            self.at,
            self.actor_id,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            self.before.as_deref(),
            self.after.as_deref(),
        )
    }
}

/// Why a chain is broken at a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Break {
    /// The row's content does not match its hash (it was changed).
    HashMismatch,
    /// The row does not point at its predecessor's hash (a row was removed or replaced).
    PrevMismatch,
    /// Sequence numbers jump, or a chain ends elsewhere than its head (a row was removed).
    Gap,
    /// A row an anchor pinned is gone: the chain's newest rows were removed and its head rewound.
    Truncated,
}

/// Streaming verifier of one chain: feed its rows in `seq` order, it reports the first broken link.
#[derive(Debug, Clone)]
pub struct Verifier {
    last_hash: String,
    last_seq: i64,
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::of(0)
    }
}

impl Verifier {
    /// A verifier for this chain, at its genesis.
    pub fn of(chain: i64) -> Self {
        Verifier { last_hash: genesis(chain), last_seq: 0, checked: 0 }
    }

    pub fn feed(&mut self, r: &AuditRecord) -> Result<(), (i64, Break)> {
        if r.seq != self.last_seq + 1 {
            return Err((r.seq, Break::Gap));
        }
        if r.prev_hash != self.last_hash {
            return Err((r.seq, Break::PrevMismatch));
        }
        if r.expected_hash() != r.hash {
            return Err((r.seq, Break::HashMismatch));
        }
        self.last_seq = r.seq;
        self.last_hash.clone_from(&r.hash);
        self.checked += 1;
        Ok(())
    }

    /// The head the chain should end at, to compare with the stored head.
    pub fn head(&self) -> (i64, &str) {
        (self.last_seq, &self.last_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, prev: &str, after: &str) -> AuditRecord {
        let mut r = AuditRecord {
            chain: 0,
            seq,
            at: 1_700_000_000_000_000 + seq,
            actor_id: Some(1),
            actor: "admin".into(),
            action: "unit.create".into(),
            entity: "unit".into(),
            entity_id: seq.to_string(),
            before: None,
            after: Some(after.into()),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        r.hash = r.expected_hash();
        r
    }

    #[test]
    fn chain_detects_tampering() {
        let a = row(1, GENESIS, "{\"name\":\"财政局\"}");
        let b = row(2, &a.hash, "{\"name\":\"教育局\"}");
        let c = row(3, &b.hash, "{}");
        let mut v = Verifier::default();
        for r in [&a, &b, &c] {
            v.feed(r).unwrap();
        }
        assert_eq!(v.head(), (3, c.hash.as_str()));

        let mut b2 = b.clone();
        b2.after = Some("{\"name\":\"假\"}".into());
        let mut v = Verifier::default();
        v.feed(&a).unwrap();
        assert_eq!(v.feed(&b2), Err((2, Break::HashMismatch)));

        let mut v = Verifier::default();
        v.feed(&a).unwrap();
        assert_eq!(v.feed(&c), Err((3, Break::Gap)));
    }

    #[test]
    fn chains_start_apart_and_heads_read_back() {
        assert_eq!(genesis(0), GENESIS);
        let all: std::collections::HashSet<String> = (0..CHAINS).map(genesis).collect();
        assert_eq!(all.len(), CHAINS as usize);
        assert!((0..1000).map(|i| chain_for("appeal", &i.to_string())).all(|c| (0..CHAINS).contains(&c)));
        assert_eq!(chain_for("duty", "7"), chain_for("duty", "7"));
        let heads = vec![Head { chain: 0, seq: 3, hash: "ab".into() }, Head { chain: 5, seq: 0, hash: genesis(5) }];
        assert_eq!(parse_heads(&heads_text(&heads)), Some(heads.clone()));
        assert_eq!(parse_heads("x:1"), None);
        assert_ne!(anchor_hash(GENESIS, 1, 0, &heads_text(&heads)), anchor_hash(GENESIS, 1, 0, "0:3:ab"));
        let a = row(1, &genesis(1), "{}");
        assert_eq!(Verifier::of(0).feed(&a), Err((1, Break::PrevMismatch)));
        assert!(Verifier::of(1).feed(&a).is_ok());
    }

    #[test]
    fn none_and_empty_differ() {
        let x = chain_hash(GENESIS, 1, 0, None, "a", "b", "c", "d", None, Some(""));
        let y = chain_hash(GENESIS, 1, 0, None, "a", "b", "c", "d", Some(""), None);
        assert_ne!(x, y);
    }
}
