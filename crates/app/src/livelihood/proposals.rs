//! 征集: proposals from citizens (the public page), deputies, units and the hotline; what each
//! caller sees of them (a citizen's name and phone only the desk and the hotline), similar
//! proposals for the desk to group, and what the caller may do now (from the workflow).

use super::{access, project_year, Access};
use crate::{forbidden, Result, Who};
use luoshi_domain::duty::{may, working_days_left, Light, Workflow};
use luoshi_domain::livelihood::{Assessment, ProposalAction, ProposalFlow, ProposalInput, ProposalSide, ProposalState, Source};
use luoshi_domain::time::local_date;
use luoshi_domain::user::Role;
use luoshi_domain::{DomainError, ErrorCode};
use luoshi_storage::duty::trail::{self, Step};
use luoshi_storage::livelihood::proposals::{self as store, Filter, NewRow, ProposalRow};
use luoshi_storage::{calendar, Db};
use serde::Serialize;

/// A proposal as shown to a caller.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub id: i64,
    pub year: i64,
    pub source: Source,
    pub title: String,
    pub content: String,
    pub area: luoshi_domain::livelihood::Area,
    pub place: String,
    /// A citizen's name and phone: only for the desk and the hotline.
    pub citizen_name: Option<String>,
    pub citizen_phone: Option<String>,
    pub appeal_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub state: ProposalState,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// Working days left for the assessment (negative once overdue), while it runs.
    pub days_left: Option<i64>,
    pub assessment: Option<Assessment>,
    pub cost_wan: String,
    pub county_wan: String,
    pub spent_wan: String,
    pub reason: String,
    pub task_id: Option<i64>,
    pub rating: Option<String>,
    pub created_at: i64,
    pub version: i64,
}

/// The sides a caller takes on a proposal.
pub(crate) fn sides(a: &Access, who: &Who, p: &ProposalRow) -> Vec<ProposalSide> {
    let mut out = Vec::new();
    if a.desk {
        out.push(ProposalSide::Desk);
    }
    let dept = match (who.role, &p.unit_id) {
        (None, _) => true,
        (Some(Role::UnitManager | Role::UnitStaff), Some(u)) => who.unit_id == Some(*u),
        _ => false,
    };
    if dept {
        out.push(ProposalSide::Department);
    }
    out
}

/// May the caller see this proposal? Everyone who sees all; a unit what it assesses or proposed;
/// a deputy his own, and the candidates and projects (they are published).
pub(crate) fn sees(a: &Access, who: &Who, p: &ProposalRow) -> bool {
    a.sees_all
        || (who.user_id.is_some() && p.proposer_user_id == who.user_id)
        || (p.unit_id.is_some() && p.unit_id == who.unit_id)
        || matches!(p.state, ProposalState::Candidate | ProposalState::Chosen | ProposalState::NotChosen)
}

pub(crate) fn view(a: &Access, p: ProposalRow, cal: &luoshi_domain::calendar::Calendar, today: chrono::NaiveDate) -> View {
    let days_left = (p.state == ProposalState::Assessing).then_some(p.due_at).flatten().map(|d| working_days_left(cal, today, local_date(d - 1)));
    View {
        id: p.id,
        year: p.year,
        source: p.source,
        title: p.title,
        content: p.content,
        area: p.area,
        place: p.place,
        citizen_name: if a.personal { p.citizen_name } else { None },
        citizen_phone: if a.personal { p.citizen_phone } else { None },
        appeal_id: p.appeal_id,
        merged_into: p.merged_into,
        state: p.state,
        unit_id: p.unit_id,
        unit_name: p.unit_name,
        days_left,
        assessment: p.assessment.as_deref().and_then(|j| serde_json::from_str(j).ok()),
        cost_wan: p.cost.wan(),
        county_wan: p.county.wan(),
        spent_wan: p.spent.wan(),
        reason: p.reason,
        task_id: p.task_id,
        rating: p.rating,
        created_at: p.created_at,
        version: p.version,
    }
}

