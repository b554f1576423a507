//! The year's report and what is published: proposals by source and state, the candidates with
//! the reasons they were listed, the chosen projects with their delivery (the task's standing
//! from the record of duties), money budgeted and spent, and both ratings. The published view
//! carries no name, no phone and no internal note.

use super::ratings::public_of;
use crate::Result;
use luoshi_domain::livelihood::rating::Public;
use luoshi_domain::livelihood::{Area, ProposalState, Source};
use luoshi_storage::livelihood::proposals::{self as store, Filter, ProposalRow};
use luoshi_storage::Db;
use serde::Serialize;

/// A chosen or candidate project as anyone may see it.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub id: i64,
    pub title: String,
    pub content: String,
    pub area: Area,
    pub place: String,
    pub state: ProposalState,
    pub unit_name: Option<String>,
    pub cost_wan: String,
    pub county_wan: String,
    pub spent_wan: String,
    /// Why it was listed (the department's 必要性), for the candidates and projects.
    pub necessity: String,
    pub beneficiaries: i64,
    /// The delivering task's state and light, and when it is due.
    pub task_state: Option<String>,
    pub task_light: Option<String>,
    pub task_due_at: Option<i64>,
    pub deputies_rating: Option<String>,
    pub public: Public,
}

fn published(p: &ProposalRow, task: Option<&luoshi_storage::duty::Record>, public: Public) -> Published {
    let a: Option<luoshi_domain::livelihood::Assessment> = p.assessment.as_deref().and_then(|j| serde_json::from_str(j).ok());
    Published {
        id: p.id,
        title: p.title.clone(),
        // A citizen's text may name him: what is published is cleaned of phone and ID numbers.
        content: luoshi_domain::publish::redact(&p.content),
        area: p.area,
        place: p.place.clone(),
        state: p.state,
        unit_name: p.unit_name.clone(),
        cost_wan: p.cost.wan(),
        county_wan: p.county.wan(),
        spent_wan: p.spent.wan(),
        necessity: a.as_ref().map(|a| luoshi_domain::publish::redact(&a.necessity)).unwrap_or_default(),
        beneficiaries: a.as_ref().map(|a| a.beneficiaries).unwrap_or(0),
        task_state: task.map(|t| t.state.clone()),
        task_light: task.map(|t| t.light.clone()),
        task_due_at: task.and_then(|t| t.due_at),
        deputies_rating: p.rating.clone(),
        public,
    }
}

/// A year's candidates and chosen projects as published.
pub async fn public_year(db: &Db, year: i64) -> Result<Vec<Published>> {
    let rows = store::list(
        db,
        &Filter { year: Some(year), states: vec![ProposalState::Candidate, ProposalState::Chosen, ProposalState::NotChosen], limit: 500, ..Filter::default() },
    )
    .await?;
    let task_ids: Vec<i64> = rows.iter().filter_map(|p| p.task_id).collect();
    let tasks = luoshi_storage::duty::of_ids(db, "task", &task_ids).await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let ratings = public_of(db, &ids).await?;
    let mut out: Vec<Published> = rows
        .iter()
        .map(|p| published(p, p.task_id.and_then(|t| tasks.iter().find(|r| r.ref_id == t)), ratings.get(&p.id).copied().unwrap_or_default()))
        .collect();
    out.sort_by_key(|p| (p.state != ProposalState::Chosen, p.id));
    Ok(out)
}

/// The year's report: counts and published projects only, so any account may read it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub year: i64,
    /// (source, count) and (state, count) of every proposal.
    pub by_source: Vec<(Source, usize)>,
    pub by_state: Vec<(ProposalState, usize)>,
    pub projects: Vec<Published>,
    pub capacity_wan: String,
    pub chosen_county_wan: String,
    pub spent_wan: String,
}

