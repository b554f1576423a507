//! The county's debt ledger in xlsx, in and out. An import checks every row through the same
//! checks as the form and reports every problem by row and column, writing nothing unless every
//! row is good; a row whose 债务编号 is already in the ledger is left as it stands (counted).

use super::instruments::{check_with, create_many, field_errors, InstrumentInput};
use super::{reader, writer};
use crate::{code_of, Result, Who};
use luoshi_domain::debt::{Amortisation, Category, DayCount, InstrumentKind};
use luoshi_domain::i18n::{t, Lang};
use luoshi_domain::time::local_date;
use luoshi_domain::unit_import::RowError;
use luoshi_domain::DomainError;
use luoshi_storage::debt::{self, Filter};
use luoshi_storage::Db;
use serde::Serialize;

/// The ledger's columns, in order.
pub const COLUMNS: [&str; 22] = [
    "债务编号",
    "债务名称",
    "举债主体",
    "债务工具",
    "债务分类",
    "债权人",
    "本金（万元）",
    "币种",
    "利率（%）",
    "利率基准",
    "点差（基点）",
    "费用（万元）",
    "计息基准",
    "起息日",
    "到期日",
    "还本方式",
    "付息间隔（月）",
    "担保",
    "抵质押",
    "对应项目",
    "已提款（万元）",
    "备注",
];

/// What an import did or would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub rows: usize,
    pub created: usize,
    /// Rows whose 债务编号 is already in the ledger.
    pub existing: usize,
}

/// The column a checked field comes from.
fn column_of(field: &str) -> &'static str {
    let k = match field {
        "code" => 0,
        "name" => 1,
        "borrower" => 2,
        "debt_kind" => 3,
        "debt_category" => 4,
        "lender" => 5,
        "principal_wan" => 6,
        "currency" => 7,
        "rate_percent" => 8,
        "rate_reference" => 9,
        "spread_bp" => 10,
        "fees_wan" => 11,
        "day_count" => 12,
        "start_on" => 13,
        "maturity_on" => 14,
        "amortisation" | "custom_schedule" => 15,
        "every_months" => 16,
        "guarantee" => 17,
        "collateral" => 18,
        "project" => 19,
        "drawn_wan" => 20,
        _ => 21,
    };
    COLUMNS[k]
}

