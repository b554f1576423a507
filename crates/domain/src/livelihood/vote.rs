//! 票决 and 评议 sessions: the roster (全体代表 and 出席), the candidates, ballots cast from the
//! deputies' accounts or counted on paper, and the result by the county's rule (thresholds and
//! the tie rule as data). A secret session keeps who voted apart from the counts: nothing links
//! a deputy to a choice.

use crate::duty::str_enum;
use crate::error::{DomainError, ErrorCode};
use crate::money::Fen;
use serde::Serialize;

str_enum!(
    /// What a session decides.
    SessionKind {
        /// 票决: which candidates become the year's 民生实事项目.
        Vote = "vote",
        /// 满意度测评: the deputies rate each chosen project at year end.
        Rating = "rating",
    }
);

str_enum!(
    /// A session's state.
    SessionState {
        /// 筹备: roster and candidates being set.
        Draft = "draft",
        /// 投票中: deputies vote from their accounts.
        Open = "open",
        /// 计票: voting closed; paper counts imported; the tellers sign.
        Closed = "closed",
        /// 已确认: signed by the tellers, the result fixed and published.
        Certified = "certified",
    }
);

str_enum!(
    /// What moves a session.
    SessionAction {
        /// 开始投票 (with the number present).
        Open = "open",
        /// 结束投票.
        Close = "close",
        /// 导入纸质票计票结果.
        ImportPaper = "import_paper",
        /// 计票人、监票人签字 (the last signature fixes the result).
        Sign = "sign",
    }
);

/// A session's whole workflow (the session is the congress office's record, not a duty).
pub fn apply(a: SessionAction, from: SessionState) -> Result<SessionState, DomainError> {
    use SessionAction as A;
    use SessionState as S;
    Ok(match (a, from) {
        (A::Open, S::Draft) => S::Open,
        (A::Close, S::Open) => S::Closed,
        (A::ImportPaper, S::Closed) => S::Closed,
        // Certified once enough tellers signed: the caller decides which of the two.
        (A::Sign, S::Closed) => S::Closed,
        (A::Open | A::Close | A::ImportPaper | A::Sign, _) => {
            return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(from.as_str().to_string()))
        }
    })
}

str_enum!(
    /// One mark on a ballot.
    Choice {
        /// 赞成.
        Yes = "yes",
        /// 反对.
        No = "no",
        /// 弃权.
        Abstain = "abstain",
        /// 满意.
        Satisfied = "satisfied",
        /// 基本满意.
        Basic = "basic",
        /// 不满意.
        Unsatisfied = "unsatisfied",
    }
);

impl Choice {
    /// The marks a session of this kind takes.
    pub fn of(kind: SessionKind) -> &'static [Choice] {
        match kind {
            SessionKind::Vote => &[Choice::Yes, Choice::No, Choice::Abstain],
            SessionKind::Rating => &[Choice::Satisfied, Choice::Basic, Choice::Unsatisfied],
        }
    }
}

str_enum!(
    /// How a vote's ballot is marked (rule `livelihood.vote.ballot`).
    BallotMode {
        /// 赞成/反对/弃权 on every candidate.
        PerCandidate = "per_candidate",
        /// 限选: mark at most N candidates (the others count as 反对).
        ChooseUpTo = "choose_up_to",
    }
);

str_enum!(
    /// Who wins a vote (rule `livelihood.vote.rule`).
    ResultRule {
        /// 赞成票超过全体代表的半数, the most votes first up to N within the budget.
        MajorityOfAll = "majority_of_all",
        /// 得票最多的前N项 within the budget.
        TopN = "top_n",
    }
);

str_enum!(
    /// Equal votes: who goes first (rule `livelihood.vote.tie`).
    TieRule {
        /// The lower county cost first, then the earlier proposal.
        LowerCost = "lower_cost",
        /// The earlier proposal first.
        Earlier = "earlier",
    }
);

