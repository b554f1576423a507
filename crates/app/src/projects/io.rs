//! The project ledger in xlsx, in and out, in the columns counties keep (项目名称, 项目代码 …
//! 年度计划投资). An import checks every row through the same checks as the form and reports
//! every problem by row and column, writing nothing unless every row is good; a row whose
//! project code is already in the ledger is left as it stands (counted, not written twice).

use super::register::{checked, relight, FundInput, ProjectInput};
use super::{office, runs_projects};
use crate::{code_of, forbidden, Result, Who};
use luoshi_domain::access::Scope;
use luoshi_domain::duty::Light;
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::projects::{show_mu, Industry, Investment, Route, Stage};
use luoshi_domain::unit_import::RowError;
use luoshi_domain::DomainError;
use luoshi_storage::duty;
use luoshi_storage::projects::ledger::{self, Filter};
use luoshi_storage::projects::{self as store, reports};
use luoshi_storage::{units, users, Db};
use serde::Serialize;

/// The ledger's columns, in order.
pub const COLUMNS: [&str; 17] = [
    "项目名称",
    "项目代码",
    "项目单位",
    "投资主体",
    "审批类型",
    "所属行业",
    "建设内容及规模",
    "总投资（万元）",
    "用地（亩）",
    "所在乡镇",
    "包联领导",
    "牵头单位",
    "项目阶段",
    "计划签约日期",
    "计划开工日期",
    "计划竣工日期",
    "年度计划投资（万元）",
];

/// Columns the export adds after them.
pub const EXPORT_EXTRA: [&str; 3] = ["本年完成投资（万元）", "亮灯", "入库"];

/// What an import did or would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub rows: usize,
    pub created: usize,
    /// Rows whose code is already in the ledger.
    pub existing: usize,
    /// (row, message key) for rows saved with a warning.
    pub warnings: Vec<(usize, &'static str)>,
}

