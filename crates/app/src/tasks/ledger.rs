//! 任务分解表: the task-breakdown ledger in Excel, in and out.
//!
//! Columns: 序号, 工作任务, 具体措施, 牵头领导, 牵头单位, 责任单位, 配合单位, 完成时限, 进展情况, 备注.
//! An import checks every row against the unit tree and the leaders, reports every problem by
//! row and column, and writes nothing unless every row is valid.

use crate::{forbidden, ymd, Result, Who};
use luoshi_domain::access::Scope;
use luoshi_domain::tasks::{CoRole, DeadlineSpec, NewTask, Term};
use luoshi_domain::unit::Unit;
use luoshi_domain::unit_import::RowError;
use luoshi_domain::user::Role;
use luoshi_domain::DomainError;
use luoshi_storage::tasks::{self as store, DirectiveInput};
use luoshi_storage::{units, users, Db};
use serde::Serialize;

pub const COLUMNS: [&str; 10] = ["序号", "工作任务", "具体措施", "牵头领导", "牵头单位", "责任单位", "配合单位", "完成时限", "进展情况", "备注"];

pub use luoshi_domain::deadline::parse_deadline;

fn split_names(s: &str) -> Vec<String> {
    s.split(['、', '，', ',', ';', '；', '/', '\n']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

/// One planned row.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedTask {
    pub row: usize,
    pub seq: String,
    /// Index of the parent row in the plan.
    pub parent: Option<usize>,
    #[serde(skip)]
    pub task: NewTask,
    pub title: String,
    pub deadline: String,
    pub lead_unit: String,
}

/// Read and check a ledger. `year` dates deadlines like 年底前.
pub async fn plan(db: &Db, bytes: &[u8], file_name: &str, year: i32) -> Result<std::result::Result<Vec<PlannedTask>, Vec<RowError>>> {
    let table = match luoshi_ledger::read_table(bytes, luoshi_ledger::Format::detect(file_name, bytes)) {
        Ok(t) => t,
        Err(e) => return Ok(Err(vec![RowError::new(1, "", e)])),
    };
    plan_table(db, &table, year).await
}

/// Check a ledger already read into rows (the header row names the columns).
pub async fn plan_table(db: &Db, table: &luoshi_ledger::Table, year: i32) -> Result<std::result::Result<Vec<PlannedTask>, Vec<RowError>>> {
    let idx = match luoshi_ledger::column_index(table, &COLUMNS, &["工作任务", "牵头单位", "完成时限"]) {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    let all_units = units::list(db, &Scope::All).await?;
    let leaders: Vec<luoshi_domain::user::User> =
        users::list(db, &Scope::All).await?.into_iter().map(|(u, _)| u).filter(|u| u.role == Role::Leader && !u.disabled).collect();
    // Dates are plausible around the document's year (rule data).
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let bounds = crate::date_bounds(db, start).await?;
    Ok(plan_rows(table, &idx, &all_units, &leaders, year, &bounds))
}

fn plan_rows(
    table: &luoshi_ledger::Table,
    idx: &[Option<usize>],
    all_units: &[Unit],
    leaders: &[luoshi_domain::user::User],
    year: i32,
    bounds: &luoshi_domain::plausible::DateBounds,
) -> std::result::Result<Vec<PlannedTask>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut out: Vec<PlannedTask> = Vec::new();
    let resolve = |name: &str| luoshi_storage::units::resolve(all_units, name).map(|u| u.id);
    for (row, cells) in &table.rows {
        let get = |i: usize| idx[i].and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut row_errors: Vec<RowError> = Vec::new();
        let mut err = |col: &str, e: DomainError| row_errors.push(RowError::new(*row, col, e));
        let seq = get(0);
        let title = get(1);
        if title.is_empty() {
            err("工作任务", DomainError::required("title"));
        } else if title.chars().count() > 200 {
            err("工作任务", DomainError::field(luoshi_domain::ErrorCode::TooLong, "title").with_detail("200"));
        }
        let leader = get(3);
        let lead_leader_id = if leader.is_empty() {
            None
        } else {
            let hits: Vec<&luoshi_domain::user::User> =
                leaders.iter().filter(|u| leader.contains(&u.display_name) || u.display_name.contains(&leader) || u.username == leader).collect();
            match hits.as_slice() {
                [u] => Some(u.id),
                _ => {
                    err("牵头领导", DomainError::not_found("lead_leader_id").with_detail(leader.clone()));
                    None
                }
            }
        };
        let lead = get(4);
        let lead_unit_id = if lead.is_empty() {
            err("牵头单位", DomainError::required("lead_unit_id"));
            0
        } else {
            // Several lead units: the first leads, the others share responsibility.
            let names = split_names(&lead);
            match resolve(names.first().map(String::as_str).unwrap_or("")) {
                Ok(id) => id,
                Err(e) => {
                    err("牵头单位", e);
                    0
                }
            }
        };
        let mut responsible = Vec::new();
        for name in split_names(&lead).into_iter().skip(1).chain(split_names(&get(5))) {
            match resolve(&name) {
                Ok(id) => responsible.push(id),
                Err(e) => err("责任单位", e),
            }
        }
        let mut cooperating = Vec::new();
        for name in split_names(&get(6)) {
            match resolve(&name) {
                Ok(id) => cooperating.push(id),
                Err(e) => err("配合单位", e),
            }
        }
        let raw_deadline = get(7);
        let mut parsed = parse_deadline(&raw_deadline, year);
        if parsed.is_none() {
            err(
                "完成时限",
                if raw_deadline.is_empty() { DomainError::required("deadline") } else { DomainError::invalid("deadline").with_detail(raw_deadline.clone()) },
            );
        } else if let Some(Err(e)) = parsed.map(|(d, _)| bounds.check("deadline", d)) {
            err("完成时限", e);
            parsed = None;
        }
        // `1.1` goes under the row numbered `1` above it; where the file has no such row (a
        // heading such as 一、… that is not a task of its own, left out of an export), it
        // stands at the top with its number kept.
        let parent = seq.rsplit_once('.').and_then(|(p, _)| out.iter().position(|x| x.seq == p));
        if !seq.is_empty() && out.iter().any(|x| x.seq == seq) {
            err("序号", DomainError::field(luoshi_domain::ErrorCode::Duplicate, "seq").with_detail(seq.clone()));
        }
        let failed = !row_errors.is_empty();
        errors.extend(row_errors);
        if failed {
            continue;
        }
        let Some((deadline, term)) = parsed else { continue };
        let progress = get(8);
        let remark = get(9);
        let remarks = match (progress.is_empty(), remark.is_empty()) {
            (true, true) => None,
            (false, true) => Some(format!("进展情况：{progress}")),
            (true, false) => Some(remark),
            (false, false) => Some(format!("{remark}；进展情况：{progress}")),
        };
        let measures = get(2);
        responsible.retain(|u| *u != lead_unit_id);
        responsible.dedup();
        cooperating.retain(|u| *u != lead_unit_id && !responsible.contains(u));
        cooperating.dedup();
        let task = NewTask {
            parent_id: None,
            title: title.clone(),
            measures: (!measures.is_empty()).then_some(measures),
            lead_leader_id,
            lead_unit_id,
            responsible_unit_ids: responsible,
            cooperating_unit_ids: cooperating,
            deadline: DeadlineSpec::Date(deadline),
            term,
            weight: 1.0,
            milestones: Vec::new(),
            remarks: remarks.map(|r| r.chars().take(1000).collect()),
        };
        let seq = if seq.is_empty() { (out.len() + 1).to_string() } else { seq };
        out.push(PlannedTask { row: *row, seq, parent, task, title, deadline: ymd(deadline), lead_unit: lead });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(RowError::new(1, "工作任务", DomainError::required("file")));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Where imported tasks go.
#[derive(Debug, Clone)]
pub enum Target {
    Existing(i64),
    New(DirectiveInput),
}

/// Check, then (unless `dry_run`) write a directive's tasks in one transaction.
pub async fn import(
    db: &Db,
    who: &Who,
    target: &Target,
    bytes: &[u8],
    file_name: &str,
    dry_run: bool,
) -> Result<std::result::Result<(Option<i64>, Vec<PlannedTask>), Vec<RowError>>> {
    let table = match luoshi_ledger::read_table(bytes, luoshi_ledger::Format::detect(file_name, bytes)) {
        Ok(t) => t,
        Err(e) => return Ok(Err(vec![RowError::new(1, "", e)])),
    };
    import_table(db, who, target, &table, file_name, dry_run).await
}

/// [`import`] of rows already read (the 文件分解 page publishes its edited draft this way).
pub async fn import_table(
    db: &Db,
    who: &Who,
    target: &Target,
    table: &luoshi_ledger::Table,
    source: &str,
    dry_run: bool,
) -> Result<std::result::Result<(Option<i64>, Vec<PlannedTask>), Vec<RowError>>> {
    if !who.is_supervisor() {
        return Err(forbidden());
    }
    let (year, new_directive) = match target {
        Target::Existing(id) => {
            let d = store::get_directive(db, *id).await?.ok_or_else(|| DomainError::not_found("directive"))?;
            (d.issued_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026), None)
        }
        Target::New(input) => {
            let v = input.validate()?;
            (v.issued_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026), Some(v))
        }
    };
    let planned = match plan_table(db, table, year).await? {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    if dry_run {
        return Ok(Ok((None, planned)));
    }
    let mut tx = db.begin_write().await?;
    let directive_id = match (target, new_directive) {
        (Target::Existing(id), _) => *id,
        (_, Some(v)) => store::create_directive(&mut tx, &who.actor, &v).await?.id,
        _ => return Err(DomainError::invalid("directive_id").into()),
    };
    let mut ids: Vec<i64> = Vec::with_capacity(planned.len());
    for p in &planned {
        let mut t = p.task.clone();
        t.parent_id = p.parent.and_then(|i| ids.get(i).copied());
        let dl = match t.deadline {
            DeadlineSpec::Date(d) => ymd(d),
            DeadlineSpec::WorkingDays(_) => String::new(),
        };
        // Units and leaders were resolved from the database while planning, in this request.
        let id = store::insert_checked(&mut tx, &who.actor, Some(directive_id), Some(&p.seq), &t, Some(&dl), None, luoshi_domain::duty::Light::None).await?;
        ids.push(id);
    }
    tx.audit(&who.actor, "task.import", "directive", &directive_id.to_string(), None, Some(&serde_json::json!({ "file": source, "rows": planned.len() })))
        .await?;
    tx.commit().await?;
    Ok(Ok((Some(directive_id), planned)))
}

/// The rows of the ledger for a directive (or every task the caller sees).
pub async fn export_rows(db: &Db, who: &Who, directive_id: Option<i64>) -> Result<Vec<Vec<String>>> {
    let vis = who.visibility();
    let tasks = match directive_id {
        Some(d) => store::of_directive(db, d, &vis).await?,
        None => store::list(db, &vis, &store::Filter { limit: Some(500), ..Default::default() }).await?,
    };
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let co = store::co_unit_names(db, &ids).await?;
    let mut rows = Vec::with_capacity(tasks.len());
    for (i, t) in tasks.iter().enumerate() {
        let names = |role: CoRole| co.iter().filter(|c| c.0 == t.id && c.1 == role).map(|c| c.2.clone()).collect::<Vec<_>>().join("、");
        let latest = store::reports(db, t.id).await?.into_iter().find(|r| r.unit_id == t.owner_unit_id);
        let progress = match latest {
            Some(r) => format!("{}（{}%）", r.text, r.percent),
            None => String::new(),
        };
        let deadline = match (t.term, &t.deadline) {
            // The date it is next checked goes with it, so that an import brings it back.
            (Term::LongTerm, Some(d)) => format!("长期坚持（{d}）"),
            (Term::LongTerm, None) => "长期坚持".to_string(),
            (_, Some(d)) => d.clone(),
            (_, None) => t.deadline_working_days.map(|n| format!("交办后{n}个工作日")).unwrap_or_default(),
        };
        rows.push(vec![
            t.seq.clone().unwrap_or_else(|| (i + 1).to_string()),
            t.title.clone(),
            t.measures.clone().unwrap_or_default(),
            t.lead_leader_name.clone().unwrap_or_default(),
            t.owner_unit_name.clone(),
            names(CoRole::Responsible),
            names(CoRole::Cooperating),
            deadline,
            progress,
            t.remarks.clone().unwrap_or_default(),
        ]);
    }
    Ok(rows)
}

pub fn export_xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, DomainError> {
    luoshi_ledger::write_xlsx("任务分解表", &COLUMNS, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn deadlines_as_offices_write_them() {
        let y = 2026;
        assert_eq!(parse_deadline("2026-06-30", y), Some((d("2026-06-30"), Term::Current)));
        assert_eq!(parse_deadline("2026年9月15日", y), Some((d("2026-09-15"), Term::Current)));
        assert_eq!(parse_deadline("年底前", y), Some((d("2026-12-31"), Term::Current)));
        assert_eq!(parse_deadline("6月底前", y), Some((d("2026-06-30"), Term::Current)));
        assert_eq!(parse_deadline("三季度", y), Some((d("2026-09-30"), Term::Current)));
        assert_eq!(parse_deadline("第二季度", y), Some((d("2026-06-30"), Term::Current)));
        assert_eq!(parse_deadline("上半年", y), Some((d("2026-06-30"), Term::Current)));
        assert_eq!(parse_deadline("2027年3月底", y), Some((d("2027-03-31"), Term::Current)));
        assert_eq!(parse_deadline("长期坚持", y), Some((d("2026-12-31"), Term::LongTerm)));
        // With the date it is next checked (as the export writes it).
        assert_eq!(parse_deadline("长期坚持（2026-07-25）", y), Some((d("2026-07-25"), Term::LongTerm)));
        assert_eq!(parse_deadline("持续推进，9月底前", y), Some((d("2026-09-30"), Term::LongTerm)));
        assert_eq!(parse_deadline("11月20日前", y), Some((d("2026-11-20"), Term::Current)));
        assert_eq!(parse_deadline("尽快", y), None);
        assert_eq!(parse_deadline("13月底", y), None);
        assert_eq!(parse_deadline("", y), None);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    proptest! {
        /// Any deadline text: a date in a sane range or nothing, never a panic.
        #[test]
        fn any_deadline_text(s in "\\PC{0,30}", y in 2000i32..2100) {
            if let Some((d, _)) = parse_deadline(&s, y) {
                prop_assert!(d.year() >= 1000 && d.year() <= 9999);
            }
        }

        #[test]
        fn deadline_like_text(m in 0u32..15, d in 0u32..40, q in 0u32..6, suffix in "(前|底|底前|末|日|日前|)") {
            for s in [format!("{m}月{d}日{suffix}"), format!("{m}月{suffix}"), format!("第{q}季度"), format!("2026年{m}月{suffix}")] {
                let _ = parse_deadline(&s, 2026);
            }
        }
    }
}
