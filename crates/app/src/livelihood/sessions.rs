//! 票决 and 评议 sessions: the congress office sets one up over the year's candidates (a vote)
//! or its chosen projects (a rating), opens it with the number present, closes it, imports the
//! paper count, and its tellers sign; the last signature fixes the result by the county's rule
//! and moves the proposals. Deputies vote once, from their accounts, while it is open. Counts
//! are shown only once voting has closed.

use super::access;
use crate::{forbidden, Result, RulesInForce, Who};
use luoshi_domain::duty::{Light, Workflow};
use luoshi_domain::error::required_text;
use luoshi_domain::livelihood::rating::rate;
use luoshi_domain::livelihood::vote::{
    apply, check_ballot, check_paper, decide, BallotMode, Choice, Count, Outcome, ResultRule, SessionAction, SessionKind, SessionState, Standing, TieRule,
};
use luoshi_domain::livelihood::{ProposalFlow, ProposalState};
use luoshi_domain::time::local_date;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::livelihood::proposals::{self as pstore, Change, Filter};
use luoshi_storage::livelihood::sessions::{self as store, CandidateRow, NewSession, SessionRow};
use luoshi_storage::Db;
use serde::{Deserialize, Serialize};

/// A session as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SessionInput {
    /// `vote` or `rating`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    /// 全体代表人数.
    #[serde(default)]
    pub members: String,
    /// The year (default: the coming year for a vote, this year for a rating).
    #[serde(default)]
    pub year: String,
}

async fn congress(db: &Db, who: &Who, now: i64) -> Result<()> {
    if !access(db, who, local_date(now)).await?.0.congress {
        return Err(forbidden());
    }
    Ok(())
}

/// Set up a session over the year's candidates (vote) or chosen projects (rating), with the
/// rules in force fixed on it.
pub async fn create(db: &Db, who: &Who, input: &SessionInput, now: i64) -> Result<i64> {
    let today = local_date(now);
    congress(db, who, now).await?;
    let kind = SessionKind::parse(&input.kind).ok_or_else(|| DomainError::invalid("session_kind").with_detail(input.kind.trim().to_string()))?;
    let title = required_text("title", &input.title, 100)?;
    let members: i64 = input
        .members
        .trim()
        .parse()
        .ok()
        .filter(|m| (3..=5000).contains(m))
        .ok_or_else(|| DomainError::invalid("members").with_detail(input.members.trim().to_string()))?;
    let default_year = if kind == SessionKind::Vote { super::project_year(today) } else { chrono::Datelike::year(&today) };
    let year: i32 = match input.year.trim() {
        "" => default_year,
        y => y.parse().map_err(|_| DomainError::invalid("year").with_detail(y.to_string()))?,
    };
    let state = if kind == SessionKind::Vote { ProposalState::Candidate } else { ProposalState::Chosen };
    let rows = pstore::list(db, &Filter { year: Some(i64::from(year)), states: vec![state], limit: 500, ..Filter::default() }).await?;
    if rows.is_empty() {
        return Err(DomainError::field(ErrorCode::Required, "candidates").with_detail(year.to_string()).into());
    }
    let mut cands: Vec<(i64, luoshi_domain::money::Fen)> = rows.iter().map(|p| (p.id, p.county)).collect();
    cands.sort_by_key(|c| c.0);
    let rules = RulesInForce::load(db, today).await?;
    let pick = |key: &str, default: &str| rules.text(key).unwrap_or_else(|| default.to_string());
    let year_row = super::year_settings(db, year, today).await?;
    let s = NewSession {
        year: i64::from(year),
        kind,
        title: &title,
        members,
        mode: BallotMode::parse(&pick("livelihood.vote.ballot", "per_candidate")).unwrap_or(BallotMode::PerCandidate),
        max_choices: rules.int("livelihood.vote.max_choices").unwrap_or(10).max(1),
        rule: ResultRule::parse(&pick("livelihood.vote.rule", "majority_of_all")).unwrap_or(ResultRule::MajorityOfAll),
        tie: TieRule::parse(&pick("livelihood.vote.tie", "lower_cost")).unwrap_or(TieRule::LowerCost),
        budget: year_row.capacity,
        // A rating is always secret; a vote as the rule says.
        secret: kind == SessionKind::Rating || rules.int("livelihood.vote.secret").unwrap_or(1) != 0,
        tellers_needed: rules.int("livelihood.tellers").unwrap_or(2).max(1),
        candidates: &cands,
    };
    if kind == SessionKind::Vote && s.budget.0 <= 0 {
        return Err(DomainError::required("capacity_wan").into());
    }
    let mut tx = db.begin_write().await?;
    let id = store::create(&mut tx, &who.actor, &s, now).await?;
    tx.commit().await?;
    Ok(id)
}

fn found(s: Option<SessionRow>) -> Result<SessionRow> {
    s.ok_or_else(|| DomainError::not_found("session").into())
}

