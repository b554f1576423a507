//! Directives and duties: tasks with their co-units, milestones, reports, trail, extensions,
//! notices (the supervision ladder), exemptions and incentives.

use crate::{get_f64, get_i64, get_opt_f64, get_opt_i64, get_opt_str, get_str, Actor, Db, Result, WriteTx};
use luoshi_domain::duty::{Light, NoticeLevel};
use luoshi_domain::tasks::{CoRole, NewTask, State, Term};
use luoshi_domain::{DomainError, ErrorCode};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// 决策部署: a meeting, a document or a leader's instruction that holds a tree of tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Directive {
    pub id: i64,
    pub title: String,
    /// meeting (会议), document (文件) or instruction (批示).
    pub kind: String,
    pub issued_on: String,
    pub issuer: String,
    pub doc_no: Option<String>,
    pub source_text: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

/// A directive to create.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DirectiveInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub issued_on: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub doc_no: String,
    #[serde(default)]
    pub source_text: String,
}

impl DirectiveInput {
    pub fn validate(&self) -> Result<DirectiveInput, DomainError> {
        use luoshi_domain::error::{optional_text, required_text};
        let kind = self.kind.trim();
        if !["meeting", "document", "instruction"].contains(&kind) {
            return Err(if kind.is_empty() { DomainError::required("kind") } else { DomainError::invalid("kind") });
        }
        luoshi_domain::time::parse_date("issued_on", &self.issued_on)?;
        Ok(DirectiveInput {
            title: required_text("title", &self.title, 200)?,
            kind: kind.to_string(),
            issued_on: self.issued_on.trim().to_string(),
            issuer: required_text("issuer", &self.issuer, 64)?,
            doc_no: optional_text("doc_no", &self.doc_no, 64)?.unwrap_or_default(),
            source_text: optional_text("source_text", &self.source_text, 200_000)?.unwrap_or_default(),
        })
    }
}

fn directive(r: &AnyRow) -> Result<Directive> {
    Ok(Directive {
        id: get_i64(r, "id")?,
        title: get_str(r, "title")?,
        kind: get_str(r, "kind")?,
        issued_on: get_str(r, "issued_on")?,
        issuer: get_str(r, "issuer")?,
        doc_no: get_opt_str(r, "doc_no")?,
        source_text: get_opt_str(r, "source_text")?,
        created_by: get_str(r, "created_by")?,
        created_at: get_i64(r, "created_at")?,
    })
}

const DIRECTIVE_COLS: &str = "id, title, kind, issued_on, issuer, doc_no, source_text, created_by, created_at";

pub async fn create_directive(tx: &mut WriteTx, actor: &Actor, d: &DirectiveInput) -> Result<Directive> {
    let now = crate::now_micros();
    let row = sqlx::query(
        "INSERT INTO directives (title, kind, issued_on, issuer, doc_no, source_text, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&d.title)
    .bind(&d.kind)
    .bind(&d.issued_on)
    .bind(&d.issuer)
    .bind((!d.doc_no.is_empty()).then(|| d.doc_no.clone()))
    .bind((!d.source_text.is_empty()).then(|| d.source_text.clone()))
    .bind(&actor.name)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    let created = sqlx::query(&format!("SELECT {DIRECTIVE_COLS} FROM directives WHERE id = $1")).bind(id).fetch_one(tx.conn()).await?;
    let created = directive(&created)?;
    let mut summary = serde_json::to_value(&created).unwrap_or_default();
    summary["source_text"] = serde_json::json!(created.source_text.as_ref().map(|s| s.chars().count()));
    tx.audit(actor, "directive.create", "directive", &id.to_string(), None, Some(&summary)).await?;
    Ok(created)
}

pub async fn get_directive(db: &Db, id: i64) -> Result<Option<Directive>> {
    let row = sqlx::query(&format!("SELECT {DIRECTIVE_COLS} FROM directives WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(directive).transpose()
}

/// Directives with the number of tasks the caller may see in each.
pub async fn list_directives(db: &Db, vis: &Visibility) -> Result<Vec<(Directive, i64)>> {
    let vis = vis.resolve(db).await?;
    let cols = DIRECTIVE_COLS.split(", ").map(|c| format!("x.{c}")).collect::<Vec<_>>().join(", ");
    let rows = if matches!(vis, Resolved::All) {
        // Everything: the count the triggers keep.
        sqlx::query(&format!("SELECT {cols}, x.task_count AS n FROM directives x ORDER BY x.issued_on DESC, x.id DESC LIMIT 500")).fetch_all(db.pool()).await?
    } else {
        let mut binds = Vec::new();
        let cond = vis.source_condition(&mut binds);
        let sql = format!(
            "SELECT {cols}, c.n AS n FROM (SELECT d.directive_id, COUNT(*) AS n FROM {src} WHERE {cond} AND d.directive_id IS NOT NULL GROUP BY d.directive_id) c \
             JOIN directives x ON x.id = c.directive_id ORDER BY x.issued_on DESC, x.id DESC LIMIT 500",
            src = vis.source()
        );
        bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?
    };
    rows.iter().map(|r| Ok((directive(r)?, get_i64(r, "n")?))).collect()
}

/// A duty as lists and pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duty {
    pub id: i64,
    pub kind: String,
    pub directive_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub seq: Option<String>,
    pub title: String,
    pub measures: Option<String>,
    pub lead_leader_id: Option<i64>,
    pub lead_leader_name: Option<String>,
    pub owner_unit_id: i64,
    pub owner_unit_name: String,
    pub state: State,
    pub deadline: Option<String>,
    pub original_deadline: Option<String>,
    pub deadline_working_days: Option<i64>,
    pub term: Term,
    pub weight: f64,
    pub progress: f64,
    pub planned: f64,
    pub light: Light,
    pub assigned_on: Option<String>,
    pub closed_on: Option<String>,
    pub returned_count: i64,
    pub extension_count: i64,
    pub evaluation: Option<String>,
    pub evaluation_note: Option<String>,
    pub remarks: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const DUTY_COLS: &str = "d.id, d.kind, d.directive_id, d.parent_id, d.seq, d.title, d.measures, d.lead_leader_id, lu.display_name AS lead_leader_name, \
     d.owner_unit_id, ou.name AS owner_unit_name, d.state, d.deadline, d.original_deadline, d.deadline_working_days, d.term, d.weight, d.progress, \
     d.planned, d.light, d.assigned_on, d.closed_on, d.returned_count, d.extension_count, d.evaluation, d.evaluation_note, d.remarks, d.created_at, d.updated_at";
const DUTY_FROM: &str = "duties d JOIN units ou ON ou.id = d.owner_unit_id LEFT JOIN users lu ON lu.id = d.lead_leader_id";

fn duty(r: &AnyRow) -> Result<Duty> {
    let bad = |f: &str| DomainError::invalid(f);
    Ok(Duty {
        id: get_i64(r, "id")?,
        kind: get_str(r, "kind")?,
        directive_id: get_opt_i64(r, "directive_id")?,
        parent_id: get_opt_i64(r, "parent_id")?,
        seq: get_opt_str(r, "seq")?,
        title: get_str(r, "title")?,
        measures: get_opt_str(r, "measures")?,
        lead_leader_id: get_opt_i64(r, "lead_leader_id")?,
        lead_leader_name: get_opt_str(r, "lead_leader_name")?,
        owner_unit_id: get_i64(r, "owner_unit_id")?,
        owner_unit_name: get_str(r, "owner_unit_name")?,
        state: State::parse(&get_str(r, "state")?).ok_or_else(|| bad("state"))?,
        deadline: get_opt_str(r, "deadline")?,
        original_deadline: get_opt_str(r, "original_deadline")?,
        deadline_working_days: get_opt_i64(r, "deadline_working_days")?,
        term: Term::parse(&get_str(r, "term")?).ok_or_else(|| bad("term"))?,
        weight: get_f64(r, "weight")?,
        progress: get_f64(r, "progress")?,
        planned: get_f64(r, "planned")?,
        light: Light::parse(&get_str(r, "light")?).ok_or_else(|| bad("light"))?,
        assigned_on: get_opt_str(r, "assigned_on")?,
        closed_on: get_opt_str(r, "closed_on")?,
        returned_count: get_i64(r, "returned_count")?,
        extension_count: get_i64(r, "extension_count")?,
        evaluation: get_opt_str(r, "evaluation")?,
        evaluation_note: get_opt_str(r, "evaluation_note")?,
        remarks: get_opt_str(r, "remarks")?,
        created_at: get_i64(r, "created_at")?,
        updated_at: get_i64(r, "updated_at")?,
    })
}

/// Which duties a caller sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// The supervision office and administrators: everything.
    All,
    /// A county leader: what they lead (牵头领导).
    Leader(i64),
    /// A unit user: duties their unit's subtree owns or co-operates on.
    Units(String),
    /// Nobody's (roles with no part in tasks).
    Nothing,
}

#[derive(Debug, Clone)]
enum Bind {
    I(i64),
    S(String),
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(*i),
            Bind::S(s) => q.bind(s.as_str()),
        };
    }
    q
}