/// Check a ledger and, unless `dry_run`, write it in one transaction.
pub async fn import(db: &Db, who: &Who, bytes: &[u8], file_name: &str, dry_run: bool, now: i64) -> Result<std::result::Result<Report, Vec<RowError>>> {
    let required = ["债务编号", "债务名称", "举债主体", "债务工具", "债务分类", "债权人", "本金（万元）", "利率（%）", "起息日", "到期日"];
    let (table, idx) = match crate::ledger_table(bytes, file_name, &COLUMNS, &required) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let borrowers = debt::borrowers(db).await?;
    let codes_col = idx[0];
    let listed: Vec<String> = table.rows.iter().filter_map(|(_, cells)| codes_col.and_then(|c| cells.get(c)).map(|s| s.trim().to_string())).collect();
    let held = debt::codes_in(db, &listed).await?;
    let mut errors = Vec::new();
    let mut report = Report { dry_run, rows: table.rows.len(), ..Report::default() };
    let mut planned = Vec::new();
    let mut codes = std::collections::HashSet::new();
    for (row, cells) in &table.rows {
        let get = |i: usize| idx[i].and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let coded = |i: usize, v: Option<&'static str>| v.map(str::to_string).unwrap_or_else(|| get(i));
        let input = InstrumentInput {
            code: get(0),
            name: get(1),
            borrower: get(2),
            kind: coded(3, code_of(InstrumentKind::ALL, InstrumentKind::as_str, "debt.kind", &get(3))),
            category: coded(4, code_of(Category::ALL, Category::as_str, "debt.category", &get(4))),
            lender: get(5),
            principal_wan: get(6),
            currency: get(7),
            rate_percent: get(8),
            rate_reference: get(9),
            spread_bp: get(10),
            fees_wan: get(11),
            day_count: coded(12, code_of(DayCount::ALL, DayCount::as_str, "debt.day_count", &get(12))),
            start_on: get(13),
            maturity_on: get(14),
            amortisation: coded(15, code_of(Amortisation::ALL, Amortisation::as_str, "debt.amortisation", &get(15))),
            every_months: get(16),
            guarantee: get(17),
            collateral: get(18),
            project: get(19),
            drawn_wan: get(20),
            note: get(21),
            custom_schedule: String::new(),
        };
        let Some(b) = borrowers.iter().find(|b| b.name == input.borrower) else {
            let e = if input.borrower.is_empty() {
                DomainError::required("borrower")
            } else {
                DomainError::invalid("borrower").with_detail(input.borrower.clone())
            };
            errors.push(RowError::new(*row, COLUMNS[2], e));
            for d in field_errors(&input) {
                errors.push(RowError::new(*row, column_of(d.field.as_deref().unwrap_or("")), d));
            }
            continue;
        };
        if held.contains(&input.code) {
            report.existing += 1;
            continue;
        }
        let wrong = field_errors(&input);
        if !wrong.is_empty() {
            for d in wrong {
                errors.push(RowError::new(*row, column_of(d.field.as_deref().unwrap_or("")), d));
            }
            continue;
        }
        match check_with(&input, b.id, b.kind) {
            Ok(c) => {
                if !codes.insert(c.row.code.clone()) {
                    errors.push(RowError::new(
                        *row,
                        COLUMNS[0],
                        DomainError::field(luoshi_domain::ErrorCode::Duplicate, "code").with_detail(c.row.code.clone()),
                    ));
                    continue;
                }
                planned.push(c);
            }
            Err(d) => errors.push(RowError::new(*row, column_of(d.field.as_deref().unwrap_or("")), d)),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    // The file is read first (a bad one is answered the same to everyone); only the bureau writes.
    writer(db, who, local_date(now)).await?;
    report.created = planned.len();
    if !dry_run {
        create_many(db, who, planned, now).await?;
    }
    Ok(Ok(report))
}

/// The ledger as xlsx: the import's columns and the balance owed.
pub async fn export(db: &Db, who: &Who, f: &Filter, now: i64) -> Result<Vec<u8>> {
    reader(db, who, local_date(now)).await?;
    let label = |prefix: &str, code: &str| t(Lang::ZhCn, &format!("{prefix}.{code}")).to_string();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut after = 0;
    loop {
        let page = debt::page(db, f, after, 1000).await?;
        let Some(last) = page.last().map(|(i, _)| i.id) else { break };
        let ids: Vec<i64> = page.iter().map(|(i, _)| i.id).collect();
        let drawn_of = debt::drawn_of(db, &ids).await?;
        for (i, owed) in &page {
            let drawn = drawn_of.get(&i.id).map(|d| d.0).unwrap_or(0);
            rows.push(vec![
                i.code.clone(),
                i.name.clone(),
                i.borrower_name.clone(),
                label("debt.kind", i.kind.as_str()),
                label("debt.category", i.category.as_str()),
                i.lender.clone(),
                i.principal.wan(),
                i.currency.clone(),
                i.rate.show().trim_end_matches('%').to_string(),
                i.rate_reference.clone(),
                if i.spread_bp == 0 { String::new() } else { i.spread_bp.to_string() },
                if i.fees.0 == 0 { String::new() } else { i.fees.wan() },
                label("debt.day_count", i.day_count.as_str()),
                i.start_on.clone(),
                i.maturity_on.clone(),
                label("debt.amortisation", i.amortisation.as_str()),
                i.every_months.to_string(),
                i.guarantee.clone(),
                i.collateral.clone(),
                i.project.clone(),
                luoshi_domain::money::Fen(drawn).wan(),
                i.note.clone(),
                owed.wan(),
            ]);
        }
        after = last;
    }
    let headers: Vec<&str> = COLUMNS.iter().copied().chain(std::iter::once("余额（万元）")).collect();
    Ok(luoshi_ledger::write_xlsx("债务台账", &headers, &rows)?)
}