pub async fn year_report(db: &Db, year: i64, now: i64) -> Result<Report> {
    let all = store::list(db, &Filter { year: Some(year), limit: 5000, ..Filter::default() }).await?;
    let by_source = Source::ALL.iter().map(|s| (*s, all.iter().filter(|p| p.source == *s).count())).collect();
    let by_state = ProposalState::ALL.iter().map(|s| (*s, all.iter().filter(|p| p.state == *s).count())).collect();
    let chosen: Vec<&ProposalRow> = all.iter().filter(|p| p.state == ProposalState::Chosen).collect();
    let settings = super::year_settings(db, i32::try_from(year).unwrap_or(2027), luoshi_domain::time::local_date(now)).await?;
    Ok(Report {
        year,
        by_source,
        by_state,
        projects: public_year(db, year).await?.into_iter().filter(|p| p.state == ProposalState::Chosen).collect(),
        capacity_wan: settings.capacity.wan(),
        chosen_county_wan: chosen.iter().map(|p| p.county).sum::<luoshi_domain::money::Fen>().wan(),
        spent_wan: chosen.iter().map(|p| p.spent).sum::<luoshi_domain::money::Fen>().wan(),
    })
}

fn zh(key: &str) -> String {
    luoshi_domain::i18n::t(luoshi_domain::i18n::Lang::ZhCn, key).to_string()
}

/// The proposals the caller sees of a year (and states) as table rows for the xlsx.
pub async fn proposals_table(db: &Db, who: &crate::Who, year: i64, states: Vec<ProposalState>, now: i64) -> Result<(Vec<&'static str>, Vec<Vec<String>>)> {
    let q = super::proposals::ListQuery { year: Some(year), states, before: None, limit: Some(5000) };
    let rows = super::proposals::list(db, who, &q, now).await?.proposals;
    let head = vec!["编号", "项目名称", "领域", "来源", "状态", "论证/牵头单位", "估算总投资（万元）", "县级出资（万元）", "已支出（万元）", "代表测评"];
    let table = rows
        .into_iter()
        .map(|v| {
            vec![
                v.id.to_string(),
                v.title,
                zh(&format!("livelihood.area.{}", v.area.as_str())),
                zh(&format!("livelihood.source.{}", v.source.as_str())),
                zh(&format!("livelihood.state.{}", v.state.as_str())),
                v.unit_name.unwrap_or_default(),
                v.cost_wan,
                v.county_wan,
                v.spent_wan,
                v.rating.map(|x| zh(&format!("livelihood.choice.{x}"))).unwrap_or_default(),
            ]
        })
        .collect();
    Ok((head, table))
}

/// A session's result sheet as table rows (the counts once voting closed, the outcome once
/// certified, then the tellers).
pub fn sheet_table(v: &super::sessions::SessionView) -> (Vec<String>, Vec<Vec<String>>) {
    use luoshi_domain::livelihood::vote::{Choice, SessionKind};
    let mut head: Vec<String> = ["序号", "编号", "表决事项", "单位", "县级出资（万元）"].iter().map(|s| s.to_string()).collect();
    head.extend(Choice::of(v.s.kind).iter().map(|c| zh(&format!("livelihood.choice.{}", c.as_str()))));
    head.extend(["合计", "名次", "结果"].iter().map(|s| s.to_string()));
    let mut rows: Vec<Vec<String>> = v
        .candidates
        .iter()
        .map(|c| {
            let n = c.total();
            let outcome = match (v.s.kind, &c.outcome) {
                (SessionKind::Vote, Some(o)) => zh(&format!("livelihood.outcome.{o}")),
                (SessionKind::Rating, Some(o)) => zh(&format!("livelihood.choice.{o}")),
                (_, None) => String::new(),
            };
            let mut r = vec![c.seq.to_string(), c.proposal_id.to_string(), c.title.clone(), c.unit_name.clone().unwrap_or_default(), c.county.wan()];
            r.extend([n.a, n.b, n.c, n.total()].iter().map(i64::to_string));
            r.push(c.rank.filter(|x| *x > 0).map(|x| x.to_string()).unwrap_or_default());
            r.push(outcome);
            r
        })
        .collect();
    for (_, name, role, at) in &v.signatures {
        rows.push(vec![zh(&format!("livelihood.teller.{role}")), name.clone(), luoshi_domain::time::format_local(*at)]);
    }
    (head, rows)
}