/// A visibility resolved for one query: a unit subtree becomes the (few) ids of its units, so
/// that the owner and co-unit indexes answer instead of a path test on every task.
enum Resolved {
    All,
    Nothing,
    Leader(i64),
    Units(String),
}

impl Visibility {
    async fn resolve(&self, db: &Db) -> Result<Resolved> {
        Ok(match self {
            Visibility::All => Resolved::All,
            Visibility::Nothing => Resolved::Nothing,
            Visibility::Leader(id) => Resolved::Leader(*id),
            Visibility::Units(path) => {
                let rows = sqlx::query("SELECT id FROM units WHERE path LIKE $1").bind(format!("{path}%")).fetch_all(db.pool()).await?;
                let ids: Vec<String> = rows.iter().map(|r| get_i64(r, "id").map(|i| i.to_string())).collect::<Result<_>>()?;
                if ids.is_empty() {
                    Resolved::Nothing
                } else {
                    Resolved::Units(ids.join(","))
                }
            }
        })
    }
}

impl Resolved {
    /// The rows to select from, as `d`: all duties, or for a unit the few in its sight (those
    /// it owns or co-operates on), joined back to duties.
    fn source(&self) -> String {
        match self {
            Resolved::Units(ids) => format!("(SELECT DISTINCT s.duty_id AS id FROM duty_sight s WHERE s.unit_id IN ({ids})) v JOIN duties d ON d.id = v.id"),
            _ => "duties d".into(),
        }
    }

    /// The condition that goes with [`Resolved::source`].
    fn source_condition(&self, binds: &mut Vec<Bind>) -> String {
        match self {
            Resolved::Units(_) => "1 = 1".into(),
            other => other.condition(binds),
        }
    }

    /// A SQL condition on `d` (duties), appending its parameters. Unit ids are integers read
    /// from the database, written into the statement as literals.
    fn condition(&self, binds: &mut Vec<Bind>) -> String {
        match self {
            Resolved::All => "1 = 1".into(),
            Resolved::Nothing => "1 = 0".into(),
            Resolved::Leader(id) => {
                binds.push(Bind::I(*id));
                format!("d.lead_leader_id = ${}", binds.len())
            }
            Resolved::Units(ids) => format!("d.id IN (SELECT s.duty_id FROM duty_sight s WHERE s.unit_id IN ({ids}))"),
        }
    }
}

/// Filters of the supervisor's board.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    pub light: Option<String>,
    pub unit_id: Option<i64>,
    pub directive_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub term: Option<String>,
    pub state: Option<String>,
    /// Only open duties (not closed, not drafts).
    #[serde(default)]
    pub open: bool,
    /// Keyset paging: the last (deadline, id) of the previous page.
    pub after_deadline: Option<String>,
    pub after_id: Option<i64>,
    pub limit: Option<i64>,
}

fn filter_sql(vis: &Resolved, f: &Filter, binds: &mut Vec<Bind>, with_light: bool) -> String {
    let mut conds = vec![vis.source_condition(binds)];
    let mut push = |binds: &mut Vec<Bind>, b: Bind, tmpl: &str| {
        binds.push(b);
        conds.push(tmpl.replace('?', &format!("${}", binds.len())));
    };
    if with_light {
        if let Some(l) = f.light.as_ref().filter(|l| !l.is_empty()) {
            push(binds, Bind::S(l.clone()), "d.light = ?");
        }
    }
    if let Some(u) = f.unit_id {
        // The lead unit or a co-unit: the unit's sight holds the duty.
        push(binds, Bind::I(u), "EXISTS (SELECT 1 FROM duty_sight fs WHERE fs.unit_id = ? AND fs.duty_id = d.id)");
    }
    if let Some(dir) = f.directive_id {
        push(binds, Bind::I(dir), "d.directive_id = ?");
    }
    if let Some(l) = f.leader_id {
        push(binds, Bind::I(l), "d.lead_leader_id = ?");
    }
    if let Some(t) = f.term.as_ref().filter(|t| !t.is_empty()) {
        push(binds, Bind::S(t.clone()), "d.term = ?");
    }
    if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) {
        push(binds, Bind::S(s.clone()), "d.state = ?");
    }
    if f.open {
        conds.push("d.state NOT IN ('closed', 'draft')".into());
    }
    conds.join(" AND ")
}

/// One page of duties, soonest deadline first, keyset-paged.
pub async fn list(db: &Db, vis: &Visibility, f: &Filter) -> Result<Vec<Duty>> {
    list_resolved(db, &vis.resolve(db).await?, f).await
}

/// The board: one page and the count of each light, with the caller's visibility resolved once.
pub async fn board(db: &Db, vis: &Visibility, f: &Filter) -> Result<(Vec<Duty>, Vec<(Light, i64)>)> {
    let resolved = vis.resolve(db).await?;
    Ok((list_resolved(db, &resolved, f).await?, counts_resolved(db, &resolved, f).await?))
}

/// The units whose sight alone answers a query: a unit caller whose filters touch only what
/// `duty_sight` carries (light, state, openness, the due date of keyset paging).
fn sight_units<'a>(vis: &'a Resolved, f: &Filter) -> Option<&'a str> {
    match vis {
        Resolved::Units(ids) if f.unit_id.is_none() && f.directive_id.is_none() && f.leader_id.is_none() && f.term.as_deref().is_none_or(str::is_empty) => {
            Some(ids)
        }
        _ => None,
    }
}