/// Record a proposal (the caller's access already checked); its id.
pub(crate) async fn record(db: &Db, who: &Who, source: Source, input: &ProposalInput, appeal_id: Option<i64>, now: i64) -> Result<i64> {
    let today = local_date(now);
    let p = input.validate(source)?;
    let (_, o) = access(db, who, today).await?;
    // Outside the year's collection period a proposal waits in the reserve (储备库).
    let year = project_year(today);
    let period = super::year_settings(db, year, today).await?;
    let within = crate::ymd(today) >= period.collect_from && crate::ymd(today) <= period.collect_to;
    let mut tx = db.begin_write().await?;
    let n = NewRow {
        state: if within { ProposalState::Collected } else { ProposalState::Reserved },
        year: i64::from(year),
        source,
        p: &p,
        proposer_user_id: who.user_id,
        proposer_unit_id: if source == Source::Citizen { None } else { who.unit_id },
        appeal_id,
        desk_unit_id: o.desk.id,
    };
    let id = store::insert(&mut tx, &who.actor, &n, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A citizen's proposal from the public page (no account; the page guards the intake).
pub async fn submit_public(db: &Db, input: &ProposalInput, now: i64) -> Result<i64> {
    record(db, &Who::system("public:livelihood"), Source::Citizen, input, None, now).await
}

/// A proposal from an account: a deputy's, a unit's; the hotline records a citizen's call.
pub async fn submit(db: &Db, who: &Who, input: &ProposalInput, now: i64) -> Result<i64> {
    let source = match who.role {
        Some(Role::Deputy) => Source::Deputy,
        Some(Role::UnitManager | Role::UnitStaff) => Source::Unit,
        Some(Role::Hotline) => Source::Citizen,
        _ => return Err(forbidden()),
    };
    record(db, who, source, input, None, now).await
}

/// A list of proposals as the caller may see them.
pub async fn list(db: &Db, who: &Who, q: &ListQuery, now: i64) -> Result<Page> {
    let today = local_date(now);
    let (a, _) = access(db, who, today).await?;
    let cal = calendar::load(db).await?;
    let limit = q.limit.unwrap_or(PAGE).clamp(1, 5000);
    let f = filter(&a, who, q, limit)?;
    let rows = store::list(db, &f).await?;
    let next_before = (rows.len() as i64 == limit).then(|| rows.last().map(|p| p.id)).flatten();
    let proposals = rows.into_iter().filter(|p| sees(&a, who, p)).map(|p| view(&a, p, &cal, today)).collect();
    Ok(Page { proposals, next_before })
}

/// The caller's proposals by state (the list's tabs).
pub async fn counts(db: &Db, who: &Who, year: Option<i64>, now: i64) -> Result<Vec<(ProposalState, i64)>> {
    let (a, _) = access(db, who, local_date(now)).await?;
    let f = filter(&a, who, &ListQuery { year, ..ListQuery::default() }, 1)?;
    store::counts(db, &f).await
}

/// What the caller may list: everything (who sees all), a deputy his own, a unit's people
/// what their unit assesses, what they proposed and what is published.
fn filter(a: &Access, who: &Who, q: &ListQuery, limit: i64) -> Result<Filter> {
    let mut f = Filter { year: q.year, states: q.states.clone(), before_id: q.before, limit, ..Filter::default() };
    if !a.sees_all {
        match (who.role, who.user_id, who.unit_id) {
            (Some(Role::Deputy), Some(user), _) => f.proposer_user_id = Some(user),
            (_, Some(user), Some(unit)) => f.seen_by = Some((unit, user)),
            _ => return Err(forbidden()),
        }
    }
    Ok(f)
}

/// The page size of proposal lists.
pub const PAGE: i64 = 200;

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub year: Option<i64>,
    pub states: Vec<ProposalState>,
    /// The next page: ids below this one.
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// A page of proposals, newest first, and where the next one starts.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub proposals: Vec<View>,
    pub next_before: Option<i64>,
}

/// One proposal with its trail, what the caller may do now and the similar ones (for the desk).
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub p: View,
    pub may: Vec<ProposalAction>,
    pub trail: Vec<Step>,
    /// (id, title, state, similarity in %) of the year's proposals most like it, for the desk.
    pub similar: Vec<(i64, String, ProposalState, i64)>,
    pub light: Light,
}