/// Check a ledger and, unless `dry_run`, write it in one transaction.
pub async fn import(db: &Db, who: &Who, bytes: &[u8], file_name: &str, dry_run: bool, now: i64) -> Result<std::result::Result<Report, Vec<RowError>>> {
    let today = luoshi_domain::time::local_date(now);
    let (table, idx) = match crate::ledger_table(bytes, file_name, &COLUMNS, &["项目名称", "投资主体", "审批类型", "所属行业", "总投资（万元）", "牵头单位"])
    {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let all = units::list(db, &Scope::All).await?;
    let people = users::list(db, &Scope::All).await?;
    let mut errors = Vec::new();
    let mut report = Report { dry_run, rows: table.rows.len(), ..Report::default() };
    let mut planned = Vec::new();
    let mut codes = std::collections::HashSet::new();
    for (row, cells) in &table.rows {
        let get = |i: usize| idx[i].and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut err = |col: &str, e: DomainError| errors.push(RowError::new(*row, col, e));
        let mut coded = |col: usize, v: Option<&'static str>, field: &str| match v {
            Some(c) => c.to_string(),
            None => {
                err(COLUMNS[col], DomainError::invalid(field).with_detail(get(col)));
                String::new()
            }
        };
        let investment = coded(3, code_of(Investment::ALL, Investment::as_str, "investment", &get(3)), "investment");
        let route = coded(4, code_of(Route::ALL, Route::as_str, "route", &get(4)), "route");
        let industry = coded(5, code_of(Industry::ALL, Industry::as_str, "industry", &get(5)), "project_industry");
        let stage = if get(12).is_empty() { String::new() } else { coded(12, code_of(Stage::ALL, Stage::as_str, "project_stage", &get(12)), "stage") };
        let unit = |col: usize, field: &str, errs: &mut Vec<RowError>| -> Option<i64> {
            let name = get(col);
            if name.is_empty() {
                return None;
            }
            match units::resolve(&all, &name) {
                Ok(u) => Some(u.id),
                Err(_) => {
                    errs.push(RowError::new(*row, COLUMNS[col], DomainError::invalid(field).with_detail(name)));
                    None
                }
            }
        };
        let township_id = unit(9, "township_id", &mut errors);
        let lead_unit_id = unit(11, "lead_unit_id", &mut errors);
        let leader = get(10);
        let leader_user_id = if leader.is_empty() {
            None
        } else {
            let hit = people.iter().find(|(u, _)| u.display_name == leader && u.role == luoshi_domain::user::Role::Leader).map(|(u, _)| u.id);
            if hit.is_none() {
                errors.push(RowError::new(*row, COLUMNS[10], DomainError::invalid("leader_user_id").with_detail(leader.clone())));
            }
            hit
        };
        let input = ProjectInput {
            code: get(1),
            name: get(0),
            investor: get(2),
            investment,
            route,
            industry,
            scope: get(6),
            total_wan: get(7),
            land_mu: get(8),
            township_id,
            leader_user_id,
            lead_unit_id,
            stage,
            planned_sign_on: get(13),
            planned_start_on: get(14),
            planned_complete_on: get(15),
            annual_plan_wan: get(16),
            funds: Vec::<FundInput>::new(),
            ..ProjectInput::default()
        };
        if !input.code.is_empty() && store::by_code(db, &input.code.trim().to_ascii_uppercase()).await?.is_some() {
            report.existing += 1;
            continue;
        }
        match checked(db, &input, today, None).await {
            Ok(n) => {
                if let Some(c) = &n.code {
                    if !codes.insert(c.clone()) {
                        errors.push(RowError::new(*row, COLUMNS[1], DomainError::field(luoshi_domain::ErrorCode::Duplicate, "code").with_detail(c.clone())));
                        continue;
                    }
                }
                if n.code_warning.is_some() {
                    report.warnings.push((*row, "code_check_unverified"));
                }
                planned.push(n);
            }
            Err(luoshi_storage::StoreError::Domain(d)) => {
                let col = column_of(d.field.as_deref().unwrap_or(""));
                errors.push(RowError::new(*row, col, d));
            }
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    // The file is read first (a bad one is answered the same to everyone); only the office writes.
    if !runs_projects(who, &office(db, today).await?.path) {
        return Err(forbidden());
    }
    report.created = planned.len();
    if dry_run {
        return Ok(Ok(report));
    }
    let mut tx = db.begin_write().await?;
    let mut made = Vec::new();
    for n in &planned {
        made.push(store::create(&mut tx, &who.actor, n, None, Light::Green, now).await?);
    }
    tx.commit().await?;
    for p in &made {
        relight(db, who, p, now).await?;
    }
    Ok(Ok(report))
}

/// The column a checked field comes from.
fn column_of(field: &str) -> &'static str {
    match field {
        f if f == "code" || f.starts_with("project_code") => COLUMNS[1],
        "investor" => COLUMNS[2],
        "scope" => COLUMNS[6],
        "total_wan" | "funds" => COLUMNS[7],
        "land_mu" => COLUMNS[8],
        "stage" | "since" => COLUMNS[12],
        "planned_sign_on" => COLUMNS[13],
        "planned_start_on" => COLUMNS[14],
        "planned_complete_on" => COLUMNS[15],
        "annual_plan_wan" => COLUMNS[16],
        "route" => COLUMNS[4],
        "project_industry" => COLUMNS[5],
        "lead_unit_id" => COLUMNS[11],
        "township_id" => COLUMNS[9],
        "leader_user_id" => COLUMNS[10],
        _ => COLUMNS[0],
    }
}

/// The ledger in the caller's sight as xlsx, with this year's investment and the light.
pub async fn export(db: &Db, who: &Who, f: &Filter, now: i64) -> Result<Vec<u8>> {
    let today = luoshi_domain::time::local_date(now);
    let year = chrono::Datelike::year(&today);
    let sight = duty::resolve(db, &who.sight()).await?;
    let all = ledger::all(db, &sight, f).await?;
    let plans = ledger::plans(db, year).await?;
    let (invested, _) = reports::sums(db, year).await?;
    let label = |prefix: &str, code: &str| t(Lang::ZhCn, &format!("{prefix}.{code}")).to_string();
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.code.clone().unwrap_or_default(),
                p.investor.clone(),
                label("investment", p.investment.as_str()),
                label("route", p.route.as_str()),
                label("industry", p.industry.as_str()),
                p.scope.clone(),
                p.total.wan(),
                show_mu(p.land_mu),
                p.township_name.clone().unwrap_or_default(),
                p.leader_name.clone().unwrap_or_default(),
                p.lead_unit_name.clone(),
                label("project_stage", p.stage.as_str()),
                p.planned_sign_on.clone().unwrap_or_default(),
                p.planned_start_on.clone().unwrap_or_default(),
                p.planned_complete_on.clone().unwrap_or_default(),
                plans.get(&p.id).map(|y| y.wan()).unwrap_or_default(),
                invested.get(&p.id).map(|y| y.wan()).unwrap_or_default(),
                label("light", &p.light),
                if p.in_library { "是".into() } else { "否".into() },
            ]
        })
        .collect();
    let headers: Vec<&str> = COLUMNS.iter().chain(EXPORT_EXTRA.iter()).copied().collect();
    Ok(luoshi_ledger::write_xlsx("项目台账", &headers, &rows)?)
}