/// The condition on `s` (duty_sight) for a unit caller's filters.
fn sight_filter(ids: &str, f: &Filter, binds: &mut Vec<Bind>, with_light: bool) -> String {
    let mut conds = vec![format!("s.unit_id IN ({ids})")];
    if with_light {
        if let Some(l) = f.light.as_ref().filter(|l| !l.is_empty()) {
            binds.push(Bind::S(l.clone()));
            conds.push(format!("s.light = ${}", binds.len()));
        }
    }
    if let Some(st) = f.state.as_ref().filter(|s| !s.is_empty()) {
        binds.push(Bind::S(st.clone()));
        conds.push(format!("s.state = ${}", binds.len()));
    }
    if f.open {
        conds.push("s.state NOT IN ('closed', 'draft')".into());
    }
    conds.join(" AND ")
}

/// Keyset paging after (due, id), on the given columns.
fn after_sql(f: &Filter, binds: &mut Vec<Bind>, due: &str, id: &str) -> String {
    let (Some(dl), Some(after)) = (&f.after_deadline, f.after_id) else { return String::new() };
    binds.push(Bind::S(dl.clone()));
    let a = binds.len();
    binds.push(Bind::I(after));
    let b = binds.len();
    format!(" AND ({due} > ${a} OR ({due} = ${a} AND {id} > ${b}))")
}

async fn list_resolved(db: &Db, vis: &Resolved, f: &Filter) -> Result<Vec<Duty>> {
    let mut binds = Vec::new();
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    // The page is chosen on one narrow table (a unit's sight, or the duties in due order),
    // then joined for its fifty rows.
    let page = match sight_units(vis, f) {
        Some(ids) => {
            let mut cond = sight_filter(ids, f, &mut binds, true);
            cond.push_str(&after_sql(f, &mut binds, "s.due", "s.duty_id"));
            format!("SELECT DISTINCT s.duty_id AS id, s.due FROM duty_sight s WHERE {cond} ORDER BY s.due, s.duty_id LIMIT {limit}")
        }
        None => {
            let mut cond = filter_sql(vis, f, &mut binds, true);
            cond.push_str(&after_sql(f, &mut binds, "d.due", "d.id"));
            format!("SELECT d.id FROM {src} WHERE {cond} ORDER BY d.due, d.id LIMIT {limit}", src = vis.source())
        }
    };
    let sql = format!(
        "SELECT {DUTY_COLS} FROM ({page}) page \
         JOIN duties d ON d.id = page.id JOIN units ou ON ou.id = d.owner_unit_id LEFT JOIN users lu ON lu.id = d.lead_leader_id ORDER BY d.due, d.id"
    );
    let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?;
    rows.iter().map(duty).collect()
}

/// How many duties carry each light under the same filters (the light filter itself ignored).
pub async fn light_counts(db: &Db, vis: &Visibility, f: &Filter) -> Result<Vec<(Light, i64)>> {
    counts_resolved(db, &vis.resolve(db).await?, f).await
}

async fn counts_resolved(db: &Db, vis: &Resolved, f: &Filter) -> Result<Vec<(Light, i64)>> {
    let unfiltered = matches!(vis, Resolved::All)
        && f.unit_id.is_none()
        && f.directive_id.is_none()
        && f.leader_id.is_none()
        && f.term.is_none()
        && f.state.is_none()
        && !f.open;
    let rows = if unfiltered {
        // Everything: the totals the triggers keep.
        sqlx::query("SELECT light, n FROM duty_light_totals").fetch_all(db.pool()).await?
    } else if let Some(ids) = sight_units(vis, f) {
        // A unit: its sight, each duty once even when several of its units see it.
        let mut binds = Vec::new();
        let cond = sight_filter(ids, f, &mut binds, false);
        let sql = format!("SELECT x.light AS light, COUNT(*) AS n FROM (SELECT DISTINCT s.light, s.duty_id FROM duty_sight s WHERE {cond}) x GROUP BY x.light");
        bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?
    } else {
        let mut binds = Vec::new();
        let cond = filter_sql(vis, f, &mut binds, false);
        let sql = format!("SELECT d.light AS light, COUNT(*) AS n FROM {} WHERE {cond} GROUP BY d.light", vis.source());
        bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?
    };
    let mut out: Vec<(Light, i64)> = Light::ALL.iter().map(|l| (*l, 0)).collect();
    for r in &rows {
        if let Some(l) = Light::parse(&get_str(r, "light")?) {
            if let Some(e) = out.iter_mut().find(|(x, _)| *x == l) {
                e.1 = get_i64(r, "n")?;
            }
        }
    }
    Ok(out)
}

/// A unit's inbox: open duties its subtree owns (to sign, report, reply) or co-operates on.
pub async fn inbox(db: &Db, unit_path: &str, limit: i64) -> Result<Vec<Duty>> {
    let Resolved::Units(ids) = Visibility::Units(unit_path.to_string()).resolve(db).await? else { return Ok(Vec::new()) };
    // Open duties the units own or co-operate on, from their sight alone, sorted by urgency:
    // a unit's open items are few, the sort is cheap.
    const URGENCY: &str = "CASE s.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'blue' THEN 2 ELSE 3 END * 10 + CASE s.state WHEN 'assigned' THEN 0 WHEN 'returned' THEN 1 ELSE 2 END";
    let sql = format!(
        "SELECT {DUTY_COLS} FROM ( \
           SELECT DISTINCT s.duty_id AS id, {URGENCY} AS urgency, s.due FROM duty_sight s \
           WHERE s.unit_id IN ({ids}) AND s.state IN ('assigned', 'signed', 'returned') \
           ORDER BY urgency, s.due, s.duty_id LIMIT $1) page \
         JOIN duties d ON d.id = page.id JOIN units ou ON ou.id = d.owner_unit_id LEFT JOIN users lu ON lu.id = d.lead_leader_id \
         ORDER BY page.urgency, page.due, page.id"
    );
    let rows = sqlx::query(&sql).bind(limit.clamp(1, 500)).fetch_all(db.pool()).await?;
    rows.iter().map(duty).collect()
}

/// The direct sub-tasks of a duty.
pub async fn children(db: &Db, id: i64) -> Result<Vec<Duty>> {
    let rows =
        sqlx::query(&format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.parent_id = $1 ORDER BY d.id LIMIT 500")).bind(id).fetch_all(db.pool()).await?;
    rows.iter().map(duty).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Duty>> {
    let row = sqlx::query(&format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(duty).transpose()
}

async fn get_tx(tx: &mut WriteTx, id: i64) -> Result<Duty> {
    let row = sqlx::query(&format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.as_ref().map(duty).transpose()?.ok_or_else(|| DomainError::not_found("task").into())
}

/// May a caller with this visibility see the duty?
pub async fn visible(db: &Db, vis: &Visibility, id: i64) -> Result<bool> {
    let vis = vis.resolve(db).await?;
    let mut binds = vec![Bind::I(id)];
    let cond = vis.condition(&mut binds);
    let sql = format!("SELECT d.id FROM duties d WHERE d.id = $1 AND {cond}");
    Ok(bind_all(sqlx::query(&sql), &binds).fetch_optional(db.pool()).await?.is_some())
}

/// Which of these duties the caller may see, in one query.
pub async fn visible_among(db: &Db, vis: &Visibility, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let vis = vis.resolve(db).await?;
    let mut binds = Vec::new();
    let cond = vis.condition(&mut binds);
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = bind_all(sqlx::query(&format!("SELECT d.id FROM duties d WHERE d.id IN ({list}) AND {cond}")), &binds).fetch_all(db.pool()).await?;
    rows.iter().map(|r| get_i64(r, "id")).collect()
}

/// A co-unit of a duty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoUnit {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub role: CoRole,
    pub sub_report: Option<String>,
    pub sub_percent: Option<f64>,
    pub updated_at: Option<i64>,
}

pub async fn co_units(db: &Db, id: i64) -> Result<Vec<CoUnit>> {
    let rows = sqlx::query("SELECT du.unit_id, u.name, u.path, du.role, du.sub_report, du.sub_percent, du.updated_at FROM duty_units du JOIN units u ON u.id = du.unit_id WHERE du.duty_id = $1 ORDER BY du.role DESC, u.id")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CoUnit {
                unit_id: get_i64(r, "unit_id")?,
                unit_name: get_str(r, "name")?,
                unit_path: get_str(r, "path")?,
                role: CoRole::parse(&get_str(r, "role")?).ok_or_else(|| DomainError::invalid("role"))?,
                sub_report: get_opt_str(r, "sub_report")?,
                sub_percent: get_opt_f64(r, "sub_percent")?,
                updated_at: get_opt_i64(r, "updated_at")?,
            })
        })
        .collect()
}