/// A ballot as cast: one mark per candidate (ids in the session's candidate order).
pub fn check_ballot(kind: SessionKind, mode: BallotMode, max: usize, candidates: &[i64], marks: &[(i64, Choice)]) -> Result<Vec<(i64, Choice)>, DomainError> {
    let allowed = Choice::of(kind);
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let mut mine = marks.iter().filter(|(id, _)| id == c);
        let mark = match (mine.next(), mine.next()) {
            (_, Some(_)) => return Err(DomainError::field(ErrorCode::Conflict, "ballot").with_detail(c.to_string())),
            (Some((_, m)), None) if allowed.contains(m) => *m,
            (Some(_), None) => return Err(DomainError::field(ErrorCode::Invalid, "ballot").with_detail(c.to_string())),
            // An unmarked candidate: 弃权 on a per-candidate ballot, not chosen on a 限选 one.
            (None, None) if kind == SessionKind::Vote && mode == BallotMode::ChooseUpTo => Choice::No,
            (None, None) if kind == SessionKind::Vote => Choice::Abstain,
            (None, None) => return Err(DomainError::field(ErrorCode::Required, "ballot").with_detail(c.to_string())),
        };
        out.push((*c, mark));
    }
    if let Some((id, _)) = marks.iter().find(|(id, _)| !candidates.contains(id)) {
        return Err(DomainError::field(ErrorCode::Invalid, "ballot").with_detail(id.to_string()));
    }
    if kind == SessionKind::Vote && mode == BallotMode::ChooseUpTo {
        if out.iter().any(|(_, m)| *m == Choice::Abstain) {
            return Err(DomainError::field(ErrorCode::Invalid, "ballot").with_detail("abstain".to_string()));
        }
        let yes = out.iter().filter(|(_, m)| *m == Choice::Yes).count();
        if yes > max {
            return Err(DomainError::field(ErrorCode::OutOfRange, "ballot").with_detail(max.to_string()));
        }
    }
    Ok(out)
}

/// One candidate's count (计票结果) in the order of [`Choice::of`] the session's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Count {
    /// 赞成 (a vote) or 满意 (a rating).
    pub a: i64,
    /// 反对 or 基本满意.
    pub b: i64,
    /// 弃权 or 不满意.
    pub c: i64,
}

impl std::ops::Add for Count {
    type Output = Count;
    fn add(self, o: Count) -> Count {
        Count { a: self.a + o.a, b: self.b + o.b, c: self.c + o.c }
    }
}

impl Count {
    pub fn total(self) -> i64 {
        self.a + self.b + self.c
    }
    /// One more mark of `choice` in a session of `kind`.
    pub fn mark(&mut self, kind: SessionKind, choice: Choice) {
        match Choice::of(kind).iter().position(|c| *c == choice) {
            Some(0) => self.a += 1,
            Some(1) => self.b += 1,
            Some(_) => self.c += 1,
            None => {}
        }
    }
}

/// Check an imported paper count: `ballots` paper ballots, cast by deputies present who did not
/// vote from their accounts; no count of a candidate above the ballots, and no ballots above
/// those present less those who voted electronically.
pub fn check_paper(present: i64, electronic: i64, ballots: i64, counts: &[(i64, Count)]) -> Result<(), DomainError> {
    if ballots < 0 || ballots + electronic > present {
        return Err(DomainError::field(ErrorCode::OutOfRange, "paper_ballots").with_detail((present - electronic).max(0).to_string()));
    }
    for (id, c) in counts {
        if c.a < 0 || c.b < 0 || c.c < 0 || c.total() > ballots {
            return Err(DomainError::field(ErrorCode::OutOfRange, "paper_count").with_detail(format!("{id}:{ballots}")));
        }
    }
    Ok(())
}

/// One candidate in a vote's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub id: i64,
    /// What the county pays (against the budget).
    pub county: Fen,
    pub count: Count,
}

/// Where a candidate ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Chosen,
    /// Not enough votes (below the threshold or below the N-th).
    NotChosen,
    /// Enough votes, but what it needs did not fit in the budget left.
    OverBudget,
}

/// The result of a vote: each candidate with its rank (1 the most 赞成) and its outcome.
pub fn decide(rule: ResultRule, tie: TieRule, members: i64, n: usize, budget: Fen, standings: &[Standing]) -> Vec<(i64, usize, Outcome)> {
    let mut order: Vec<&Standing> = standings.iter().collect();
    order.sort_by(|x, y| {
        y.count.a.cmp(&x.count.a).then_with(|| match tie {
            TieRule::LowerCost => x.county.cmp(&y.county).then(x.id.cmp(&y.id)),
            TieRule::Earlier => x.id.cmp(&y.id),
        })
    });
    let mut left = budget.0;
    let mut chosen = 0;
    order
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let passes = match rule {
                // More than half of all members, not of those present.
                ResultRule::MajorityOfAll => 2 * s.count.a > members,
                ResultRule::TopN => s.count.a > 0,
            };
            let outcome = if !passes || chosen >= n {
                Outcome::NotChosen
            } else if s.county.0 > left {
                Outcome::OverBudget
            } else {
                left -= s.county.0;
                chosen += 1;
                Outcome::Chosen
            };
            (s.id, k + 1, outcome)
        })
        .collect()
}
