//! Vote and rating sessions as stored. A ballot adds to the candidates' electronic counts and
//! records who voted, in one transaction; a secret session stores nothing else (no ballot row,
//! no choice in the audit row), so no row links a deputy to a choice. An open session also
//! keeps each deputy's marks.

use super::bad;
use crate::{get_i64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::livelihood::vote::{BallotMode, Choice, Count, ResultRule, SessionKind, SessionState, TieRule};
use luoshi_domain::money::Fen;
use luoshi_domain::{DomainError, ErrorCode};
use serde_json::json;
use sqlx::any::AnyRow;

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub year: i64,
    pub kind: SessionKind,
    pub title: String,
    /// 全体代表 (all members: the rating and the majority rule count against them).
    pub members: i64,
    /// 出席.
    pub present: i64,
    pub mode: BallotMode,
    pub max_choices: i64,
    pub rule: ResultRule,
    pub tie: TieRule,
    pub budget: Fen,
    pub secret: bool,
    pub tellers_needed: i64,
    pub state: SessionState,
    /// Ballots cast from accounts, and counted on paper.
    pub electronic: i64,
    pub paper: i64,
    pub version: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

fn row(r: &AnyRow) -> Result<SessionRow> {
    Ok(SessionRow {
        id: get_i64(r, "id")?,
        year: get_i64(r, "year")?,
        kind: SessionKind::parse(&get_str(r, "kind")?).ok_or_else(|| bad("session kind"))?,
        title: get_str(r, "title")?,
        members: get_i64(r, "members")?,
        present: get_i64(r, "present")?,
        mode: BallotMode::parse(&get_str(r, "mode")?).ok_or_else(|| bad("ballot mode"))?,
        max_choices: get_i64(r, "max_choices")?,
        rule: ResultRule::parse(&get_str(r, "rule")?).ok_or_else(|| bad("result rule"))?,
        tie: TieRule::parse(&get_str(r, "tie")?).ok_or_else(|| bad("tie rule"))?,
        budget: Fen(get_i64(r, "budget_fen")?),
        secret: get_i64(r, "secret")? != 0,
        tellers_needed: get_i64(r, "tellers_needed")?,
        state: SessionState::parse(&get_str(r, "state")?).ok_or_else(|| bad("session state"))?,
        electronic: get_i64(r, "electronic")?,
        paper: get_i64(r, "paper")?,
        version: get_i64(r, "version")?,
        created_by: get_str(r, "created_by")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

const COLS: &str =
    "id, year, kind, title, members, present, mode, max_choices, rule, tie, budget_fen, secret, tellers_needed, state, electronic, paper, version, \
     created_by, created_at, updated_at FROM livelihood_sessions";

pub async fn get(db: &Db, id: i64) -> Result<Option<SessionRow>> {
    sqlx::query(&format!("SELECT {COLS} WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?.as_ref().map(row).transpose()
}

async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<SessionRow> {
    let r = sqlx::query(&format!("SELECT {COLS} WHERE id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    r.as_ref().map(row).transpose()?.ok_or_else(|| DomainError::not_found("session").into())
}

/// Every session, newest first.
pub async fn list(db: &Db) -> Result<Vec<SessionRow>> {
    sqlx::query(&format!("SELECT {COLS} ORDER BY id DESC")).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// One candidate with its counts and (once certified) its rank and outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CandidateRow {
    pub proposal_id: i64,
    pub seq: i64,
    pub title: String,
    pub unit_name: Option<String>,
    pub county: Fen,
    pub electronic: Count,
    pub paper: Count,
    pub rank: Option<i64>,
    pub outcome: Option<String>,
}

impl CandidateRow {
    pub fn total(&self) -> Count {
        self.electronic + self.paper
    }
}

/// A session's candidates in ballot order, with their titles.
pub async fn candidates(db: &Db, session_id: i64) -> Result<Vec<CandidateRow>> {
    let rows = sqlx::query(
        "SELECT c.proposal_id, c.seq, p.title, u.name AS unit_name, c.county_fen, c.e_a, c.e_b, c.e_c, c.p_a, c.p_b, c.p_c, c.rank, c.outcome \
         FROM livelihood_candidates c JOIN livelihood_proposals p ON p.id = c.proposal_id LEFT JOIN units u ON u.id = p.unit_id \
         WHERE c.session_id = $1 ORDER BY c.seq",
    )
    .bind(session_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CandidateRow {
                proposal_id: get_i64(r, "proposal_id")?,
                seq: get_i64(r, "seq")?,
                title: get_str(r, "title")?,
                unit_name: get_opt_str(r, "unit_name")?,
                county: Fen(get_i64(r, "county_fen")?),
                electronic: Count { a: get_i64(r, "e_a")?, b: get_i64(r, "e_b")?, c: get_i64(r, "e_c")? },
                paper: Count { a: get_i64(r, "p_a")?, b: get_i64(r, "p_b")?, c: get_i64(r, "p_c")? },
                rank: get_opt_i64(r, "rank")?,
                outcome: get_opt_str(r, "outcome")?,
            })
        })
        .collect()
}

/// A session to create, with its candidates (proposal id, county cost) in ballot order.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub year: i64,
    pub kind: SessionKind,
    pub title: &'a str,
    pub members: i64,
    pub mode: BallotMode,
    pub max_choices: i64,
    pub rule: ResultRule,
    pub tie: TieRule,
    pub budget: Fen,
    pub secret: bool,
    pub tellers_needed: i64,
    pub candidates: &'a [(i64, Fen)],
}

pub async fn create(tx: &mut WriteTx, actor: &Actor, s: &NewSession<'_>, now: i64) -> Result<i64> {
    tx.lock_shared().await?;
    let r = sqlx::query(
        "INSERT INTO livelihood_sessions (year, kind, title, members, mode, max_choices, rule, tie, budget_fen, secret, tellers_needed, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12, $13, $13) RETURNING id",
    )
    .bind(s.year)
    .bind(s.kind.as_str())
    .bind(s.title)
    .bind(s.members)
    .bind(s.mode.as_str())
    .bind(s.max_choices)
    .bind(s.rule.as_str())
    .bind(s.tie.as_str())
    .bind(s.budget.0)
    .bind(i64::from(s.secret))
    .bind(s.tellers_needed)
    .bind(&actor.name)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&r, "id")?;
    for (k, (p, county)) in s.candidates.iter().enumerate() {
        sqlx::query("INSERT INTO livelihood_candidates (session_id, proposal_id, seq, county_fen) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(p)
            .bind(k as i64 + 1)
            .bind(county.0)
            .execute(tx.conn())
            .await?;
    }
    let after = json!({ "year": s.year, "kind": s.kind.as_str(), "title": s.title, "members": s.members, "mode": s.mode.as_str(), "max_choices": s.max_choices,
        "rule": s.rule.as_str(), "tie": s.tie.as_str(), "budget_fen": s.budget.0, "secret": s.secret, "candidates": s.candidates.iter().map(|c| c.0).collect::<Vec<_>>() });
    tx.audit(actor, "livelihood.session.create", "livelihood_session", &id.to_string(), None, Some(&after)).await?;
    Ok(id)
}

/// Move a session (refused with `conflict` if it moved meanwhile); `present` set when opening.
pub async fn transition(tx: &mut WriteTx, actor: &Actor, before: &SessionRow, after: SessionState, action: &str, present: Option<i64>, now: i64) -> Result<()> {
    tx.lock_shared().await?;
    let done = sqlx::query(
        "UPDATE livelihood_sessions SET state = $1, present = COALESCE($2, present), version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
    )
    .bind(after.as_str())
    .bind(present)
    .bind(now)
    .bind(before.id)
    .bind(before.version)
    .execute(tx.conn())
    .await?;
    crate::moved_on(&done)?;
    let a = json!({ "state": after.as_str(), "present": present });
    tx.audit(
        actor,
        &format!("livelihood.session.{action}"),
        "livelihood_session",
        &before.id.to_string(),
        Some(&json!({ "state": before.state.as_str() })),
        Some(&a),
    )
    .await?;
    Ok(())
}

/// Cast a ballot: `user_id` voted (once: a second is refused with `conflict`), the marks added
/// to the counts. In a secret session the audit row and the tables keep who voted, not how.
pub async fn cast(tx: &mut WriteTx, actor: &Actor, s: &SessionRow, user_id: i64, marks: &[(i64, Choice)], now: i64) -> Result<()> {
    tx.lock_shared().await?;
    // The state again under the lock: a ballot after the session closed is refused.
    let current = get_tx(tx, s.id).await?;
    if current.state != SessionState::Open {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(current.state.as_str().to_string()).into());
    }
    let first =
        sqlx::query("INSERT INTO livelihood_voters (session_id, user_id) VALUES ($1, $2) ON CONFLICT (session_id, user_id) DO NOTHING RETURNING user_id")
            .bind(s.id)
            .bind(user_id)
            .fetch_optional(tx.conn())
            .await?;
    if first.is_none() {
        return Err(DomainError::field(ErrorCode::Conflict, "voted").into());
    }
    let kinds = Choice::of(s.kind);
    for (proposal, choice) in marks {
        let col = match kinds.iter().position(|c| c == choice) {
            Some(0) => "e_a",
            Some(1) => "e_b",
            _ => "e_c",
        };
        sqlx::query(&format!("UPDATE livelihood_candidates SET {col} = {col} + 1 WHERE session_id = $1 AND proposal_id = $2"))
            .bind(s.id)
            .bind(proposal)
            .execute(tx.conn())
            .await?;
        if !s.secret {
            sqlx::query("INSERT INTO livelihood_open_ballots (session_id, user_id, proposal_id, choice) VALUES ($1, $2, $3, $4)")
                .bind(s.id)
                .bind(user_id)
                .bind(proposal)
                .bind(choice.as_str())
                .execute(tx.conn())
                .await?;
        }
    }
    sqlx::query("UPDATE livelihood_sessions SET electronic = electronic + 1, updated_at = $1 WHERE id = $2").bind(now).bind(s.id).execute(tx.conn()).await?;
    let after =
        if s.secret { json!({ "voted": true }) } else { json!({ "voted": true, "marks": marks.iter().map(|(p, c)| (p, c.as_str())).collect::<Vec<_>>() }) };
    tx.audit(actor, "livelihood.session.ballot", "livelihood_session", &s.id.to_string(), None, Some(&after)).await?;
    Ok(())
}

/// Has this deputy voted in the session?
pub async fn voted(db: &Db, session_id: i64, user_id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT user_id FROM livelihood_voters WHERE session_id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?
        .is_some())
}

/// How many voted from their accounts (the voters' rows, counted).
pub async fn voters(db: &Db, session_id: i64) -> Result<i64> {
    let r = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM livelihood_voters WHERE session_id = $1").bind(session_id).fetch_one(db.pool()).await?;
    get_i64(&r, "n")
}

/// Record the paper count (replacing an earlier import until certified).
pub async fn put_paper(tx: &mut WriteTx, actor: &Actor, s: &SessionRow, ballots: i64, counts: &[(i64, Count)], now: i64) -> Result<()> {
    tx.lock_shared().await?;
    for (proposal, c) in counts {
        sqlx::query("UPDATE livelihood_candidates SET p_a = $1, p_b = $2, p_c = $3 WHERE session_id = $4 AND proposal_id = $5")
            .bind(c.a)
            .bind(c.b)
            .bind(c.c)
            .bind(s.id)
            .bind(proposal)
            .execute(tx.conn())
            .await?;
    }
    let done =
        sqlx::query("UPDATE livelihood_sessions SET paper = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4 AND state = 'closed'")
            .bind(ballots)
            .bind(now)
            .bind(s.id)
            .bind(s.version)
            .execute(tx.conn())
            .await?;
    crate::moved_on(&done)?;
    let after = json!({ "paper_ballots": ballots, "counts": counts.iter().map(|(p, c)| json!({ "proposal_id": p, "a": c.a, "b": c.b, "c": c.c })).collect::<Vec<_>>() });
    tx.audit(actor, "livelihood.session.import_paper", "livelihood_session", &s.id.to_string(), None, Some(&after)).await?;
    Ok(())
}

/// A teller's signature; the signatures so far (user, role, name).
pub async fn sign(tx: &mut WriteTx, actor: &Actor, s: &SessionRow, user_id: i64, role: &str, now: i64) -> Result<()> {
    tx.lock_shared().await?;
    let first = sqlx::query("INSERT INTO livelihood_signatures (session_id, user_id, role, signed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (session_id, user_id) DO NOTHING RETURNING user_id")
        .bind(s.id)
        .bind(user_id)
        .bind(role)
        .bind(now)
        .fetch_optional(tx.conn())
        .await?;
    if first.is_none() {
        return Err(DomainError::field(ErrorCode::Conflict, "signature").with_detail("signed").into());
    }
    tx.audit(actor, "livelihood.session.sign", "livelihood_session", &s.id.to_string(), None, Some(&json!({ "role": role }))).await?;
    Ok(())
}

/// The signatures: (user id, display name, role, when).
pub async fn signatures(db: &Db, session_id: i64) -> Result<Vec<(i64, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT s.user_id, u.display_name, s.role, s.signed_at FROM livelihood_signatures s JOIN users u ON u.id = s.user_id WHERE s.session_id = $1 ORDER BY s.signed_at",
    )
    .bind(session_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_i64(r, "user_id")?, get_str(r, "display_name")?, get_str(r, "role")?, get_i64(r, "signed_at")?))).collect()
}

/// Fix the result: each candidate's rank and outcome, the session certified (in the
/// transaction that moves the proposals).
pub async fn certify(tx: &mut WriteTx, actor: &Actor, s: &SessionRow, results: &[(i64, i64, &str)], now: i64) -> Result<()> {
    tx.lock_shared().await?;
    for (proposal, rank, outcome) in results {
        sqlx::query("UPDATE livelihood_candidates SET rank = $1, outcome = $2 WHERE session_id = $3 AND proposal_id = $4")
            .bind(rank)
            .bind(outcome)
            .bind(s.id)
            .bind(proposal)
            .execute(tx.conn())
            .await?;
    }
    let done = sqlx::query("UPDATE livelihood_sessions SET state = 'certified', version = version + 1, updated_at = $1 WHERE id = $2 AND state = 'closed'")
        .bind(now)
        .bind(s.id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(s.state.as_str().to_string()).into());
    }
    let after =
        json!({ "state": "certified", "results": results.iter().map(|(p, r, o)| json!({ "proposal_id": p, "rank": r, "outcome": o })).collect::<Vec<_>>() });
    tx.audit(actor, "livelihood.session.certify", "livelihood_session", &s.id.to_string(), None, Some(&after)).await?;
    Ok(())
}