pub async fn milestones(db: &Db, id: i64) -> Result<Vec<(String, f64, String)>> {
    let rows = sqlx::query("SELECT due, percent, title FROM duty_milestones WHERE duty_id = $1 ORDER BY due").bind(id).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_str(r, "due")?, get_f64(r, "percent")?, get_opt_str(r, "title")?.unwrap_or_default()))).collect()
}

/// Milestones of many duties at once (for the supervision run), as (duty id, date, percent).
pub async fn milestones_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String, f64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows =
        sqlx::query(&format!("SELECT duty_id, due, percent FROM duty_milestones WHERE duty_id IN ({list}) ORDER BY duty_id, due")).fetch_all(db.pool()).await?;
    rows.iter().map(|r| Ok((get_i64(r, "duty_id")?, get_str(r, "due")?, get_f64(r, "percent")?))).collect()
}

/// One entry of a duty's trail (留痕).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub unit_id: Option<i64>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
    pub data: Option<String>,
}

pub async fn events(db: &Db, id: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query("SELECT id, at, actor, unit_id, action, from_state, to_state, note, data_json FROM duty_events WHERE duty_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                id: get_i64(r, "id")?,
                at: get_i64(r, "at")?,
                actor: get_str(r, "actor")?,
                unit_id: get_opt_i64(r, "unit_id")?,
                action: get_str(r, "action")?,
                from_state: get_opt_str(r, "from_state")?,
                to_state: get_opt_str(r, "to_state")?,
                note: get_opt_str(r, "note")?,
                data: get_opt_str(r, "data_json")?,
            })
        })
        .collect()
}