/// Open (with the number present), or close voting.
pub async fn move_to(db: &Db, who: &Who, id: i64, action: SessionAction, present: Option<&str>, now: i64) -> Result<SessionState> {
    congress(db, who, now).await?;
    let s = found(store::get(db, id).await?)?;
    let after = apply(action, s.state)?;
    let present = match action {
        SessionAction::Open => {
            let raw = present.unwrap_or("").trim();
            let n: i64 = raw.parse().map_err(|_| DomainError::invalid("present").with_detail(raw.to_string()))?;
            // A quorum: more than half of all members present (地方组织法 on the 人代会).
            if n > s.members || 2 * n <= s.members {
                return Err(DomainError::field(ErrorCode::OutOfRange, "present").with_detail(s.members.to_string()).into());
            }
            Some(n)
        }
        SessionAction::Close => None,
        SessionAction::ImportPaper | SessionAction::Sign => return Err(DomainError::invalid("action").into()),
    };
    let mut tx = db.begin_write().await?;
    store::transition(&mut tx, &who.actor, &s, after, action.as_str(), present, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// A ballot as typed: one mark per candidate (`proposal id` → `yes`/`no`/`abstain` or
/// `satisfied`/`basic`/`unsatisfied`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BallotInput {
    #[serde(default)]
    pub marks: std::collections::BTreeMap<String, String>,
}

/// A deputy casts his ballot (once, while the session is open).
pub async fn cast(db: &Db, who: &Who, id: i64, input: &BallotInput, now: i64) -> Result<()> {
    if who.role != Some(Role::Deputy) {
        return Err(forbidden());
    }
    let user = who.user_id.ok_or_else(forbidden)?;
    let s = found(store::get(db, id).await?)?;
    if s.state != SessionState::Open {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(s.state.as_str().to_string()).into());
    }
    let cands: Vec<i64> = store::candidates(db, id).await?.iter().map(|c| c.proposal_id).collect();
    let mut marks = Vec::new();
    for (k, v) in input.marks.iter().filter(|(_, v)| !v.trim().is_empty()) {
        let pid: i64 = k.trim_start_matches("m_").parse().map_err(|_| DomainError::invalid("ballot").with_detail(k.clone()))?;
        let c = Choice::parse(v).ok_or_else(|| DomainError::invalid("ballot").with_detail(v.clone()))?;
        marks.push((pid, c));
    }
    let marks = check_ballot(s.kind, s.mode, usize::try_from(s.max_choices).unwrap_or(10), &cands, &marks)?;
    let mut tx = db.begin_write().await?;
    store::cast(&mut tx, &who.actor, &s, user, &marks, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The paper count as typed: the number of paper ballots, and one line per candidate
/// `编号,赞成,反对,弃权` (or 满意,基本满意,不满意).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PaperInput {
    #[serde(default)]
    pub ballots: String,
    #[serde(default)]
    pub counts: String,
}

/// Import the paper count after voting closed (refused above those present, each line naming
/// its candidate); replaces an earlier import until the result is signed.
pub async fn import_paper(db: &Db, who: &Who, id: i64, input: &PaperInput, now: i64) -> Result<()> {
    congress(db, who, now).await?;
    let s = found(store::get(db, id).await?)?;
    apply(SessionAction::ImportPaper, s.state)?;
    let raw = input.ballots.trim();
    let ballots: i64 = raw.parse().map_err(|_| DomainError::invalid("paper_ballots").with_detail(raw.to_string()))?;
    let cands = store::candidates(db, id).await?;
    let mut counts = Vec::new();
    for (n, line) in input.counts.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let bad = || DomainError::invalid("paper_count").with_detail(format!("{}:{line}", n + 1));
        let parts: Vec<&str> = line.split([',', '，', '\t', ';', ' ']).map(str::trim).filter(|p| !p.is_empty()).collect();
        let nums: Vec<i64> = parts.iter().map(|p| p.parse::<i64>()).collect::<std::result::Result<_, _>>().map_err(|_| bad())?;
        let [pid, a, b, c] = nums[..] else { return Err(bad().into()) };
        if !cands.iter().any(|x| x.proposal_id == pid) || counts.iter().any(|(p, _)| *p == pid) {
            return Err(bad().into());
        }
        counts.push((pid, Count { a, b, c }));
    }
    check_paper(s.present, store::voters(db, id).await?, ballots, &counts)?;
    let mut tx = db.begin_write().await?;
    store::put_paper(&mut tx, &who.actor, &s, ballots, &counts, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A teller signs the result (计票人 or 监票人); the last signature needed fixes it. Which proposals
/// were chosen (to be delivered) when this signature certified a vote.
pub async fn sign(db: &Db, who: &Who, id: i64, role: &str, now: i64) -> Result<Vec<i64>> {
    congress(db, who, now).await?;
    let user = who.user_id.ok_or_else(forbidden)?;
    let role = match role.trim() {
        "counter" | "计票人" => "counter",
        "scrutineer" | "监票人" => "scrutineer",
        other => return Err(DomainError::invalid("teller_role").with_detail(other.to_string()).into()),
    };
    let s = found(store::get(db, id).await?)?;
    apply(SessionAction::Sign, s.state)?;
    let signed = store::signatures(db, id).await?;
    let cands = store::candidates(db, id).await?;
    let mut tx = db.begin_write().await?;
    store::sign(&mut tx, &who.actor, &s, user, role, now).await?;
    let mut chosen = Vec::new();
    if signed.len() as i64 + 1 >= s.tellers_needed {
        chosen = certify(&mut tx, db, &s, &cands, now).await?;
    }
    tx.commit().await?;
    Ok(chosen)
}

/// Fix the result in the signing transaction: a vote chooses or rejects each candidate, a
/// rating records each project's rating.
async fn certify(tx: &mut luoshi_storage::WriteTx, db: &Db, s: &SessionRow, cands: &[CandidateRow], now: i64) -> Result<Vec<i64>> {
    let o = super::offices(db, local_date(now)).await?;
    let actor = luoshi_storage::Actor::cli("livelihood:result");
    let mut results: Vec<(i64, i64, &str)> = Vec::new();
    let mut chosen = Vec::new();
    match s.kind {
        SessionKind::Vote => {
            let standings: Vec<Standing> = cands.iter().map(|c| Standing { id: c.proposal_id, county: c.county, count: c.total() }).collect();
            for (pid, rank, outcome) in decide(s.rule, s.tie, s.members, usize::try_from(s.max_choices).unwrap_or(10), s.budget, &standings) {
                let (label, action, state) = match outcome {
                    Outcome::Chosen => ("chosen", "choose", ProposalState::Chosen),
                    Outcome::NotChosen => ("not_chosen", "reject", ProposalState::NotChosen),
                    Outcome::OverBudget => ("over_budget", "reject", ProposalState::NotChosen),
                };
                results.push((pid, rank as i64, label));
                let p = pstore::get(db, pid).await?.ok_or_else(|| DomainError::not_found("proposal"))?;
                ProposalFlow::apply(
                    if state == ProposalState::Chosen {
                        luoshi_domain::livelihood::ProposalAction::Choose
                    } else {
                        luoshi_domain::livelihood::ProposalAction::Reject
                    },
                    p.state,
                    &(),
                )?;
                let c = Change { action, ..Change::default() };
                pstore::save(tx, &actor, &p, state, &c, o.desk.id, if state == ProposalState::Chosen { Light::Done } else { Light::None }, now).await?;
                if state == ProposalState::Chosen {
                    chosen.push(pid);
                }
            }
        }
        SessionKind::Rating => {
            for c in cands {
                let r = rate(s.members, c.total());
                results.push((c.proposal_id, 0, r.as_str()));
                let p = pstore::get(db, c.proposal_id).await?.ok_or_else(|| DomainError::not_found("proposal"))?;
                let ch = Change { action: "rate", rating: Some(r.as_str()), ..Change::default() };
                pstore::save(tx, &actor, &p, p.state, &ch, o.desk.id, Light::Done, now).await?;
            }
        }
    }
    store::certify(tx, &actor, s, &results, now).await?;
    Ok(chosen)
}

/// A session as shown: its candidates with counts once voting closed, the signatures, and for a
/// deputy whether he has voted.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub s: SessionRow,
    pub candidates: Vec<CandidateRow>,
    pub counts_shown: bool,
    pub voters: i64,
    pub signatures: Vec<(i64, String, String, i64)>,
    pub voted: bool,
    pub may_manage: bool,
    pub may_vote: bool,
}

/// Any account may follow a session (its result is published; counts wait for the close).
pub async fn one(db: &Db, who: &Who, id: i64, now: i64) -> Result<SessionView> {
    let (a, _) = access(db, who, local_date(now)).await?;
    let s = found(store::get(db, id).await?)?;
    let mut candidates = store::candidates(db, id).await?;
    // Counts stay hidden while ballots are cast: a count watched between two ballots would tell
    // how one deputy voted.
    let counts_shown = matches!(s.state, SessionState::Closed | SessionState::Certified);
    if !counts_shown {
        for c in &mut candidates {
            c.electronic = Count::default();
            c.paper = Count::default();
        }
    }
    let voted = match (who.role, who.user_id) {
        (Some(Role::Deputy), Some(u)) => store::voted(db, id, u).await?,
        _ => false,
    };
    Ok(SessionView {
        voters: store::voters(db, id).await?,
        signatures: store::signatures(db, id).await?,
        may_vote: a.deputy && s.state == SessionState::Open && !voted,
        may_manage: a.congress,
        voted,
        candidates,
        counts_shown,
        s,
    })
}

/// Every session (any account: see [`one`]).
pub async fn list(db: &Db) -> Result<Vec<SessionRow>> {
    store::list(db).await
}