pub(crate) async fn seen(db: &Db, who: &Who, id: i64, now: i64) -> Result<(Access, super::Offices, ProposalRow)> {
    let (a, o) = access(db, who, local_date(now)).await?;
    let p = store::get(db, id).await?.filter(|p| sees(&a, who, p)).ok_or_else(|| DomainError::not_found("proposal"))?;
    Ok((a, o, p))
}

pub async fn one(db: &Db, who: &Who, id: i64, now: i64) -> Result<Detail> {
    let today = local_date(now);
    let (a, _, p) = seen(db, who, id, now).await?;
    let cal = calendar::load(db).await?;
    let may_now = may::<ProposalFlow>(p.state, &sides(&a, who, &p));
    let trail = trail::of(db, ProposalFlow::KIND, id).await?;
    let similar = if a.desk && matches!(p.state, ProposalState::Collected | ProposalState::Reserved) { similar(db, &p).await? } else { Vec::new() };
    let rec = luoshi_storage::duty::of_ids(db, ProposalFlow::KIND, &[id]).await?;
    let light = rec.first().and_then(|r| Light::parse(&r.light)).unwrap_or(Light::None);
    Ok(Detail { p: view(&a, p, &cal, today), may: may_now, trail, similar, light })
}

/// The year's open proposals most like this one (Jaccard over the words of title and text).
async fn similar(db: &Db, p: &ProposalRow) -> Result<Vec<(i64, String, ProposalState, i64)>> {
    use luoshi_domain::route::{similarity, tokenize};
    let mine = tokenize(&format!("{} {}", p.title, p.content));
    let f = Filter { year: Some(p.year), limit: 5000, ..Filter::default() };
    let mut out: Vec<(i64, String, ProposalState, i64)> = store::list(db, &f)
        .await?
        .into_iter()
        .filter(|o| o.id != p.id && o.state != ProposalState::Merged && o.state != ProposalState::Excluded)
        .map(|o| {
            let s = similarity(&mine, &tokenize(&format!("{} {}", o.title, o.content)));
            (o.id, o.title, o.state, (s * 100.0).round() as i64)
        })
        .filter(|x| x.3 >= 40)
        .collect();
    out.sort_by(|a, b| b.3.cmp(&a.3).then(a.0.cmp(&b.0)));
    out.truncate(5);
    Ok(out)
}

/// Refuse an action the caller may not take now, naming the state.
pub(crate) fn check_may(a: &Access, who: &Who, p: &ProposalRow, action: ProposalAction) -> Result<ProposalState> {
    if !sides(a, who, p).contains(&ProposalFlow::side(action)) {
        return Err(forbidden());
    }
    Ok(ProposalFlow::apply(action, p.state, &()).map_err(|_| DomainError::field(ErrorCode::Conflict, "state").with_detail(p.state.as_str().to_string()))?)
}

/// Money spent on a chosen project as typed: the running total (万元).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SpentInput {
    #[serde(default)]
    pub spent_wan: String,
}

/// Record what a chosen project has spent so far (its delivering unit or the desk); never more
/// than its estimated cost.
pub async fn record_spent(db: &Db, who: &Who, id: i64, input: &SpentInput, now: i64) -> Result<()> {
    let (a, _, p) = seen(db, who, id, now).await?;
    if !(a.desk || sides(&a, who, &p).contains(&ProposalSide::Department)) {
        return Err(forbidden());
    }
    if p.state != ProposalState::Chosen {
        return Err(DomainError::field(ErrorCode::Conflict, "state").with_detail(p.state.as_str().to_string()).into());
    }
    if input.spent_wan.trim().is_empty() {
        return Err(DomainError::required("spent_wan").into());
    }
    let spent = luoshi_domain::money::Fen::parse_wan(&input.spent_wan, "spent_wan")?;
    if spent > p.cost {
        return Err(DomainError::field(ErrorCode::OutOfRange, "spent_wan").with_detail(p.cost.wan()).into());
    }
    let mut tx = db.begin_write().await?;
    store::set_spent(&mut tx, &who.actor, id, spent, now).await?;
    tx.commit().await?;
    Ok(())
}