/// Append to the trail and the audit chain in one go.
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn event(
    tx: &mut WriteTx,
    actor: &Actor,
    duty_id: i64,
    unit_id: Option<i64>,
    action: &str,
    from: Option<State>,
    to: Option<State>,
    note: Option<&str>,
    data: Option<serde_json::Value>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO duty_events (duty_id, at, actor, unit_id, action, from_state, to_state, note, data_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(duty_id)
    .bind(crate::now_micros())
    .bind(&actor.name)
    .bind(unit_id)
    .bind(action)
    .bind(from.map(|s| s.as_str()))
    .bind(to.map(|s| s.as_str()))
    .bind(note.map(str::to_string))
    .bind(data.as_ref().map(|d| d.to_string()))
    .execute(tx.conn())
    .await?;
    let after =
        serde_json::json!({ "action": action, "from": from.map(|s| s.as_str()), "to": to.map(|s| s.as_str()), "note": note, "data": data, "unit_id": unit_id });
    tx.audit(actor, &format!("task.{action}"), "task", &duty_id.to_string(), None, Some(&after)).await?;
    Ok(())
}

/// Insert a task with its co-units and milestones, and its first trail entry.
#[expect(clippy::too_many_arguments, reason = "the columns a creation sets")]
pub async fn insert_task(
    tx: &mut WriteTx,
    actor: &Actor,
    directive_id: Option<i64>,
    seq: Option<&str>,
    t: &NewTask,
    deadline: Option<&str>,
    working_days: Option<i64>,
    light: Light,
) -> Result<i64> {
    check_refs(tx, directive_id, t).await?;
    insert_checked(tx, actor, directive_id, seq, t, deadline, working_days, light).await
}

/// Check what a task refers to: its parent (in the same directive), its units and its leader.
pub async fn check_refs(tx: &mut WriteTx, directive_id: Option<i64>, t: &NewTask) -> Result<()> {
    if let Some(p) = t.parent_id {
        let row = sqlx::query("SELECT directive_id FROM duties WHERE id = $1").bind(p).fetch_optional(tx.conn()).await?;
        match row {
            Some(r) if get_opt_i64(&r, "directive_id")? == directive_id => {}
            _ => return Err(DomainError::invalid("parent_id").into()),
        }
    }
    for (field, id) in
        std::iter::once(("lead_unit_id", t.lead_unit_id)).chain(t.responsible_unit_ids.iter().chain(&t.cooperating_unit_ids).map(|u| ("co_units", *u)))
    {
        if sqlx::query("SELECT id FROM units WHERE id = $1").bind(id).fetch_optional(tx.conn()).await?.is_none() {
            return Err(DomainError::invalid(field).with_detail(id.to_string()).into());
        }
    }
    if let Some(l) = t.lead_leader_id {
        let r = sqlx::query("SELECT role FROM users WHERE id = $1").bind(l).fetch_optional(tx.conn()).await?;
        if r.map(|r| get_str(&r, "role")).transpose()?.as_deref() != Some("leader") {
            return Err(DomainError::invalid("lead_leader_id").into());
        }
    }
    Ok(())
}

/// Insert a task whose references the caller has checked against the database already (an
/// import resolves every unit and leader while planning; the foreign keys still hold).
#[expect(clippy::too_many_arguments, reason = "the columns a creation sets")]
pub async fn insert_checked(
    tx: &mut WriteTx,
    actor: &Actor,
    directive_id: Option<i64>,
    seq: Option<&str>,
    t: &NewTask,
    deadline: Option<&str>,
    working_days: Option<i64>,
    light: Light,
) -> Result<i64> {
    let now = crate::now_micros();
    let row = sqlx::query(
        "INSERT INTO duties (kind, directive_id, parent_id, seq, title, measures, lead_leader_id, owner_unit_id, state, deadline, due, original_deadline, deadline_working_days, term, weight, light, remarks, created_at, updated_at) \
         VALUES ('task', $1, $2, $3, $4, $5, $6, $7, 'draft', $8, COALESCE($8, '9999-12-31'), $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(directive_id)
    .bind(t.parent_id)
    .bind(seq.map(str::to_string))
    .bind(&t.title)
    .bind(&t.measures)
    .bind(t.lead_leader_id)
    .bind(t.lead_unit_id)
    .bind(deadline.map(str::to_string))
    .bind(working_days)
    .bind(t.term.as_str())
    .bind(t.weight)
    .bind(light.as_str())
    .bind(&t.remarks)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    for (role, ids) in [(CoRole::Responsible, &t.responsible_unit_ids), (CoRole::Cooperating, &t.cooperating_unit_ids)] {
        for u in ids {
            sqlx::query("INSERT INTO duty_units (duty_id, unit_id, role) VALUES ($1, $2, $3)").bind(id).bind(*u).bind(role.as_str()).execute(tx.conn()).await?;
        }
    }
    for (d, p, title) in &t.milestones {
        sqlx::query("INSERT INTO duty_milestones (duty_id, due, percent, title) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(d.format("%Y-%m-%d").to_string())
            .bind(*p)
            .bind(title)
            .execute(tx.conn())
            .await?;
    }
    let data = serde_json::to_value(t).unwrap_or_default();
    event(tx, actor, id, Some(t.lead_unit_id), "create", None, Some(State::Draft), None, Some(data)).await?;
    Ok(id)
}

/// Fields a state change may set.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub deadline: Option<String>,
    pub assigned_on: Option<String>,
    pub closed_on: Option<String>,
    pub returned: bool,
    pub light: Option<Light>,
    pub planned: Option<f64>,
}

/// Move a duty from one state to another, refusing if someone else moved it first.
pub async fn transition(tx: &mut WriteTx, id: i64, from: State, to: State, c: &Change) -> Result<Duty> {
    let n = sqlx::query(
        "UPDATE duties SET state = $1, deadline = COALESCE($2, deadline), due = COALESCE($2, deadline, '9999-12-31'), original_deadline = COALESCE(original_deadline, $2), assigned_on = COALESCE($3, assigned_on), \
         closed_on = COALESCE($4, closed_on), returned_count = returned_count + $5, light = COALESCE($6, light), planned = COALESCE($7, planned), updated_at = $8 \
         WHERE id = $9 AND state = $10",
    )
    .bind(to.as_str())
    .bind(c.deadline.clone())
    .bind(c.assigned_on.clone())
    .bind(c.closed_on.clone())
    .bind(i64::from(c.returned))
    .bind(c.light.map(|l| l.as_str()))
    .bind(c.planned)
    .bind(crate::now_micros())
    .bind(id)
    .bind(from.as_str())
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    get_tx(tx, id).await
}

/// Record a progress report of the owner unit (the duty's progress) or of a co-unit (its part).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn add_report(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    unit_id: i64,
    owner: bool,
    period: &str,
    text: &str,
    percent: f64,
    light: Light,
    planned: f64,
) -> Result<()> {
    sqlx::query("INSERT INTO duty_reports (duty_id, unit_id, period, text, percent, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(unit_id)
        .bind(period)
        .bind(text)
        .bind(percent)
        .bind(&actor.name)
        .bind(crate::now_micros())
        .execute(tx.conn())
        .await?;
    if owner {
        sqlx::query("UPDATE duties SET progress = $1, light = $2, planned = $3, updated_at = $4 WHERE id = $5")
            .bind(percent)
            .bind(light.as_str())
            .bind(planned)
            .bind(crate::now_micros())
            .bind(id)
            .execute(tx.conn())
            .await?;
    } else {
        sqlx::query("UPDATE duty_units SET sub_report = $1, sub_percent = $2, updated_at = $3 WHERE duty_id = $4 AND unit_id = $5")
            .bind(text)
            .bind(percent)
            .bind(crate::now_micros())
            .bind(id)
            .bind(unit_id)
            .execute(tx.conn())
            .await?;
    }
    let data = serde_json::json!({ "percent": percent, "period": period, "co_unit": !owner });
    event(tx, actor, id, Some(unit_id), "report", None, None, Some(text), Some(data)).await
}

/// A progress report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub unit_id: i64,
    pub unit_name: String,
    pub period: String,
    pub text: String,
    pub percent: f64,
    pub actor: String,
    pub at: i64,
}

pub async fn reports(db: &Db, id: i64) -> Result<Vec<Report>> {
    let rows = sqlx::query("SELECT r.unit_id, u.name, r.period, r.text, r.percent, r.actor, r.at FROM duty_reports r JOIN units u ON u.id = r.unit_id WHERE r.duty_id = $1 ORDER BY r.at DESC")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Report {
                unit_id: get_i64(r, "unit_id")?,
                unit_name: get_str(r, "name")?,
                period: get_str(r, "period")?,
                text: get_str(r, "text")?,
                percent: get_f64(r, "percent")?,
                actor: get_str(r, "actor")?,
                at: get_i64(r, "at")?,
            })
        })
        .collect()
}

/// An extension request (延期申请).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extension {
    pub id: i64,
    pub duty_id: i64,
    pub requester: String,
    pub requested_at: i64,
    pub reason: String,
    pub old_deadline: String,
    pub new_deadline: String,
    /// pending, approved or refused.
    pub state: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

fn extension(r: &AnyRow) -> Result<Extension> {
    Ok(Extension {
        id: get_i64(r, "id")?,
        duty_id: get_i64(r, "duty_id")?,
        requester: get_str(r, "requester")?,
        requested_at: get_i64(r, "requested_at")?,
        reason: get_str(r, "reason")?,
        old_deadline: get_str(r, "old_deadline")?,
        new_deadline: get_str(r, "new_deadline")?,
        state: get_str(r, "state")?,
        decided_by: get_opt_str(r, "decided_by")?,
        decision_note: get_opt_str(r, "decision_note")?,
    })
}

const EXT_COLS: &str = "id, duty_id, requester, requested_at, reason, old_deadline, new_deadline, state, decided_by, decision_note";

pub async fn extensions(db: &Db, id: i64) -> Result<Vec<Extension>> {
    let rows = sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE duty_id = $1 ORDER BY id")).bind(id).fetch_all(db.pool()).await?;
    rows.iter().map(extension).collect()
}

pub async fn pending_extensions(db: &Db) -> Result<Vec<Extension>> {
    let rows =
        sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE state = 'pending' ORDER BY requested_at LIMIT 200")).fetch_all(db.pool()).await?;
    rows.iter().map(extension).collect()
}

pub async fn request_extension(tx: &mut WriteTx, actor: &Actor, d: &Duty, unit_id: i64, reason: &str, new_deadline: &str) -> Result<i64> {
    let pending = sqlx::query("SELECT id FROM duty_extensions WHERE duty_id = $1 AND state = 'pending'").bind(d.id).fetch_optional(tx.conn()).await?;
    if pending.is_some() {
        return Err(DomainError::field(ErrorCode::Duplicate, "new_deadline").into());
    }
    let old = d.deadline.clone().unwrap_or_default();
    let row = sqlx::query(
        "INSERT INTO duty_extensions (duty_id, requester, requested_at, reason, old_deadline, new_deadline, state) VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id",
    )
    .bind(d.id)
    .bind(&actor.name)
    .bind(crate::now_micros())
    .bind(reason)
    .bind(&old)
    .bind(new_deadline)
    .fetch_one(tx.conn())
    .await?;
    let ext = get_i64(&row, "id")?;
    let data = serde_json::json!({ "extension_id": ext, "old_deadline": old, "new_deadline": new_deadline });
    event(tx, actor, d.id, Some(unit_id), "extension_request", None, None, Some(reason), Some(data)).await?;
    Ok(ext)
}

/// Approve or refuse a pending extension; approval moves the deadline (both stay in the trail).
pub async fn decide_extension(tx: &mut WriteTx, actor: &Actor, ext_id: i64, approve: bool, note: Option<&str>, light: Option<Light>) -> Result<Extension> {
    let row = sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE id = $1")).bind(ext_id).fetch_optional(tx.conn()).await?;
    let ext = row.as_ref().map(extension).transpose()?.ok_or_else(|| DomainError::not_found("extension"))?;
    let state = if approve { "approved" } else { "refused" };
    let n = sqlx::query("UPDATE duty_extensions SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5 AND state = 'pending'")
        .bind(state)
        .bind(&actor.name)
        .bind(crate::now_micros())
        .bind(note.map(str::to_string))
        .bind(ext_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    if approve {
        sqlx::query(
            "UPDATE duties SET deadline = $1, due = $1, extension_count = extension_count + 1, light = COALESCE($2, light), updated_at = $3 WHERE id = $4",
        )
        .bind(&ext.new_deadline)
        .bind(light.map(|l| l.as_str()))
        .bind(crate::now_micros())
        .bind(ext.duty_id)
        .execute(tx.conn())
        .await?;
    }
    let data = serde_json::json!({ "extension_id": ext_id, "approved": approve, "old_deadline": ext.old_deadline, "new_deadline": ext.new_deadline });
    event(tx, actor, ext.duty_id, None, if approve { "extension_approve" } else { "extension_refuse" }, None, None, note, Some(data)).await?;
    let row = sqlx::query(&format!("SELECT {EXT_COLS} FROM duty_extensions WHERE id = $1")).bind(ext_id).fetch_one(tx.conn()).await?;
    extension(&row)
}

/// What the supervision run needs of an open duty.
#[derive(Debug, Clone)]
pub struct OpenDuty {
    pub id: i64,
    pub state: State,
    pub deadline: String,
    pub progress: f64,
    pub assigned_on: Option<String>,
    pub owner_unit_id: i64,
    pub light: Light,
    pub planned: f64,
}

/// Open duties with a deadline, in pages by id.
pub async fn open_page(db: &Db, after_id: i64, limit: i64) -> Result<Vec<OpenDuty>> {
    let rows = sqlx::query(
        "SELECT id, state, deadline, progress, assigned_on, owner_unit_id, light, planned FROM duties \
         WHERE id > $1 AND state IN ('assigned', 'signed', 'closure_requested', 'returned') AND deadline IS NOT NULL ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OpenDuty {
                id: get_i64(r, "id")?,
                state: State::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::invalid("state"))?,
                deadline: get_str(r, "deadline")?,
                progress: get_f64(r, "progress")?,
                assigned_on: get_opt_str(r, "assigned_on")?,
                owner_unit_id: get_i64(r, "owner_unit_id")?,
                light: Light::parse(&get_str(r, "light")?).ok_or_else(|| DomainError::invalid("light"))?,
                planned: get_f64(r, "planned")?,
            })
        })
        .collect()
}

/// Store a recomputed light (bookkeeping of a derived value: no trail entry, no audit row).
pub async fn set_light(tx: &mut WriteTx, id: i64, light: Light, planned: f64) -> Result<()> {
    sqlx::query("UPDATE duties SET light = $1, planned = $2 WHERE id = $3").bind(light.as_str()).bind(planned).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Raise a notice unless this level was already raised for this deadline (on any node).
/// Returns whether this call raised it.
pub async fn raise_notice(tx: &mut WriteTx, actor: &Actor, duty_id: i64, level: NoticeLevel, unit_id: i64, deadline: &str, today: &str) -> Result<bool> {
    let n = sqlx::query("INSERT INTO notices (duty_id, level, unit_id, deadline, raised_on, raised_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
        .bind(duty_id)
        .bind(level.as_str())
        .bind(unit_id)
        .bind(deadline)
        .bind(today)
        .bind(crate::now_micros())
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    let data = serde_json::json!({ "level": level.as_str(), "deadline": deadline, "raised_on": today });
    event(tx, actor, duty_id, Some(unit_id), &format!("notice_{}", level.as_str()), None, None, None, Some(data)).await?;
    Ok(true)
}

/// A notice of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub id: i64,
    pub duty_id: i64,
    pub duty_title: String,
    pub level: NoticeLevel,
    pub unit_id: i64,
    pub unit_name: String,
    pub deadline: String,
    pub raised_on: String,
}

const NOTICE_FROM: &str =
    "SELECT n.id, n.duty_id, d.title, n.level, n.unit_id, u.name, n.deadline, n.raised_on FROM notices n JOIN duties d ON d.id = n.duty_id JOIN units u ON u.id = n.unit_id";

fn notice(r: &AnyRow) -> Result<Notice> {
    Ok(Notice {
        id: get_i64(r, "id")?,
        duty_id: get_i64(r, "duty_id")?,
        duty_title: get_str(r, "title")?,
        level: NoticeLevel::parse(&get_str(r, "level")?).ok_or_else(|| DomainError::invalid("level"))?,
        unit_id: get_i64(r, "unit_id")?,
        unit_name: get_str(r, "name")?,
        deadline: get_str(r, "deadline")?,
        raised_on: get_str(r, "raised_on")?,
    })
}

/// Notices for units in a subtree (the unit's inbox and its superiors' view), newest first.
pub async fn notices_under(db: &Db, path: &str, limit: i64) -> Result<Vec<Notice>> {
    let rows = sqlx::query(&format!("{NOTICE_FROM} WHERE u.path LIKE $1 ORDER BY n.raised_at DESC, n.id DESC LIMIT $2"))
        .bind(format!("{path}%"))
        .bind(limit.clamp(1, 500))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(notice).collect()
}

pub async fn notices_of(db: &Db, duty_id: i64) -> Result<Vec<Notice>> {
    let rows = sqlx::query(&format!("{NOTICE_FROM} WHERE n.duty_id = $1 ORDER BY n.id")).bind(duty_id).fetch_all(db.pool()).await?;
    rows.iter().map(notice).collect()
}

/// A 容错免责 application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exemption {
    pub id: i64,
    pub duty_id: i64,
    pub notice_id: Option<i64>,
    pub unit_id: i64,
    pub applicant: String,
    pub reason: String,
    pub conditions: Vec<luoshi_domain::tasks::Condition>,
    pub state: luoshi_domain::tasks::ExemptionState,
    pub decision_note: Option<String>,
    pub created_at: i64,
}

fn exemption(r: &AnyRow) -> Result<Exemption> {
    Ok(Exemption {
        id: get_i64(r, "id")?,
        duty_id: get_i64(r, "duty_id")?,
        notice_id: get_opt_i64(r, "notice_id")?,
        unit_id: get_i64(r, "unit_id")?,
        applicant: get_str(r, "applicant")?,
        reason: get_str(r, "reason")?,
        conditions: serde_json::from_str(&get_str(r, "conditions_json")?).unwrap_or_default(),
        state: luoshi_domain::tasks::ExemptionState::parse(&get_str(r, "state")?).ok_or_else(|| DomainError::invalid("state"))?,
        decision_note: get_opt_str(r, "decision_note")?,
        created_at: get_i64(r, "created_at")?,
    })
}

const EXEMPT_COLS: &str = "id, duty_id, notice_id, unit_id, applicant, reason, conditions_json, state, decision_note, created_at";

pub async fn exemptions_of(db: &Db, duty_id: i64) -> Result<Vec<Exemption>> {
    let rows = sqlx::query(&format!("SELECT {EXEMPT_COLS} FROM exemptions WHERE duty_id = $1 ORDER BY id")).bind(duty_id).fetch_all(db.pool()).await?;
    rows.iter().map(exemption).collect()
}

pub async fn open_exemptions(db: &Db) -> Result<Vec<Exemption>> {
    let rows = sqlx::query(&format!("SELECT {EXEMPT_COLS} FROM exemptions WHERE state IN ('applied', 'accepted', 'verified') ORDER BY id LIMIT 200"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(exemption).collect()
}

pub async fn get_exemption(db: &Db, id: i64) -> Result<Option<Exemption>> {
    let row = sqlx::query(&format!("SELECT {EXEMPT_COLS} FROM exemptions WHERE id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(exemption).transpose()
}

pub async fn apply_exemption(
    tx: &mut WriteTx,
    actor: &Actor,
    duty_id: i64,
    notice_id: Option<i64>,
    unit_id: i64,
    reason: &str,
    conditions: &[luoshi_domain::tasks::Condition],
) -> Result<i64> {
    let now = crate::now_micros();
    // One pending application per duty, checked in the writing transaction (writers are
    // serialised on SQLite; on PostgreSQL the duty row is locked first).
    if tx.backend() == crate::Backend::Postgres {
        sqlx::query("SELECT id FROM duties WHERE id = $1 FOR UPDATE").bind(duty_id).fetch_optional(tx.conn()).await?;
    }
    let pending = sqlx::query("SELECT id FROM exemptions WHERE duty_id = $1 AND state IN ('applied', 'accepted', 'verified') LIMIT 1")
        .bind(duty_id)
        .fetch_optional(tx.conn())
        .await?;
    if pending.is_some() {
        return Err(DomainError::field(ErrorCode::Duplicate, "exemption").into());
    }
    let row = sqlx::query(
        "INSERT INTO exemptions (duty_id, notice_id, unit_id, applicant, reason, conditions_json, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7, $7) RETURNING id",
    )
    .bind(duty_id)
    .bind(notice_id)
    .bind(unit_id)
    .bind(&actor.name)
    .bind(reason)
    .bind(serde_json::to_string(conditions).unwrap_or_default())
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id = get_i64(&row, "id")?;
    event(
        tx,
        actor,
        duty_id,
        Some(unit_id),
        "exemption_apply",
        None,
        None,
        Some(reason),
        Some(serde_json::json!({ "exemption_id": id, "conditions": conditions })),
    )
    .await?;
    Ok(id)
}

/// Move an exemption along its procedure (the caller checked the step is allowed).
pub async fn exemption_step(
    tx: &mut WriteTx,
    actor: &Actor,
    e: &Exemption,
    to: luoshi_domain::tasks::ExemptionState,
    conditions: &[luoshi_domain::tasks::Condition],
    note: Option<&str>,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE exemptions SET state = $1, conditions_json = $2, decision_note = COALESCE($3, decision_note), updated_at = $4 WHERE id = $5 AND state = $6",
    )
    .bind(to.as_str())
    .bind(serde_json::to_string(conditions).unwrap_or_default())
    .bind(note.map(str::to_string))
    .bind(crate::now_micros())
    .bind(e.id)
    .bind(e.state.as_str())
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    let data = serde_json::json!({ "exemption_id": e.id, "from": e.state.as_str(), "to": to.as_str() });
    event(tx, actor, e.duty_id, Some(e.unit_id), &format!("exemption_{}", to.as_str()), None, None, note, Some(data)).await
}

/// An incentive record (表扬/激励).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incentive {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub user_id: Option<i64>,
    pub duty_id: Option<i64>,
    pub kind: String,
    pub reason: String,
    pub at: i64,
    pub by_actor: String,
}

pub async fn add_incentive(tx: &mut WriteTx, actor: &Actor, unit_id: i64, user_id: Option<i64>, duty_id: Option<i64>, kind: &str, reason: &str) -> Result<i64> {
    let row = sqlx::query("INSERT INTO incentives (unit_id, user_id, duty_id, kind, reason, at, by_actor) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(unit_id)
        .bind(user_id)
        .bind(duty_id)
        .bind(kind)
        .bind(reason)
        .bind(crate::now_micros())
        .bind(&actor.name)
        .fetch_one(tx.conn())
        .await
        .map_err(crate::unique_as("unit_id"))?;
    let id = get_i64(&row, "id")?;
    tx.audit(
        actor,
        "incentive.create",
        "incentive",
        &id.to_string(),
        None,
        Some(&serde_json::json!({ "unit_id": unit_id, "user_id": user_id, "duty_id": duty_id, "kind": kind, "reason": reason })),
    )
    .await?;
    Ok(id)
}

pub async fn incentives(db: &Db, limit: i64) -> Result<Vec<Incentive>> {
    let rows = sqlx::query("SELECT i.id, i.unit_id, u.name, i.user_id, i.duty_id, i.kind, i.reason, i.at, i.by_actor FROM incentives i JOIN units u ON u.id = i.unit_id ORDER BY i.at DESC LIMIT $1")
        .bind(limit.clamp(1, 500))
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Incentive {
                id: get_i64(r, "id")?,
                unit_id: get_i64(r, "unit_id")?,
                unit_name: get_str(r, "name")?,
                user_id: get_opt_i64(r, "user_id")?,
                duty_id: get_opt_i64(r, "duty_id")?,
                kind: get_str(r, "kind")?,
                reason: get_str(r, "reason")?,
                at: get_i64(r, "at")?,
                by_actor: get_str(r, "by_actor")?,
            })
        })
        .collect()
}

/// Per-owner-unit facts for a 通报 period `[from, to]` (dates): every task closed in the
/// period or still open at its end, with how it went.
pub async fn period_stats(db: &Db, from: &str, as_of: &str) -> Result<Vec<luoshi_domain::duty::UnitStats>> {
    // Everything is counted as it stood on `as_of` (the month's end, or today in the current
    // month): a task due later that day or month is not yet 逾期, one closed after it was open.
    let rows = sqlx::query(
        "SELECT d.owner_unit_id AS unit_id, u.name AS unit_name, COUNT(*) AS items, \
           CAST(SUM(CASE WHEN d.state = 'closed' AND d.closed_on <= $2 AND d.closed_on <= d.deadline THEN 1 ELSE 0 END) AS BIGINT) AS on_time, \
           CAST(SUM(CASE WHEN d.state = 'closed' AND d.closed_on <= $2 AND d.closed_on > d.deadline THEN 1 ELSE 0 END) AS BIGINT) AS late, \
           CAST(SUM(CASE WHEN (d.state <> 'closed' OR d.closed_on > $2) AND d.deadline < $2 THEN 1 ELSE 0 END) AS BIGINT) AS open_overdue, \
           CAST(SUM(CASE WHEN d.light = 'red' AND (d.state <> 'closed' OR d.closed_on > $2) THEN 1 ELSE 0 END) AS BIGINT) AS red, \
           CAST(SUM(d.returned_count) AS BIGINT) AS returned, \
           CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM exemptions e WHERE e.duty_id = d.id AND e.state = 'exempted') AND (d.state <> 'closed' OR d.closed_on > d.deadline) THEN 1 ELSE 0 END) AS BIGINT) AS exempted \
         FROM duties d JOIN units u ON u.id = d.owner_unit_id \
         WHERE d.state <> 'draft' AND d.deadline IS NOT NULL AND d.assigned_on <= $2 AND (d.state <> 'closed' OR d.closed_on >= $1) \
         GROUP BY d.owner_unit_id, u.name ORDER BY d.owner_unit_id",
    )
    .bind(from)
    .bind(as_of)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(luoshi_domain::duty::UnitStats {
                unit_id: get_i64(r, "unit_id")?,
                unit_name: get_str(r, "unit_name")?,
                items: get_i64(r, "items")?,
                closed_on_time: get_i64(r, "on_time")?,
                closed_late: get_i64(r, "late")?,
                open_overdue: get_i64(r, "open_overdue")?,
                red: get_i64(r, "red")?,
                returned: get_i64(r, "returned")?,
                exempted: get_i64(r, "exempted")?,
                ..Default::default()
            })
        })
        .collect()
}

/// Tasks closed early in the period (at least `early_days` calendar days before their
/// deadline), for praise in the report: (unit id, count).
pub async fn early_closures(db: &Db, from: &str, to: &str) -> Result<Vec<(i64, String, String, String)>> {
    let rows = sqlx::query(
        "SELECT d.owner_unit_id, d.title, d.closed_on, d.deadline FROM duties d WHERE d.state = 'closed' AND d.closed_on >= $1 AND d.closed_on <= $2 AND d.closed_on < d.deadline ORDER BY d.closed_on",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_i64(r, "owner_unit_id")?, get_str(r, "title")?, get_str(r, "closed_on")?, get_str(r, "deadline")?))).collect()
}

/// Notices raised in a period, by level and unit (for the report).
pub async fn notices_in(db: &Db, from: &str, to: &str) -> Result<Vec<Notice>> {
    let rows = sqlx::query(&format!("{NOTICE_FROM} WHERE n.raised_on >= $1 AND n.raised_on <= $2 ORDER BY n.raised_on, n.id"))
        .bind(from)
        .bind(to)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(notice).collect()
}

pub async fn count(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM duties").fetch_one(db.pool()).await?;
    get_i64(&row, "n")
}

/// Tasks of a directive in order, for the ledger export and the directive page.
pub async fn of_directive(db: &Db, directive_id: i64, vis: &Visibility) -> Result<Vec<Duty>> {
    let vis = vis.resolve(db).await?;
    let mut binds = vec![Bind::I(directive_id)];
    let cond = vis.condition(&mut binds);
    let sql = format!("SELECT {DUTY_COLS} FROM {DUTY_FROM} WHERE d.directive_id = $1 AND {cond} ORDER BY d.id");
    let rows = bind_all(sqlx::query(&sql), &binds).fetch_all(db.pool()).await?;
    rows.iter().map(duty).collect()
}

/// Co-unit names of many duties: (duty id, role, unit name).
pub async fn co_unit_names(db: &Db, ids: &[i64]) -> Result<Vec<(i64, CoRole, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = sqlx::query(&format!(
        "SELECT du.duty_id, du.role, u.name FROM duty_units du JOIN units u ON u.id = du.unit_id WHERE du.duty_id IN ({list}) ORDER BY du.duty_id, u.id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((get_i64(r, "duty_id")?, CoRole::parse(&get_str(r, "role")?).ok_or_else(|| DomainError::invalid("role"))?, get_str(r, "name")?)))
        .collect()
}

/// Grade a closed task once (评价).
pub async fn evaluate(tx: &mut WriteTx, actor: &Actor, id: i64, grade: &str, note: Option<&str>) -> Result<()> {
    let n = sqlx::query("UPDATE duties SET evaluation = $1, evaluation_note = $2, updated_at = $3 WHERE id = $4 AND state = 'closed' AND evaluation IS NULL")
        .bind(grade)
        .bind(note.map(str::to_string))
        .bind(crate::now_micros())
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DomainError::field(ErrorCode::Conflict, "state").into());
    }
    event(tx, actor, id, None, "evaluate", None, None, note, Some(serde_json::json!({ "grade": grade }))).await
}

/// An attachment's record (its bytes are read only on download).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub duty_id: i64,
    pub unit_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub actor: String,
    pub at: i64,
}

fn attachment(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: get_i64(r, "id")?,
        duty_id: get_i64(r, "duty_id")?,
        unit_id: get_i64(r, "unit_id")?,
        name: get_str(r, "name")?,
        content_type: get_str(r, "content_type")?,
        size: get_i64(r, "size")?,
        sha256: get_str(r, "sha256")?,
        actor: get_str(r, "actor")?,
        at: get_i64(r, "at")?,
    })
}

const ATT_COLS: &str = "id, duty_id, unit_id, name, content_type, size, sha256, actor, at";

pub async fn add_attachment(tx: &mut WriteTx, actor: &Actor, duty_id: i64, unit_id: i64, name: &str, content_type: &str, data: &[u8]) -> Result<i64> {
    use sha2::Digest;
    let sha256 = hex::encode(sha2::Sha256::digest(data));
    let sha256 = sha256.as_str();
    let row = sqlx::query("INSERT INTO attachments (duty_id, unit_id, name, content_type, size, sha256, data, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(duty_id)
        .bind(unit_id)
        .bind(name)
        .bind(content_type)
        .bind(i64::try_from(data.len()).unwrap_or(i64::MAX))
        .bind(sha256)
        .bind(data.to_vec())
        .bind(&actor.name)
        .bind(crate::now_micros())
        .fetch_one(tx.conn())
        .await?;
    let id = get_i64(&row, "id")?;
    event(
        tx,
        actor,
        duty_id,
        Some(unit_id),
        "attach",
        None,
        None,
        Some(name),
        Some(serde_json::json!({ "attachment_id": id, "size": data.len(), "sha256": sha256 })),
    )
    .await?;
    Ok(id)
}

pub async fn attachments_of(db: &Db, duty_id: i64) -> Result<Vec<Attachment>> {
    let rows = sqlx::query(&format!("SELECT {ATT_COLS} FROM attachments WHERE duty_id = $1 ORDER BY id")).bind(duty_id).fetch_all(db.pool()).await?;
    rows.iter().map(attachment).collect()
}

/// One attachment of a duty with its bytes.
pub async fn attachment_data(db: &Db, duty_id: i64, id: i64) -> Result<Option<(Attachment, Vec<u8>)>> {
    let row = sqlx::query(&format!("SELECT {ATT_COLS}, data FROM attachments WHERE duty_id = $1 AND id = $2"))
        .bind(duty_id)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(r) => Ok(Some((attachment(&r)?, r.try_get::<Vec<u8>, _>("data")?))),
        None => Ok(None),
    }
}

/// Tasks in progress whose owner has not reported in `period` (`YYYY-MM`): (id, owner unit).
pub async fn missing_reports(db: &Db, period: &str) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT d.id, d.owner_unit_id FROM duties d WHERE d.state IN ('signed', 'returned') \
         AND NOT EXISTS (SELECT 1 FROM duty_reports r WHERE r.duty_id = d.id AND r.unit_id = d.owner_unit_id AND r.period = $1) ORDER BY d.id",
    )
    .bind(period)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((get_i64(r, "id")?, get_i64(r, "owner_unit_id")?))).collect()
}
